// Fp2 = Fp[u]/(u^2 + 1).
//
// Memory: FP2_SIZE bytes, c0 at offset 0, c1 at offset FP_SIZE (element c0 + c1*u).
// Byte encoding (fp2_from_bytes / fp2_to_bytes): c0 || c1, 48 bytes big-endian
// each (tower order of SPEC §2). Note: ZCash G2 point encoding puts c1 first;
// the G2 layer swaps.
// Aliasing: `out` may be the same pointer as any input (no partial overlaps).
// Constant time unless marked vartime (sqrt, inv_vartime: public inputs only).

import {
  FP_SIZE,
  fp_add,
  fp_sub,
  fp_mul,
  fp_sqr,
  fp_neg,
  fp_double,
  fp_copy,
  fp_set_zero,
  fp_set_one,
  fp_is_zero,
  fp_eq,
  fp_cmov,
  fp_select,
  fp_inv,
  fp_inv_vartime,
  fp_sqrt,
  fp_legendre,
  fp_sgn0,
  fp_is_lex_largest,
  fp_from_bytes,
  fp_to_bytes,
  fp_pow,
  FP_EXP_SQRT,
  FP_EXP_SQRT_WORDS,
  fp_halve,
  fp2m_mul,
  fp2k_mul,
  fp2w_mul,
  fp2w_sqr,
  FPW_SIZE,
  fp_add_nr,
  fp_sub_nr,
  fp2m_sqr
} from './fp';
import { tmp_alloc, tmp_mark, tmp_reset } from './mem';

/** Bytes of one Fp2 element in memory. */
export const FP2_SIZE: usize = 2 * FP_SIZE;

export function fp2_add(out: usize, a: usize, b: usize): void {
  fp_add(out, a, b);
  fp_add(out + FP_SIZE, a + FP_SIZE, b + FP_SIZE);
}

/** out = a + b WITHOUT reduction (coefficients < 2p for a, b reduced): only as an operand
 *  of fp2_mul / fp2_sqr / fp2w_mul and the fp_* products (see fp_add_nr). */
export function fp2_add_nr(out: usize, a: usize, b: usize): void {
  fp_add_nr(out, a, b);
  fp_add_nr(out + FP_SIZE, a + FP_SIZE, b + FP_SIZE);
}

/** out = a - b + (p, p) WITHOUT reduction (coefficients in (0, 2p)); same use as fp2_add_nr. */
export function fp2_sub_nr(out: usize, a: usize, b: usize): void {
  fp_sub_nr(out, a, b);
  fp_sub_nr(out + FP_SIZE, a + FP_SIZE, b + FP_SIZE);
}

/** Bytes of a wide (unreduced double-width) Fp2 product: re, im of FPW_SIZE each. */
export const FP2W_SIZE: usize = 2 * FPW_SIZE;

/** out (FP2W_SIZE bytes) = a*b unreduced (Karatsuba, 3 double-width products): re =
 *  a0b0 - a1b1 + 4p^2 in (0, 8p^2), im = a0b1 + a1b0 in [0, 8p^2) for coefficients < 2p.
 *  Reduce with fp_redc_p*m* (fp_mont.ts). */
export function fp2_mul_wide(out: usize, a: usize, b: usize): void {
  fp2w_mul(out, a, b);
}

/** out (FP2W_SIZE bytes) = a^2 unreduced (2 double-width products) for coefficients < 2p:
 *  re = (a0 + a1)(a0 - a1 + 2p) in [0, 16p^2), im = 2 a0 a1 < 8p^2 (for fp_redc3_* kernels). */
export function fp2_sqr_wide(out: usize, a: usize): void {
  fp2w_sqr(out, a);
}

export function fp2_sub(out: usize, a: usize, b: usize): void {
  fp_sub(out, a, b);
  fp_sub(out + FP_SIZE, a + FP_SIZE, b + FP_SIZE);
}

export function fp2_double(out: usize, a: usize): void {
  fp_double(out, a);
  fp_double(out + FP_SIZE, a + FP_SIZE);
}

export function fp2_neg(out: usize, a: usize): void {
  fp_neg(out, a);
  fp_neg(out + FP_SIZE, a + FP_SIZE);
}

/** out = conjugate(a) = c0 - c1*u (this is also the Frobenius map a^p). */
export function fp2_conjugate(out: usize, a: usize): void {
  fp_copy(out, a);
  fp_neg(out + FP_SIZE, a + FP_SIZE);
}

