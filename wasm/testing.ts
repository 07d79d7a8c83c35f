// Test and benchmark surface (prefix t_): every operation of the field layer,
// driven through the I/O buffer with canonical big-endian bytes, so that
// Node tests can compare against @noble/curves. Not for production callers.
//
// I/O buffer slots (io_ptr() + offset): IN0 = 0, IN1 = 1024, IN2 = 2048,
// OUT = 3072. Elements are the concatenation of their 48-byte (Fr: 32-byte)
// coefficients in tower order. Each t_* decodes IN0 and IN1 as elements of its
// field, runs `op` and writes the result to OUT; it returns the op's
// boolean/integer result, 0 for plain ops, or DECODE_ERR if IN0 or IN1 is not
// canonical.

import { io_ptr, tmp_alloc, tmp_mark, tmp_reset, tmp_used } from './mem';
import {
  FP_SIZE, fp_add, fp_sub, fp_mul, fp_sqr, fp_neg, fp_double, fp_inv, fp_inv_vartime, fp_sqrt,
  fp_legendre, fp_is_square, fp_eq, fp_is_zero, fp_sgn0, fp_is_lex_largest, fp_select, fp_cmov,
  fp_halve, fp_from_bytes, fp_to_bytes, fp_from_bytes_wide, fp_mul_small, fp_cswap
} from './fp';
import {
  FP2_SIZE, fp2_add, fp2_sub, fp2_mul, fp2_sqr, fp2_neg, fp2_double, fp2_inv, fp2_inv_vartime,
  fp2_sqrt, fp2_is_square, fp2_eq, fp2_is_zero, fp2_sgn0, fp2_is_lex_largest, fp2_conjugate,
  fp2_mul_by_nonresidue, fp2_frobenius, fp2_mul_by_fp, fp2_from_bytes, fp2_to_bytes
} from './fp2';
import {
  FP6_SIZE, fp6_add, fp6_sub, fp6_mul, fp6_sqr, fp6_neg, fp6_inv, fp6_inv_vartime,
  fp6_mul_by_nonresidue, fp6_frobenius, fp6_mul_by_1, fp6_mul_by_01, fp6_mul_by_fp2,
  fp6_from_bytes, fp6_to_bytes, fp6_eq
} from './fp6';
import {
  FP12_SIZE, fp12_add, fp12_sub, fp12_mul, fp12_sqr, fp12_neg, fp12_inv, fp12_inv_vartime,
  fp12_conjugate, fp12_frobenius, fp12_mul_by_014, fp12_cyclotomic_sqr, fp12_eq, fp12_is_one,
  fp12_from_bytes, fp12_to_bytes
} from './fp12';
import {
  FR_SIZE, fr_add, fr_sub, fr_mul, fr_sqr, fr_neg, fr_double, fr_inv, fr_eq, fr_is_zero,
  fr_from_bytes, fr_to_bytes, fr_from_bytes_wide
} from './fr';

/** Returned when an input slot does not hold a canonical element. */
export const DECODE_ERR: i32 = -1000;

const IN1: usize = 1024;
const OUT: usize = 3072;

/** Bytes of temporaries in use; 0 between calls (tests check no leak). */
export function t_tmp_used(): usize {
  return tmp_used();
}

export function t_fp(op: i32): i32 {
  const io = io_ptr();
  const mk = tmp_mark();
  const a = tmp_alloc(FP_SIZE);
  const b = tmp_alloc(FP_SIZE);
  const r = tmp_alloc(FP_SIZE);
  let ret: i32 = 0;
  if (op == 18) {
    fp_from_bytes_wide(r, io);
  } else {
    if (fp_from_bytes(a, io) != 0 || fp_from_bytes(b, io + IN1) != 0) {
      tmp_reset(mk);
      return DECODE_ERR;
    }
    fp_copy_to(r, a);
    switch (op) {
      case 0: fp_add(r, a, b); break;
      case 1: fp_sub(r, a, b); break;
      case 2: fp_mul(r, a, b); break;
      case 3: fp_sqr(r, a); break;
      case 4: fp_neg(r, a); break;
      case 5: fp_double(r, a); break;
      case 6: fp_inv(r, a); break;
      case 7: fp_inv_vartime(r, a); break;
      case 8: ret = <i32>fp_sqrt(r, a); break;
      case 9: ret = fp_legendre(a); break;
      case 10: ret = <i32>fp_eq(a, b); break;
      case 11: ret = <i32>fp_is_zero(a); break;
      case 12: ret = <i32>fp_sgn0(a); break;
      case 13: ret = <i32>fp_is_lex_largest(a); break;
      case 14: fp_select(r, a, b, 1); break;
      case 15: fp_select(r, a, b, 0); break;
      case 16: fp_cmov(r, b, 1); break;
      case 17: fp_halve(r, a); break;
      case 19: fp_mul_small(r, a, 12345); break;
      case 20: ret = <i32>fp_is_square(a); break;
      case 21: fp_cswap(r, b, 1); break;
      case 22: fp_mul(a, a, b); fp_copy_to(r, a); break; // out aliases an input
      case 23: fp_add(a, a, a); fp_copy_to(r, a); break;
      default: unreachable();
    }
  }
  fp_to_bytes(io + OUT, r);
  tmp_reset(mk);
  return ret;
}

