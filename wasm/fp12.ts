// Fp12 = Fp6[w]/(w^2 - v): the target group GT of the pairing lives here.
//
// Memory: FP12_SIZE bytes: c0, c1 (Fp6 each) at offsets 0 and FP6_SIZE
// (element c0 + c1*w). Flattened, the 12 Fp coefficients are in the tower
// order of SPEC §2: c0.c0.c0, c0.c0.c1, c0.c1.c0, ..., c1.c2.c1; the byte
// encoding (fp12_to_bytes, 576 bytes) is the same order, 48 bytes big-endian each.
// Aliasing: `out` may equal any input pointer. Constant time unless marked.
// Formulas follow zkcrypto/bls12_381 src/fp12.rs.

import { FP2_SIZE, fp2_add, fp2_sub, fp2_sqr, fp2_double, fp2_mul_by_nonresidue } from './fp2';
import {
  FP6_SIZE,
  fp6_add,
  fp6_sub,
  fp6_mul,
  fp6_sqr,
  fp6_neg,
  fp6_copy,
  fp6_set_zero,
  fp6_set_one,
  fp6_eq,
  fp6_cmov,
  fp6_mul_by_nonresidue,
  fp6_mul_by_fp2,
  fp6_mul_by_1,
  fp6_mul_by_01,
  fp6_inv,
  fp6_inv_vartime,
  fp6_frobenius,
  fp6_from_bytes,
  fp6_to_bytes
} from './fp6';
import { FP12_FROB_W } from './tower_consts';
import { tmp_alloc, tmp_mark, tmp_reset } from './mem';

/** Bytes of one Fp12 element in memory. */
export const FP12_SIZE: usize = 2 * FP6_SIZE;
/** Bytes of the canonical encoding (12 x 48). */
export const FP12_BYTES: usize = 576;

const C1: usize = FP6_SIZE;

export function fp12_add(out: usize, a: usize, b: usize): void {
  fp6_add(out, a, b);
  fp6_add(out + C1, a + C1, b + C1);
}

export function fp12_sub(out: usize, a: usize, b: usize): void {
  fp6_sub(out, a, b);
  fp6_sub(out + C1, a + C1, b + C1);
}

export function fp12_neg(out: usize, a: usize): void {
  fp6_neg(out, a);
  fp6_neg(out + C1, a + C1);
}

export function fp12_copy(out: usize, a: usize): void {
  memory.copy(out, a, FP12_SIZE);
}

export function fp12_set_one(out: usize): void {
  fp6_set_one(out);
  fp6_set_zero(out + C1);
}

export function fp12_eq(a: usize, b: usize): bool {
  return fp6_eq(a, b) & fp6_eq(a + C1, b + C1);
}

/** True iff a == 1 (constant time). */
export function fp12_is_one(a: usize): bool {
  const mk = tmp_mark();
  const one = tmp_alloc(FP12_SIZE);
  fp12_set_one(one);
  const r = fp12_eq(a, one);
  tmp_reset(mk);
  return r;
}

/** out = flag ? a : out (flag 0 or 1), constant time. */
export function fp12_cmov(out: usize, a: usize, flag: u32): void {
  fp6_cmov(out, a, flag);
  fp6_cmov(out + C1, a + C1, flag);
}

/** out = conjugate(a) = c0 - c1*w = a^(p^6); the inverse for unitary (cyclotomic) elements. */
export function fp12_conjugate(out: usize, a: usize): void {
  if (out != a) fp6_copy(out, a);
  fp6_neg(out + C1, a + C1);
}

/** out = a*b (Karatsuba over Fp6: 3 Fp6 multiplications = 18 Fp2 multiplications). */
export function fp12_mul(out: usize, a: usize, b: usize): void {
  const mk = tmp_mark();
  const aa = tmp_alloc(FP6_SIZE);
  const bb = tmp_alloc(FP6_SIZE);
  const s = tmp_alloc(FP6_SIZE);
  const t = tmp_alloc(FP6_SIZE);
  fp6_mul(aa, a, b);
  fp6_mul(bb, a + C1, b + C1);
  fp6_add(s, a, a + C1);
  fp6_add(t, b, b + C1);
  fp6_mul(s, s, t);
  fp6_sub(s, s, aa);
  fp6_sub(out + C1, s, bb);
  fp6_mul_by_nonresidue(bb, bb);
  fp6_add(out, aa, bb);
  tmp_reset(mk);
}

/** out = a^2 (complex squaring: 2 Fp6 multiplications). */
export function fp12_sqr(out: usize, a: usize): void {
  const mk = tmp_mark();
  const ab = tmp_alloc(FP6_SIZE);
  const s = tmp_alloc(FP6_SIZE);
  const t = tmp_alloc(FP6_SIZE);
  fp6_mul(ab, a, a + C1);
  fp6_add(s, a, a + C1);
  fp6_mul_by_nonresidue(t, a + C1);
  fp6_add(t, t, a);
  fp6_mul(s, s, t);
  fp6_sub(s, s, ab);
  fp6_mul_by_nonresidue(t, ab);
  fp6_sub(out, s, t);
  fp6_add(out + C1, ab, ab);
  tmp_reset(mk);
}

/** out = f * (c0 + c1*v + c4*v*w), i.e. f times the sparse element with
 *  Fp12 coefficients c0.c0 = c0, c0.c1 = c1, c1.c1 = c4 and zeros elsewhere
 *  (zkcrypto Fp12::mul_by_014, noble Fp12.mul014): the line function of the
 *  optimal ate Miller loop for the M-type twist of BLS12-381. 13 Fp2
 *  multiplications instead of 18. c0, c1, c4 are Fp2 pointers and must not
 *  alias out. */
