// WASM exports of the pairing layer for src/lib/crypto/ (docs/wasm-pairing.md).
//
// Pointers only. G1 / G2 points are the projective images of the curve layer
// (G1_SIZE = 156, G2_SIZE = 312 bytes; docs/wasm-curves.md). A "pairs" array
// is n consecutive PAIR_SIZE = 468-byte records: G1 point then G2 point
// (use heap_reserve(n * 468) when it does not fit the 8 KiB I/O buffer).
// GT / Fp12 values are in-memory Fp12 images (GT_SIZE = FP12_SIZE = 624
// bytes, Montgomery form); gt_to_bytes / gt_from_bytes convert to and from
// the 576-byte canonical encoding (SPEC §2 tower order, 48-byte big-endian
// coefficients). `out` may alias an input. The temporary stack is empty
// between calls (pairing_tmp_used() == 0).

import { tmp_used, tmp_mark, tmp_alloc, tmp_reset } from './mem';
import { FP12_SIZE, FP12_BYTES, fp12_mul, fp12_eq, fp12_is_one, fp12_set_one, fp12_to_bytes, fp12_from_bytes, fp12_conjugate, fp12_sqr, fp12_mul_by_014, fp12_cyclotomic_sqr, fp12_frobenius, fp12_inv, fp12_inv_vartime, fp12_copy } from './fp12';
import { FP2_SIZE } from './fp2';
import { G1_SIZE } from './g1';
import { G2_SIZE } from './g2';
import {
  PAIR_SIZE,
  miller_loop_n_with,
  miller_loop_with,
  final_exp_with,
  gt_pow_vartime,
  gt_is_valid as gtvalid,
  cyclotomic_exp_by_x,
  line_double,
  line_add,
  k_compress,
  k_sqr,
  sqr12,
  pairing_counters_reset as pcr,
  cnt_sqr12,
  cnt_mul12,
  cnt_mul014,
  cnt_csqr,
  cnt_ksqr,
  cnt_dbl,
  cnt_add,
  cnt_frob,
  cnt_inv
} from './pairing';

/** Bytes of one pair record (G1 point, G2 point): 468. */
export function pair_size(): usize {
  return PAIR_SIZE;
}
/** Bytes of an in-memory GT / Fp12 element: 624. */
export function gt_size(): usize {
  return FP12_SIZE;
}
/** Bytes of the canonical GT encoding: 576. */
export function gt_bytes(): usize {
  return FP12_BYTES;
}
/** Bytes of temporaries in use (0 between calls). */
export function pairing_tmp_used(): usize {
  return tmp_used();
}

/** out = e(p, q) (variable-time inversions: public inputs). */
export function pairing(out: usize, p: usize, q: usize): void {
  miller_loop_with(out, p, q, false);
  final_exp_with(out, out, false);
}
/** out = e(p, q), constant time in the point values (except the identity test). */
export function pairing_ct(out: usize, p: usize, q: usize): void {
  miller_loop_with(out, p, q, true);
  final_exp_with(out, out, true);
}
/** out = Miller loop value of (p, q) (conjugated for x < 0; not reduced by the final exponentiation). */
export function miller_loop(out: usize, p: usize, q: usize): void {
  miller_loop_with(out, p, q, false);
}
/** out = product of the Miller loop values of the n pairs at `pairs` (one shared accumulator). */
export function miller_loop_n(out: usize, pairs: usize, n: i32): void {
  miller_loop_n_with(out, pairs, n, false);
}
/** Same, constant-time inversions. */
export function miller_loop_n_ct(out: usize, pairs: usize, n: i32): void {
  miller_loop_n_with(out, pairs, n, true);
}
/** out = in^((p^12 - 1)/r). Variable time (inversion, Karabina decompression). */
export function final_exp(out: usize, inp: usize): void {
  final_exp_with(out, inp, false);
}
/** out = in^((p^12 - 1)/r), constant time. */
export function final_exp_ct(out: usize, inp: usize): void {
  final_exp_with(out, inp, true);
}
/** out = product of the n pairings (one final exponentiation). */
export function pairing_n(out: usize, pairs: usize, n: i32): void {
  miller_loop_n_with(out, pairs, n, false);
  final_exp_with(out, out, false);
}
/** 1 iff prod_i e(P_i, Q_i) == 1 (n = 0 or all-identity pairs: 1; n < 0: 0). */
export function pairing_check_n(pairs: usize, n: i32): i32 {
  if (n < 0) return 0;
  const mk = tmp_mark();
  const f = tmp_alloc(FP12_SIZE);
  miller_loop_n_with(f, pairs, n, false);
  final_exp_with(f, f, false);
  const r = fp12_is_one(f);
  tmp_reset(mk);
  return r ? 1 : 0;
}