function fp_copy_to(out: usize, a: usize): void {
  memory.copy(out, a, FP_SIZE);
}

export function t_fp2(op: i32): i32 {
  const io = io_ptr();
  const mk = tmp_mark();
  const a = tmp_alloc(FP2_SIZE);
  const b = tmp_alloc(FP2_SIZE);
  const r = tmp_alloc(FP2_SIZE);
  if (fp2_from_bytes(a, io) != 0 || fp2_from_bytes(b, io + IN1) != 0) {
    tmp_reset(mk);
    return DECODE_ERR;
  }
  memory.copy(r, a, FP2_SIZE);
  let ret: i32 = 0;
  switch (op) {
    case 0: fp2_add(r, a, b); break;
    case 1: fp2_sub(r, a, b); break;
    case 2: fp2_mul(r, a, b); break;
    case 3: fp2_sqr(r, a); break;
    case 4: fp2_neg(r, a); break;
    case 5: fp2_double(r, a); break;
    case 6: fp2_inv(r, a); break;
    case 7: fp2_inv_vartime(r, a); break;
    case 8: ret = <i32>fp2_sqrt(r, a); break;
    case 9: ret = <i32>fp2_is_square(a); break;
    case 10: ret = <i32>fp2_eq(a, b); break;
    case 11: ret = <i32>fp2_is_zero(a); break;
    case 12: ret = <i32>fp2_sgn0(a); break;
    case 13: ret = <i32>fp2_is_lex_largest(a); break;
    case 14: fp2_conjugate(r, a); break;
    case 15: fp2_mul_by_nonresidue(r, a); break;
    case 16: fp2_frobenius(r, a, 1); break;
    case 17: fp2_mul_by_fp(r, a, b); break;
    case 22: fp2_mul(a, a, b); memory.copy(r, a, FP2_SIZE); break; // aliasing
    case 23: fp2_sqr(a, a); memory.copy(r, a, FP2_SIZE); break;
    case 24: fp2_mul(b, a, b); memory.copy(r, b, FP2_SIZE); break;
    default: unreachable();
  }
  fp2_to_bytes(io + OUT, r);
  tmp_reset(mk);
  return ret;
}

export function t_fp6(op: i32): i32 {
  const io = io_ptr();
  const mk = tmp_mark();
  const a = tmp_alloc(FP6_SIZE);
  const b = tmp_alloc(FP6_SIZE);
  const r = tmp_alloc(FP6_SIZE);
  if (fp6_from_bytes(a, io) != 0 || fp6_from_bytes(b, io + IN1) != 0) {
    tmp_reset(mk);
    return DECODE_ERR;
  }
  memory.copy(r, a, FP6_SIZE);
  let ret: i32 = 0;
  if (op >= 16 && op < 28) {
    fp6_frobenius(r, a, op - 16);
  } else {
    switch (op) {
      case 0: fp6_add(r, a, b); break;
      case 1: fp6_sub(r, a, b); break;
      case 2: fp6_mul(r, a, b); break;
      case 3: fp6_sqr(r, a); break;
      case 4: fp6_neg(r, a); break;
      case 6: fp6_inv(r, a); break;
      case 7: fp6_inv_vartime(r, a); break;
      case 10: ret = <i32>fp6_eq(a, b); break;
      case 15: fp6_mul_by_nonresidue(r, a); break;
      case 52: fp6_mul(a, a, b); memory.copy(r, a, FP6_SIZE); break;
      case 53: fp6_sqr(a, a); memory.copy(r, a, FP6_SIZE); break;
      case 30: fp6_mul_by_1(r, a, b); break;
      case 31: fp6_mul_by_01(r, a, b, b + FP2_SIZE); break;
      case 32: fp6_mul_by_fp2(r, a, b); break;
      default: unreachable();
    }
  }
  fp6_to_bytes(io + OUT, r);
  tmp_reset(mk);
  return ret;
}

