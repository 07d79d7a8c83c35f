// RFC 9380 map_to_curve for BLS12-381 G2 (suite BLS12381G2_XMD:SHA-256_SSWU_*):
// simplified SWU onto E2': y^2 = x^3 + A'x + B' over Fp2, A' = 240i,
// B' = 1012(1+i), Z = -(2+i) (§8.8.2), then the 3-isogeny E2' -> E2:
// y^2 = x^3 + 4(1+i) (Appendix E.3).
//
// SSWU is the straight-line map of Appendix F.2. Its sqrt_ratio(u, v) is not
// the generic q = 9 mod 16 routine (an exponentiation in Fp2 by a 758-bit
// exponent); it works through the norm with two exponentiations in Fp by
// c1 = (p-3)/4 and no inversion:
//
//   a = u v (sqrt(u/v) = sqrt(a)/v),  n = N(a) = a0^2 + a1^2 in Fp,
//   r1 = n^c1:  n r1^2 = chi(n) = +1 iff a (so u/v) is a square in Fp2,
//               1/n = chi r1^2, hence 1/v = conj(v) N(u) / n and
//               1/tv4 = tv4^2 / v (v = tv4^3);
//   b = a (square) or Z a (non-square; N(Z) = 5), s = sqrt(N(b)) = n r1
//               (square: (n r1)^2 = n^2 r1^2 = n) or sqrt(-5) n r1
//               (non-square: (n r1)^2 = -n, and -5 is a square mod p);
//   sqrt(b), b = b0 + b1 i, by the "complex method" (Scott, eprint 2012/685):
//               t = (b0 + s)/2, r2 = t^c1, c = t r2, t r2^2 = chi(t):
//               chi(t) = 1:  sqrt(b) = c + (b1 r2 / 2) i   (1/c = r2)
//               chi(t) = -1: sqrt(b) = -(b1 r2 / 2) + c i  (c^2 = -t, 1/c = -r2)
//               (t != 0 when b1 != 0; b1 = 0 is handled in Fp directly).
//   y1 = sqrt(b) / v.
//
// sqrt(b) / v is sqrt(u/v) or sqrt(Z u/v), the y1 of sqrt_ratio. Which of the
// two roots comes out does not matter: SSWU fixes the sign of y by sgn0
// (RFC 9380 §4.1, fp2_sgn0).
//
// If gx1 = 0 the code falls back to an inversion of tv4; this cannot happen for
// BLS12-381 (#E2'(Fp2) = #E2(Fp2) is odd, so x^3 + A'x + B' has no root in Fp2)
// but keeps the function total. The isogeny is evaluated on affine x' and
// returned as homogeneous projective (X : Y : Z) = (xn*yd : y'*yn*xd : xd*yd);
// a vanishing denominator would give the identity (0 : 1 : 0), but the
// kernel's nonzero points are not Fp2-rational (3 does not divide #E2(Fp2)).
//
// Cost per map: two Fp exponentiations by (p-3)/4 (375 S + 83 M each), about
// 25 Fp2 and 15 Fp multiplications (SSWU, sqrt), 11 Fp2 multiplications (isogeny).
//
// Timing: variable time, for public inputs only (as h2c_g1.ts).
// Memory: Fp2 is FP2_SIZE bytes (c0, c1); a G2 point is X, Y, Z contiguous
// (3 * FP2_SIZE bytes, wasm/g2.ts layout).

import {
  FP_SIZE,
  fp_add,
  fp_sub,
  fp_copy,
  fp_double,
  fp_eq,
  fp_halve,
  fp_is_zero,
  fp_mul,
  fp_neg,
  fp_set_one,
  fp_set_zero,
  fp_sqr,
  FP_ONE
} from './fp';
import {
  FP2_SIZE,
  fp2_add,
  fp2_copy,
  fp2_inv_vartime,
  fp2_is_zero,
  fp2_mul,
  fp2_neg,
  fp2_norm,
  fp2_set_one,
  fp2_set_zero,
  fp2_sgn0,
  fp2_sqr
} from './fp2';
import { tmp_alloc, tmp_mark, tmp_reset } from './mem';
import { hc, h2c_consts_init, fp_pow_c1 } from './h2c_g1';
import {
  C_G2_240,
  C_G2_1012,
  C_G2_SQRT_M5,
  C_G2_XNUM,
  C_G2_XDEN,
  C_G2_YNUM,
  C_G2_YDEN,
  G2_XNUM_LEN,
  G2_XDEN_LEN,
  G2_YNUM_LEN,
  G2_YDEN_LEN
} from './h2c_consts';

