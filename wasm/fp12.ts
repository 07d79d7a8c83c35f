// Fp12 = Fp6[w]/(w^2 - v): the target group GT of the pairing lives here.
//
// Memory: FP12_SIZE bytes: c0, c1 (Fp6 each) at offsets 0 and FP6_SIZE
// (element c0 + c1*w). Flattened, the 12 Fp coefficients are in the tower
// order of SPEC §2: c0.c0.c0, c0.c0.c1, c0.c1.c0, ..., c1.c2.c1; the byte
// encoding (fp12_to_bytes, 576 bytes) is the same order, 48 bytes big-endian each.
// Aliasing: `out` may equal any input pointer. Constant time unless marked.
// Formulas follow zkcrypto/bls12_381 src/fp12.rs.

import { FP2_SIZE, FP2W_SIZE, fp2_sqr_wide, fp2_add, fp2_add_nr, fp2_sub, fp2_sqr, fp2_double, fp2_mul_by_nonresidue, fp2_mul_wide } from './fp2';
import { FP_SIZE, FPW_SIZE, fp_redc_p2m3, fp_redc_p3m0, fp_redc_p3m2, fp_redc_p3m4, fp_redc_p3m5, fp_redc_p4m4, fp_redc_p5m0,
  fp_redc3_p1m2_pg, fp_redc3_p2m1_mg, fp_redc3_p2m4_pg, fp_redc3_p3m0_mg, fp_redc3_p3m3_pg } from './fp';
