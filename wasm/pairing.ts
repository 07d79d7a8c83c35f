// Optimal ate pairing of BLS12-381 (docs/wasm-pairing.md).
//
//   e(P, Q) = FE( ML(P, Q) ),  ML = Miller loop over |x| = 0xd201000000010000
//   (x < 0: the loop value is conjugated), FE = f^((p^12 - 1)/r).
//
// Miller loop: the G2 point T is kept in homogeneous projective coordinates;
// doubling and mixed addition steps (Costello-Lange-Naehrig 2010, in the form
// of arkworks / noble / blst for the M-type twist, b' = 4(u+1)) return the
// line coefficients (c0, c1, c4); the line is evaluated at the affine G1 point
// (c1 *= xP, c4 *= yP) and multiplied into f with fp12_mul_by_014. Several
// pairs share one f: one Fp12 squaring per bit for all of them.
//
// Final exponentiation: easy part f^((p^6 - 1)(p^2 + 1)) with one inversion,
// a conjugation and a Frobenius; hard part with the chain of Hayashida-
// Hayasaka-Teruya (eprint 2020/875) as blst and noble do it: 5 exponentiations
// by x. Each exponentiation by |x| = 2^63+2^62+2^60+2^57+2^48+2^16 runs the
// squarings up to 2^57 in Karabina's compressed form (eprint 2010/542; 6 Fp2
// squarings instead of Granger-Scott's 9), decompresses the three powers
// 2^16, 2^48, 2^57 with one shared inversion, and finishes with Granger-Scott
// squarings (as noble 2.x). The constant-time variant (`ct = true`) uses
// Granger-Scott squarings only and constant-time inversions everywhere.
//
// Variable time (ct = false, the default of the exports): the inversions
// (affine conversion of the inputs, easy part, Karabina decompression) are
// binary-GCD inversions whose running time depends on the values, and pairs
// with an identity point are skipped. Use the `ct` variants when an input
// point is secret.

import {
  FP_SIZE,
  FPW_SIZE,
  fp_mul,
  fp_halve,
  fp_inv,
  fp_inv_vartime,
  fp_is_zero,
  fp_redc_p1m0,
  fp_redc_p1m2,
  fp_redc_p1m3,
  fp_redc3_p1m0,
  fp_redc12_p1m1,
  fp_redc12_p2m0
} from './fp';
import {
  FP2_SIZE,
  FP2W_SIZE,
  fp2_add,
  fp2_add_nr,
  fp2_sub_nr,
  fp2_sqr_wide,
  fp2_sub,
  fp2_double,
  fp2_neg,
  fp2_mul,
  fp2_sqr,
  fp2_mul_by_fp,
  fp2_mul_by_nonresidue,
  fp2_copy,
  fp2_set_one,
  fp2_set_zero,
  fp2_is_zero,
  fp2_inv,
  fp2_inv_vartime
} from './fp2';
import { FP6_SIZE, fp6_set_zero, fp6_is_zero, fp6_sqr, fp6_add, fp6_sub, fp6_mul_by_nonresidue } from './fp6';
import {
  FP12_SIZE,
  fp12_mul,
  fp12_sqr,
  sq4_wide,
  sq4_out_minus,
  sq4_out_plus,
  sq4_out_xi_plus,
  fp12_mul_by_014,
  fp12_cyclotomic_sqr,
  fp12_conjugate,
  fp12_frobenius,
  fp12_inv,
  fp12_inv_vartime,
  fp12_copy,
  fp12_set_one,
  fp12_eq
} from './fp12';
import { G1_SIZE } from './g1';
import { G2_SIZE } from './g2';
import { tmp_alloc, tmp_mark, tmp_reset, heap_reserve } from './mem';

/** Bytes of one input pair: G1 projective point (G1_SIZE) then G2 projective point (G2_SIZE). */
export const PAIR_SIZE: usize = G1_SIZE + G2_SIZE;

/** |x| of BLS12-381 (x = -0xd201000000010000). */
const X_ABS: u64 = 0xd201000000010000;

const F2: usize = FP2_SIZE;
const C1: usize = FP6_SIZE;

