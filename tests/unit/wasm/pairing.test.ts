// wasm/pairing.ts (through the api_pairing exports) against @noble/curves and
// the kilic/bls12-381 and EIP-2537 vectors.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { FP_SIZE, G1_SIZE, G2_SIZE, Mem, P, R_ORDER, hex, loadWasm, rng, unhex, vectorsDir, type Exports } from './curve-helpers';

const { Fp12 } = bls12_381.fields;
const G1 = bls12_381.G1.Point.BASE;
const G2 = bls12_381.G2.Point.BASE;
const PAIR = G1_SIZE + G2_SIZE;
const GT = 12 * FP_SIZE;
const VEC = vectorsDir();

let e: Exports;
let m: Mem;
// I/O buffer slots: points A (G1) / B (G2), scalar K, GT values, encoded bytes, pairs.
let A: number, B: number, K: number, F1: number, F2: number, F3: number, BYTES: number, PAIRS: number;

beforeAll(async () => {
  e = await loadWasm();
  m = new Mem(e);
  A = m.io;
  B = A + 160;
  K = A + 480;
  F1 = A + 512;
  F2 = F1 + GT;
  F3 = F2 + GT;
  BYTES = F3 + GT; // 576 bytes
  PAIRS = A + 3072; // room for (8192 - 3072) / 468 = 10 pairs
});

function clean() {
  expect(e.pairing_tmp_used()).toBe(0);
}
function gtBytes(ptr: number): string {
  e.gt_to_bytes(BYTES, ptr);
  return hex(m.bytes(BYTES, 576));
}
function nobleHex(f: any): string {
  return hex(Fp12.toBytes(f));
}
function putGt(ptr: number, f: any): void {
  m.write(BYTES, Fp12.toBytes(f));
  expect(e.gt_from_bytes(ptr, BYTES)).toBe(0);
}
function randomFp12(r: ReturnType<typeof rng>): any {
  const c = Array.from({ length: 12 }, () => r.big(384) % P);
  const f2 = (i: number) => ({ c0: c[i], c1: c[i + 1] });
  return Fp12.create({ c0: { c0: f2(0), c1: f2(2), c2: f2(4) }, c1: { c0: f2(6), c1: f2(8), c2: f2(10) } } as any);
}
/** Writes pair i at base: a G1 image from noble (Z = 1) or a copy of wasm memory. */
function putPair(base: number, i: number, p: any, q: any): void {
  m.writeG1(base + i * PAIR, p);
  m.writeG2(base + i * PAIR + G1_SIZE, q);
}
function copyPoint(dst: number, src: number, len: number) {
  m.write(dst, m.bytes(src, len));
}

