// wasm/fp6.ts and wasm/fp12.ts against @noble/curves' Fp6 / Fp12.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DECODE_ERR, Fp, Fp2, Fp6, Fp12, IN0, IN1, Io, P, flat2, flat6, flat12, load, rng, unflat2, unflat6, unflat12,
  type Exports, type Fp2T, type Fp6T, type Fp12T
} from './helpers';

const N = 1000;
let w: Exports;
let io: Io;
beforeAll(async () => {
  w = await load();
  io = new Io(w);
});

type R = ReturnType<typeof rng>;
const g2 = (r: R): Fp2T => unflat2([r.fp(), r.fp()]);
const g6 = (r: R): Fp6T => unflat6(Array.from({ length: 6 }, () => r.fp()));
const g12 = (r: R): Fp12T => unflat12(Array.from({ length: 12 }, () => r.fp()));

function run6(op: number, a: Fp6T, b: Fp6T = Fp6.ZERO): [number, Fp6T] {
  io.put(IN0, flat6(a));
  io.put(IN1, flat6(b));
  const st = w.t_fp6(op);
  return [st, unflat6(io.get(6))];
}
function run12(op: number, a: Fp12T, b: Fp12T | bigint[] = Fp12.ZERO): [number, Fp12T] {
  io.put(IN0, flat12(a));
  io.put(IN1, Array.isArray(b) ? b : flat12(b));
  const st = w.t_fp12(op);
  return [st, unflat12(io.get(12))];
}
/** f^((p^6-1)(p^2+1)): lands in the cyclotomic subgroup. */
function cyclotomic(f: Fp12T): Fp12T {
  const g = Fp12.mul(Fp12.conjugate(f), Fp12.inv(f));
  return Fp12.mul(Fp12.frobeniusMap(g, 2), g);
}

describe('Fp6 (wasm) vs noble', () => {
  const ops: [string, number, (a: Fp6T, b: Fp6T) => Fp6T][] = [
    ['add', 0, (a, b) => Fp6.add(a, b)],
    ['sub', 1, (a, b) => Fp6.sub(a, b)],
    ['mul', 2, (a, b) => Fp6.mul(a, b)],
    ['sqr', 3, (a) => Fp6.sqr(a)],
    ['neg', 4, (a) => Fp6.neg(a)],
    ['inv', 6, (a) => Fp6.inv(a)],
    ['inv_vartime', 7, (a) => Fp6.inv(a)],
    ['mul_by_nonresidue (v)', 15, (a) => Fp6.mulByNonresidue(a)],
    ['mul, out aliases a', 52, (a, b) => Fp6.mul(a, b)],
    ['sqr, out aliases a', 53, (a) => Fp6.sqr(a)],
    ['mul_by_1', 30, (a, b) => Fp6.mul(a, { c0: Fp2.ZERO, c1: b.c0, c2: Fp2.ZERO })],
    ['mul_by_01', 31, (a, b) => Fp6.mul(a, { c0: b.c0, c1: b.c1, c2: Fp2.ZERO })],
    ['mul_by_fp2', 32, (a, b) => Fp6.mulByFp2(a, b.c0)]
  ];
  for (let k = 0; k < 12; k++) ops.push([`frobenius ${k}`, 16 + k, (a) => Fp6.frobeniusMap(a, k)]);
  for (const [name, op, ref] of ops) {
    const n = name.startsWith('frobenius') ? 100 : N;
    it(`${name}: ${n} random inputs`, () => {
      const r = rng(BigInt(op) + 2000n);
      for (let i = 0; i < n; i++) {
        const a = g6(r);
        const b = g6(r);
        const [st, got] = run6(op, a, b);
        expect(st).toBe(0);
        expect(got, `${name}(${flat6(a)}, ${flat6(b)})`).toEqual(ref(a, b));
      }
    });
  }
  it('inverse of 0 is 0', () => expect(run6(6, Fp6.ZERO)[1]).toEqual(Fp6.ZERO));
});