// Per-pair state of the multi-Miller loop.
const S_XP: usize = 0; // xP (Fp)
const S_YP: usize = FP_SIZE; // yP (Fp)
const S_QX: usize = 2 * FP_SIZE; // xQ (Fp2)
const S_QY: usize = S_QX + F2; // yQ (Fp2)
const S_T: usize = S_QY + F2; // T = (X, Y, Z) projective (3 Fp2)
const ST_SIZE: usize = S_T + 3 * F2;

// ---------------------------------------------------------------------------
// Operation counters (profiling; read through pairing_counters in api_pairing).

export let cnt_sqr12: u32 = 0;
export let cnt_mul12: u32 = 0;
export let cnt_mul014: u32 = 0;
export let cnt_csqr: u32 = 0;
export let cnt_ksqr: u32 = 0;
export let cnt_dbl: u32 = 0;
export let cnt_add: u32 = 0;
export let cnt_frob: u32 = 0;
export let cnt_inv: u32 = 0;

export function pairing_counters_reset(): void {
  cnt_sqr12 = 0;
  cnt_mul12 = 0;
  cnt_mul014 = 0;
  cnt_csqr = 0;
  cnt_ksqr = 0;
  cnt_dbl = 0;
  cnt_add = 0;
  cnt_frob = 0;
  cnt_inv = 0;
}

@inline function mul12(out: usize, a: usize, b: usize): void {
  cnt_mul12++;
  fp12_mul(out, a, b);
}
@inline function csqr(out: usize, a: usize): void {
  cnt_csqr++;
  fp12_cyclotomic_sqr(out, a);
}
@inline function frob(out: usize, a: usize, k: i32): void {
  cnt_frob++;
  fp12_frobenius(out, a, k);
}

/** out = a^2 in Fp12: fp12_sqr (complex squaring, 2 Fp6 multiplications with wide Fp2
 *  products: 36 double-width products + 12 reductions). It replaced three Fp6 squarings
 *  (c0 = a0^2 + v a1^2, c1 = (a0 + a1)^2 - a0^2 - a1^2; 6.1 us vs 4.6 us once fp6_mul
 *  reduced once per coefficient). */
export function sqr12(out: usize, a: usize): void {
  cnt_sqr12++;
  fp12_sqr(out, a);
}

// ---------------------------------------------------------------------------
// Line functions (M-type twist). T is projective (X, Y, Z) over Fp2; the
// returned line is c0 + c1*v + c4*v*w with c1 still to be multiplied by xP
// and c4 by yP.

@inline function fp2_halve(out: usize, a: usize): void {
  fp_halve(out, a);
  fp_halve(out + FP_SIZE, a + FP_SIZE);
}

/** out = 3 b' a = 12 (u + 1) a. */
@inline function mul_3b(out: usize, a: usize, t: usize): void {
  fp2_mul_by_nonresidue(out, a);
  fp2_double(out, out);
  fp2_double(out, out);
  fp2_double(t, out);
  fp2_add(out, out, t);
}

/** T <- 2T; (c0, c1, c4) <- the tangent line at T (3M + 6S over Fp2):
 *    t0 = Y^2, t1 = Z^2, t2 = 3b' t1, t3 = 3 t2, t4 = (Y + Z)^2 - t1 - t0 = 2YZ
 *    line = (t2 - t0, 3 X^2, -t4)
 *    X' = (t0 - t3) X Y / 2, Y' = ((t0 + t3)/2)^2 - 3 t2^2, Z' = t0 t4. */