describe('pairing against noble', () => {
  it('e(G1, G2), identity, non-degeneracy', () => {
    e.g1_generator(A);
    e.g2_generator(B);
    e.pairing(F1, A, B);
    clean();
    const g = bls12_381.pairing(G1, G2);
    expect(gtBytes(F1)).toBe(nobleHex(g));
    expect(e.gt_is_one(F1)).toBe(0);
    expect(e.gt_is_valid(F1)).toBe(1);
    e.pairing_ct(F2, A, B);
    expect(e.gt_eq(F1, F2)).toBe(1);
    // identity in either slot
    e.g1_identity(A);
    e.pairing(F1, A, B);
    expect(e.gt_is_one(F1)).toBe(1);
    e.g1_generator(A);
    e.g2_identity(B);
    e.pairing(F1, A, B);
    expect(e.gt_is_one(F1)).toBe(1);
    e.pairing_ct(F1, A, B);
    expect(e.gt_is_one(F1)).toBe(1);
    e.miller_loop(F1, A, B);
    expect(e.gt_is_one(F1)).toBe(1);
    clean();
  });

  it('100 random pairs: projective inputs (Z != 1) and affine ones', () => {
    const r = rng(101n);
    for (let i = 0; i < 100; i++) {
      const a = r.scalar() || 1n, b = r.scalar() || 1n;
      // wasm computes the points (random Z), noble the reference pairing
      m.scalar(K, a);
      e.g1_generator(A);
      e.g1_mul_vt(A, A, K);
      m.scalar(K, b);
      e.g2_generator(B);
      e.g2_mul_vt(B, B, K);
      if (i % 2 == 1) {
        m.writeG1(A, G1.multiply(a));
        m.writeG2(B, G2.multiply(b));
      }
      const want = nobleHex(bls12_381.pairing(G1.multiply(a), G2.multiply(b)));
      if (i % 4 == 0) e.pairing_ct(F1, A, B);
      else e.pairing(F1, A, B);
      expect(gtBytes(F1), `pair ${i}`).toBe(want);
      clean();
    }
  });

  it('final_exp of random (non-unitary) Fp12 elements, vt and ct', () => {
    const r = rng(7n);
    for (let i = 0; i < 20; i++) {
      const f = randomFp12(r);
      putGt(F1, f);
      e.final_exp(F2, F1);
      expect(gtBytes(F2)).toBe(nobleHex(Fp12.finalExponentiate(f)));
      e.final_exp_ct(F3, F1);
      expect(e.gt_eq(F2, F3)).toBe(1);
      e.final_exp(F1, F1); // aliasing
      expect(e.gt_eq(F1, F2)).toBe(1);
      clean();
    }
  });

  it('miller_loop agrees with noble millerLoop (before the final exponentiation up to an Fp factor)', () => {
    // Our lines may differ from noble's by Fp factors, which the final exponentiation kills:
    // compare FE(ours) == FE(noble) and FE(ours) == pairing.
    const r = rng(8n);
    for (let i = 0; i < 5; i++) {
      const a = r.scalar(), b = r.scalar();
      const p = G1.multiply(a), q = G2.multiply(b);
      m.writeG1(A, p);
      m.writeG2(B, q);
      e.miller_loop(F1, A, B);
      e.final_exp(F1, F1);
      expect(gtBytes(F1)).toBe(nobleHex(bls12_381.pairing(p, q)));
      clean();
    }
  });
});

describe.runIf(VEC)('kilic/bls12-381 vectors: e((i+1) G1, (i+1) G2), 1000 cases', () => {
  it('all 1000', () => {
    const v: string[] = JSON.parse(
      readFileSync(join(VEC!, 'noble-curves-bls12-381/test/vectors/bls12-381/go_pairing_vectors/pairing.json'), 'utf8')
    );
    expect(v.length).toBe(1000);
    const GA = PAIRS, GB = PAIRS + 160;
    e.g1_generator(GA);
    e.g2_generator(GB);
    e.g1_generator(A);
    e.g2_generator(B);
    for (let i = 0; i < v.length; i++) {
      if (i > 0) {
        e.g1_add(A, A, GA);
        e.g2_add(B, B, GB);
      }
      // the vector lists the 12 coefficients in reverse tower order
      const chunks = v[i].match(/.{96}/g)!;
      const want = chunks.reverse().join('');
      e.pairing(F1, A, B);
      expect(gtBytes(F1), `vector ${i}`).toBe(want);
    }
    clean();
  });
});

// EIP-2537 pairing-check ABI -> ZCash uncompressed encodings -> checked decoders.
function eipToPairs(input: Uint8Array): { ok: boolean; n: number } {
  if (input.length == 0 || input.length % 384 != 0) return { ok: false, n: 0 };
  const n = input.length / 384;
  const base = e.heap_reserve(n * PAIR);
  const SRC = m.io + 7000;
  const fp = (off: number): Uint8Array | null => {
    for (let j = 0; j < 16; j++) if (input[off + j] != 0) return null; // top (padding) bytes
    const v = input.slice(off + 16, off + 64);
    return v;
  };
  for (let i = 0; i < n; i++) {
    const o = i * 384;
    const c = [0, 1, 2, 3, 4, 5].map((j) => fp(o + 64 * j));
    if (c.some((x) => x == null)) return { ok: false, n };
    // a coordinate with one of the 3 top bits set is >= 2^381 > p: non-canonical
    if (c.some((x) => (x![0] & 0xe0) != 0)) return { ok: false, n };
    const g1 = new Uint8Array(96);
    g1.set(c[0]!, 0);
    g1.set(c[1]!, 48);
    const g2 = new Uint8Array(192);
    g2.set(c[3]!, 0); // x.c1
    g2.set(c[2]!, 48); // x.c0
    g2.set(c[5]!, 96); // y.c1
    g2.set(c[4]!, 144); // y.c0
    const inf1 = g1.every((x) => x == 0), inf2 = g2.every((x) => x == 0);
    const pp = base + i * PAIR;
    if (inf1) e.g1_identity(pp);
    else {
      m.write(SRC, g1);
      if (e.g1_decode(pp, SRC, 96) != 0) return { ok: false, n };
    }
    if (inf2) e.g2_identity(pp + G1_SIZE);
    else {
      m.write(SRC, g2);
      if (e.g2_decode(pp + G1_SIZE, SRC, 192) != 0) return { ok: false, n };
    }
  }
  return { ok: true, n };
}