/** out = a^(p^k): conjugate for odd k, identity for even k (k is public). */
export function fp2_frobenius(out: usize, a: usize, k: i32): void {
  if (k & 1) fp2_conjugate(out, a);
  else fp2_copy(out, a);
}

export function fp2_copy(out: usize, a: usize): void {
  fp_copy(out, a);
  fp_copy(out + FP_SIZE, a + FP_SIZE);
}

export function fp2_set_zero(out: usize): void {
  fp_set_zero(out);
  fp_set_zero(out + FP_SIZE);
}

export function fp2_set_one(out: usize): void {
  fp_set_one(out);
  fp_set_zero(out + FP_SIZE);
}

export function fp2_is_zero(a: usize): bool {
  return fp_is_zero(a) & fp_is_zero(a + FP_SIZE);
}

export function fp2_eq(a: usize, b: usize): bool {
  return fp_eq(a, b) & fp_eq(a + FP_SIZE, b + FP_SIZE);
}

/** out = flag ? a : out (flag 0 or 1), constant time. */
export function fp2_cmov(out: usize, a: usize, flag: u32): void {
  fp_cmov(out, a, flag);
  fp_cmov(out + FP_SIZE, a + FP_SIZE, flag);
}

/** out = flag ? b : a (flag 0 or 1), constant time. */
export function fp2_select(out: usize, a: usize, b: usize, flag: u32): void {
  fp_select(out, a, b, flag);
  fp_select(out + FP_SIZE, a + FP_SIZE, b + FP_SIZE, flag);
}

/** out = a*b, Karatsuba on double-width products (kernel fp2k_mul: 3 fp_mulw + 2
 *  reductions; c0 = a0b0 - a1b1, c1 = (a0+a1)(b0+b1) - a0b0 - a1b1). Result fully
 *  reduced; operand coefficients < 2p (fp_add_nr / fp_sub_nr results) are also accepted
 *  (wide operands < 8p^2 < 32p^2, the fp_redc_* bound). */
export function fp2_mul(out: usize, a: usize, b: usize): void {
  fp2k_mul(out, a, b);
}

/** out = a^2, complex squaring: (c0+c1)(c0-c1) + 2c0c1 u, 2 Fp multiplications
 *  on unreduced operands, generated as one function (fp2m_sqr). */
export function fp2_sqr(out: usize, a: usize): void {
  fp2m_sqr(out, a);
}

/** out = a * b for b in Fp (FP_SIZE bytes). */
export function fp2_mul_by_fp(out: usize, a: usize, b: usize): void {
  fp_mul(out, a, b);
  fp_mul(out + FP_SIZE, a + FP_SIZE, b);
}

/** out = a * (u + 1) = (c0 - c1) + (c0 + c1) u: the non-residue xi of the Fp6 tower. */
export function fp2_mul_by_nonresidue(out: usize, a: usize): void {
  const mk = tmp_mark();
  const t = tmp_alloc(FP_SIZE);
  const a1 = a + FP_SIZE;
  fp_sub(t, a, a1);
  fp_add(out + FP_SIZE, a, a1);
  fp_copy(out, t);
  tmp_reset(mk);
}

/** Norm c0^2 + c1^2 in Fp. */
export function fp2_norm(out: usize, a: usize): void {
  const mk = tmp_mark();
  const t = tmp_alloc(FP_SIZE);
  fp_sqr(t, a);
  fp_sqr(out, a + FP_SIZE);
  fp_add(out, out, t);
  tmp_reset(mk);
}

function inv_with(out: usize, a: usize, vartime: bool): void {
  const mk = tmp_mark();
  const t = tmp_alloc(FP_SIZE);
  fp2_norm(t, a);
  if (vartime) fp_inv_vartime(t, t);
  else fp_inv(t, t);
  fp_mul(out, a, t);
  fp_mul(t, a + FP_SIZE, t);
  fp_neg(out + FP_SIZE, t);
  tmp_reset(mk);
}

/** out = a^-1 (constant time, via the Fp Fermat inverse); the inverse of 0 is 0. */
export function fp2_inv(out: usize, a: usize): void {
  inv_with(out, a, false);
}

/** out = a^-1, VARIABLE TIME (public inputs only); the inverse of 0 is 0. */
export function fp2_inv_vartime(out: usize, a: usize): void {
  inv_with(out, a, true);
}