export function line_double(T: usize, c0: usize, c1: usize, c4: usize): void {
  cnt_dbl++;
  const mk = tmp_mark();
  const W: usize = FP2W_SIZE;
  const I: usize = FPW_SIZE;
  const Y2 = tmp_alloc(4 * W);
  const Z2 = Y2 + W;
  const S = Z2 + W;
  const X2 = S + W;
  const t0 = tmp_alloc(F2);
  const t2 = tmp_alloc(F2);
  const t3 = tmp_alloc(F2);
  const t4 = tmp_alloc(F2);
  const u = tmp_alloc(F2);
  const X = T;
  const Y = T + F2;
  const Z = T + 2 * F2;
  // wide squares (operands < 2p): Y^2, Z^2, (Y + Z)^2, X^2
  fp2_sqr_wide(Y2, Y);
  fp2_sqr_wide(Z2, Z);
  fp2_add_nr(u, Y, Z);
  fp2_sqr_wide(S, u);
  fp2_sqr_wide(X2, X);
  // t0 = Y^2; t4 = (Y + Z)^2 - Y^2 - Z^2 = 2YZ; t2 = 3b' Z^2 = 12 xi Z^2 (one kernel each)
  fp_redc_p1m0(t0, Y2);
  fp_redc_p1m0(t0 + FP_SIZE, Y2 + I);
  fp_redc_p1m2(t4, S, Y2, Z2);
  fp_redc_p1m2(t4 + FP_SIZE, S + I, Y2 + I, Z2 + I);
  fp_redc12_p1m1(t2, Z2, Z2 + I);
  fp_redc12_p2m0(t2 + FP_SIZE, Z2, Z2 + I);
  fp2_double(t3, t2);
  fp2_add(t3, t3, t2);
  // line = (t2 - t0, 3 X^2, -t4)
  fp2_sub(c0, t2, t0);
  fp_redc3_p1m0(c1, X2);
  fp_redc3_p1m0(c1 + FP_SIZE, X2 + I);
  fp2_neg(c4, t4);
  // X' = (t0 - t3) * X * Y / 2  (t0 - t3 unreduced, < 2p)
  fp2_mul(u, X, Y);
  fp2_sub_nr(X, t0, t3);
  fp2_mul(X, X, u);
  fp2_halve(X, X);
  // Y' = ((t0 + t3)/2)^2 - 3 t2^2 (wide squares, one reduction)
  fp2_add(u, t0, t3);
  fp2_halve(u, u);
  fp2_sqr_wide(Y2, u);
  fp2_sqr_wide(Z2, t2);
  fp_redc_p1m3(Y, Y2, Z2, Z2, Z2);
  fp_redc_p1m3(Y + FP_SIZE, Y2 + I, Z2 + I, Z2 + I, Z2 + I);
  // Z' = t0 * t4
  fp2_mul(Z, t0, t4);
  tmp_reset(mk);
}

/** T <- T + Q (Q affine, T != +-Q); (c0, c1, c4) <- the line through T and Q (11M + 2S):
 *    t0 = Y - yQ Z (theta), t1 = X - xQ Z (lambda)
 *    line = (t0 xQ - t1 yQ, -t0, t1)
 *    t2 = t1^2, t3 = t2 t1, t4 = t2 X, t5 = t3 - 2 t4 + t0^2 Z
 *    X' = t1 t5, Y' = (t4 - t5) t0 - t3 Y, Z' = Z t3. */
export function line_add(T: usize, qx: usize, qy: usize, c0: usize, c1: usize, c4: usize): void {
  cnt_add++;
  const mk = tmp_mark();
  const t0 = tmp_alloc(F2);
  const t1 = tmp_alloc(F2);
  const t2 = tmp_alloc(F2);
  const t3 = tmp_alloc(F2);
  const t4 = tmp_alloc(F2);
  const t5 = tmp_alloc(F2);
  const X = T;
  const Y = T + F2;
  const Z = T + 2 * F2;
  fp2_mul(t0, qy, Z);
  fp2_sub(t0, Y, t0);
  fp2_mul(t1, qx, Z);
  fp2_sub(t1, X, t1);
  // line
  fp2_mul(t2, t0, qx);
  fp2_mul(t3, t1, qy);
  fp2_sub(c0, t2, t3);
  fp2_neg(c1, t0);
  fp2_copy(c4, t1);
  // point
  fp2_sqr(t2, t1);
  fp2_mul(t3, t2, t1);
  fp2_mul(t4, t2, X);
  fp2_sqr(t5, t0);
  fp2_mul(t5, t5, Z);
  fp2_add(t5, t5, t3);
  fp2_sub(t5, t5, t4);
  fp2_sub(t5, t5, t4);
  fp2_mul(X, t1, t5);
  fp2_sub(t4, t4, t5);
  fp2_mul(t4, t4, t0);
  fp2_mul(t2, t3, Y);
  fp2_sub(Y, t4, t2);
  fp2_mul(Z, Z, t3);
  tmp_reset(mk);
}

