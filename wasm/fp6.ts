// Fp6 = Fp2[v]/(v^3 - xi), xi = u + 1.
//
// Memory: FP6_SIZE bytes: c0, c1, c2 (Fp2 each) at offsets 0, FP2_SIZE, 2*FP2_SIZE
// (element c0 + c1*v + c2*v^2). Aliasing: `out` may equal any input pointer.
// Everything here is constant time.
// Formulas follow zkcrypto/bls12_381 src/fp6.rs (Karatsuba multiplication,
// CH-SQR2 squaring, the sparse products used by the Miller loop).

import {
  FP2_SIZE,
  fp2_add,
  fp2_sub,
  fp2_mul,
  fp2_sqr,
  fp2_neg,
  fp2_double,
  fp2_copy,
  fp2_set_zero,
  fp2_set_one,
  fp2_is_zero,
  fp2_eq,
  fp2_cmov,
  fp2_mul_by_nonresidue,
  fp2_inv,
  fp2_inv_vartime,
  fp2_frobenius,
  fp2_from_bytes,
  fp2_to_bytes,
  fp2_add_nr,
  fp2_mul_wide,
  FP2W_SIZE
} from './fp2';
import {
  FP_SIZE,
  FPW_SIZE,
  fp_redc_p1m1,
  fp_redc_p1m2,
  fp_redc_p2m0,
  fp_redc_p2m1,
  fp_redc_p2m2,
  fp_redc_p2m3,
  fp_redc_p3m0,
  fp_redc_p3m2,
  fp_redc_p3m4,
  fp_redc_p4m3
} from './fp';
import { FP6_FROB_C1, FP6_FROB_C2 } from './tower_consts';
import { tmp_alloc, tmp_mark, tmp_reset } from './mem';

/** Bytes of one Fp6 element in memory. */
export const FP6_SIZE: usize = 3 * FP2_SIZE;

const C1: usize = FP2_SIZE;
const C2: usize = 2 * FP2_SIZE;

export function fp6_add(out: usize, a: usize, b: usize): void {
  fp2_add(out, a, b);
  fp2_add(out + C1, a + C1, b + C1);
  fp2_add(out + C2, a + C2, b + C2);
}

/** out = a + b WITHOUT reduction (coefficients < 2p): only as an operand of fp6_mul,
 *  fp6_mul_by_01 (which accept coefficients < 2p) or the fp2/fp products. */
export function fp6_add_nr(out: usize, a: usize, b: usize): void {
  fp2_add_nr(out, a, b);
  fp2_add_nr(out + C1, a + C1, b + C1);
  fp2_add_nr(out + C2, a + C2, b + C2);
}

export function fp6_sub(out: usize, a: usize, b: usize): void {
  fp2_sub(out, a, b);
  fp2_sub(out + C1, a + C1, b + C1);
  fp2_sub(out + C2, a + C2, b + C2);
}

export function fp6_double(out: usize, a: usize): void {
  fp2_double(out, a);
  fp2_double(out + C1, a + C1);
  fp2_double(out + C2, a + C2);
}

export function fp6_neg(out: usize, a: usize): void {
  fp2_neg(out, a);
  fp2_neg(out + C1, a + C1);
  fp2_neg(out + C2, a + C2);
}

export function fp6_copy(out: usize, a: usize): void {
  memory.copy(out, a, FP6_SIZE);
}

export function fp6_set_zero(out: usize): void {
  memory.fill(out, 0, FP6_SIZE);
}

export function fp6_set_one(out: usize): void {
  fp2_set_one(out);
  fp2_set_zero(out + C1);
  fp2_set_zero(out + C2);
}

export function fp6_is_zero(a: usize): bool {
  return fp2_is_zero(a) & fp2_is_zero(a + C1) & fp2_is_zero(a + C2);
}

export function fp6_eq(a: usize, b: usize): bool {
  return fp2_eq(a, b) & fp2_eq(a + C1, b + C1) & fp2_eq(a + C2, b + C2);
}