export function t_fp12(op: i32): i32 {
  const io = io_ptr();
  const mk = tmp_mark();
  const a = tmp_alloc(FP12_SIZE);
  const b = tmp_alloc(FP12_SIZE);
  const r = tmp_alloc(FP12_SIZE);
  if (fp12_from_bytes(a, io) != 0 || fp12_from_bytes(b, io + IN1) != 0) {
    tmp_reset(mk);
    return DECODE_ERR;
  }
  memory.copy(r, a, FP12_SIZE);
  let ret: i32 = 0;
  if (op >= 16 && op < 28) {
    fp12_frobenius(r, a, op - 16);
  } else {
    switch (op) {
      case 0: fp12_add(r, a, b); break;
      case 1: fp12_sub(r, a, b); break;
      case 2: fp12_mul(r, a, b); break;
      case 3: fp12_sqr(r, a); break;
      case 4: fp12_neg(r, a); break;
      case 6: fp12_inv(r, a); break;
      case 7: fp12_inv_vartime(r, a); break;
      case 10: ret = <i32>fp12_eq(a, b); break;
      case 14: fp12_conjugate(r, a); break;
      case 52: fp12_mul(a, a, b); memory.copy(r, a, FP12_SIZE); break;
      case 53: fp12_sqr(a, a); memory.copy(r, a, FP12_SIZE); break;
      case 54: fp12_cyclotomic_sqr(a, a); memory.copy(r, a, FP12_SIZE); break;
      case 55: fp12_mul_by_014(a, a, b, b + FP2_SIZE, b + 2 * FP2_SIZE); memory.copy(r, a, FP12_SIZE); break;
      // b's first three Fp2 coefficients are (c0, c1, c4)
      case 40: fp12_mul_by_014(r, a, b, b + FP2_SIZE, b + 2 * FP2_SIZE); break;
      case 41: fp12_cyclotomic_sqr(r, a); break;
      case 42: ret = <i32>fp12_is_one(a); break;
      default: unreachable();
    }
  }
  fp12_to_bytes(io + OUT, r);
  tmp_reset(mk);
  return ret;
}

export function t_fr(op: i32): i32 {
  const io = io_ptr();
  const mk = tmp_mark();
  const a = tmp_alloc(FR_SIZE);
  const b = tmp_alloc(FR_SIZE);
  const r = tmp_alloc(FR_SIZE);
  let ret: i32 = 0;
  if (op == 18) {
    fr_from_bytes_wide(r, io);
  } else {
    if (fr_from_bytes(a, io) != 0 || fr_from_bytes(b, io + IN1) != 0) {
      tmp_reset(mk);
      return DECODE_ERR;
    }
    memory.copy(r, a, FR_SIZE);
    switch (op) {
      case 0: fr_add(r, a, b); break;
      case 1: fr_sub(r, a, b); break;
      case 2: fr_mul(r, a, b); break;
      case 3: fr_sqr(r, a); break;
      case 4: fr_neg(r, a); break;
      case 5: fr_double(r, a); break;
      case 6: fr_inv(r, a); break;
      case 10: ret = <i32>fr_eq(a, b); break;
      case 11: ret = <i32>fr_is_zero(a); break;
      default: unreachable();
    }
  }
  fr_to_bytes(io + OUT, r);
  tmp_reset(mk);
  return ret;
}

/** Runs operation `op` `iters` times on elements decoded from IN0 / IN1 (an
 *  Fp12 in each; smaller fields use the leading coefficients) and returns 0.
 *  Ops: 0 fp_mul, 1 fp_sqr, 2 fp_add, 3 fp_inv, 4 fp_inv_vartime, 5 fp2_mul,
 *  6 fp2_sqr, 7 fp12_mul, 8 fp12_sqr, 9 fp12_cyclotomic_sqr, 10 fp12_mul_by_014,
 *  11 fp12_inv, 12 fr_mul, 13 fp_sqrt, 14 fp2_sqrt, 15 fp6_mul, 16 fp_sub,
 *  17 fr_inv, 18 fp2_inv, 19 fp12_frobenius(1). */
export function t_bench(op: i32, iters: i32): i32 {
  const io = io_ptr();
  const mk = tmp_mark();
  const a = tmp_alloc(FP12_SIZE);
  const b = tmp_alloc(FP12_SIZE);
  if (fp12_from_bytes(a, io) != 0 || fp12_from_bytes(b, io + IN1) != 0) {
    tmp_reset(mk);
    return DECODE_ERR;
  }
  const fa = tmp_alloc(FR_SIZE);
  fr_from_bytes_wide(fa, io);
  const fb = tmp_alloc(FR_SIZE);
  fr_from_bytes_wide(fb, io + 64);
  for (let i = 0; i < iters; i++) {
    switch (op) {
      case 0: fp_mul(a, a, b); break;
      case 1: fp_sqr(a, a); break;
      case 2: fp_add(a, a, b); break;
      case 3: fp_inv(a, a); break;
      case 4: fp_inv_vartime(a, a); break;
      case 5: fp2_mul(a, a, b); break;
      case 6: fp2_sqr(a, a); break;
      case 7: fp12_mul(a, a, b); break;
      case 8: fp12_sqr(a, a); break;
      case 9: fp12_cyclotomic_sqr(a, a); break;
      case 10: fp12_mul_by_014(a, a, b, b + FP2_SIZE, b + 2 * FP2_SIZE); break;
      case 11: fp12_inv(a, a); break;
      case 12: fr_mul(fa, fa, fb); break;
      case 13: fp_sqrt(a, a); break;
      case 14: fp2_sqrt(b, a); break;
      case 15: fp6_mul(a, a, b); break;
      case 16: fp_sub(a, a, b); break;
      case 17: fr_inv(fa, fa); break;
      case 18: fp2_inv(a, a); break;
      case 19: fp12_frobenius(a, a, 1); break;
      default: unreachable();
    }
  }
  tmp_reset(mk);
  return 0;
}