/** f <- f * line(P), or f <- line(P) if `set` (f was 1). c1, c4 are scaled in place. */
function apply_line(f: usize, st: usize, c0: usize, c1: usize, c4: usize, set: bool): void {
  fp2_mul_by_fp(c1, c1, st + S_XP);
  fp2_mul_by_fp(c4, c4, st + S_YP);
  if (set) {
    fp6_set_zero(f);
    fp6_set_zero(f + C1);
    fp2_copy(f, c0);
    fp2_copy(f + F2, c1);
    fp2_copy(f + C1 + F2, c4);
  } else {
    cnt_mul014++;
    fp12_mul_by_014(f, f, c0, c1, c4);
  }
}

// ---------------------------------------------------------------------------
// Input preparation: affine P and Q of the pairs where neither is the identity.

/** Scratch for `n` pairs: the state table plus the batch-inversion arrays. */
function scratch_size(n: i32): usize {
  return <usize>n * (ST_SIZE + FP_SIZE + F2 + 4) + 64;
}

/** A region of `size` bytes that does not overlap [pairs, pairs + n*PAIR_SIZE). */
function scratch_region(pairs: usize, n: i32, size: usize): usize {
  const base = heap_reserve(0);
  const end = pairs + <usize>n * PAIR_SIZE;
  if (end > base && pairs < base + size) {
    // the pairs are in the heap region: put the scratch after them
    const off = ((end - base) + 63) & ~(<usize>63);
    return heap_reserve(off + size) + off;
  }
  return heap_reserve(size);
}

/** Fills the state table `st` from the n pairs; returns the number m of
 *  active pairs (neither point the identity). One Fp and one Fp2 inversion
 *  for all pairs (Montgomery's trick), constant time or variable time. */
function prepare(st: usize, pairs: usize, n: i32, idx: usize, acc1: usize, acc2: usize, ct: bool): i32 {
  let m: i32 = 0;
  for (let i = 0; i < n; i++) {
    const p = pairs + <usize>i * PAIR_SIZE;
    const q = p + G1_SIZE;
    if (fp_is_zero(p + 2 * FP_SIZE) || fp2_is_zero(q + 2 * F2)) continue;
    const zp = p + 2 * FP_SIZE;
    const zq = q + 2 * F2;
    if (m == 0) {
      memory.copy(acc1, zp, FP_SIZE);
      fp2_copy(acc2, zq);
    } else {
      fp_mul(acc1 + <usize>m * FP_SIZE, acc1 + <usize>(m - 1) * FP_SIZE, zp);
      fp2_mul(acc2 + <usize>m * F2, acc2 + <usize>(m - 1) * F2, zq);
    }
    store<u32>(idx + (<usize>m << 2), <u32>i);
    m++;
  }
  if (m == 0) return 0;
  const mk = tmp_mark();
  const inv1 = tmp_alloc(FP_SIZE);
  const inv2 = tmp_alloc(F2);
  const z1 = tmp_alloc(FP_SIZE);
  const z2 = tmp_alloc(F2);
  cnt_inv++;
  if (ct) {
    fp_inv(inv1, acc1 + <usize>(m - 1) * FP_SIZE);
    fp2_inv(inv2, acc2 + <usize>(m - 1) * F2);
  } else {
    fp_inv_vartime(inv1, acc1 + <usize>(m - 1) * FP_SIZE);
    fp2_inv_vartime(inv2, acc2 + <usize>(m - 1) * F2);
  }
  for (let k = m - 1; k >= 0; k--) {
    const i = load<u32>(idx + (<usize>k << 2));
    const p = pairs + <usize>i * PAIR_SIZE;
    const q = p + G1_SIZE;
    const s = st + <usize>k * ST_SIZE;
    if (k > 0) {
      fp_mul(z1, inv1, acc1 + <usize>(k - 1) * FP_SIZE);
      fp_mul(inv1, inv1, p + 2 * FP_SIZE);
      fp2_mul(z2, inv2, acc2 + <usize>(k - 1) * F2);
      fp2_mul(inv2, inv2, q + 2 * F2);
    } else {
      memory.copy(z1, inv1, FP_SIZE);
      fp2_copy(z2, inv2);
    }
    fp_mul(s + S_XP, p, z1);
    fp_mul(s + S_YP, p + FP_SIZE, z1);
    fp2_mul(s + S_QX, q, z2);
    fp2_mul(s + S_QY, q + F2, z2);
    fp2_copy(s + S_T, s + S_QX);
    fp2_copy(s + S_T + F2, s + S_QY);
    fp2_set_one(s + S_T + 2 * F2);
  }
  tmp_reset(mk);
  return m;
}

