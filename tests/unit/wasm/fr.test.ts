// Fr (wasm/fr.ts, fr_mont.ts) against @noble/curves' Fr.
import { beforeAll, describe, expect, it } from 'vitest';
import { DECODE_ERR, Fr, IN0, IN1, Io, R, bigToBytes, load, rng, type Exports } from './helpers';

const N = 1000;
let w: Exports;
let io: Io;
beforeAll(async () => {
  w = await load();
  io = new Io(w);
});

function run(op: number, a: bigint, b = 0n): [number, bigint] {
  io.put(IN0, [a], 32);
  io.put(IN1, [b], 32);
  const st = w.t_fr(op);
  return [st, io.get(1, 32)[0]];
}

describe('Fr (wasm) vs noble', () => {
  const ops: [string, number, (a: bigint, b: bigint) => bigint][] = [
    ['add', 0, (a, b) => Fr.add(a, b)],
    ['sub', 1, (a, b) => Fr.sub(a, b)],
    ['mul', 2, (a, b) => Fr.mul(a, b)],
    ['sqr', 3, (a) => Fr.sqr(a)],
    ['neg', 4, (a) => Fr.neg(a)],
    ['double', 5, (a) => Fr.add(a, a)],
    ['inv (inv 0 = 0)', 6, (a) => (a === 0n ? 0n : Fr.inv(a))]
  ];
  for (const [name, op, ref] of ops) {
    it(`${name}: ${N} random inputs and edge cases`, () => {
      const r = rng(BigInt(op) + 500n);
      for (const a of [0n, 1n, R - 1n, R - 2n]) expect(run(op, a, R - 1n)[1]).toBe(ref(a, R - 1n));
      for (let i = 0; i < N; i++) {
        const a = r.fr();
        const b = r.fr();
        expect(run(op, a, b)[1], `${name}(${a}, ${b})`).toBe(ref(a, b));
      }
    });
  }

  it('eq / is_zero', () => {
    expect(run(10, 5n, 5n)[0]).toBe(1);
    expect(run(10, 5n, 6n)[0]).toBe(0);
    expect(run(11, 0n)[0]).toBe(1);
    expect(run(11, R - 1n)[0]).toBe(0);
  });

  it('decoding rejects scalars >= r (32 bytes big-endian)', () => {
    for (const bad of [R, R + 1n, (1n << 256n) - 1n]) {
      io.put(IN0, [bad], 32);
      io.put(IN1, [0n], 32);
      expect(w.t_fr(0)).toBe(DECODE_ERR);
    }
    expect(run(0, R - 1n, 0n)).toEqual([0, R - 1n]);
  });

  it(`from_bytes_wide: 64 bytes mod r (hash_to_field L=48 zero-padded, L=64), ${N} inputs`, () => {
    const r = rng(8n);
    const cases = [0n, 1n, (1n << 512n) - 1n, R, R * R, (1n << 384n) - 1n, (1n << 248n) - 1n, 1n << 496n];
    for (let i = 0; i < N; i++) cases.push(i % 2 ? r.bits(512) : r.bits(384));
    for (const x of cases) {
      io.putBytes(IN0, bigToBytes(x, 64));
      expect(w.t_fr(18)).toBe(0);
      expect(io.get(1, 32)[0]).toBe(x % R);
    }
  });

  it('temporaries are released', () => expect(w.t_tmp_used()).toBe(0));
});
