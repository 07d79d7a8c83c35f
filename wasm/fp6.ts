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
  fp2_to_bytes
} from './fp2';
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

/** out = a*b (6 Fp2 multiplications, Karatsuba). */
export function fp6_mul(out: usize, a: usize, b: usize): void {
  const mk = tmp_mark();
  const aa = tmp_alloc(FP2_SIZE);
  const bb = tmp_alloc(FP2_SIZE);
  const cc = tmp_alloc(FP2_SIZE);
  const s = tmp_alloc(FP2_SIZE);
  const t = tmp_alloc(FP2_SIZE);
  const r0 = tmp_alloc(FP2_SIZE);
  const r1 = tmp_alloc(FP2_SIZE);
  const r2 = tmp_alloc(FP2_SIZE);
  fp2_mul(aa, a, b);
  fp2_mul(bb, a + C1, b + C1);
  fp2_mul(cc, a + C2, b + C2);
  // r0 = ((a1+a2)(b1+b2) - bb - cc) * xi + aa
  fp2_add(s, a + C1, a + C2);
  fp2_add(t, b + C1, b + C2);
  fp2_mul(r0, s, t);
  fp2_sub(r0, r0, bb);
  fp2_sub(r0, r0, cc);
  fp2_mul_by_nonresidue(r0, r0);
  fp2_add(r0, r0, aa);
  // r1 = (a0+a1)(b0+b1) - aa - bb + cc*xi
  fp2_add(s, a, a + C1);
  fp2_add(t, b, b + C1);
  fp2_mul(r1, s, t);
  fp2_sub(r1, r1, aa);
  fp2_sub(r1, r1, bb);
  fp2_mul_by_nonresidue(s, cc);
  fp2_add(r1, r1, s);
  // r2 = (a0+a2)(b0+b2) - aa + bb - cc
  fp2_add(s, a, a + C2);
  fp2_add(t, b, b + C2);
  fp2_mul(r2, s, t);
  fp2_sub(r2, r2, aa);
  fp2_add(r2, r2, bb);
  fp2_sub(out + C2, r2, cc);
  fp2_copy(out, r0);
  fp2_copy(out + C1, r1);
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

/** out = a * (0 + b1*v + 0*v^2) (zkcrypto Fp6::mul_by_1). */
export function fp6_mul_by_1(out: usize, a: usize, b1: usize): void {
  const mk = tmp_mark();
  const t = tmp_alloc(FP2_SIZE);
  fp2_mul(t, a + C2, b1);
  fp2_mul_by_nonresidue(t, t);
  fp2_mul(out + C2, a + C1, b1);
  fp2_mul(out + C1, a, b1);
  fp2_copy(out, t);
  tmp_reset(mk);
}

/** out = a * (b0 + b1*v + 0*v^2) (zkcrypto Fp6::mul_by_01). */
export function fp6_mul_by_01(out: usize, a: usize, b0: usize, b1: usize): void {
  const mk = tmp_mark();
  const aa = tmp_alloc(FP2_SIZE);
  const bb = tmp_alloc(FP2_SIZE);
  const t1 = tmp_alloc(FP2_SIZE);
  const t2 = tmp_alloc(FP2_SIZE);
  const s = tmp_alloc(FP2_SIZE);
  fp2_mul(aa, a, b0);
  fp2_mul(bb, a + C1, b1);
  // t1 = xi*(a2*b1) + aa
  fp2_mul(t1, a + C2, b1);
  fp2_mul_by_nonresidue(t1, t1);
  fp2_add(t1, t1, aa);
  // t2 = (b0+b1)(a0+a1) - aa - bb
  fp2_add(s, b0, b1);
  fp2_add(t2, a, a + C1);
  fp2_mul(t2, t2, s);
  fp2_sub(t2, t2, aa);
  fp2_sub(t2, t2, bb);
  // t3 = a2*b0 + bb
  fp2_mul(s, a + C2, b0);
  fp2_add(out + C2, s, bb);
  fp2_copy(out, t1);
  fp2_copy(out + C1, t2);
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