/** Bytes of a G2 point in homogeneous projective form (X, Y, Z). */
export const H2C_G2_POINT_SIZE: usize = 3 * FP2_SIZE;

// ---------------------------------------------------------------------------
// Multiplication by the curve constants of E2' (2 Fp multiplications or none).

/** out = A' * a = 240i * a = -240 a1 + 240 a0 i. */
function mul_by_a(out: usize, a: usize): void {
  const mk = tmp_mark();
  const t = tmp_alloc(FP_SIZE);
  const c = hc(C_G2_240);
  fp_mul(t, a + FP_SIZE, c);
  fp_mul(out + FP_SIZE, a, c);
  fp_neg(out, t);
  tmp_reset(mk);
}

/** out = B' * a = 1012(1+i) * a = 1012(a0 - a1) + 1012(a0 + a1) i. */
function mul_by_b(out: usize, a: usize): void {
  const mk = tmp_mark();
  const t = tmp_alloc(FP_SIZE);
  const c = hc(C_G2_1012);
  fp_sub(t, a, a + FP_SIZE);
  fp_add(out + FP_SIZE, a, a + FP_SIZE);
  fp_mul(out + FP_SIZE, out + FP_SIZE, c);
  fp_mul(out, t, c);
  tmp_reset(mk);
}

/** out = Z * a = -(2+i) * a = (a1 - 2 a0) - (a0 + 2 a1) i. */
function mul_by_z(out: usize, a: usize): void {
  const mk = tmp_mark();
  const t0 = tmp_alloc(FP_SIZE);
  const t1 = tmp_alloc(FP_SIZE);
  fp_double(t0, a);
  fp_sub(t0, a + FP_SIZE, t0);
  fp_double(t1, a + FP_SIZE);
  fp_add(t1, t1, a);
  fp_copy(out, t0);
  fp_neg(out + FP_SIZE, t1);
  tmp_reset(mk);
}

/** out = Z = -(2+i). */
function set_z(out: usize): void {
  fp_set_one(out);
  fp_double(out, out);
  fp_neg(out, out);
  fp_set_one(out + FP_SIZE);
  fp_neg(out + FP_SIZE, out + FP_SIZE);
}

// ---------------------------------------------------------------------------
// Square roots through the norm.

/** out = a square root of b (Fp2, b != 0 and a square), given s with s^2 = N(b).
 *  Two cases (header): b1 = 0 (root in Fp or in Fp*i), else the complex method
 *  with one exponentiation and no inversion. */