/** out = flag ? a : out (flag 0 or 1), constant time. */
export function fp6_cmov(out: usize, a: usize, flag: u32): void {
  fp2_cmov(out, a, flag);
  fp2_cmov(out + C1, a + C1, flag);
  fp2_cmov(out + C2, a + C2, flag);
}

/** out = a * v = (xi*c2, c0, c1). */
export function fp6_mul_by_nonresidue(out: usize, a: usize): void {
  const mk = tmp_mark();
  const t = tmp_alloc(FP2_SIZE);
  fp2_mul_by_nonresidue(t, a + C2);
  fp2_copy(out + C2, a + C1);
  fp2_copy(out + C1, a);
  fp2_copy(out, t);
  tmp_reset(mk);
}

/** out = a * b for b in Fp2. */
export function fp6_mul_by_fp2(out: usize, a: usize, b: usize): void {
  fp2_mul(out, a, b);
  fp2_mul(out + C1, a + C1, b);
  fp2_mul(out + C2, a + C2, b);
}

/** out = a*b: Karatsuba over Fp2 with the 6 Fp2 products kept unreduced (double width,
 *  fp2_mul_wide: 18 Fp products) and one Montgomery reduction per output coefficient
 *  (6 instead of 12), each reducing a signed sum of wide values (fp_redc_p*m*):
 *    c0 = aa + xi (t0 - bb - cc),  c1 = t1 - aa - bb + xi cc,  c2 = t2 - aa - cc + bb,
 *  aa = a0b0, bb = a1b1, cc = a2b2, t0 = (a1+a2)(b1+b2), t1 = (a0+a1)(b0+b1), t2 = (a0+a2)(b0+b2),
 *  xi (x + yu) = (x - y) + (x + y) u.
 *  Bounds: input coefficients < 2p are allowed (fp6_add_nr / fp2_add_nr results): the sums
 *  are then < 4p and fp2_mul_wide's condition (alpha beta <= 16) holds, every wide re / im is
 *  < 32p^2 and the 7-term kernels stay < 224 p^2 < pR. Output fully reduced. */
export function fp6_mul(out: usize, a: usize, b: usize): void {
  const mk = tmp_mark();
  const aa = tmp_alloc(6 * FP2W_SIZE);
  const bb = aa + FP2W_SIZE;
  const cc = bb + FP2W_SIZE;
  const t0 = cc + FP2W_SIZE;
  const t1 = t0 + FP2W_SIZE;
  const t2 = t1 + FP2W_SIZE;
  const s = tmp_alloc(FP2_SIZE);
  const t = tmp_alloc(FP2_SIZE);
  fp2_mul_wide(aa, a, b);
  fp2_mul_wide(bb, a + C1, b + C1);
  fp2_mul_wide(cc, a + C2, b + C2);
  fp2_add_nr(s, a + C1, a + C2);
  fp2_add_nr(t, b + C1, b + C2);
  fp2_mul_wide(t0, s, t);
  fp2_add_nr(s, a, a + C1);
  fp2_add_nr(t, b, b + C1);
  fp2_mul_wide(t1, s, t);
  fp2_add_nr(s, a, a + C2);
  fp2_add_nr(t, b, b + C2);
  fp2_mul_wide(t2, s, t);
  const I: usize = FPW_SIZE;
  // c0.re = aa.re + t0.re - bb.re - cc.re - t0.im + bb.im + cc.im
  fp_redc_p4m3(out, aa, t0, bb + I, cc + I, bb, cc, t0 + I);
  // c0.im = aa.im + t0.re - bb.re - cc.re + t0.im - bb.im - cc.im
  fp_redc_p3m4(out + FP_SIZE, aa + I, t0, t0 + I, bb, cc, bb + I, cc + I);
  // c1.re = t1.re - aa.re - bb.re + cc.re - cc.im ; c1.im = t1.im - aa.im - bb.im + cc.re + cc.im
  fp_redc_p2m3(out + C1, t1, cc, aa, bb, cc + I);
  fp_redc_p3m2(out + C1 + FP_SIZE, t1 + I, cc, cc + I, aa + I, bb + I);
  // c2 = t2 - aa - cc + bb
  fp_redc_p2m2(out + C2, t2, bb, aa, cc);
  fp_redc_p2m2(out + C2 + FP_SIZE, t2 + I, bb + I, aa + I, cc + I);
  tmp_reset(mk);
}

