// wasm/g1.ts (through the api_curve exports) against @noble/curves.
import { beforeAll, describe, expect, it } from 'vitest';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { G1_SIZE, Mem, R_ORDER, loadWasm, randomE1, rng, type Exports } from './curve-helpers';

const G = bls12_381.G1.Point.BASE;
const N = 1000;
let e: Exports;
let m: Mem;
let A: number, B: number, OUT: number, K: number;

beforeAll(async () => {
  e = await loadWasm();
  m = new Mem(e);
  A = m.io;
  B = A + 320;
  OUT = A + 640;
  K = A + 960;
});

function afterCall() {
  expect(e.curve_tmp_used()).toBe(0);
}

describe('G1 basics', () => {
  it('generator, identity, on-curve', () => {
    e.g1_generator(A);
    expect(m.readG1(A).equals(G)).toBe(true);
    expect(e.g1_on_curve(A)).toBe(1);
    e.g1_identity(B);
    expect(e.g1_is_identity(B)).toBe(1);
    expect(e.g1_on_curve(B)).toBe(1);
    expect(e.g1_is_identity(A)).toBe(0);
    afterCall();
  });

  it(`add, double, neg, eq: ${N} random cases`, () => {
    const r = rng(11n);
    for (let i = 0; i < N; i++) {
      const a = r.scalar(), b = r.scalar();
      const pa = G.multiply(a), pb = G.multiply(b);
      m.writeG1(A, pa);
      m.writeG1(B, pb);
      e.g1_add(OUT, A, B);
      expect(m.readG1(OUT).equals(pa.add(pb))).toBe(true);
      e.g1_double(OUT, A);
      expect(m.readG1(OUT).equals(pa.double())).toBe(true);
      e.g1_neg(OUT, A);
      expect(m.readG1(OUT).equals(pa.negate())).toBe(true);
      expect(e.g1_eq(A, B)).toBe(a === b ? 1 : 0);
      // eq across representations: (X, Y, Z) vs (2X, 2Y, 2Z) via add with identity
      e.g1_identity(OUT);
      e.g1_add(OUT, OUT, A);
      expect(e.g1_eq(OUT, A)).toBe(1);
    }
    afterCall();
  });

  it('edge cases of the complete formulas', () => {
    const p = G.multiply(123456789n);
    m.writeG1(A, p);
    e.g1_identity(B);
    e.g1_add(OUT, B, A); // O + P
    expect(m.readG1(OUT).equals(p)).toBe(true);
    e.g1_add(OUT, A, B); // P + O
    expect(m.readG1(OUT).equals(p)).toBe(true);
    e.g1_add(OUT, A, A); // P + P through add
    expect(m.readG1(OUT).equals(p.double())).toBe(true);
    e.g1_neg(B, A);
    e.g1_add(OUT, A, B); // P + (-P)
    expect(e.g1_is_identity(OUT)).toBe(1);
    e.g1_identity(B);
    e.g1_add(OUT, B, B);
    expect(e.g1_is_identity(OUT)).toBe(1);
    e.g1_double(OUT, B);
    expect(e.g1_is_identity(OUT)).toBe(1);
    e.g1_add(A, A, A); // aliasing
    expect(m.readG1(A).equals(p.double())).toBe(true);
    afterCall();
  });
});

describe('G1 scalar multiplication', () => {
  const mulBoth = (k: bigint, pt: any) => {
    m.writeG1(A, pt);
    m.scalar(K, k);
    e.g1_mul_ct(OUT, A, K);
    const ct = m.readG1(OUT);
    e.g1_mul_vt(OUT, A, K);
    const vt = m.readG1(OUT);
    afterCall();
    return [ct, vt];
  };

  it('edge scalars: 0, 1, 2, r-1, r, r+1, 2^256-1, x^2, x^2-1', () => {
    const p = G.multiply(987654321987654321n);
    const X2 = 0xd201000000010000n ** 2n;
    for (const k of [0n, 1n, 2n, 3n, 16n, 17n, 31n, 32n, R_ORDER - 1n, R_ORDER, R_ORDER + 1n, (1n << 256n) - 1n, X2, X2 - 1n, X2 + 1n, 1n << 128n, (1n << 128n) - 1n]) {
      const [ct, vt] = mulBoth(k, p);
      const kr = k % R_ORDER;
      const want = kr === 0n ? bls12_381.G1.Point.ZERO : p.multiply(kr);
      expect(ct.equals(want), `ct k=${k}`).toBe(true);
      expect(vt.equals(want), `vt k=${k}`).toBe(true);
    }
    // identity base
    const [ct, vt] = mulBoth(12345n, bls12_381.G1.Point.ZERO);
    expect(ct.is0() && vt.is0()).toBe(true);
  });

  it(`CT and vartime: ${N} random cases`, () => {
    const r = rng(12n);
    for (let i = 0; i < N; i++) {
      const a = r.scalar();
      const k = i % 10 === 0 ? r.big(256) : r.scalar(); // some scalars >= r
      const [ct, vt] = mulBoth(k, G.multiply(a));
      // k (a G) = (k a mod r) G, computed with noble's fast base-point path
      const want = G.multiply((((a * k) % R_ORDER) + R_ORDER) % R_ORDER || R_ORDER) ;
      const w = (a * k) % R_ORDER === 0n ? bls12_381.G1.Point.ZERO : want;
      expect(ct.equals(w)).toBe(true);
      expect(vt.equals(w)).toBe(true);
    }
  });

  it('mul_any_vt on points outside G1 equals noble multiply', () => {
    const r = rng(13n);
    for (let i = 0; i < 20; i++) {
      const p = randomE1(r);
      const k = r.big(64);
      m.writeG1(A, p);
      m.scalar(K, k);
      e.g1_mul_any_vt(OUT, A, K);
      expect(m.readG1(OUT).equals(p.multiplyUnsafe(k))).toBe(true);
    }
    afterCall();
  });
});

describe('G1 subgroup check and cofactor clearing', () => {
  it('agrees with noble isTorsionFree on random points in and out of G1', () => {
    const r = rng(14n);
    let outside = 0;
    for (let i = 0; i < 300; i++) {
      const p = i % 2 === 0 ? G.multiply(r.scalar()) : randomE1(r);
      m.writeG1(A, p);
      const want = p.isTorsionFree();
      if (!want) outside++;
      expect(e.g1_in_subgroup(A)).toBe(want ? 1 : 0);
    }
    expect(outside).toBeGreaterThan(100);
    // order-3 point (0, 2) is on E1, not in G1
    const t = new bls12_381.G1.Point(0n, 2n, 1n);
    m.writeG1(A, t);
    expect(e.g1_in_subgroup(A)).toBe(0);
    afterCall();
  });

  it('clear_cofactor = h_eff P (noble clearCofactor)', () => {
    const r = rng(15n);
    for (let i = 0; i < 50; i++) {
      const p = randomE1(r);
      m.writeG1(A, p);
      e.g1_clear_cofactor(OUT, A);
      const q = m.readG1(OUT);
      expect(q.equals(p.clearCofactor())).toBe(true);
      expect(e.g1_in_subgroup(OUT)).toBe(1);
    }
    const t = new bls12_381.G1.Point(0n, 2n, 1n); // order 3: h_eff kills it
    m.writeG1(A, t);
    e.g1_clear_cofactor(OUT, A);
    expect(m.readG1(OUT).equals(t.clearCofactor())).toBe(true);
    afterCall();
  });
});
