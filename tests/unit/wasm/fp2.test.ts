// wasm/fp2.ts against @noble/curves' Fp2.
import { beforeAll, describe, expect, it } from 'vitest';
import { DECODE_ERR, Fp, Fp2, IN0, IN1, Io, P, flat2, load, rng, unflat2, type Exports, type Fp2T } from './helpers';

const N = 1000;
let w: Exports;
let io: Io;
beforeAll(async () => {
  w = await load();
  io = new Io(w);
});

function run(op: number, a: Fp2T, b: Fp2T = Fp2.ZERO): [number, Fp2T] {
  io.put(IN0, flat2(a));
  io.put(IN1, flat2(b));
  const st = w.t_fp2(op);
  return [st, unflat2(io.get(2))];
}
const half = (P - 1n) / 2n;
const isSqFp = (a: bigint) => a === 0n || Fp.pow(a, (P - 1n) / 2n) === 1n;
const norm = (a: Fp2T) => Fp.add(Fp.sqr(a.c0), Fp.sqr(a.c1));
const sgn0 = (a: Fp2T) => Number((a.c0 & 1n) | (a.c0 === 0n ? a.c1 & 1n : 0n));
const lex = (a: Fp2T) => (a.c1 !== 0n ? a.c1 > half : a.c0 > half);

function gen(r: ReturnType<typeof rng>, i: number): Fp2T {
  // every 8th element has a zero coefficient (the real / imaginary special cases)
  if (i % 8 === 1) return unflat2([r.fp(), 0n]);
  if (i % 8 === 2) return unflat2([0n, r.fp()]);
  return unflat2([r.fp(), r.fp()]);
}

describe('Fp2 (wasm) vs noble', () => {
  const ops: [string, number, (a: Fp2T, b: Fp2T) => Fp2T][] = [
    ['add', 0, (a, b) => Fp2.add(a, b)],
    ['sub', 1, (a, b) => Fp2.sub(a, b)],
    ['mul (Karatsuba)', 2, (a, b) => Fp2.mul(a, b)],
    ['sqr (complex)', 3, (a) => Fp2.sqr(a)],
    ['neg', 4, (a) => Fp2.neg(a)],
    ['double', 5, (a) => Fp2.add(a, a)],
    ['inv', 6, (a) => (Fp2.is0(a) ? Fp2.ZERO : Fp2.inv(a))],
    ['inv_vartime', 7, (a) => (Fp2.is0(a) ? Fp2.ZERO : Fp2.inv(a))],
    ['conjugate', 14, (a) => unflat2([a.c0, Fp.neg(a.c1)])],
    ['mul_by_nonresidue (u+1)', 15, (a) => Fp2.mulByNonresidue(a)],
    ['frobenius = a^p', 16, (a) => Fp2.frobeniusMap(a, 1)],
    ['mul_by_fp', 17, (a, b) => Fp2.mul(a, b.c0)],
    ['mul, out aliases a', 22, (a, b) => Fp2.mul(a, b)],
    ['sqr, out aliases a', 23, (a) => Fp2.sqr(a)],
    ['mul, out aliases b', 24, (a, b) => Fp2.mul(a, b)]
  ];
  for (const [name, op, ref] of ops) {
    it(`${name}: ${N} random inputs`, () => {
      const r = rng(BigInt(op) + 1000n);
      const edge = [Fp2.ZERO, Fp2.ONE, unflat2([P - 1n, P - 1n]), unflat2([0n, 1n]), unflat2([P - 1n, 0n])];
      for (const a of edge) for (const b of edge) expect(Fp2.eql(run(op, a, b)[1], ref(a, b))).toBe(true);
      for (let i = 0; i < N; i++) {
        const a = gen(r, i);
        const b = gen(r, i + 3);
        const [st, got] = run(op, a, b);
        expect(st).toBe(0);
        expect(got, `${name}(${flat2(a)}, ${flat2(b)})`).toEqual(ref(a, b));
      }
    });
  }

  it('frobenius matches exponentiation by p', () => {
    const r = rng(4n);
    for (let i = 0; i < 20; i++) {
      const a = gen(r, i);
      expect(run(16, a)[1]).toEqual(Fp2.pow(a, P));
    }
  });

  it(`sqrt and is_square: ${N} inputs (squares, non-squares, real, imaginary)`, () => {
    const r = rng(42n);
    let squares = 0;
    for (let i = 0; i < N; i++) {
      let a = gen(r, i);
      if (i % 4 === 0) a = Fp2.sqr(a); // guaranteed squares, incl. of pure imaginary values
      const sq = isSqFp(norm(a));
      const [ok, root] = run(8, a);
      expect(ok, `sqrt flag of ${flat2(a)}`).toBe(sq ? 1 : 0);
      if (sq) {
        squares++;
        expect(Fp2.sqr(root)).toEqual(a);
      }
      expect(run(9, a)[0]).toBe(sq ? 1 : 0);
    }
    expect(squares).toBeGreaterThan(N / 3);
    expect(squares).toBeLessThan(N);
    // sqrt(-1) = u, sqrt(0) = 0
    expect(run(8, unflat2([P - 1n, 0n]))[0]).toBe(1);
    expect(Fp2.sqr(run(8, unflat2([P - 1n, 0n]))[1])).toEqual(unflat2([P - 1n, 0n]));
    expect(run(8, Fp2.ZERO)).toEqual([1, Fp2.ZERO]);
  });

  it(`eq, is_zero, sgn0 (RFC 9380), lexicographically largest (ZCash): ${N} inputs`, () => {
    const r = rng(43n);
    for (let i = 0; i < N; i++) {
      const a = gen(r, i);
      const b = i % 3 ? gen(r, i + 1) : a;
      expect(run(10, a, b)[0]).toBe(Fp2.eql(a, b) ? 1 : 0);
      expect(run(11, a)[0]).toBe(Fp2.is0(a) ? 1 : 0);
      expect(run(12, a)[0]).toBe(sgn0(a));
      expect(run(13, a)[0]).toBe(lex(a) ? 1 : 0);
    }
    expect(run(11, Fp2.ZERO)[0]).toBe(1);
    expect(run(12, unflat2([0n, 1n]))[0]).toBe(1);
    expect(run(12, unflat2([2n, 1n]))[0]).toBe(0);
  });

  it('decoding rejects a non-canonical coefficient', () => {
    io.put(IN0, [1n, P]);
    io.put(IN1, [0n, 0n]);
    expect(w.t_fp2(0)).toBe(DECODE_ERR);
    io.put(IN0, [P + 5n, 1n]);
    expect(w.t_fp2(0)).toBe(DECODE_ERR);
  });

  it('temporaries are released', () => expect(w.t_tmp_used()).toBe(0));
});