describe.runIf(VEC)('EIP-2537 pairing_check vectors', () => {
  const dir = VEC ? join(VEC, 'eip-2537/assets/eip-2537') : '';
  it('pairing_check_bls.json', () => {
    const cases = JSON.parse(readFileSync(join(dir, 'pairing_check_bls.json'), 'utf8'));
    expect(cases.length).toBe(15);
    for (const c of cases) {
      const { ok, n } = eipToPairs(unhex(c.Input));
      expect(ok, c.Name).toBe(true);
      const got = e.pairing_check_n(e.heap_reserve(0), n);
      expect(got, c.Name).toBe(Number(BigInt('0x' + c.Expected)));
      clean();
    }
  });
  it('fail-pairing_check_bls.json: every case is rejected (length, encoding, curve or subgroup)', () => {
    const cases = JSON.parse(readFileSync(join(dir, 'fail-pairing_check_bls.json'), 'utf8'));
    expect(cases.length).toBe(25);
    let subgroup = 0;
    for (const c of cases) {
      const { ok } = eipToPairs(unhex(c.Input));
      expect(ok, c.Name).toBe(false);
      if (/subgroup/.test(c.ExpectedError)) subgroup++;
    }
    expect(subgroup).toBe(6);
    clean();
  });
});

describe('bilinearity, checks, multi-Miller', () => {
  it('e(aP, bQ) == e(P, Q)^(ab) == e(abP, Q); gt_pow_vt against noble', () => {
    const r = rng(202n);
    for (let i = 0; i < 8; i++) {
      const a = r.scalar(), b = r.scalar();
      e.g1_generator(A);
      e.g2_generator(B);
      e.pairing(F1, A, B); // e(P, Q)
      m.scalar(K, a);
      e.g1_mul_vt(A, A, K);
      m.scalar(K, b);
      e.g2_mul_vt(B, B, K);
      e.pairing(F2, A, B); // e(aP, bQ)
      m.scalar(K, (a * b) % R_ORDER);
      e.gt_pow_vt(F3, F1, K);
      expect(e.gt_eq(F2, F3)).toBe(1);
      // e(abP, Q)
      e.g1_generator(A);
      e.g1_mul_vt(A, A, K);
      e.g2_generator(B);
      e.pairing(F3, A, B);
      expect(e.gt_eq(F2, F3)).toBe(1);
      clean();
    }
    // gt_pow_vt vs noble on edge scalars
    const g = bls12_381.pairing(G1, G2);
    putGt(F1, g);
    for (const k of [0n, 1n, 2n, 15n, 16n, 17n, R_ORDER - 1n, R_ORDER, (1n << 256n) - 1n, r.big(256)]) {
      m.scalar(K, k);
      e.gt_pow_vt(F2, F1, K);
      expect(gtBytes(F2), `k=${k}`).toBe(nobleHex(Fp12.pow(g, k)));
    }
    m.scalar(K, R_ORDER);
    e.gt_pow_vt(F2, F1, K);
    expect(e.gt_is_one(F2)).toBe(1);
    clean();
  });

  it('pairing_check_n: [(aP, Q), (-P, aQ)] true, perturbed false; identities', () => {
    const r = rng(303n);
    for (let i = 0; i < 4; i++) {
      const a = r.scalar();
      m.scalar(K, a);
      const p0 = PAIRS, q0 = PAIRS + G1_SIZE, p1 = PAIRS + PAIR, q1 = PAIRS + PAIR + G1_SIZE;
      e.g1_generator(p0);
      e.g1_mul_vt(p0, p0, K); // aP
      e.g2_generator(q0); // Q
      e.g1_generator(p1);
      e.g1_neg(p1, p1); // -P
      e.g2_generator(q1);
      e.g2_mul_vt(q1, q1, K); // aQ
      expect(e.pairing_check_n(PAIRS, 2)).toBe(1);
      clean();
      // a third pair with the identity changes nothing
      e.g1_identity(PAIRS + 2 * PAIR);
      e.g2_generator(PAIRS + 2 * PAIR + G1_SIZE);
      expect(e.pairing_check_n(PAIRS, 3)).toBe(1);
      e.g1_generator(PAIRS + 2 * PAIR);
      e.g2_identity(PAIRS + 2 * PAIR + G1_SIZE);
      expect(e.pairing_check_n(PAIRS, 3)).toBe(1);
      // perturb: Q -> 2Q
      e.g2_double(q0, q0);
      expect(e.pairing_check_n(PAIRS, 2)).toBe(0);
      expect(e.pairing_check_n(PAIRS, 3)).toBe(0);
      clean();
    }
    expect(e.pairing_check_n(PAIRS, 0)).toBe(1);
    expect(e.pairing_check_n(PAIRS, -1)).toBe(0);
    e.g1_identity(PAIRS);
    e.g2_identity(PAIRS + G1_SIZE);
    expect(e.pairing_check_n(PAIRS, 1)).toBe(1);
    clean();
  });

  it('miller_loop_n == product of single Miller loops (n = 1..10 in the I/O buffer)', () => {
    const r = rng(404n);
    for (let n = 1; n <= 10; n++) {
      for (let i = 0; i < n; i++) {
        m.scalar(K, r.scalar());
        e.g1_generator(PAIRS + i * PAIR);
        e.g1_mul_vt(PAIRS + i * PAIR, PAIRS + i * PAIR, K);
        m.scalar(K, r.scalar());
        e.g2_generator(PAIRS + i * PAIR + G1_SIZE);
        e.g2_mul_vt(PAIRS + i * PAIR + G1_SIZE, PAIRS + i * PAIR + G1_SIZE, K);
      }
      if (n == 4) e.g1_identity(PAIRS + 2 * PAIR);
      if (n == 5) e.g2_identity(PAIRS + 1 * PAIR + G1_SIZE);
      e.gt_one(F2);
      for (let i = 0; i < n; i++) {
        e.miller_loop(F3, PAIRS + i * PAIR, PAIRS + i * PAIR + G1_SIZE);
        e.gt_mul(F2, F2, F3);
      }
      e.miller_loop_n(F1, PAIRS, n);
      expect(e.gt_eq(F1, F2), `n=${n}`).toBe(1);
      e.miller_loop_n_ct(F1, PAIRS, n);
      expect(e.gt_eq(F1, F2), `ct n=${n}`).toBe(1);
      // pairing_n == product of pairings
      e.gt_one(F2);
      for (let i = 0; i < n; i++) {
        e.pairing(F3, PAIRS + i * PAIR, PAIRS + i * PAIR + G1_SIZE);
        e.gt_mul(F2, F2, F3);
      }
      e.pairing_n(F1, PAIRS, n);
      expect(e.gt_eq(F1, F2), `pairing_n n=${n}`).toBe(1);
      clean();
    }
  });

  it('miller_loop_n with 150 pairs in the heap region (heap_reserve)', () => {
    const n = 150;
    const base = e.heap_reserve(n * PAIR);
    const r = rng(505n);
    // sum a_i b_i = 0 mod r  ->  prod e(a_i P, b_i Q) = 1
    let acc = 0n;
    for (let i = 0; i < n; i++) {
      const a = r.scalar();
      const b = i == n - 1 ? (((R_ORDER - acc) % R_ORDER) * modInv(a, R_ORDER)) % R_ORDER : r.scalar();
      acc = (acc + a * b) % R_ORDER;
      m.scalar(K, a);
      e.g1_generator(A);
      e.g1_mul_vt(A, A, K);
      m.scalar(K, b);
      e.g2_generator(B);
      e.g2_mul_vt(B, B, K);
      copyPoint(base + i * PAIR, A, G1_SIZE);
      copyPoint(base + i * PAIR + G1_SIZE, B, G2_SIZE);
    }
    expect(acc).toBe(0n);
    const base2 = e.heap_reserve(n * PAIR);
    expect(base2).toBe(base);
    expect(e.pairing_check_n(base, n)).toBe(1);
    clean();
    // and the multi-loop equals the product of the singles for the first 12
    e.gt_one(F2);
    for (let i = 0; i < 12; i++) {
      e.miller_loop(F3, base + i * PAIR, base + i * PAIR + G1_SIZE);
      e.gt_mul(F2, F2, F3);
    }
    e.miller_loop_n(F1, base, 12);
    expect(e.gt_eq(F1, F2)).toBe(1);
    // perturb one pair
    e.g1_double(base + 7 * PAIR, base + 7 * PAIR);
    expect(e.pairing_check_n(base, n)).toBe(0);
    clean();
  });
});