/** True iff a is a square in Fp2 (iff its norm is a square in Fp). 0 is a square. */
export function fp2_is_square(a: usize): bool {
  const mk = tmp_mark();
  const t = tmp_alloc(FP_SIZE);
  fp2_norm(t, a);
  const r = fp_legendre(t) >= 0;
  tmp_reset(mk);
  return r;
}

/** out = a square root of a; returns true iff a is a square (out is then
 *  unspecified-but-valid root; pick the sign with fp2_sgn0). Returns false
 *  and leaves out unspecified otherwise. VARIABLE TIME: for public inputs
 *  (hash_to_curve outputs, point decompression). Method: "complex method"
 *  (Scott, eprint 2012/685 §5): with n = c0^2 + c1^2, s = sqrt(n),
 *  x0 = sqrt((c0 + s)/2), x1 = c1/(2 x0); two Fp exponentiations + one
 *  inverse. */
export function fp2_sqrt(out: usize, a: usize): bool {
  const mk = tmp_mark();
  const a0 = a;
  const a1 = a + FP_SIZE;
  const s = tmp_alloc(FP_SIZE);
  const t = tmp_alloc(FP_SIZE);
  const c = tmp_alloc(FP_SIZE);
  const x = tmp_alloc(FP2_SIZE);
  const chk = tmp_alloc(FP2_SIZE);
  let ok = false;
  if (fp_is_zero(a1)) {
    if (fp_sqrt(s, a0)) {
      fp_copy(x, s);
      fp_set_zero(x + FP_SIZE);
    } else {
      // -1 is not a square mod p, so -c0 is: sqrt(c0) = sqrt(-c0) * u
      fp_neg(t, a0);
      fp_sqrt(s, t);
      fp_set_zero(x);
      fp_copy(x + FP_SIZE, s);
    }
    ok = true;
  } else {
    fp2_norm(t, a);
    if (fp_sqrt(s, t)) {
      fp_add(t, a0, s);
      fp_halve(t, t);
      fp_pow(c, t, FP_EXP_SQRT, FP_EXP_SQRT_WORDS);
      fp_sqr(s, c);
      if (fp_eq(s, t)) {
        // x0 = c, x1 = c1 / (2c)
        fp_copy(x, c);
        fp_double(s, c);
        fp_inv_vartime(s, s);
        fp_mul(x + FP_SIZE, a1, s);
      } else {
        // c^2 = -t, so (c0 - s)/2 = c1^2 / (4 c^2): x0 = c1 / (2c), x1 = c
        fp_double(s, c);
        fp_inv_vartime(s, s);
        fp_mul(x, a1, s);
        fp_copy(x + FP_SIZE, c);
      }
      ok = true;
    }
  }
  if (ok) {
    fp2_sqr(chk, x);
    ok = fp2_eq(chk, a);
    fp2_copy(out, x);
  }
  tmp_reset(mk);
  return ok;
}

/** RFC 9380 sgn0 for Fp2: sgn0(c0) OR (c0 == 0 AND sgn0(c1)). Constant time. */
export function fp2_sgn0(a: usize): u32 {
  const s0 = fp_sgn0(a);
  const z0 = <u32>fp_is_zero(a);
  const s1 = fp_sgn0(a + FP_SIZE);
  return s0 | (z0 & s1);
}

/** ZCash serialisation flag: c1 != 0 ? c1 > (p-1)/2 : c0 > (p-1)/2. Constant time. */
export function fp2_is_lex_largest(a: usize): bool {
  const l0 = <u32>fp_is_lex_largest(a);
  const l1 = <u32>fp_is_lex_largest(a + FP_SIZE);
  const z1 = <u32>fp_is_zero(a + FP_SIZE);
  return (l1 | (z1 & l0)) != 0;
}

/** Decodes c0 || c1 (96 bytes big-endian). Returns 0, or 1 if a coefficient is >= p. */
export function fp2_from_bytes(out: usize, src: usize): i32 {
  return fp_from_bytes(out, src) | fp_from_bytes(out + FP_SIZE, src + 48);
}

/** Encodes as c0 || c1 (96 bytes big-endian). */
export function fp2_to_bytes(dst: usize, a: usize): void {
  fp_to_bytes(dst, a);
  fp_to_bytes(dst + 48, a + FP_SIZE);
}