// GT helpers ------------------------------------------------------------------

export function gt_one(out: usize): void {
  fp12_set_one(out);
}
export function gt_mul(out: usize, a: usize, b: usize): void {
  fp12_mul(out, a, b);
}
/** out = a^-1 for a in GT (conjugation). */
export function gt_inv(out: usize, a: usize): void {
  fp12_conjugate(out, a);
}
export function gt_eq(a: usize, b: usize): i32 {
  return fp12_eq(a, b) ? 1 : 0;
}
export function gt_is_one(a: usize): i32 {
  return fp12_is_one(a) ? 1 : 0;
}
/** 576 canonical bytes (SPEC §2 tower order, 48-byte big-endian coefficients). */
export function gt_to_bytes(dst: usize, a: usize): void {
  fp12_to_bytes(dst, a);
}
/** Decodes 576 bytes; 0 = ok, 1 = a coefficient >= p. Does NOT check membership in GT (see gt_is_valid). */
export function gt_from_bytes(out: usize, src: usize): i32 {
  return fp12_from_bytes(out, src);
}
/** 1 iff a is in GT (nonzero, cyclotomic, order r); ~0.3 ms. */
export function gt_is_valid(a: usize): i32 {
  return gtvalid(a) ? 1 : 0;
}
/** out = a^k, k = 32 big-endian bytes (any value); a must be in GT (variable time in k). */
export function gt_pow_vt(out: usize, a: usize, kbe: usize): void {
  gt_pow_vartime(out, a, kbe);
}

// Profiling -------------------------------------------------------------------

/** Writes the 9 operation counters (u32) at out: fp12_sqr, fp12_mul, mul_by_014,
 *  cyclotomic_sqr, karabina_sqr, line_double, line_add, frobenius, inversions. */
export function pairing_counters(out: usize): void {
  store<u32>(out, cnt_sqr12);
  store<u32>(out + 4, cnt_mul12);
  store<u32>(out + 8, cnt_mul014);
  store<u32>(out + 12, cnt_csqr);
  store<u32>(out + 16, cnt_ksqr);
  store<u32>(out + 20, cnt_dbl);
  store<u32>(out + 24, cnt_add);
  store<u32>(out + 28, cnt_frob);
  store<u32>(out + 32, cnt_inv);
}
export function pairing_counters_reset(): void {
  pcr();
}

/** Benchmark loop inside wasm: `iters` times operation `op` on a copy of the
 *  GT element at `a` (and the G2 point at q for the line steps). */
export function pairing_bench(op: i32, iters: i32, a: usize, q: usize): void {
  const mk = tmp_mark();
  const x = tmp_alloc(FP12_SIZE);
  const y = tmp_alloc(FP12_SIZE);
  const T = tmp_alloc(G2_SIZE);
  const c = tmp_alloc(3 * FP2_SIZE);
  fp12_copy(x, a);
  fp12_copy(y, a);
  if (op == 13) k_compress(x, a);
  memory.copy(T, q, G2_SIZE);
  for (let i = 0; i < iters; i++) {
    switch (op) {
      case 0: fp12_sqr(x, x); break;
      case 1: fp12_mul(x, x, y); break;
      case 2: fp12_mul_by_014(x, x, y, y + FP2_SIZE, y + 4 * FP2_SIZE); break;
      case 3: fp12_cyclotomic_sqr(x, x); break;
      case 4: cyclotomic_exp_by_x(x, x, false); break;
      case 5: cyclotomic_exp_by_x(x, x, true); break;
      case 6: line_double(T, c, c + FP2_SIZE, c + 2 * FP2_SIZE); break;
      case 7: line_add(T, q, q + FP2_SIZE, c, c + FP2_SIZE, c + 2 * FP2_SIZE); break;
      case 8: fp12_frobenius(x, x, 1); break;
      case 9: fp12_inv_vartime(x, x); break;
      case 10: fp12_inv(x, x); break;
      case 11: final_exp_with(x, x, false); break;
      case 12: final_exp_with(x, x, true); break;
      case 13: k_sqr(x, y); break;
      case 14: sqr12(x, x); break;
      default: unreachable();
    }
  }
  tmp_reset(mk);
}