/** out = a^2 (CH-SQR2: 2 Fp2 multiplications + 3 squarings). */
export function fp6_sqr(out: usize, a: usize): void {
  const mk = tmp_mark();
  const s0 = tmp_alloc(FP2_SIZE);
  const s1 = tmp_alloc(FP2_SIZE);
  const s2 = tmp_alloc(FP2_SIZE);
  const s3 = tmp_alloc(FP2_SIZE);
  const s4 = tmp_alloc(FP2_SIZE);
  const t = tmp_alloc(FP2_SIZE);
  fp2_sqr(s0, a);
  fp2_mul(s1, a, a + C1);
  fp2_double(s1, s1);
  fp2_sub(s2, a, a + C1);
  fp2_add(s2, s2, a + C2);
  fp2_sqr(s2, s2);
  fp2_mul(s3, a + C1, a + C2);
  fp2_double(s3, s3);
  fp2_sqr(s4, a + C2);
  // c2 = s1 + s2 + s3 - s0 - s4
  fp2_add(t, s1, s2);
  fp2_add(t, t, s3);
  fp2_sub(t, t, s0);
  fp2_sub(out + C2, t, s4);
  // c0 = xi*s3 + s0
  fp2_mul_by_nonresidue(s3, s3);
  fp2_add(out, s3, s0);
  // c1 = xi*s4 + s1
  fp2_mul_by_nonresidue(s4, s4);
  fp2_add(out + C1, s4, s1);
  tmp_reset(mk);
}

/** out = a * (0 + b1*v + 0*v^2) (zkcrypto Fp6::mul_by_1): (xi a2 b1, a0 b1, a1 b1);
 *  xi a2 b1 reduced from the wide product (re - im, re + im: < 16p^2 + 8p^2). */
export function fp6_mul_by_1(out: usize, a: usize, b1: usize): void {
  const mk = tmp_mark();
  const x = tmp_alloc(FP2W_SIZE);
  fp2_mul_wide(x, a + C2, b1);
  fp2_mul(out + C2, a + C1, b1);
  fp2_mul(out + C1, a, b1);
  fp_redc_p1m1(out, x, x + FPW_SIZE);
  fp_redc_p2m0(out + FP_SIZE, x, x + FPW_SIZE);
  tmp_reset(mk);
}

/** out = a * (b0 + b1*v + 0*v^2) (zkcrypto Fp6::mul_by_01): 5 wide Fp2 products and 6
 *  reductions (instead of 5 Fp2 multiplications = 10 reductions):
 *    c0 = xi (a2 b1) + a0 b0,  c1 = (a0+a1)(b0+b1) - a0 b0 - a1 b1,  c2 = a2 b0 + a1 b1.
 *  Coefficients of a, b0, b1 < 2p are allowed; the unreduced sums are then < 4p (see fp6_mul). */