function sqrt_with_norm(out: usize, b: usize, s: usize): void {
  const mk = tmp_mark();
  const t = tmp_alloc(FP_SIZE);
  const r2 = tmp_alloc(FP_SIZE);
  const c = tmp_alloc(FP_SIZE);
  const chk = tmp_alloc(FP_SIZE);
  const h = tmp_alloc(FP_SIZE);
  const b0 = b;
  const b1 = b + FP_SIZE;
  if (fp_is_zero(b1)) {
    fp_pow_c1(r2, b0);
    fp_mul(c, b0, r2); // c^2 = chi(b0) b0
    fp_mul(chk, c, r2);
    if (fp_eq(chk, FP_ONE)) {
      fp_copy(out, c);
      fp_set_zero(out + FP_SIZE);
    } else {
      fp_set_zero(out);
      fp_copy(out + FP_SIZE, c);
    }
  } else {
    fp_add(t, b0, s);
    fp_halve(t, t);
    fp_pow_c1(r2, t);
    fp_mul(c, t, r2);
    fp_mul(chk, c, r2); // t r2^2 = chi(t)
    fp_mul(h, b1, r2);
    fp_halve(h, h);
    if (fp_eq(chk, FP_ONE)) {
      fp_copy(out, c);
      fp_copy(out + FP_SIZE, h);
    } else {
      fp_neg(out, h);
      fp_copy(out + FP_SIZE, c);
    }
  }
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// Simplified SWU onto E2'.

/** (xo, yo) = map_to_curve_simple_swu(u) on E2' (affine Fp2), RFC 9380 F.2 with
 *  the sqrt_ratio of the header. Outputs must not overlap u. Variable time. */
export function sswu_g2(xo: usize, yo: usize, u: usize): void {
  const mk = tmp_mark();
  const tv1 = tmp_alloc(FP2_SIZE);
  const tv2 = tmp_alloc(FP2_SIZE);
  const tv3 = tmp_alloc(FP2_SIZE);
  const tv4 = tmp_alloc(FP2_SIZE);
  const tv4sq = tmp_alloc(FP2_SIZE);
  const v = tmp_alloc(FP2_SIZE);
  const gn = tmp_alloc(FP2_SIZE);
  const x = tmp_alloc(FP2_SIZE);
  const t = tmp_alloc(FP2_SIZE);
  const a = tmp_alloc(FP2_SIZE);
  const b = tmp_alloc(FP2_SIZE);
  const vinv = tmp_alloc(FP2_SIZE);
  const y1 = tmp_alloc(FP2_SIZE);
  const inv = tmp_alloc(FP2_SIZE);
  const n = tmp_alloc(FP_SIZE);
  const r1 = tmp_alloc(FP_SIZE);
  const s = tmp_alloc(FP_SIZE);
  const f = tmp_alloc(FP_SIZE);
  const chk = tmp_alloc(FP_SIZE);

  fp2_sqr(tv1, u); //                       1. tv1 = u^2
  mul_by_z(tv1, tv1); //                    2. tv1 = Z * tv1
  fp2_sqr(tv2, tv1); //                     3. tv2 = tv1^2
  fp2_add(tv2, tv2, tv1); //                4. tv2 = tv2 + tv1
  fp2_set_one(t);
  fp2_add(tv3, tv2, t); //                  5. tv3 = tv2 + 1
  mul_by_b(tv3, tv3); //                    6. tv3 = B * tv3
  if (fp2_is_zero(tv2)) set_z(tv4); //      7. tv4 = CMOV(Z, -tv2, tv2 != 0)
  else fp2_neg(tv4, tv2);
  mul_by_a(tv4, tv4); //                    8. tv4 = A * tv4
  fp2_sqr(tv2, tv3); //                     9. tv2 = tv3^2
  fp2_sqr(tv4sq, tv4); //                  10. tv6 = tv4^2
  mul_by_a(t, tv4sq); //                   11. tv5 = A * tv6
  fp2_add(tv2, tv2, t); //                 12. tv2 = tv2 + tv5
  fp2_mul(tv2, tv2, tv3); //               13. tv2 = tv2 * tv3
  fp2_mul(v, tv4sq, tv4); //               14. tv6 = tv6 * tv4
  mul_by_b(t, v); //                       15. tv5 = B * tv6
  fp2_add(gn, tv2, t); //                  16. tv2 = tv2 + tv5   (gx1 = gn / v)
  fp2_mul(x, tv1, tv3); //                 17. x = tv1 * tv3

  // 18. (is_gx1_square, y1) = sqrt_ratio(gn, v), plus 1/tv4 (header).
  let isQR = true;
  if (fp2_is_zero(gn)) {
    fp2_set_zero(y1);
    fp2_inv_vartime(inv, tv4);
  } else {
    fp2_mul(a, gn, v);
    fp2_norm(n, a);
    fp_pow_c1(r1, n);
    fp_mul(s, n, r1); //                   s^2 = chi(n) n
    fp_mul(chk, s, r1); //                 n r1^2 = chi(n)
    isQR = fp_eq(chk, FP_ONE);
    // 1/v = conj(v) * N(u) * chi * r1^2
    fp_sqr(f, r1);
    if (!isQR) fp_neg(f, f);
    fp2_norm(chk, gn);
    fp_mul(f, f, chk);
    fp_mul(vinv, v, f);
    fp_mul(vinv + FP_SIZE, v + FP_SIZE, f);
    fp_neg(vinv + FP_SIZE, vinv + FP_SIZE);
    fp2_mul(inv, tv4sq, vinv); //          1/tv4 = tv4^2 / v
    if (isQR) {
      fp2_copy(b, a);
    } else {
      mul_by_z(b, a);
      fp_mul(s, s, hc(C_G2_SQRT_M5)); //   sqrt(5n) = sqrt(-5) sqrt(-n)
    }
    sqrt_with_norm(y1, b, s);
    fp2_mul(y1, y1, vinv); //              sqrt(b) / v
  }
  if (isQR) {
    fp2_copy(x, tv3); //                   21. x = CMOV(x, tv3, is_gx1_square)
    fp2_copy(yo, y1); //                   22. y = CMOV(y, y1, is_gx1_square)
  } else {
    fp2_mul(yo, tv1, u); //                19. y = tv1 * u
    fp2_mul(yo, yo, y1); //                20. y = y * y1
  }
  if (fp2_sgn0(u) != fp2_sgn0(yo)) fp2_neg(yo, yo); // 23-24. sgn0(y) = sgn0(u)
  fp2_mul(xo, x, inv); //                  25. x = x / tv4
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// Isogeny and map_to_curve.

/** out = sum c_i x^i over `len` Fp2 table entries starting at constant `c`
 *  (two slots each); if `monic`, plus x^len. Horner. */
function horner2(out: usize, c: i32, len: i32, monic: bool, x: usize): void {
  let i = len - 1;
  if (monic) fp2_add(out, x, hc(c + 2 * i));
  else fp2_copy(out, hc(c + 2 * i));
  for (i = i - 1; i >= 0; i--) {
    fp2_mul(out, out, x);
    fp2_add(out, out, hc(c + 2 * i));
  }
}

/** out (projective G2 point) = iso_map(x', y') for affine (x', y') on E2' (Appendix E.3).
 *  The kernel of the isogeny maps to the identity (0 : 1 : 0). */
export function iso_map_g2(out: usize, x: usize, y: usize): void {
  const mk = tmp_mark();
  const xn = tmp_alloc(FP2_SIZE);
  const xd = tmp_alloc(FP2_SIZE);
  const yn = tmp_alloc(FP2_SIZE);
  const yd = tmp_alloc(FP2_SIZE);
  horner2(xn, C_G2_XNUM, G2_XNUM_LEN, false, x);
  horner2(xd, C_G2_XDEN, G2_XDEN_LEN, true, x);
  horner2(yn, C_G2_YNUM, G2_YNUM_LEN, false, x);
  horner2(yd, C_G2_YDEN, G2_YDEN_LEN, true, x);
  const X = out;
  const Y = out + FP2_SIZE;
  const Z = out + 2 * FP2_SIZE;
  fp2_mul(Z, xd, yd);
  if (fp2_is_zero(Z)) {
    fp2_set_zero(X);
    fp2_set_one(Y);
  } else {
    fp2_mul(X, xn, yd);
    fp2_mul(Y, yn, xd);
    fp2_mul(Y, Y, y);
  }
  tmp_reset(mk);
}

/** out (projective G2 point, 3 * FP2_SIZE bytes) = map_to_curve(u) = iso_map(sswu(u)):
 *  a point of E2 (clear the cofactor next). u is an Fp2 element. `out` must not overlap u. */
export function map_to_curve_g2(out: usize, u: usize): void {
  h2c_consts_init();
  const mk = tmp_mark();
  const x = tmp_alloc(FP2_SIZE);
  const y = tmp_alloc(FP2_SIZE);
  sswu_g2(x, y, u);
  iso_map_g2(out, x, y);
  tmp_reset(mk);
}
