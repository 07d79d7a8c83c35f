// RFC 9380 map_to_curve for BLS12-381 G1 (suite BLS12381G1_XMD:SHA-256_SSWU_*):
// simplified SWU onto the isogenous curve E': y^2 = x^3 + A'x + B' (§6.6.2,
// §8.8.1, Z = 11), then the 11-isogeny E' -> E: y^2 = x^3 + 4 (Appendix E.2).
// Also the shared pieces of h2c_g2.ts: the constant tables (converted to
// Montgomery form once) and the exponentiation by c1 = (p-3)/4.
//
// SSWU is the straight-line map of Appendix F.2 with the sqrt_ratio of
// F.2.1.2 (q = 3 mod 4), extended so that the single exponentiation also
// yields the inverse of the denominator tv4 (no separate inversion):
//
//   sqrt_ratio(u, v), u = the numerator of g(x1), v = tv4^3:  w = u v^3, r = w^((p-3)/4).
//   r^2 w = w^((p-1)/2) = chi(w) = chi(u/v) = +1 iff is_QR (for u != 0), so
//   1/w = chi r^2 and 1/tv4 = tv4^2 / v = tv4^2 u v^2 / w = chi * tv4^8 u r^2.
//
// If gx1 = 0 (x1 a root of x^3 + A'x + B') the code falls back to an
// inversion of tv4; this cannot happen for BLS12-381 (#E'(Fp) = #E(Fp) is odd,
// so the cubic has no root in Fp) but keeps the function total. The isogeny
// is evaluated on the affine x' of E' (Horner, 49 Fp multiplications) and the
// result is returned as homogeneous projective (X : Y : Z) =
// (xn*yd : y'*yn*xd : xd*yd), so no inversion is needed after the
// exponentiation. A vanishing denominator (a point of the isogeny's kernel;
// SSWU can reach one only if those points are Fp-rational, and then with
// probability about 10/p) gives the identity (0 : 1 : 0).
//
// hash_to_curve (map2_to_curve_g1) adds Q0' + Q1' on E' before the isogeny
// (an isogeny is a group homomorphism), in affine coordinates: the second
// exponentiation also yields 1/(x1 - x0) (sswu_g1_with_dinv), so the sum costs
// ~15 multiplications and saves one isogeny evaluation and the projective
// addition on E. When x1 = x0 (u1 = +-u0) it falls back to two isogenies and
// g1_add.
//
// Cost per map: one exponentiation (375 squarings + 83 multiplications,
// width-5 sliding window) + 29 multiplications (SSWU) + 53 (isogeny).
//
// Timing: the inputs of hash_to_curve are public (hashes of public messages),
// so this code branches on them (exceptional cases, is_QR, sign fix-up). It is
// NOT constant time; do not feed it secret field elements.
//
// Memory: Fp elements are FP_SIZE bytes in the field layer's Montgomery form;
// a G1 point is X, Y, Z contiguous (3 * FP_SIZE bytes, wasm/g1.ts layout).

import {
  FP_SIZE,
  fp_add,
  fp_copy,
  fp_eq,
  fp_from_bytes,
  fp_inv_vartime,
  fp_is_zero,
  fp_mul,
  fp_neg,
  fp_set_one,
  fp_set_zero,
  fp_sgn0,
  fp_sqr,
  fp_sub
} from './fp';
import { tmp_alloc, tmp_mark, tmp_reset } from './mem';
import { g1_add } from './g1';
import {
  H2C_CONST_BE,
  H2C_CONST_COUNT,
  C_G1_A,
  C_G1_B,
  C_G1_Z,
  C_G1_C2,
  C_G1_XNUM,
  C_G1_XDEN,
  C_G1_YNUM,
  C_G1_YDEN,
  G1_XNUM_LEN,
  G1_XDEN_LEN,
  G1_YNUM_LEN,
  G1_YDEN_LEN,
  SQRT_EXP_W,
  SQRT_EXP_OPS,
  SQRT_EXP_TAIL,
  SQRT_EXP_SCHED
} from './h2c_consts';

/** Bytes of a G1 point in homogeneous projective form (X, Y, Z). */
export const H2C_G1_POINT_SIZE: usize = 3 * FP_SIZE;

// ---------------------------------------------------------------------------
// Constants (Montgomery form), converted from H2C_CONST_BE on first use.

const CONST_M: usize = memory.data(<i32>H2C_CONST_COUNT * <i32>FP_SIZE, 16);
let constsReady = false;

/** Converts the constant tables to Montgomery form (idempotent; every entry point calls it). */
export function h2c_consts_init(): void {
  if (constsReady) return;
  for (let i = 0; i < H2C_CONST_COUNT; i++) {
    const bad = fp_from_bytes(CONST_M + <usize>i * FP_SIZE, H2C_CONST_BE + <usize>i * 48);
    assert(bad == 0, 'h2c constant >= p');
  }
  constsReady = true;
}