export function fp12_mul_by_014(out: usize, f: usize, c0: usize, c1: usize, c4: usize): void {
  const mk = tmp_mark();
  const aa = tmp_alloc(FP6_SIZE);
  const bb = tmp_alloc(FP6_SIZE);
  const s = tmp_alloc(FP6_SIZE);
  const o = tmp_alloc(FP2_SIZE);
  fp6_mul_by_01(aa, f, c0, c1);
  fp6_mul_by_1(bb, f + C1, c4);
  fp2_add(o, c1, c4);
  fp6_add(s, f + C1, f);
  fp6_mul_by_01(s, s, c0, o);
  fp6_sub(s, s, aa);
  fp6_sub(out + C1, s, bb);
  fp6_mul_by_nonresidue(bb, bb);
  fp6_add(out, bb, aa);
  tmp_reset(mk);
}

/** out = a^-1 (constant time); the inverse of 0 is 0. */
export function fp12_inv(out: usize, a: usize): void {
  inv_with(out, a, false);
}

/** out = a^-1, VARIABLE TIME (public inputs only). */
export function fp12_inv_vartime(out: usize, a: usize): void {
  inv_with(out, a, true);
}

function inv_with(out: usize, a: usize, vartime: bool): void {
  const mk = tmp_mark();
  const t = tmp_alloc(FP6_SIZE);
  const s = tmp_alloc(FP6_SIZE);
  // t = (c0^2 - v*c1^2)^-1; out = (c0*t, -c1*t)
  fp6_sqr(t, a);
  fp6_sqr(s, a + C1);
  fp6_mul_by_nonresidue(s, s);
  fp6_sub(t, t, s);
  if (vartime) fp6_inv_vartime(t, t);
  else fp6_inv(t, t);
  fp6_mul(out, a, t);
  fp6_mul(s, a + C1, t);
  fp6_neg(out + C1, s);
  tmp_reset(mk);
}

/** out = a^(p^k), 0 <= k < 12 (k public). */
export function fp12_frobenius(out: usize, a: usize, k: i32): void {
  fp6_frobenius(out, a, k);
  fp6_frobenius(out + C1, a + C1, k);
  fp6_mul_by_fp2(out + C1, out + C1, FP12_FROB_W + <usize>k * FP2_SIZE);
}

/** (c0, c1) <- (a^2 + xi b^2, 2ab) in Fp4 = Fp2[t]/(t^2 - xi): helper of the cyclotomic square. */
function fp4_sqr(c0: usize, c1: usize, a: usize, b: usize): void {
  const mk = tmp_mark();
  const t0 = tmp_alloc(FP2_SIZE);
  const t1 = tmp_alloc(FP2_SIZE);
  const t2 = tmp_alloc(FP2_SIZE);
  fp2_sqr(t0, a);
  fp2_sqr(t1, b);
  fp2_mul_by_nonresidue(t2, t1);
  fp2_add(c0, t2, t0);
  fp2_add(t2, a, b);
  fp2_sqr(t2, t2);
  fp2_sub(t2, t2, t0);
  fp2_sub(c1, t2, t1);
  tmp_reset(mk);
}

// z <- 2*(t -/+ z) + t: the Granger-Scott combination step.
function gs_minus(z: usize, t: usize): void {
  fp2_sub(z, t, z);
  fp2_double(z, z);
  fp2_add(z, z, t);
}
function gs_plus(z: usize, t: usize): void {
  fp2_add(z, t, z);
  fp2_double(z, z);
  fp2_add(z, z, t);
}

/** out = a^2 for a in the cyclotomic subgroup (a^(p^6+1)(p^2+1)... = 1, e.g. any
 *  output of the easy part of the final exponentiation): Granger-Scott
 *  (eprint 2009/565), 9 Fp2 squarings instead of 12 Fp2 multiplications.
 *  Wrong (garbage) for elements outside the cyclotomic subgroup. */
export function fp12_cyclotomic_sqr(out: usize, a: usize): void {
  const mk = tmp_mark();
  const r = tmp_alloc(FP12_SIZE);
  const t0 = tmp_alloc(FP2_SIZE);
  const t1 = tmp_alloc(FP2_SIZE);
  const t2 = tmp_alloc(FP2_SIZE);
  const t3 = tmp_alloc(FP2_SIZE);
  fp12_copy(r, a);
  // z0 = c0.c0, z4 = c0.c1, z3 = c0.c2, z2 = c1.c0, z1 = c1.c1, z5 = c1.c2
  const z0 = r;
  const z4 = r + FP2_SIZE;
  const z3 = r + 2 * FP2_SIZE;
  const z2 = r + C1;
  const z1 = r + C1 + FP2_SIZE;
  const z5 = r + C1 + 2 * FP2_SIZE;
  fp4_sqr(t0, t1, z0, z1);
  gs_minus(z0, t0);
  gs_plus(z1, t1);
  fp4_sqr(t0, t1, z2, z3);
  fp4_sqr(t2, t3, z4, z5);
  gs_minus(z4, t0);
  gs_plus(z5, t1);
  fp2_mul_by_nonresidue(t0, t3);
  gs_plus(z2, t0);
  gs_minus(z3, t2);
  fp12_copy(out, r);
  tmp_reset(mk);
}

/** Decodes 12 coefficients (576 bytes, tower order). Returns 0, or 1 if one is >= p. */
export function fp12_from_bytes(out: usize, src: usize): i32 {
  return fp6_from_bytes(out, src) | fp6_from_bytes(out + C1, src + 288);
}

/** Encodes as 12 coefficients (576 bytes, tower order). */
export function fp12_to_bytes(dst: usize, a: usize): void {
  fp6_to_bytes(dst, a);
  fp6_to_bytes(dst + 288, a + C1);
}