export function fp6_mul_by_01(out: usize, a: usize, b0: usize, b1: usize): void {
  const mk = tmp_mark();
  const aa = tmp_alloc(5 * FP2W_SIZE);
  const bb = aa + FP2W_SIZE;
  const x = bb + FP2W_SIZE;
  const t = x + FP2W_SIZE;
  const y = t + FP2W_SIZE;
  const s = tmp_alloc(FP2_SIZE);
  const u = tmp_alloc(FP2_SIZE);
  fp2_mul_wide(aa, a, b0);
  fp2_mul_wide(bb, a + C1, b1);
  fp2_mul_wide(x, a + C2, b1);
  fp2_mul_wide(y, a + C2, b0);
  fp2_add_nr(s, b0, b1);
  fp2_add_nr(u, a, a + C1);
  fp2_mul_wide(t, u, s);
  const I: usize = FPW_SIZE;
  // c0 = (x.re - x.im + aa.re) + (x.re + x.im + aa.im) u
  fp_redc_p2m1(out, x, aa, x + I);
  fp_redc_p3m0(out + FP_SIZE, x, x + I, aa + I);
  // c1 = t - aa - bb
  fp_redc_p1m2(out + C1, t, aa, bb);
  fp_redc_p1m2(out + C1 + FP_SIZE, t + I, aa + I, bb + I);
  // c2 = y + bb
  fp_redc_p2m0(out + C2, y, bb);
  fp_redc_p2m0(out + C2 + FP_SIZE, y + I, bb + I);
  tmp_reset(mk);
}

/** out = a^-1 (constant time); the inverse of 0 is 0. */
export function fp6_inv(out: usize, a: usize): void {
  inv_with(out, a, false);
}

/** out = a^-1, VARIABLE TIME (public inputs only). */
export function fp6_inv_vartime(out: usize, a: usize): void {
  inv_with(out, a, true);
}

function inv_with(out: usize, a: usize, vartime: bool): void {
  const mk = tmp_mark();
  const c0 = tmp_alloc(FP2_SIZE);
  const c1 = tmp_alloc(FP2_SIZE);
  const c2 = tmp_alloc(FP2_SIZE);
  const t = tmp_alloc(FP2_SIZE);
  const s = tmp_alloc(FP2_SIZE);
  // c0 = a0^2 - xi*(a1*a2)
  fp2_mul(t, a + C1, a + C2);
  fp2_mul_by_nonresidue(t, t);
  fp2_sqr(c0, a);
  fp2_sub(c0, c0, t);
  // c1 = xi*a2^2 - a0*a1
  fp2_sqr(t, a + C2);
  fp2_mul_by_nonresidue(t, t);
  fp2_mul(s, a, a + C1);
  fp2_sub(c1, t, s);
  // c2 = a1^2 - a0*a2
  fp2_sqr(t, a + C1);
  fp2_mul(s, a, a + C2);
  fp2_sub(c2, t, s);
  // t = a0*c0 + xi*(a2*c1 + a1*c2)
  fp2_mul(t, a + C2, c1);
  fp2_mul(s, a + C1, c2);
  fp2_add(t, t, s);
  fp2_mul_by_nonresidue(t, t);
  fp2_mul(s, a, c0);
  fp2_add(t, t, s);
  if (vartime) fp2_inv_vartime(t, t);
  else fp2_inv(t, t);
  fp2_mul(out, c0, t);
  fp2_mul(out + C1, c1, t);
  fp2_mul(out + C2, c2, t);
  tmp_reset(mk);
}

/** out = a^(p^k), 0 <= k < 12 (k public). */
export function fp6_frobenius(out: usize, a: usize, k: i32): void {
  const off = <usize>k * FP2_SIZE;
  fp2_frobenius(out, a, k);
  fp2_frobenius(out + C1, a + C1, k);
  fp2_frobenius(out + C2, a + C2, k);
  fp2_mul(out + C1, out + C1, FP6_FROB_C1 + off);
  fp2_mul(out + C2, out + C2, FP6_FROB_C2 + off);
}

/** Decodes 6 coefficients (288 bytes, tower order). Returns 0, or 1 if one is >= p. */
export function fp6_from_bytes(out: usize, src: usize): i32 {
  return fp2_from_bytes(out, src) | fp2_from_bytes(out + C1, src + 96) | fp2_from_bytes(out + C2, src + 192);
}

/** Encodes as 6 coefficients (288 bytes, tower order). */
export function fp6_to_bytes(dst: usize, a: usize): void {
  fp2_to_bytes(dst, a);
  fp2_to_bytes(dst + 96, a + C1);
  fp2_to_bytes(dst + 192, a + C2);
}