function modInv(a: bigint, n: bigint): bigint {
  let [r0, r1, s0, s1] = [a % n, n, 1n, 0n];
  while (r1 != 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % n) + n) % n;
}

describe('GT encoding and membership', () => {
  it('to_bytes / from_bytes round trip; coefficients >= p rejected', () => {
    const r = rng(606n);
    for (let i = 0; i < 50; i++) {
      const f = randomFp12(r);
      putGt(F1, f);
      expect(gtBytes(F1)).toBe(nobleHex(f));
    }
    for (let j = 0; j < 12; j++) {
      const b = new Uint8Array(576);
      b.set(unhex(P.toString(16).padStart(96, '0')), 48 * j);
      m.write(BYTES, b);
      expect(e.gt_from_bytes(F1, BYTES)).toBe(1);
      b.set(unhex((P - 1n).toString(16).padStart(96, '0')), 48 * j);
      m.write(BYTES, b);
      expect(e.gt_from_bytes(F1, BYTES)).toBe(0);
      b[48 * j] = 0xff;
      m.write(BYTES, b);
      expect(e.gt_from_bytes(F1, BYTES)).toBe(1);
    }
    clean();
  });

  it('gt_is_valid: pairing outputs yes; random, zero, cyclotomic non-GT, perturbed no', () => {
    const r = rng(707n);
    e.g1_generator(A);
    e.g2_generator(B);
    e.pairing(F1, A, B);
    expect(e.gt_is_valid(F1)).toBe(1);
    e.gt_one(F2);
    expect(e.gt_is_valid(F2)).toBe(1);
    e.gt_inv(F2, F1);
    expect(e.gt_is_valid(F2)).toBe(1);
    e.gt_mul(F2, F2, F1);
    expect(e.gt_is_one(F2)).toBe(1);
    m.write(BYTES, new Uint8Array(576));
    e.gt_from_bytes(F2, BYTES);
    expect(e.gt_is_valid(F2)).toBe(0);
    for (let i = 0; i < 10; i++) {
      const f = randomFp12(r);
      putGt(F2, f);
      expect(e.gt_is_valid(F2)).toBe(0);
      // f^((p^6-1)(p^2+1)) is in the cyclotomic subgroup but (almost surely) not of order r
      const c = Fp12.mul(Fp12.frobeniusMap(Fp12.mul(Fp12.frobeniusMap(f, 6), Fp12.inv(f)), 2), Fp12.mul(Fp12.frobeniusMap(f, 6), Fp12.inv(f)));
      putGt(F2, c);
      expect(e.gt_is_valid(F2)).toBe(0);
      // ... and its final exponentiation is
      e.final_exp(F3, F2);
      expect(e.gt_is_valid(F3)).toBe(1);
      e.gt_mul(F2, F3, F2);
      expect(e.gt_is_valid(F2)).toBe(0);
    }
    clean();
  });
});