/** Address of constant number i (Montgomery form). */
// @ts-ignore: decorator
@inline
export function hc(i: i32): usize {
  return CONST_M + <usize>i * FP_SIZE;
}

// ---------------------------------------------------------------------------
// Exponentiation by c1 = (p-3)/4.

/** out = a^((p-3)/4), sliding window of width SQRT_EXP_W (schedule in h2c_consts.ts).
 *  Time depends only on the (public) exponent. `out` may alias `a`. */
export function fp_pow_c1(out: usize, a: usize): void {
  const mk = tmp_mark();
  const n = 1 << (SQRT_EXP_W - 1);
  const tab = tmp_alloc(<usize>n * FP_SIZE);
  const a2 = tmp_alloc(FP_SIZE);
  const r = tmp_alloc(FP_SIZE);
  fp_copy(tab, a);
  fp_sqr(a2, a);
  for (let i = 1; i < n; i++) fp_mul(tab + <usize>i * FP_SIZE, tab + <usize>(i - 1) * FP_SIZE, a2);
  fp_copy(r, tab + <usize>load<u8>(SQRT_EXP_SCHED + 1) * FP_SIZE);
  for (let k = 1; k < SQRT_EXP_OPS; k++) {
    const nsq = <i32>load<u8>(SQRT_EXP_SCHED + <usize>(2 * k));
    const idx = <usize>load<u8>(SQRT_EXP_SCHED + <usize>(2 * k + 1));
    for (let s = 0; s < nsq; s++) fp_sqr(r, r);
    fp_mul(r, r, tab + idx * FP_SIZE);
  }
  for (let s = 0; s < SQRT_EXP_TAIL; s++) fp_sqr(r, r);
  fp_copy(out, r);
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// Simplified SWU onto E'.

/** (xo, yo) = map_to_curve_simple_swu(u) on E' (affine), RFC 9380 F.2 with the
 *  inversion folded into sqrt_ratio (see the header). Outputs must not overlap
 *  u. Variable time (public inputs). */
export function sswu_g1(xo: usize, yo: usize, u: usize): void {
  sswu_g1_impl(xo, yo, u, 0, 0);
}

/** As sswu_g1, and also dinv = 1/(xo - xprev) for the affine x-coordinate
 *  xprev of another point of E' (hash_to_curve's Q0), from the same
 *  exponentiation: both candidate numerators N_a (x1) and N_b (x2) are known
 *  before sqrt_ratio, so with d_k = N_k - xprev*tv4 and e = d_a d_b the
 *  exponentiation runs on w' = u v^3 e^2 (same quadratic character as u v),
 *  y1 = r u v e, 1/w' = chi r^2, 1/e = chi r^2 u v^3 e and
 *  1/(x - xprev) = tv4 d_other / e. Returns false (dinv not written) when e = 0,
 *  i.e. a candidate x equals xprev (the points are equal or opposite). */
export function sswu_g1_with_dinv(xo: usize, yo: usize, dinv: usize, u: usize, xprev: usize): bool {
  return sswu_g1_impl(xo, yo, u, xprev, dinv);
}

function sswu_g1_impl(xo: usize, yo: usize, u: usize, xprev: usize, dinv: usize): bool {
  const mk = tmp_mark();
  const tv1 = tmp_alloc(FP_SIZE);
  const tv2 = tmp_alloc(FP_SIZE);
  const tv3 = tmp_alloc(FP_SIZE);
  const tv4 = tmp_alloc(FP_SIZE);
  const tv4sq = tmp_alloc(FP_SIZE);
  const v = tmp_alloc(FP_SIZE);
  const gn = tmp_alloc(FP_SIZE);
  const x = tmp_alloc(FP_SIZE);
  const w = tmp_alloc(FP_SIZE);
  const uv = tmp_alloc(FP_SIZE);
  const v2 = tmp_alloc(FP_SIZE);
  const r = tmp_alloc(FP_SIZE);
  const y1 = tmp_alloc(FP_SIZE);
  const t = tmp_alloc(FP_SIZE);
  const inv = tmp_alloc(FP_SIZE);
  const da = tmp_alloc(FP_SIZE);
  const db = tmp_alloc(FP_SIZE);
  const e = tmp_alloc(FP_SIZE);
  const e2 = tmp_alloc(FP_SIZE);
  const A = hc(C_G1_A);
  const B = hc(C_G1_B);
  const Z = hc(C_G1_Z);

  fp_sqr(tv1, u); //                        1. tv1 = u^2
  fp_mul(tv1, Z, tv1); //                   2. tv1 = Z * tv1
  fp_sqr(tv2, tv1); //                      3. tv2 = tv1^2
  fp_add(tv2, tv2, tv1); //                 4. tv2 = tv2 + tv1
  fp_set_one(t);
  fp_add(tv3, tv2, t); //                   5. tv3 = tv2 + 1
  fp_mul(tv3, B, tv3); //                   6. tv3 = B * tv3
  if (fp_is_zero(tv2)) fp_copy(tv4, Z); //  7. tv4 = CMOV(Z, -tv2, tv2 != 0)
  else fp_neg(tv4, tv2);
  fp_mul(tv4, A, tv4); //                   8. tv4 = A * tv4
  fp_sqr(tv2, tv3); //                      9. tv2 = tv3^2
  fp_sqr(tv4sq, tv4); //                   10. tv6 = tv4^2
  fp_mul(t, A, tv4sq); //                  11. tv5 = A * tv6
  fp_add(tv2, tv2, t); //                  12. tv2 = tv2 + tv5
  fp_mul(tv2, tv2, tv3); //                13. tv2 = tv2 * tv3
  fp_mul(v, tv4sq, tv4); //                14. tv6 = tv6 * tv4
  fp_mul(t, B, v); //                      15. tv5 = B * tv6
  fp_add(gn, tv2, t); //                   16. tv2 = tv2 + tv5   (gx1 = gn / v)
  fp_mul(x, tv1, tv3); //                  17. x = tv1 * tv3     (numerator of x2)

  // Optional: the denominators of x1 - xprev and x2 - xprev (numerators over tv4).
  let fold = false;
  if (xprev != 0) {
    fp_mul(t, xprev, tv4);
    fp_sub(da, tv3, t);
    fp_sub(db, x, t);
    fp_mul(e, da, db);
    fold = !fp_is_zero(e);
  }

  // 18. (is_gx1_square, y1) = sqrt_ratio(gn, v), F.2.1.2, plus 1/tv4.
  let isQR = true;
  if (fp_is_zero(gn)) {
    // Unreachable for BLS12-381 (#E'(Fp) is odd, so x^3 + A'x + B' has no root
    // in Fp); kept so the function is total.
    fold = false;
    fp_set_zero(y1);
    fp_inv_vartime(inv, tv4);
  } else {
    fp_sqr(v2, v); //                      tv1 = v^2
    fp_mul(uv, gn, v); //                  tv2 = u * v
    fp_mul(w, v2, uv); //                  tv1 = tv1 * tv2 = u v^3
    if (fold) {
      fp_sqr(e2, e);
      fp_mul(w, w, e2); //                 w' = u v^3 e^2
      fp_mul(uv, uv, e); //                u v e (uv is not needed unscaled below)
    }
    fp_pow_c1(r, w); //                    y1 = tv1^c1
    fp_mul(y1, r, uv); //                  y1 = y1 * tv2
    fp_sqr(t, y1); //                      tv3 = y1^2
    fp_mul(t, t, v); //                    tv3 = tv3 * v
    isQR = fp_eq(t, gn); //                isQR = tv3 == u
    if (!isQR) fp_mul(y1, y1, hc(C_G1_C2)); // y = CMOV(y2, y1, isQR), y2 = y1 * sqrt(-Z)
    // T = 1/w' = chi r^2; 1/tv4 = T * tv4^2 * u v^2 (* e^2)
    fp_sqr(r, r);
    if (!isQR) fp_neg(r, r);
    fp_mul(inv, v2, tv4sq);
    fp_mul(inv, inv, gn);
    fp_mul(inv, inv, r);
    if (fold) {
      fp_mul(inv, inv, e2);
      // 1/e = T * u v^3 e = T * (u v e) * v^2; 1/(x - xprev) = tv4 * d_other / e
      fp_mul(t, uv, v2);
      fp_mul(t, t, r);
      fp_mul(t, t, isQR ? db : da);
      fp_mul(dinv, t, tv4);
    }
  }
  if (isQR) {
    fp_copy(x, tv3); //                    21. x = CMOV(x, tv3, is_gx1_square)
    fp_copy(yo, y1); //                    22. y = CMOV(y, y1, is_gx1_square)
  } else {
    fp_mul(yo, tv1, u); //                 19. y = tv1 * u
    fp_mul(yo, yo, y1); //                 20. y = y * y1
  }
  if (fp_sgn0(u) != fp_sgn0(yo)) fp_neg(yo, yo); // 23-24. sgn0(y) = sgn0(u)
  fp_mul(xo, x, inv); //                   25. x = x / tv4
  tmp_reset(mk);
  return fold;
}

// ---------------------------------------------------------------------------
// Isogeny and map_to_curve.

/** out = sum c_i x^i over `len` table entries starting at constant `c`; if
 *  `monic`, plus x^len. Horner. */
export function h2c_horner(out: usize, c: i32, len: i32, monic: bool, x: usize): void {
  let i = len - 1;
  if (monic) {
    fp_add(out, x, hc(c + i));
  } else {
    fp_copy(out, hc(c + i));
  }
  for (i = i - 1; i >= 0; i--) {
    fp_mul(out, out, x);
    fp_add(out, out, hc(c + i));
  }
}

/** out (projective G1 point) = iso_map(x', y') for affine (x', y') on E' (Appendix E.2).
 *  The kernel of the isogeny (denominator 0) maps to the identity (0 : 1 : 0). */
export function iso_map_g1(out: usize, x: usize, y: usize): void {
  const mk = tmp_mark();
  const xn = tmp_alloc(FP_SIZE);
  const xd = tmp_alloc(FP_SIZE);
  const yn = tmp_alloc(FP_SIZE);
  const yd = tmp_alloc(FP_SIZE);
  h2c_horner(xn, C_G1_XNUM, G1_XNUM_LEN, false, x);
  h2c_horner(xd, C_G1_XDEN, G1_XDEN_LEN, true, x);
  h2c_horner(yn, C_G1_YNUM, G1_YNUM_LEN, false, x);
  h2c_horner(yd, C_G1_YDEN, G1_YDEN_LEN, true, x);
  const X = out;
  const Y = out + FP_SIZE;
  const Z = out + 2 * FP_SIZE;
  fp_mul(Z, xd, yd);
  if (fp_is_zero(Z)) {
    fp_set_zero(X);
    fp_set_one(Y);
  } else {
    fp_mul(X, xn, yd);
    fp_mul(Y, yn, xd);
    fp_mul(Y, Y, y);
  }
  tmp_reset(mk);
}

/** out (projective G1 point, 3 * FP_SIZE bytes) = map_to_curve(u) = iso_map(sswu(u)):
 *  a point of E (not yet in G1; clear the cofactor next). u is an Fp element
 *  (Montgomery form). `out` must not overlap `u`. */
export function map_to_curve_g1(out: usize, u: usize): void {
  h2c_consts_init();
  const mk = tmp_mark();
  const x = tmp_alloc(FP_SIZE);
  const y = tmp_alloc(FP_SIZE);
  sswu_g1(x, y, u);
  iso_map_g1(out, x, y);
  tmp_reset(mk);
}

/** out (projective point of E, 3 * FP_SIZE bytes) = map_to_curve(u0) + map_to_curve(u1),
 *  the sum of hash_to_curve before clear_cofactor. The two SSWU points are added
 *  on E' in affine coordinates (the isogeny is a group homomorphism), with the
 *  inverse of x1 - x0 taken from the second exponentiation (sswu_g1_with_dinv),
 *  and one isogeny is evaluated instead of two. If x1 = x0 (Q1 = +-Q0), falls
 *  back to two isogenies and the complete addition of g1.ts. `out` must not
 *  overlap u0, u1. Variable time. */
export function map2_to_curve_g1(out: usize, u0: usize, u1: usize): void {
  h2c_consts_init();
  const mk = tmp_mark();
  const x0 = tmp_alloc(FP_SIZE);
  const y0 = tmp_alloc(FP_SIZE);
  const x1 = tmp_alloc(FP_SIZE);
  const y1 = tmp_alloc(FP_SIZE);
  const dinv = tmp_alloc(FP_SIZE);
  const l = tmp_alloc(FP_SIZE);
  const t = tmp_alloc(FP_SIZE);
  sswu_g1(x0, y0, u0);
  if (sswu_g1_with_dinv(x1, y1, dinv, u1, x0)) {
    // affine addition on E' (x1 != x0): l = (y1 - y0)/(x1 - x0),
    // x3 = l^2 - x0 - x1, y3 = l (x0 - x3) - y0
    fp_sub(l, y1, y0);
    fp_mul(l, l, dinv);
    fp_sqr(t, l);
    fp_sub(t, t, x0);
    fp_sub(t, t, x1); //                   x3
    fp_sub(x1, x0, t);
    fp_mul(x1, x1, l);
    fp_sub(y1, x1, y0); //                 y3
    iso_map_g1(out, t, y1);
  } else {
    const q0 = tmp_alloc(H2C_G1_POINT_SIZE);
    const q1 = tmp_alloc(H2C_G1_POINT_SIZE);
    iso_map_g1(q0, x0, y0);
    iso_map_g1(q1, x1, y1);
    g1_add(out, q0, q1);
  }
  tmp_reset(mk);
}