/** f = the Miller loop product over the m prepared pairs (conjugated: x < 0). */
function miller_loop_prepared(f: usize, st: usize, m: i32): void {
  fp12_set_one(f);
  if (m == 0) return;
  const mk = tmp_mark();
  const c0 = tmp_alloc(F2);
  const c1 = tmp_alloc(F2);
  const c4 = tmp_alloc(F2);
  let first = true;
  for (let i = 62; i >= 0; i--) {
    if (!first) sqr12(f, f);
    for (let k = 0; k < m; k++) {
      const s = st + <usize>k * ST_SIZE;
      line_double(s + S_T, c0, c1, c4);
      apply_line(f, s, c0, c1, c4, first && k == 0);
    }
    if ((X_ABS >> <u64>i) & 1) {
      for (let k = 0; k < m; k++) {
        const s = st + <usize>k * ST_SIZE;
        line_add(s + S_T, s + S_QX, s + S_QY, c0, c1, c4);
        apply_line(f, s, c0, c1, c4, false);
      }
    }
    first = false;
  }
  fp12_conjugate(f, f);
  tmp_reset(mk);
}

/** out (Fp12) = product over the n pairs at `pairs` (PAIR_SIZE bytes each:
 *  G1 projective, G2 projective) of the Miller loop values, one shared f.
 *  Pairs with an identity point contribute 1. */
export function miller_loop_n_with(out: usize, pairs: usize, n: i32, ct: bool): void {
  if (n <= 0) {
    fp12_set_one(out);
    return;
  }
  const size = scratch_size(n);
  const region = scratch_region(pairs, n, size);
  const st = region;
  const acc1 = st + <usize>n * ST_SIZE;
  const acc2 = acc1 + <usize>n * FP_SIZE;
  const idx = acc2 + <usize>n * F2;
  const m = prepare(st, pairs, n, idx, acc1, acc2, ct);
  miller_loop_prepared(out, st, m);
}