describe('Fp12 (wasm) vs noble', () => {
  const ops: [string, number, (a: Fp12T, b: Fp12T) => Fp12T][] = [
    ['add', 0, (a, b) => Fp12.add(a, b)],
    ['sub', 1, (a, b) => Fp12.sub(a, b)],
    ['mul', 2, (a, b) => Fp12.mul(a, b)],
    ['sqr', 3, (a) => Fp12.sqr(a)],
    ['neg', 4, (a) => Fp12.neg(a)],
    ['inv', 6, (a) => Fp12.inv(a)],
    ['inv_vartime', 7, (a) => Fp12.inv(a)],
    ['conjugate', 14, (a) => Fp12.conjugate(a)],
    ['mul, out aliases a', 52, (a, b) => Fp12.mul(a, b)],
    ['sqr, out aliases a', 53, (a) => Fp12.sqr(a)]
  ];
  for (let k = 0; k < 12; k++) ops.push([`frobenius ${k}`, 16 + k, (a) => Fp12.frobeniusMap(a, k)]);
  for (const [name, op, ref] of ops) {
    it(`${name}: ${N} random inputs`, () => {
      const r = rng(BigInt(op) + 3000n);
      for (let i = 0; i < N; i++) {
        const a = g12(r);
        const b = g12(r);
        const [st, got] = run12(op, a, b);
        expect(st).toBe(0);
        expect(got, `${name}(${flat12(a)}, ${flat12(b)})`).toEqual(ref(a, b));
      }
    });
  }

  it('frobenius k = 1, 2, 3, 6 match exponentiation by p^k', () => {
    const r = rng(31n);
    for (let i = 0; i < 3; i++) {
      const a = g12(r);
      let x = a;
      for (let k = 1; k <= 6; k++) {
        x = Fp12.pow(x, P); // a^(p^k)
        if (k === 4 || k === 5) continue;
        expect(run12(16 + k, a)[1], `frobenius ${k}`).toEqual(x);
      }
    }
  });

  it(`mul_by_014 = multiplication by the sparse element (c0, c1, 0; 0, c4, 0): ${N} inputs`, () => {
    const r = rng(14n);
    for (let i = 0; i < N; i++) {
      const f = g12(r);
      const c0 = g2(r);
      const c1 = g2(r);
      const c4 = g2(r);
      const sparse: Fp12T = { c0: { c0, c1, c2: Fp2.ZERO }, c1: { c0: Fp2.ZERO, c1: c4, c2: Fp2.ZERO } };
      const line = [...flat2(c0), ...flat2(c1), ...flat2(c4)];
      const exp = Fp12.mul(f, sparse);
      expect(run12(40, f, line)[1]).toEqual(exp);
      if (i % 10 === 0) expect(run12(55, f, line)[1]).toEqual(exp); // out aliases f
    }
  });

  it('double-width paths (fp6_mul, mul_by_01/1, fp12 mul/sqr, mul_by_014) on extreme coefficients', () => {
    // coefficients p-1 maximise the unreduced sums and wide products (bounds of the fp_redc_* kernels)
    const r = rng(77n);
    const pick = (): bigint => [P - 1n, P - 1n, P - 2n, 0n, 1n, (P - 1n) / 2n][Number(r.fp() % 6n)];
    const e12 = (all: boolean): Fp12T => unflat12(Array.from({ length: 12 }, () => (all ? P - 1n : pick())));
    for (let i = 0; i < 60; i++) {
      const a = e12(i === 0);
      const b = e12(i === 0 || i === 1);
      expect(run12(2, a, b)[1]).toEqual(Fp12.mul(a, b));
      expect(run12(3, a)[1]).toEqual(Fp12.sqr(a));
      expect(run6(2, a.c0, b.c1)[1]).toEqual(Fp6.mul(a.c0, b.c1));
      expect(run6(30, a.c0, b.c1)[1]).toEqual(Fp6.mul(a.c0, { c0: Fp2.ZERO, c1: b.c1.c0, c2: Fp2.ZERO }));
      expect(run6(31, a.c1, b.c0)[1]).toEqual(Fp6.mul(a.c1, { c0: b.c0.c0, c1: b.c0.c1, c2: Fp2.ZERO }));
      const [c0, c1, c4] = [b.c0.c0, b.c0.c1, b.c1.c1];
      const sparse: Fp12T = { c0: { c0, c1, c2: Fp2.ZERO }, c1: { c0: Fp2.ZERO, c1: c4, c2: Fp2.ZERO } };
      expect(run12(40, a, [...flat2(c0), ...flat2(c1), ...flat2(c4)])[1]).toEqual(Fp12.mul(a, sparse));
    }
  });

  it(`cyclotomic square = square on the cyclotomic subgroup: ${N} inputs`, () => {
    const r = rng(15n);
    for (let i = 0; i < N; i++) {
      const g = cyclotomic(g12(r));
      const exp = Fp12.sqr(g);
      expect(run12(41, g)[1]).toEqual(exp);
      if (i % 10 === 0) expect(run12(54, g)[1]).toEqual(exp); // out aliases a
    }
    // and is not a square outside it (the test can tell them apart)
    const f = g12(r);
    expect(run12(41, f)[1]).not.toEqual(Fp12.sqr(f));
  });

  it('eq / is_one, inverse of 0 is 0, decoding rejects non-canonical', () => {
    const r = rng(16n);
    const a = g12(r);
    expect(run12(10, a, a)[0]).toBe(1);
    expect(run12(10, a, g12(r))[0]).toBe(0);
    expect(run12(42, Fp12.ONE)[0]).toBe(1);
    expect(run12(42, a)[0]).toBe(0);
    expect(run12(6, Fp12.ZERO)[1]).toEqual(Fp12.ZERO);
    const bad = flat12(a);
    bad[11] = P;
    io.put(IN0, bad);
    io.put(IN1, flat12(a));
    expect(w.t_fp12(0)).toBe(DECODE_ERR);
  });

  it('byte order is the tower order c0.c0.c0, c0.c0.c1, ..., c1.c2.c1', () => {
    // multiply w (= c1.c0.c0 = 1) by itself: w^2 = v, i.e. c0.c1.c0 = 1
    const wEl = unflat12([0n, 0n, 0n, 0n, 0n, 0n, 1n, 0n, 0n, 0n, 0n, 0n]);
    const [, got] = run12(3, wEl);
    expect(flat12(got)).toEqual([0n, 0n, 1n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]);
    expect(Fp.create(1n)).toBe(1n);
  });

  it('temporaries are released', () => expect(w.t_tmp_used()).toBe(0));
});
