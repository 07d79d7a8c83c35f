// wasm/fp.ts + fp_mont.ts against @noble/curves' Fp (bigints).
import { beforeAll, describe, expect, it } from 'vitest';
import { DECODE_ERR, Fp, IN0, IN1, Io, P, bigToBytes, load, rng, type Exports } from './helpers';

const N = 1000;
let w: Exports;
let io: Io;
beforeAll(async () => {
  w = await load();
  io = new Io(w);
});

const isSquare = (a: bigint) => a === 0n || Fp.pow(a, (P - 1n) / 2n) === 1n;
const half = (P - 1n) / 2n;

/** Runs t_fp(op) on (a, b); returns [status, out]. */
function run(op: number, a: bigint, b = 0n): [number, bigint] {
  io.put(IN0, [a]);
  io.put(IN1, [b]);
  const st = w.t_fp(op);
  return [st, io.get(1)[0]];
}

describe('Fp (wasm) vs noble', () => {
  const binary: [string, number, (a: bigint, b: bigint) => bigint][] = [
    ['add', 0, (a, b) => Fp.add(a, b)],
    ['sub', 1, (a, b) => Fp.sub(a, b)],
    ['mul', 2, (a, b) => Fp.mul(a, b)],
    ['select(1)', 14, (_a, b) => b],
    ['select(0)', 15, (a) => a],
    ['cmov(1)', 16, (_a, b) => b],
    ['cswap(1)', 21, (_a, b) => b],
    ['mul, out aliases a', 22, (a, b) => Fp.mul(a, b)]
  ];
  for (const [name, op, ref] of binary) {
    it(`${name}: ${N} random inputs and edge cases`, () => {
      const r = rng(BigInt(op) + 11n);
      for (let i = 0; i < N; i++) {
        const a = r.fp();
        const b = r.fp();
        const [st, got] = run(op, a, b);
        expect(st).toBe(0);
        expect(got, `${name}(${a}, ${b})`).toBe(ref(a, b));
      }
    });
  }

  const unary: [string, number, (a: bigint) => bigint][] = [
    ['sqr', 3, (a) => Fp.sqr(a)],
    ['neg', 4, (a) => Fp.neg(a)],
    ['double', 5, (a) => Fp.add(a, a)],
    ['double, out aliases a', 23, (a) => Fp.add(a, a)],
    ['inv (constant-time binary GCD)', 6, (a) => (a === 0n ? 0n : Fp.inv(a))],
    ['inv_vartime', 7, (a) => (a === 0n ? 0n : Fp.inv(a))],
    ['halve', 17, (a) => Fp.div(a, 2n)],
    ['mul_small(12345)', 19, (a) => Fp.mul(a, 12345n)]
  ];
  for (const [name, op, ref] of unary) {
    it(`${name}: ${N} random inputs and edge cases`, () => {
      const r = rng(BigInt(op) + 101n);
      for (const a of [0n, 1n, 2n, P - 1n, P - 2n, half, half + 1n]) expect(run(op, a)[1], `${name}(${a})`).toBe(ref(a));
      for (let i = 0; i < N; i++) {
        const a = r.fp();
        expect(run(op, a)[1], `${name}(${a})`).toBe(ref(a));
      }
    });
  }

  it('inverse of 0 is 0 (both inverses), a * inv(a) = 1 otherwise', () => {
    for (let i = 0; i < 200; i++) {
      const a = rng(6n + BigInt(i)).fp() || 1n;
      expect(Fp.mul(a, run(6, a)[1])).toBe(1n);
    }
    expect(run(6, 0n)).toEqual([0, 0n]);
    expect(run(7, 0n)).toEqual([0, 0n]);
    const r = rng(5n);
    for (let i = 0; i < 200; i++) {
      const a = r.fp() || 1n;
      expect(Fp.mul(a, run(7, a)[1])).toBe(1n);
    }
  });

  it('constant-time inverse on structured Montgomery integers (worst cases of the GCD)', () => {
    // fp_inv runs the GCD on y = a*R mod p (R = 2^390); pick a so that y is 2^k, 2^k - 1,
    // p - 2^k, p - 1, small values: long runs of equal bits stress the approximations.
    const Rinv = Fp.inv(Fp.create(1n << 390n));
    const ys: bigint[] = [1n, 2n, 3n, 5n, P - 1n, P - 2n, P - 3n, half, half + 1n];
    for (let k = 1; k < 381; k += 3) ys.push(1n << BigInt(k), (1n << BigInt(k)) - 1n, P - (1n << BigInt(k)), (1n << BigInt(k)) + 1n);
    for (const y of ys) {
      const a = Fp.mul(Fp.create(y), Rinv);
      expect(run(6, a)[1], `inv(y = ${y})`).toBe(Fp.inv(a));
    }
  });

  it(`sqrt, legendre, is_square: ${N} random inputs (half non-squares)`, () => {
    const r = rng(77n);
    for (let i = 0; i < N; i++) {
      const a = i < 4 ? [0n, 1n, P - 1n, 4n][i] : r.fp();
      const sq = isSquare(a);
      const [ok, root] = run(8, a);
      expect(ok, `sqrt flag of ${a}`).toBe(sq ? 1 : 0);
      if (sq) expect(Fp.sqr(root)).toBe(a);
      else expect(Fp.sqr(root)).toBe(Fp.neg(a)); // documented: out = a^((p+1)/4)
      expect(run(9, a)[0]).toBe(a === 0n ? 0 : sq ? 1 : -1);
      expect(run(20, a)[0]).toBe(sq ? 1 : 0);
    }
    expect(run(8, P - 1n)[0]).toBe(0); // -1 is not a square (p = 3 mod 4)
  });

  it(`eq, is_zero, sgn0, lexicographically largest: ${N} inputs`, () => {
    const r = rng(99n);
    for (let i = 0; i < N; i++) {
      const a = r.fp();
      const b = i % 3 === 0 ? a : r.fp();
      expect(run(10, a, b)[0]).toBe(a === b ? 1 : 0);
      expect(run(11, a)[0]).toBe(a === 0n ? 1 : 0);
      expect(run(12, a)[0]).toBe(Number(a & 1n));
      expect(run(13, a)[0]).toBe(a > half ? 1 : 0);
    }
    expect(run(13, half)[0]).toBe(0);
    expect(run(13, half + 1n)[0]).toBe(1);
  });

  it('decoding rejects non-canonical inputs (>= p), accepts p-1', () => {
    for (const bad of [P, P + 1n, (1n << 384n) - 1n, P + (1n << 200n)]) {
      io.put(IN0, [bad]);
      io.put(IN1, [0n]);
      expect(w.t_fp(0), `${bad}`).toBe(DECODE_ERR);
      io.put(IN0, [0n]);
      io.put(IN1, [bad]);
      expect(w.t_fp(0)).toBe(DECODE_ERR);
    }
    expect(run(15, P - 1n)).toEqual([0, P - 1n]);
    expect(run(15, 0n)).toEqual([0, 0n]);
  });

  it(`from_bytes_wide: 64 big-endian bytes mod p, ${N} inputs`, () => {
    const r = rng(3n);
    const cases = [0n, 1n, (1n << 512n) - 1n, P, P << 130n, (1n << 376n) - 1n, 1n << 376n];
    for (let i = 0; i < N; i++) cases.push(r.bits(512));
    for (const x of cases) {
      io.putBytes(IN0, bigToBytes(x, 64));
      expect(w.t_fp(18)).toBe(0);
      expect(io.get(1)[0]).toBe(x % P);
    }
  });

  it('temporaries are released after every call', () => {
    expect(w.t_tmp_used()).toBe(0);
  });
});