/** out = ML(P, Q) for one pair (G1 projective p, G2 projective q). */
export function miller_loop_with(out: usize, p: usize, q: usize, ct: bool): void {
  const mk = tmp_mark();
  const pair = tmp_alloc(PAIR_SIZE);
  memory.copy(pair, p, G1_SIZE);
  memory.copy(pair + G1_SIZE, q, G2_SIZE);
  const st = tmp_alloc(ST_SIZE);
  const acc1 = tmp_alloc(FP_SIZE);
  const acc2 = tmp_alloc(F2);
  const idx = tmp_alloc(8);
  const m = prepare(st, pair, 1, idx, acc1, acc2, ct);
  miller_loop_prepared(out, st, m);
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// Cyclotomic exponentiation by x.

/** (c0, c1) = (a^2 + xi b^2, 2ab) in Fp4 = Fp2[t]/(t^2 - xi); c0, c1 must not alias a, b. */
function fp4_sqr(c0: usize, c1: usize, a: usize, b: usize, t: usize): void {
  fp2_sqr(c0, a);
  fp2_sqr(t, b);
  fp2_add(c1, a, b);
  fp2_sqr(c1, c1);
  fp2_sub(c1, c1, c0);
  fp2_sub(c1, c1, t);
  fp2_mul_by_nonresidue(t, t);
  fp2_add(c0, c0, t);
}

// Karabina compressed form: g = (g2, g3, g4, g5) = (c1.c0, c0.c2, c0.c1, c1.c2), 4 Fp2.
const KG2: usize = 0;
const KG3: usize = F2;
const KG4: usize = 2 * F2;
const KG5: usize = 3 * F2;
const K_SIZE: usize = 4 * F2;

export function k_compress(g: usize, a: usize): void {
  fp2_copy(g + KG2, a + C1);
  fp2_copy(g + KG3, a + 2 * F2);
  fp2_copy(g + KG4, a + F2);
  fp2_copy(g + KG5, a + C1 + 2 * F2);
}

/** g <- g^2 in compressed form (Karabina, eprint 2010/542 §4; 6 Fp2 squarings):
 *    (h0, h1) = Fp4sqr(g4, g5), (h2, h3) = Fp4sqr(g2, g3)
 *    g2' = 3 xi h1 + 2 g2, g3' = 3 h0 - 2 g3, g4' = 3 h2 - 2 g4, g5' = 3 h3 + 2 g5.
 *  The 6 squares are kept wide (sq4_wide: 12 double-width products) and each of the 8 output
 *  Fp coefficients is one reduction kernel (3 (combination) +- 2 g, see fp12.ts's sq4_out_*).
 *  `t` is unused (kept for the callers' layout). */
export function k_sqr(g: usize, t: usize): void {
  cnt_ksqr++;
  const mk = tmp_mark();
  const Q = tmp_alloc(6 * FP2W_SIZE);
  const s = tmp_alloc(F2);
  const g2 = g + KG2;
  const g3 = g + KG3;
  const g4 = g + KG4;
  const g5 = g + KG5;
  sq4_wide(Q, g4, g5, s);
  sq4_wide(Q + 3 * FP2W_SIZE, g2, g3, s);
  sq4_out_xi_plus(g2, Q, g2); // 3 xi h1 + 2 g2
  sq4_out_minus(g3, Q, g3); // 3 h0 - 2 g3
  sq4_out_minus(g4, Q + 3 * FP2W_SIZE, g4); // 3 h2 - 2 g4
  sq4_out_plus(g5, Q + 3 * FP2W_SIZE, g5); // 3 h3 + 2 g5
  tmp_reset(mk);
}

/** num/den of g1 for decompression (den may be 0 only for the identity). */
function k_ratio(num: usize, den: usize, g: usize, t: usize): void {
  const g2 = g + KG2;
  const g3 = g + KG3;
  const g4 = g + KG4;
  const g5 = g + KG5;
  if (fp2_is_zero(g2)) {
    // g1 = 2 g4 g5 / g3
    fp2_mul(num, g4, g5);
    fp2_double(num, num);
    fp2_copy(den, g3);
  } else {
    // g1 = (3 g4^2 - 2 g3 + xi g5^2) / (4 g2)
    fp2_sqr(t, g4);
    fp2_double(num, t);
    fp2_add(num, num, t);
    fp2_sub(num, num, g3);
    fp2_sub(num, num, g3);
    fp2_sqr(t, g5);
    fp2_mul_by_nonresidue(t, t);
    fp2_add(num, num, t);
    fp2_double(den, g2);
    fp2_double(den, den);
  }
}

/** out (Fp12) = the decompression of g given g1: g0 = xi (2 (g1^2 - g3 g4) - g3 g4 + g2 g5) + 1. */
function k_finish(out: usize, g: usize, g1: usize, t: usize): void {
  const g2 = g + KG2;
  const g3 = g + KG3;
  const g4 = g + KG4;
  const g5 = g + KG5;
  const a = t;
  const b = t + F2;
  fp2_mul(a, g3, g4);
  fp2_sqr(b, g1);
  fp2_sub(b, b, a);
  fp2_double(b, b);
  fp2_sub(b, b, a);
  fp2_mul(a, g2, g5);
  fp2_add(b, b, a);
  fp2_mul_by_nonresidue(b, b);
  fp2_set_one(a);
  fp2_add(out, b, a); // g0 = c0.c0
  fp2_copy(out + F2, g4); // c0.c1
  fp2_copy(out + 2 * F2, g3); // c0.c2
  fp2_copy(out + C1, g2); // c1.c0
  fp2_copy(out + C1 + F2, g1); // c1.c1
  fp2_copy(out + C1 + 2 * F2, g5); // c1.c2
}

/** out = a^|x| for a in the cyclotomic subgroup, Karabina up to 2^57 (VARIABLE TIME). */
function exp_by_x_abs_karabina(out: usize, a: usize): void {
  const mk = tmp_mark();
  const g = tmp_alloc(K_SIZE);
  const gs = tmp_alloc(3 * K_SIZE); // compressed a^(2^16), a^(2^48), a^(2^57)
  const t = tmp_alloc(5 * F2);
  const num = tmp_alloc(3 * F2);
  const den = tmp_alloc(3 * F2);
  const acc = tmp_alloc(3 * F2);
  const inv = tmp_alloc(F2);
  const g1 = tmp_alloc(F2);
  const e = tmp_alloc(3 * FP12_SIZE);
  const s = tmp_alloc(FP12_SIZE);
  k_compress(g, a);
  for (let i = 0; i < 16; i++) k_sqr(g, t);
  memory.copy(gs, g, K_SIZE);
  for (let i = 0; i < 32; i++) k_sqr(g, t);
  memory.copy(gs + K_SIZE, g, K_SIZE);
  for (let i = 0; i < 9; i++) k_sqr(g, t);
  memory.copy(gs + 2 * K_SIZE, g, K_SIZE);
  // decompress the three with one inversion
  let isone: u32 = 0;
  for (let j = 0; j < 3; j++) {
    const gj = gs + <usize>j * K_SIZE;
    const one = fp2_is_zero(gj + KG2) && fp2_is_zero(gj + KG3);
    if (one) {
      isone |= 1 << j;
      fp2_set_one(den + <usize>j * F2);
      fp2_set_zero(num + <usize>j * F2);
    } else {
      k_ratio(num + <usize>j * F2, den + <usize>j * F2, gj, t);
    }
  }
  fp2_copy(acc, den);
  fp2_mul(acc + F2, acc, den + F2);
  fp2_mul(acc + 2 * F2, acc + F2, den + 2 * F2);
  cnt_inv++;
  fp2_inv_vartime(inv, acc + 2 * F2);
  for (let j = 2; j >= 0; j--) {
    const gj = gs + <usize>j * K_SIZE;
    const ej = e + <usize>j * FP12_SIZE;
    // g1 = num_j / den_j = num_j * inv * acc_{j-1}
    if (j > 0) {
      fp2_mul(g1, inv, acc + <usize>(j - 1) * F2);
      fp2_mul(inv, inv, den + <usize>j * F2);
    } else {
      fp2_copy(g1, inv);
    }
    if (isone & (1 << j)) {
      fp12_set_one(ej);
    } else {
      fp2_mul(g1, g1, num + <usize>j * F2);
      k_finish(ej, gj, g1, t);
    }
  }
  // r = a^(2^16) a^(2^48) a^(2^57); then s = a^(2^60), a^(2^62), a^(2^63) by Granger-Scott
  const r = out;
  mul12(r, e, e + FP12_SIZE);
  mul12(r, r, e + 2 * FP12_SIZE);
  csqr(s, e + 2 * FP12_SIZE);
  csqr(s, s);
  csqr(s, s);
  mul12(r, r, s);
  csqr(s, s);
  csqr(s, s);
  mul12(r, r, s);
  csqr(s, s);
  mul12(r, r, s);
  tmp_reset(mk);
}

/** out = a^|x| for a in the cyclotomic subgroup, Granger-Scott square-and-multiply (constant time). */
function exp_by_x_abs_gs(out: usize, a: usize): void {
  const mk = tmp_mark();
  const r = tmp_alloc(FP12_SIZE);
  fp12_copy(r, a);
  for (let i = 62; i >= 0; i--) {
    csqr(r, r);
    if ((X_ABS >> <u64>i) & 1) mul12(r, r, a);
  }
  fp12_copy(out, r);
  tmp_reset(mk);
}

/** out = a^x = conj(a^|x|) (x < 0), a in the cyclotomic subgroup. */
export function cyclotomic_exp_by_x(out: usize, a: usize, ct: bool): void {
  if (ct) exp_by_x_abs_gs(out, a);
  else exp_by_x_abs_karabina(out, a);
  fp12_conjugate(out, out);
}

// ---------------------------------------------------------------------------
// Final exponentiation.

/** out = f^((p^12 - 1)/r) (HHT 2020 chain, as blst / noble). `ct` selects
 *  constant-time inversion and Granger-Scott-only exponentiations. */
export function final_exp_with(out: usize, f: usize, ct: bool): void {
  const mk = tmp_mark();
  const t0 = tmp_alloc(FP12_SIZE);
  const t1 = tmp_alloc(FP12_SIZE);
  const t2 = tmp_alloc(FP12_SIZE);
  const t3 = tmp_alloc(FP12_SIZE);
  const t4 = tmp_alloc(FP12_SIZE);
  const t5 = tmp_alloc(FP12_SIZE);
  const t6 = tmp_alloc(FP12_SIZE);
  const t7 = tmp_alloc(FP12_SIZE);
  const u = tmp_alloc(FP12_SIZE);
  // easy part: t0 = f^(p^6) / f; t1 = t0^(p^2) * t0
  cnt_inv++;
  if (ct) fp12_inv(t0, f);
  else fp12_inv_vartime(t0, f);
  fp12_conjugate(t1, f);
  mul12(t0, t1, t0);
  frob(t1, t0, 2);
  mul12(t1, t1, t0);
  // hard part
  cyclotomic_exp_by_x(t2, t1, ct); // t2 = t1^x
  csqr(t3, t1);
  fp12_conjugate(t3, t3);
  mul12(t3, t3, t2); // t3 = t1^(-2) t2
  cyclotomic_exp_by_x(t4, t3, ct);
  cyclotomic_exp_by_x(t5, t4, ct);
  cyclotomic_exp_by_x(t6, t5, ct);
  csqr(u, t2);
  mul12(t6, t6, u); // t6 = t5^x t2^2
  cyclotomic_exp_by_x(t7, t6, ct);
  // out = (t2 t5)^(p^2) (t4 t1)^(p^3) (t6 conj(t1))^p t7 conj(t3) t1
  mul12(t2, t2, t5);
  frob(t2, t2, 2);
  mul12(t4, t4, t1);
  frob(t4, t4, 3);
  fp12_conjugate(u, t1);
  mul12(t6, t6, u);
  frob(t6, t6, 1);
  fp12_conjugate(t3, t3);
  mul12(t7, t7, t3);
  mul12(t7, t7, t1);
  mul12(t2, t2, t4);
  mul12(t2, t2, t6);
  mul12(out, t2, t7);
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// GT helpers (elements are Fp12 images, FP12_SIZE bytes).

/** out = a^k, k = 32 big-endian bytes (any value), a in GT (uses cyclotomic
 *  squarings: a must be in the cyclotomic subgroup). Fixed 4-bit window;
 *  VARIABLE TIME in k. */
export function gt_pow_vartime(out: usize, a: usize, kbe: usize): void {
  const mk = tmp_mark();
  const tab = tmp_alloc(16 * FP12_SIZE);
  const r = tmp_alloc(FP12_SIZE);
  fp12_set_one(tab);
  fp12_copy(tab + FP12_SIZE, a);
  for (let i = 2; i < 16; i++) {
    const ti = tab + <usize>i * FP12_SIZE;
    if ((i & 1) == 0) csqr(ti, tab + <usize>(i >> 1) * FP12_SIZE);
    else mul12(ti, tab + <usize>(i - 1) * FP12_SIZE, a);
  }
  let started = false;
  for (let i = 0; i < 32; i++) {
    const byte = <u32>load<u8>(kbe + <usize>i);
    for (let h = 1; h >= 0; h--) {
      const d = (byte >> (<u32>h * 4)) & 15;
      if (started) {
        csqr(r, r);
        csqr(r, r);
        csqr(r, r);
        csqr(r, r);
        if (d != 0) mul12(r, r, tab + <usize>d * FP12_SIZE);
      } else if (d != 0) {
        fp12_copy(r, tab + <usize>d * FP12_SIZE);
        started = true;
      }
    }
  }
  if (started) fp12_copy(out, r);
  else fp12_set_one(out);
  tmp_reset(mk);
}

/** True iff a is in GT (the order-r subgroup of Fp12*). a != 0; a in the
 *  cyclotomic subgroup G_Phi12 (a^(p^4) a == a^(p^2)); then a^p == a^x
 *  (Scott, eprint 2021/1130 §6: valid for BLS12-381 inside G_Phi12). Variable time. */
export function gt_is_valid(a: usize): bool {
  const mk = tmp_mark();
  const s = tmp_alloc(FP12_SIZE);
  const t = tmp_alloc(FP12_SIZE);
  let ok = !(fp6_is_zero(a) && fp6_is_zero(a + C1));
  if (ok) {
    frob(s, a, 4);
    mul12(s, s, a);
    frob(t, a, 2);
    ok = fp12_eq(s, t);
  }
  if (ok) {
    frob(s, a, 1);
    cyclotomic_exp_by_x(t, a, false);
    ok = fp12_eq(s, t);
  }
  tmp_reset(mk);
  return ok;
}