import {
  FP6_SIZE,
  fp6_add,
  fp6_add_nr,
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
const F2: usize = FP2_SIZE;

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
  fp6_add_nr(s, a, a + C1); // coefficients < 2p: fp6_mul accepts them
  fp6_add_nr(t, b, b + C1);
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
  fp6_add_nr(s, a, a + C1); // unreduced (< 2p) operands of fp6_mul
  fp6_mul_by_nonresidue(t, a + C1);
  fp6_add_nr(t, t, a);
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
 *  multiplications instead of 18, all kept wide (unreduced), and one reduction per
 *  output coefficient (12 instead of 26). zkcrypto's formula
 *    aa = f0.mul_by_01(c0, c1), bb = f1.mul_by_1(c4), t = (f0 + f1).mul_by_01(c0, c1 + c4)
 *    out = (aa + v bb, t - aa - bb)
 *  expanded over the wide products (mul_by_01(a, b0, b1) = (xi a2b1 + a0b0,
 *  (a0+a1)(b0+b1) - a0b0 - a1b1, a2b0 + a1b1), mul_by_1(a, b1) = (xi a2b1, a0b1, a1b1)):
 *    A0 = f00 c0, A1 = f01 c1, X = f02 c1, T = (f00+f01)(c0+c1), Y = f02 c0,
 *    B0 = f12 c4, B1 = f10 c4, B2 = f11 c4,
 *    S0 = s0 c0, S1 = s1 o, SX = s2 o, ST = (s0+s1)(c0+o), SY = s2 c0  (s = f0 + f1, o = c1 + c4)
 *    out.c0 = (xi (X + B2) + A0, T - A0 - A1 + xi B0, Y + A1 + B1)
 *    out.c1 = (xi (SX - X - B0) + S0 - A0, ST - S0 - S1 - T + A0 + A1 - B1, SY + S1 - Y - A1 - B2)
 *  Bounds: s, o (unreduced sums) have coefficients < 2p, c0 + o < 3p, s0 + s1 < 4p, so every
 *  fp2_mul_wide has alpha beta <= 12 and its outputs are < 32p^2; the largest kernel has 8
 *  terms (< 256 p^2 < pR). c0, c1, c4 are Fp2 pointers and must not alias out. */
export function fp12_mul_by_014(out: usize, f: usize, c0: usize, c1: usize, c4: usize): void {
  const mk = tmp_mark();
  const W: usize = FP2W_SIZE;
  const I: usize = FPW_SIZE;
  const A0 = tmp_alloc(13 * W);
  const A1 = A0 + W;
  const X = A1 + W;
  const T = X + W;
  const Y = T + W;
  const B0 = Y + W;
  const B1 = B0 + W;
  const B2 = B1 + W;
  const S0 = B2 + W;
  const S1 = S0 + W;
  const SX = S1 + W;
  const ST = SX + W;
  const SY = ST + W;
  const s = tmp_alloc(FP6_SIZE);
  const o = tmp_alloc(FP2_SIZE);
  const u = tmp_alloc(FP2_SIZE);
  const v = tmp_alloc(FP2_SIZE);
  // aa = f0 * (c0 + c1 v)
  fp2_mul_wide(A0, f, c0);
  fp2_mul_wide(A1, f + F2, c1);
  fp2_mul_wide(X, f + 2 * F2, c1);
  fp2_mul_wide(Y, f + 2 * F2, c0);
  fp2_add_nr(u, f, f + F2);
  fp2_add_nr(v, c0, c1);
  fp2_mul_wide(T, u, v);
  // bb = f1 * (c4 v)
  fp2_mul_wide(B0, f + C1 + 2 * F2, c4);
  fp2_mul_wide(B1, f + C1, c4);
  fp2_mul_wide(B2, f + C1 + F2, c4);
  // t = (f0 + f1) * (c0 + (c1 + c4) v)
  fp6_add_nr(s, f, f + C1);
  fp2_add_nr(o, c1, c4);
  fp2_mul_wide(S0, s, c0);
  fp2_mul_wide(S1, s + F2, o);
  fp2_mul_wide(SX, s + 2 * F2, o);
  fp2_mul_wide(SY, s + 2 * F2, c0);
  fp2_add_nr(u, s, s + F2);
  fp2_add_nr(v, c0, o);
  fp2_mul_wide(ST, u, v);
  // out.c0.c0 = xi (X + B2) + A0
  fp_redc_p3m2(out, X, B2, A0, X + I, B2 + I);
  fp_redc_p5m0(out + FP_SIZE, X, B2, X + I, B2 + I, A0 + I);
  // out.c0.c1 = T - A0 - A1 + xi B0
  fp_redc_p2m3(out + F2, T, B0, A0, A1, B0 + I);
  fp_redc_p3m2(out + F2 + FP_SIZE, T + I, B0, B0 + I, A0 + I, A1 + I);
  // out.c0.c2 = Y + A1 + B1
  fp_redc_p3m0(out + 2 * F2, Y, A1, B1);
  fp_redc_p3m0(out + 2 * F2 + FP_SIZE, Y + I, A1 + I, B1 + I);
  // out.c1.c0 = xi (SX - X - B0) + S0 - A0
  fp_redc_p4m4(out + C1, SX, S0, X + I, B0 + I, SX + I, X, A0, B0);
  fp_redc_p3m5(out + C1 + FP_SIZE, SX, SX + I, S0 + I, X, X + I, A0 + I, B0, B0 + I);
  // out.c1.c1 = ST - S0 - S1 - T + A0 + A1 - B1
  fp_redc_p3m4(out + C1 + F2, ST, A0, A1, S0, S1, T, B1);
  fp_redc_p3m4(out + C1 + F2 + FP_SIZE, ST + I, A0 + I, A1 + I, S0 + I, S1 + I, T + I, B1 + I);
  // out.c1.c2 = SY + S1 - Y - A1 - B2
  fp_redc_p2m3(out + C1 + 2 * F2, SY, S1, Y, A1, B2);
  fp_redc_p2m3(out + C1 + 2 * F2 + FP_SIZE, SY + I, S1 + I, Y + I, A1 + I, B2 + I);
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

/** out = a^2 for a in the cyclotomic subgroup (a^(p^6+1)(p^2+1)... = 1, e.g. any
 *  output of the easy part of the final exponentiation): Granger-Scott
 *  (eprint 2009/565), 9 Fp2 squarings instead of 12 Fp2 multiplications.
 *  Wrong (garbage) for elements outside the cyclotomic subgroup.
 *  With z0 = c0.c0, z4 = c0.c1, z3 = c0.c2, z2 = c1.c0, z1 = c1.c1, z5 = c1.c2 and
 *  Fp4 squarings (x, y) -> (x^2 + xi y^2, (x + y)^2 - x^2 - y^2):
 *    (t0, t1) = sq4(z0, z1): z0' = 3 t0 - 2 z0, z1' = 3 t1 + 2 z1
 *    (t0, t1) = sq4(z2, z3): z4' = 3 t0 - 2 z4, z5' = 3 t1 + 2 z5
 *    (t2, t3) = sq4(z4, z5): z2' = 3 xi t3 + 2 z2, z3' = 3 t2 - 2 z3
 *  The 9 Fp2 squares are kept wide (fp2_sqr_wide, operands < 2p) and each output Fp
 *  coefficient is one fp_redc3_* kernel (3 (wide combination) / R +- 2 z): 18 double-width
 *  products and 12 reductions, no separate additions. */
export function fp12_cyclotomic_sqr(out: usize, a: usize): void {
  const mk = tmp_mark();
  const W: usize = FP2W_SIZE;
  const Q = tmp_alloc(9 * W);
  const s = tmp_alloc(FP2_SIZE);
  const z0 = a;
  const z4 = a + F2;
  const z3 = a + 2 * F2;
  const z2 = a + C1;
  const z1 = a + C1 + F2;
  const z5 = a + C1 + 2 * F2;
  sq4_wide(Q, z0, z1, s);
  sq4_wide(Q + 3 * W, z2, z3, s);
  sq4_wide(Q + 6 * W, z4, z5, s);
  // the outputs in the same slots of out (all reads of a are done)
  sq4_out_minus(out, Q, z0); // z0' = 3 (x^2 + xi y^2) - 2 z0
  sq4_out_plus(out + C1 + F2, Q, z1); // z1' = 3 (2xy) + 2 z1
  sq4_out_minus(out + F2, Q + 3 * W, z4); // z4' (each kernel reads its z before writing)
  sq4_out_plus(out + C1 + 2 * F2, Q + 3 * W, z5); // z5'
  sq4_out_xi_plus(out + C1, Q + 6 * W, z2); // z2' = 3 xi (2 z4 z5) + 2 z2
  sq4_out_minus(out + 2 * F2, Q + 6 * W, z3); // z3' = 3 (z4^2 + xi z5^2) - 2 z3
  tmp_reset(mk);
}

/** Q[0..3) (wide Fp2) = x^2, y^2, (x + y)^2 for the Fp4 squaring of (x, y) (x, y < p). */
export function sq4_wide(Q: usize, x: usize, y: usize, s: usize): void {
  fp2_sqr_wide(Q, x);
  fp2_sqr_wide(Q + FP2W_SIZE, y);
  fp2_add_nr(s, x, y); // < 2p: fp2_sqr_wide accepts it
  fp2_sqr_wide(Q + 2 * FP2W_SIZE, s);
}

/** out = 3 (x^2 + xi y^2) - 2 z from sq4_wide's Q: re = 3 (X.re + Y.re - Y.im) - 2 z.re,
 *  im = 3 (X.im + Y.re + Y.im) - 2 z.im. z may be out. */
export function sq4_out_minus(out: usize, Q: usize, z: usize): void {
  const X = Q;
  const Y = Q + FP2W_SIZE;
  const I: usize = FPW_SIZE;
  fp_redc3_p2m1_mg(out, X, Y, Y + I, z);
  fp_redc3_p3m0_mg(out + FP_SIZE, X + I, Y, Y + I, z + FP_SIZE);
}

/** out = 3 ((x + y)^2 - x^2 - y^2) + 2 z = 3 (2xy) + 2 z. z may be out. */
export function sq4_out_plus(out: usize, Q: usize, z: usize): void {
  const X = Q;
  const Y = Q + FP2W_SIZE;
  const S = Q + 2 * FP2W_SIZE;
  const I: usize = FPW_SIZE;
  fp_redc3_p1m2_pg(out, S, X, Y, z);
  fp_redc3_p1m2_pg(out + FP_SIZE, S + I, X + I, Y + I, z + FP_SIZE);
}

/** out = 3 xi (2xy) + 2 z, 2xy = h = S - X - Y: re = 3 (h.re - h.im) + 2 z.re,
 *  im = 3 (h.re + h.im) + 2 z.im. z may be out. */
export function sq4_out_xi_plus(out: usize, Q: usize, z: usize): void {
  const X = Q;
  const Y = Q + FP2W_SIZE;
  const S = Q + 2 * FP2W_SIZE;
  const I: usize = FPW_SIZE;
  fp_redc3_p3m3_pg(out, S, X + I, Y + I, X, Y, S + I, z);
  fp_redc3_p2m4_pg(out + FP_SIZE, S, S + I, X, Y, X + I, Y + I, z + FP_SIZE);
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
