// G1 of BLS12-381: E1: y^2 = x^3 + 4 over Fp, points of prime order r.
//
// Representation (docs/wasm-curves.md): homogeneous projective (X : Y : Z),
// x = X/Z, y = Y/Z, identity (0 : 1 : 0); G1_SIZE = 3 * FP_SIZE bytes.
// Affine: x, y, u32 infinity flag (G1_AFFINE_SIZE bytes).
//
// Formulas: Renes-Costello-Batina 2016 (eprint 2015/1060) for a = 0, b3 = 3b = 12:
// Alg. 7 (complete addition, 12M), Alg. 8 (mixed addition, 11M), Alg. 9
// (doubling, 6M + 2S). They are complete: no exceptional case, no branch.
// Variable-time paths (public data: subgroup checks, cofactor clearing,
// vartime multiplication) use Jacobian coordinates internally (dbl-2009-l,
// add-2007-bl, madd-2007-bl) with explicit handling of the exceptional cases.
//
// Endomorphism phi(x, y) = (beta x, y) acts on G1 as -x^2 (x = -0xd201000000010000).
// Constant time unless marked vartime. Every `out` may alias any input.

import {
  FP_SIZE,
  fp_mul,
  fp_sqr,
  fp_add,
  fp_sub,
  fp_double,
  fp_neg,
  fp_copy,
  fp_set_zero,
  fp_set_one,
  fp_is_zero,
  fp_eq,
  fp_cmov,
  fp_inv,
  fp_inv_vartime
} from './fp';
import { tmp_alloc, tmp_mark, tmp_reset } from './mem';
import { sc_reduce_r, sc_split_x2, sc_recode_signed, sc_wnaf, sc_from_be, X_ABS } from './curve_scalar';

/** Bytes of a projective G1 point (X, Y, Z). */
export const G1_SIZE: usize = 3 * FP_SIZE;
/** Bytes of an affine G1 point (x, y, u32 infinity flag, 4 bytes pad). */
export const G1_AFFINE_SIZE: usize = 2 * FP_SIZE + 8;
/** Offset of the infinity flag in an affine point. */
export const G1_AFFINE_INF: usize = 2 * FP_SIZE;

/** Generator x, y (Montgomery form). */
const G1_GEN: usize = memory.data<u32>([
  0x14d1b01c, 0x143790fd, 0x34ffd633, 0x1bc687f8, 0x3e2228c0, 0x4f86aa1, 0x298df978, 0x2e28c656, 0x1b36e719, 0x3ed397ed, 0x2f68adad, 0x96840ce, 0x82ebc,
  0x39d1f18c, 0xd03d50c, 0x10f63b65, 0x3231b0b8, 0x2e87afad, 0x2eceb19, 0x258480d0, 0x31f25b61, 0x8856e09, 0x1fef8f3e, 0x1a3501cb, 0x1d6e0ad8, 0x16f1c9
]);
/** beta, a cube root of unity: phi(x, y) = (beta x, y) = -x^2 (x, y) on G1. */
export const G1_BETA: usize = memory.data<u32>([0x229d39fc, 0x11661b79, 0x3a68a8f8, 0x9dabbd8, 0x12744b7e, 0x22bc97d4, 0x3c5ccd3e, 0x1cf87540, 0x197e4f4, 0x3433d1ec, 0xd20861f, 0x33953662, 0xedc53]);

const FS: usize = FP_SIZE;
const FS2: usize = 2 * FP_SIZE;

// ---------------------------------------------------------------------------
// Basics

/** out = b3 * a = 12 a. */
@inline function mul_b3(out: usize, a: usize, t: usize): void {
  fp_double(out, a);
  fp_double(out, out);
  fp_double(t, out);
  fp_add(out, out, t);
}

/** out = identity (0 : 1 : 0). */
export function g1_set_identity(out: usize): void {
  fp_set_zero(out);
  fp_set_one(out + FS);
  fp_set_zero(out + FS2);
}

export function g1_copy(out: usize, a: usize): void {
  if (out != a) memory.copy(out, a, G1_SIZE);
}

/** out = the standard generator (Z = 1). */
export function g1_generator(out: usize): void {
  memory.copy(out, G1_GEN, FS2);
  fp_set_one(out + FS2);
}

/** True iff a is the identity (Z == 0). Constant time. */
export function g1_is_identity(a: usize): bool {
  return fp_is_zero(a + FS2);
}

/** out = -a. */
export function g1_neg(out: usize, a: usize): void {
  g1_copy(out, a);
  fp_neg(out + FS, a + FS);
}

/** out = flag ? a : out (flag 0 or 1), constant time. */
export function g1_cmov(out: usize, a: usize, flag: u32): void {
  fp_cmov(out, a, flag);
  fp_cmov(out + FS, a + FS, flag);
  fp_cmov(out + FS2, a + FS2, flag);
}

/** a == b as points (projective cross-multiplication). Constant time. */
export function g1_eq(a: usize, b: usize): bool {
  const mk = tmp_mark();
  const t0 = tmp_alloc(FS);
  const t1 = tmp_alloc(FS);
  fp_mul(t0, a, b + FS2);
  fp_mul(t1, b, a + FS2);
  const ex = fp_eq(t0, t1);
  fp_mul(t0, a + FS, b + FS2);
  fp_mul(t1, b + FS, a + FS2);
  const ey = fp_eq(t0, t1);
  tmp_reset(mk);
  return ex & ey;
}

/** True iff a is a valid point of E1 (Y^2 Z == X^3 + 4 Z^3; the identity must be
 *  (0 : Y : 0) with Y != 0). Does not check the subgroup. */
export function g1_is_on_curve(a: usize): bool {
  const mk = tmp_mark();
  const l = tmp_alloc(FS);
  const r = tmp_alloc(FS);
  const t = tmp_alloc(FS);
  fp_sqr(l, a + FS);
  fp_mul(l, l, a + FS2); // Y^2 Z
  fp_sqr(r, a);
  fp_mul(r, r, a); // X^3
  fp_sqr(t, a + FS2);
  fp_mul(t, t, a + FS2);
  fp_double(t, t);
  fp_double(t, t); // 4 Z^3
  fp_add(r, r, t);
  let ok = fp_eq(l, r);
  if (fp_is_zero(a + FS2)) ok = ok & fp_is_zero(a) & !fp_is_zero(a + FS);
  tmp_reset(mk);
  return ok;
}

// ---------------------------------------------------------------------------
// Complete formulas (RCB 2016, a = 0)

/** out = a + b, complete (RCB Alg. 7). Constant time. */
export function g1_add(out: usize, a: usize, b: usize): void {
  const mk = tmp_mark();
  const t0 = tmp_alloc(FS);
  const t1 = tmp_alloc(FS);
  const t2 = tmp_alloc(FS);
  const t3 = tmp_alloc(FS);
  const t4 = tmp_alloc(FS);
  const X3 = tmp_alloc(FS);
  const Y3 = tmp_alloc(FS);
  const Z3 = tmp_alloc(FS);
  const X1 = a, Y1 = a + FS, Z1 = a + FS2;
  const X2 = b, Y2 = b + FS, Z2 = b + FS2;
  fp_mul(t0, X1, X2);
  fp_mul(t1, Y1, Y2);
  fp_mul(t2, Z1, Z2);
  fp_add(t3, X1, Y1);
  fp_add(t4, X2, Y2);
  fp_mul(t3, t3, t4);
  fp_add(t4, t0, t1);
  fp_sub(t3, t3, t4);
  fp_add(t4, Y1, Z1);
  fp_add(X3, Y2, Z2);
  fp_mul(t4, t4, X3);
  fp_add(X3, t1, t2);
  fp_sub(t4, t4, X3);
  fp_add(X3, X1, Z1);
  fp_add(Y3, X2, Z2);
  fp_mul(X3, X3, Y3);
  fp_add(Y3, t0, t2);
  fp_sub(Y3, X3, Y3);
  fp_add(X3, t0, t0);
  fp_add(t0, X3, t0);
  mul_b3(t2, t2, Z3);
  fp_add(Z3, t1, t2);
  fp_sub(t1, t1, t2);
  mul_b3(Y3, Y3, t2);
  fp_mul(X3, t4, Y3);
  fp_mul(t2, t3, t1);
  fp_sub(X3, t2, X3);
  fp_mul(Y3, Y3, t0);
  fp_mul(t1, t1, Z3);
  fp_add(Y3, t1, Y3);
  fp_mul(t0, t0, t3);
  fp_mul(Z3, Z3, t4);
  fp_add(Z3, Z3, t0);
  fp_copy(out, X3);
  fp_copy(out + FS, Y3);
  fp_copy(out + FS2, Z3);
  tmp_reset(mk);
}

/** out = a - b, complete. Constant time. */
export function g1_sub(out: usize, a: usize, b: usize): void {
  const mk = tmp_mark();
  const nb = tmp_alloc(G1_SIZE);
  g1_neg(nb, b);
  g1_add(out, a, nb);
  tmp_reset(mk);
}

/** out = a + q with q affine (RCB Alg. 8); q's infinity flag is honoured by a
 *  constant-time select. Constant time. */
export function g1_add_affine(out: usize, a: usize, q: usize): void {
  const mk = tmp_mark();
  const t0 = tmp_alloc(FS);
  const t1 = tmp_alloc(FS);
  const t2 = tmp_alloc(FS);
  const t3 = tmp_alloc(FS);
  const t4 = tmp_alloc(FS);
  const R = tmp_alloc(G1_SIZE);
  const X3 = R, Y3 = R + FS, Z3 = R + FS2;
  const X1 = a, Y1 = a + FS, Z1 = a + FS2;
  const X2 = q, Y2 = q + FS;
  fp_mul(t0, X1, X2);
  fp_mul(t1, Y1, Y2);
  fp_add(t3, X2, Y2);
  fp_add(t4, X1, Y1);
  fp_mul(t3, t3, t4);
  fp_add(t4, t0, t1);
  fp_sub(t3, t3, t4);
  fp_mul(t4, Y2, Z1);
  fp_add(t4, t4, Y1);
  fp_mul(Y3, X2, Z1);
  fp_add(Y3, Y3, X1);
  fp_add(X3, t0, t0);
  fp_add(t0, X3, t0);
  mul_b3(t2, Z1, Z3);
  fp_add(Z3, t1, t2);
  fp_sub(t1, t1, t2);
  mul_b3(Y3, Y3, t2);
  fp_mul(X3, t4, Y3);
  fp_mul(t2, t3, t1);
  fp_sub(X3, t2, X3);
  fp_mul(Y3, Y3, t0);
  fp_mul(t1, t1, Z3);
  fp_add(Y3, t1, Y3);
  fp_mul(t0, t0, t3);
  fp_mul(Z3, Z3, t4);
  fp_add(Z3, Z3, t0);
  const inf = load<u32>(q + G1_AFFINE_INF) & 1;
  g1_cmov(R, a, inf);
  memory.copy(out, R, G1_SIZE);
  tmp_reset(mk);
}

/** out = 2a, complete (RCB Alg. 9). Constant time. */
export function g1_double(out: usize, a: usize): void {
  const mk = tmp_mark();
  const t0 = tmp_alloc(FS);
  const t1 = tmp_alloc(FS);
  const t2 = tmp_alloc(FS);
  const X3 = tmp_alloc(FS);
  const Y3 = tmp_alloc(FS);
  const Z3 = tmp_alloc(FS);
  const X = a, Y = a + FS, Z = a + FS2;
  fp_sqr(t0, Y);
  fp_double(Z3, t0);
  fp_double(Z3, Z3);
  fp_double(Z3, Z3);
  fp_mul(t1, Y, Z);
  fp_sqr(t2, Z);
  mul_b3(t2, t2, X3);
  fp_mul(X3, t2, Z3);
  fp_add(Y3, t0, t2);
  fp_mul(Z3, t1, Z3);
  fp_double(t1, t2);
  fp_add(t2, t1, t2);
  fp_sub(t0, t0, t2);
  fp_mul(Y3, t0, Y3);
  fp_add(Y3, X3, Y3);
  fp_mul(t1, X, Y);
  fp_mul(X3, t0, t1);
  fp_double(X3, X3);
  fp_copy(out, X3);
  fp_copy(out + FS, Y3);
  fp_copy(out + FS2, Z3);
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// Affine conversions

/** out (affine) = a, one constant-time inversion. */
export function g1_to_affine(out: usize, a: usize): void {
  const mk = tmp_mark();
  const zi = tmp_alloc(FS);
  const inf: u32 = fp_is_zero(a + FS2) ? 1 : 0;
  fp_inv(zi, a + FS2);
  fp_mul(out + FS, a + FS, zi);
  fp_mul(out, a, zi);
  store<u32>(out + G1_AFFINE_INF, inf);
  store<u32>(out + G1_AFFINE_INF + 4, 0);
  tmp_reset(mk);
}

/** out (affine) = a, VARIABLE TIME inversion (public points). */
export function g1_to_affine_vartime(out: usize, a: usize): void {
  const mk = tmp_mark();
  const zi = tmp_alloc(FS);
  const inf: u32 = fp_is_zero(a + FS2) ? 1 : 0;
  fp_inv_vartime(zi, a + FS2);
  fp_mul(out + FS, a + FS, zi);
  fp_mul(out, a, zi);
  store<u32>(out + G1_AFFINE_INF, inf);
  store<u32>(out + G1_AFFINE_INF + 4, 0);
  tmp_reset(mk);
}

/** out (projective) = the affine point a. */
export function g1_from_affine(out: usize, a: usize): void {
  const inf = load<u32>(a + G1_AFFINE_INF) & 1;
  fp_copy(out, a);
  fp_copy(out + FS, a + FS);
  fp_set_one(out + FS2);
  const mk = tmp_mark();
  const id = tmp_alloc(G1_SIZE);
  g1_set_identity(id);
  g1_cmov(out, id, inf);
  tmp_reset(mk);
}

/** Batch normalisation of n projective points at pts (stride G1_SIZE) into n
 *  affine points at out (stride G1_AFFINE_SIZE): Montgomery's trick, one
 *  VARIABLE-TIME inversion (public points). Identities get the infinity flag. */
export function g1_batch_to_affine(out: usize, pts: usize, n: i32): void {
  if (n <= 0) return;
  const mk = tmp_mark();
  const acc = tmp_alloc(<usize>n * FS);
  const inv = tmp_alloc(FS);
  const t = tmp_alloc(FS);
  const one = tmp_alloc(FS);
  fp_set_one(one);
  // acc[i] = prod_{j<=i} z_j (zeros replaced by 1)
  for (let i = 0; i < n; i++) {
    let z = pts + <usize>i * G1_SIZE + FS2;
    if (fp_is_zero(z)) z = one;
    if (i == 0) fp_copy(acc, z);
    else fp_mul(acc + <usize>i * FS, acc + <usize>(i - 1) * FS, z);
  }
  fp_inv_vartime(inv, acc + <usize>(n - 1) * FS);
  for (let i = n - 1; i >= 0; i--) {
    const p = pts + <usize>i * G1_SIZE;
    const o = out + <usize>i * G1_AFFINE_SIZE;
    const isinf = fp_is_zero(p + FS2);
    let z = p + FS2;
    if (isinf) z = one;
    // t = 1/z_i = inv * acc[i-1]; inv = inv * z_i
    if (i > 0) fp_mul(t, inv, acc + <usize>(i - 1) * FS);
    else fp_copy(t, inv);
    fp_mul(inv, inv, z);
    if (isinf) {
      fp_set_zero(o);
      fp_set_zero(o + FS);
      store<u32>(o + G1_AFFINE_INF, 1);
    } else {
      fp_mul(o, p, t);
      fp_mul(o + FS, p + FS, t);
      store<u32>(o + G1_AFFINE_INF, 0);
    }
    store<u32>(o + G1_AFFINE_INF + 4, 0);
  }
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// Jacobian coordinates, VARIABLE TIME (public data only). (X, Y, Z):
// x = X/Z^2, y = Y/Z^3; Z == 0 is the identity.

/** out (Jacobian) = a (projective): (X Z, Y Z^2, Z). */
export function g1j_from_proj(out: usize, a: usize): void {
  const mk = tmp_mark();
  const z2 = tmp_alloc(FS);
  fp_sqr(z2, a + FS2);
  fp_mul(out + FS, a + FS, z2);
  fp_mul(out, a, a + FS2);
  fp_copy(out + FS2, a + FS2);
  tmp_reset(mk);
}

/** out (projective) = a (Jacobian): (X Z, Y, Z^3); identity -> (0 : 1 : 0). */
export function g1j_to_proj(out: usize, a: usize): void {
  if (fp_is_zero(a + FS2)) {
    g1_set_identity(out);
    return;
  }
  const mk = tmp_mark();
  const z3 = tmp_alloc(FS);
  fp_sqr(z3, a + FS2);
  fp_mul(z3, z3, a + FS2);
  fp_mul(out, a, a + FS2);
  fp_copy(out + FS, a + FS);
  fp_copy(out + FS2, z3);
  tmp_reset(mk);
}

/** out = 2a (Jacobian, dbl-2009-l, 2M + 5S). Correct for every input. */
export function g1j_double(out: usize, a: usize): void {
  const mk = tmp_mark();
  const A = tmp_alloc(FS);
  const B = tmp_alloc(FS);
  const C = tmp_alloc(FS);
  const D = tmp_alloc(FS);
  const E = tmp_alloc(FS);
  const F = tmp_alloc(FS);
  const X1 = a, Y1 = a + FS, Z1 = a + FS2;
  fp_sqr(A, X1);
  fp_sqr(B, Y1);
  fp_sqr(C, B);
  fp_add(D, X1, B);
  fp_sqr(D, D);
  fp_sub(D, D, A);
  fp_sub(D, D, C);
  fp_double(D, D);
  fp_double(E, A);
  fp_add(E, E, A);
  fp_sqr(F, E);
  // Z3 = 2 Y1 Z1 (before Y1 is overwritten)
  fp_mul(out + FS2, Y1, Z1);
  fp_double(out + FS2, out + FS2);
  // X3 = F - 2D
  fp_double(A, D);
  fp_sub(out, F, A);
  // Y3 = E (D - X3) - 8C
  fp_sub(D, D, out);
  fp_mul(D, E, D);
  fp_double(C, C);
  fp_double(C, C);
  fp_double(C, C);
  fp_sub(out + FS, D, C);
  tmp_reset(mk);
}

/** out = a + b (Jacobian, add-2007-bl), VARIABLE TIME, every case handled. */
export function g1j_add(out: usize, a: usize, b: usize): void {
  if (fp_is_zero(a + FS2)) {
    memory.copy(out, b, G1_SIZE);
    return;
  }
  if (fp_is_zero(b + FS2)) {
    memory.copy(out, a, G1_SIZE);
    return;
  }
  const mk = tmp_mark();
  const Z1Z1 = tmp_alloc(FS);
  const Z2Z2 = tmp_alloc(FS);
  const U1 = tmp_alloc(FS);
  const U2 = tmp_alloc(FS);
  const S1 = tmp_alloc(FS);
  const S2 = tmp_alloc(FS);
  const H = tmp_alloc(FS);
  const I = tmp_alloc(FS);
  const J = tmp_alloc(FS);
  const r = tmp_alloc(FS);
  const V = tmp_alloc(FS);
  const X1 = a, Y1 = a + FS, Z1 = a + FS2;
  const X2 = b, Y2 = b + FS, Z2 = b + FS2;
  fp_sqr(Z1Z1, Z1);
  fp_sqr(Z2Z2, Z2);
  fp_mul(U1, X1, Z2Z2);
  fp_mul(U2, X2, Z1Z1);
  fp_mul(S1, Y1, Z2);
  fp_mul(S1, S1, Z2Z2);
  fp_mul(S2, Y2, Z1);
  fp_mul(S2, S2, Z1Z1);
  fp_sub(H, U2, U1);
  fp_sub(r, S2, S1);
  if (fp_is_zero(H)) {
    if (fp_is_zero(r)) g1j_double(out, a);
    else g1_set_identity(out);
    tmp_reset(mk);
    return;
  }
  fp_double(r, r);
  fp_double(I, H);
  fp_sqr(I, I);
  fp_mul(J, H, I);
  fp_mul(V, U1, I);
  // Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H
  fp_add(U2, Z1, Z2);
  fp_sqr(U2, U2);
  fp_sub(U2, U2, Z1Z1);
  fp_sub(U2, U2, Z2Z2);
  fp_mul(out + FS2, U2, H);
  // X3 = r^2 - J - 2V
  fp_sqr(U2, r);
  fp_sub(U2, U2, J);
  fp_double(U1, V);
  fp_sub(out, U2, U1);
  // Y3 = r (V - X3) - 2 S1 J
  fp_sub(V, V, out);
  fp_mul(V, r, V);
  fp_mul(S1, S1, J);
  fp_double(S1, S1);
  fp_sub(out + FS, V, S1);
  tmp_reset(mk);
}

/** out = a (Jacobian) + q (affine, infinity flag honoured), madd-2007-bl,
 *  VARIABLE TIME, every case handled. */
export function g1j_add_affine(out: usize, a: usize, q: usize): void {
  if (load<u32>(q + G1_AFFINE_INF) != 0) {
    if (out != a) memory.copy(out, a, G1_SIZE);
    return;
  }
  if (fp_is_zero(a + FS2)) {
    fp_copy(out, q);
    fp_copy(out + FS, q + FS);
    fp_set_one(out + FS2);
    return;
  }
  const mk = tmp_mark();
  const Z1Z1 = tmp_alloc(FS);
  const U2 = tmp_alloc(FS);
  const S2 = tmp_alloc(FS);
  const H = tmp_alloc(FS);
  const HH = tmp_alloc(FS);
  const I = tmp_alloc(FS);
  const J = tmp_alloc(FS);
  const r = tmp_alloc(FS);
  const V = tmp_alloc(FS);
  const X1 = a, Y1 = a + FS, Z1 = a + FS2;
  fp_sqr(Z1Z1, Z1);
  fp_mul(U2, q, Z1Z1);
  fp_mul(S2, q + FS, Z1);
  fp_mul(S2, S2, Z1Z1);
  fp_sub(H, U2, X1);
  fp_sub(r, S2, Y1);
  if (fp_is_zero(H)) {
    if (fp_is_zero(r)) g1j_double(out, a);
    else g1_set_identity(out);
    tmp_reset(mk);
    return;
  }
  fp_double(r, r);
  fp_sqr(HH, H);
  fp_double(I, HH);
  fp_double(I, I);
  fp_mul(J, H, I);
  fp_mul(V, X1, I);
  // Z3 = (Z1 + H)^2 - Z1Z1 - HH
  fp_add(U2, Z1, H);
  fp_sqr(U2, U2);
  fp_sub(U2, U2, Z1Z1);
  fp_sub(out + FS2, U2, HH);
  // Y1 J before X1/Y1 may be overwritten (out may alias a)
  fp_mul(S2, Y1, J);
  fp_double(S2, S2);
  // X3 = r^2 - J - 2V
  fp_sqr(U2, r);
  fp_sub(U2, U2, J);
  fp_double(HH, V);
  fp_sub(out, U2, HH);
  // Y3 = r (V - X3) - 2 Y1 J
  fp_sub(V, V, out);
  fp_mul(V, r, V);
  fp_sub(out + FS, V, S2);
  tmp_reset(mk);
}

/** out = |x| a (Jacobian in and out), |x| = 0xd201000000010000. VARIABLE TIME. */
export function g1j_mul_by_x_abs(out: usize, a: usize): void {
  const mk = tmp_mark();
  const acc = tmp_alloc(G1_SIZE);
  const base = tmp_alloc(G1_SIZE);
  memory.copy(base, a, G1_SIZE);
  memory.copy(acc, a, G1_SIZE);
  for (let i = 62; i >= 0; i--) {
    g1j_double(acc, acc);
    if ((X_ABS >> <u64>i) & 1) g1j_add(acc, acc, base);
  }
  memory.copy(out, acc, G1_SIZE);
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// Endomorphism, subgroup check, cofactor clearing

/** out = phi(a) = (beta X : Y : Z) (works for projective and Jacobian). */
export function g1_phi(out: usize, a: usize): void {
  fp_mul(out, a, G1_BETA);
  fp_copy(out + FS, a + FS);
  fp_copy(out + FS2, a + FS2);
}

/** out = |x| a (projective in and out). VARIABLE TIME. */
export function g1_mul_by_x_abs(out: usize, a: usize): void {
  const mk = tmp_mark();
  const j = tmp_alloc(G1_SIZE);
  g1j_from_proj(j, a);
  g1j_mul_by_x_abs(j, j);
  g1j_to_proj(out, j);
  tmp_reset(mk);
}

/** True iff a (on the curve) is in G1: phi(a) == -x^2 a (Scott, eprint
 *  2021/1130 §4). The identity is in G1. VARIABLE TIME (public points). */
export function g1_is_in_subgroup(a: usize): bool {
  if (fp_is_zero(a + FS2)) return true;
  const mk = tmp_mark();
  const j = tmp_alloc(G1_SIZE);
  const t0 = tmp_alloc(FS);
  const t1 = tmp_alloc(FS);
  const zz = tmp_alloc(FS);
  g1j_from_proj(j, a);
  g1j_mul_by_x_abs(j, j);
  g1j_mul_by_x_abs(j, j); // x^2 a, Jacobian (Xr, Yr, Zr)
  let ok = false;
  if (!fp_is_zero(j + FS2)) {
    // phi(a) = (beta X : Y : Z) projective; need beta X / Z == Xr / Zr^2 and Y / Z == -Yr / Zr^3
    fp_sqr(zz, j + FS2);
    fp_mul(t0, a, G1_BETA);
    fp_mul(t0, t0, zz);
    fp_mul(t1, j, a + FS2);
    const ex = fp_eq(t0, t1);
    fp_mul(zz, zz, j + FS2);
    fp_mul(t0, a + FS, zz);
    fp_mul(t1, j + FS, a + FS2);
    fp_neg(t1, t1);
    ok = ex && fp_eq(t0, t1);
  }
  tmp_reset(mk);
  return ok;
}

/** out = h_eff a with h_eff = 1 - x = |x| + 1 (RFC 9380 §8.8.1). Any point of
 *  E1 maps into G1. VARIABLE TIME (public inputs: hash-to-curve). */
export function g1_clear_cofactor(out: usize, a: usize): void {
  const mk = tmp_mark();
  const j = tmp_alloc(G1_SIZE);
  const t = tmp_alloc(G1_SIZE);
  g1j_from_proj(j, a);
  g1j_mul_by_x_abs(t, j);
  g1j_add(t, t, j);
  g1j_to_proj(out, t);
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// Scalar multiplication

/** Window width and digit count of the constant-time multiplication. */
const CT_W: i32 = 5;
const CT_TBL: i32 = 17; // multiples 0..16
const CT_DIG: i32 = 26; // 26 * 5 = 130 >= 128 + 1

/** out = tbl[|d|] negated if d < 0, scanning all CT_TBL entries. Constant time. */
function lookup_ct(out: usize, tbl: usize, d: i32): void {
  const s = d >> 31;
  const a = (d ^ s) - s;
  memory.fill(out, 0, G1_SIZE);
  for (let j = 0; j < CT_TBL; j++) {
    const m = <u32>(((j ^ a) - 1) >> 31);
    const e = tbl + <usize>j * G1_SIZE;
    for (let w: usize = 0; w < G1_SIZE; w += 4) {
      store<u32>(out + w, load<u32>(out + w) | (load<u32>(e + w) & m));
    }
  }
  const mk = tmp_mark();
  const ny = tmp_alloc(FS);
  fp_neg(ny, out + FS);
  fp_cmov(out + FS, ny, <u32>(s & 1));
  tmp_reset(mk);
}

/** tbl[j] = j a for j = 0..CT_TBL-1 (projective, complete formulas). */
function build_table_ct(tbl: usize, a: usize): void {
  g1_set_identity(tbl);
  memory.copy(tbl + G1_SIZE, a, G1_SIZE);
  for (let j = 2; j < CT_TBL; j++) {
    const e = tbl + <usize>j * G1_SIZE;
    if ((j & 1) == 0) g1_double(e, tbl + <usize>(j >> 1) * G1_SIZE);
    else g1_add(e, e - G1_SIZE, a);
  }
}

/** out = k a for k given as 8 little-endian u32 words (any 256-bit value,
 *  reduced mod r first). CONSTANT TIME in k (GLV: k = k1 + k2 x^2, signed
 *  5-bit windows, full-table scans, complete formulas). Requires a in G1 (the
 *  GLV split uses phi = -x^2, true on G1 only). */
export function g1_mul(out: usize, a: usize, k: usize): void {
  const mk = tmp_mark();
  const kk = tmp_alloc(32);
  const k1 = tmp_alloc(32);
  const k2 = tmp_alloc(32);
  const d1 = tmp_alloc(<usize>CT_DIG * 4);
  const d2 = tmp_alloc(<usize>CT_DIG * 4);
  const T1 = tmp_alloc(<usize>CT_TBL * G1_SIZE);
  const T2 = tmp_alloc(<usize>CT_TBL * G1_SIZE);
  const acc = tmp_alloc(G1_SIZE);
  const sel = tmp_alloc(G1_SIZE);
  sc_reduce_r(kk, k);
  sc_split_x2(k1, k2, kk);
  sc_recode_signed(d1, k1, 128, CT_W, CT_DIG);
  sc_recode_signed(d2, k2, 128, CT_W, CT_DIG);
  build_table_ct(T1, a);
  // T2[j] = -phi(T1[j]) = j (x^2 a)
  for (let j = 0; j < CT_TBL; j++) {
    const s = T1 + <usize>j * G1_SIZE;
    const e = T2 + <usize>j * G1_SIZE;
    g1_phi(e, s);
    fp_neg(e + FS, e + FS);
  }
  lookup_ct(acc, T1, load<i32>(d1 + <usize>(CT_DIG - 1) * 4));
  lookup_ct(sel, T2, load<i32>(d2 + <usize>(CT_DIG - 1) * 4));
  g1_add(acc, acc, sel);
  for (let i = CT_DIG - 2; i >= 0; i--) {
    for (let s = 0; s < CT_W; s++) g1_double(acc, acc);
    lookup_ct(sel, T1, load<i32>(d1 + <usize>i * 4));
    g1_add(acc, acc, sel);
    lookup_ct(sel, T2, load<i32>(d2 + <usize>i * 4));
    g1_add(acc, acc, sel);
  }
  memory.copy(out, acc, G1_SIZE);
  tmp_reset(mk);
}

/** As g1_mul with k as 32 big-endian bytes at kbe. CONSTANT TIME in k. */
export function g1_mul_be(out: usize, a: usize, kbe: usize): void {
  const mk = tmp_mark();
  const k = tmp_alloc(32);
  sc_from_be(k, kbe);
  g1_mul(out, a, k);
  tmp_reset(mk);
}

const VT_W: i32 = 5;
const VT_TBL: i32 = 8; // odd multiples 1, 3, ..., 15
const VT_MAXDIG: i32 = 260;

/** tbl (affine, VT_TBL entries) = odd multiples (2i+1) a of the Jacobian point a. VARIABLE TIME. */
function build_table_vt(tbl: usize, a: usize): void {
  const mk = tmp_mark();
  const pts = tmp_alloc(<usize>VT_TBL * G1_SIZE);
  const d = tmp_alloc(G1_SIZE);
  const p = tmp_alloc(G1_SIZE);
  g1j_double(d, a);
  memory.copy(pts, a, G1_SIZE);
  for (let i = 1; i < VT_TBL; i++) {
    g1j_add(pts + <usize>i * G1_SIZE, pts + <usize>(i - 1) * G1_SIZE, d);
  }
  // Jacobian -> projective in place, then batch-normalise
  for (let i = 0; i < VT_TBL; i++) {
    g1j_to_proj(p, pts + <usize>i * G1_SIZE);
    memory.copy(pts + <usize>i * G1_SIZE, p, G1_SIZE);
  }
  g1_batch_to_affine(tbl, pts, VT_TBL);
  tmp_reset(mk);
}

/** acc (Jacobian) += sign(d) tbl[|d| >> 1]. VARIABLE TIME. */
function add_digit_vt(acc: usize, tbl: usize, d: i32, tmp: usize): void {
  if (d == 0) return;
  const e = tbl + <usize>((d < 0 ? -d : d) >> 1) * G1_AFFINE_SIZE;
  if (d > 0) {
    g1j_add_affine(acc, acc, e);
  } else {
    memory.copy(tmp, e, G1_AFFINE_SIZE);
    fp_neg(tmp + FS, tmp + FS);
    g1j_add_affine(acc, acc, tmp);
  }
}

/** out = k a, k as 8 LE u32 words (reduced mod r first). VARIABLE TIME: public
 *  k only. GLV + width-5 wNAF, Jacobian internally. Requires a in G1. */
export function g1_mul_vartime(out: usize, a: usize, k: usize): void {
  const mk = tmp_mark();
  const kk = tmp_alloc(40);
  const k1 = tmp_alloc(40);
  const k2 = tmp_alloc(40);
  const d1 = tmp_alloc(<usize>VT_MAXDIG * 4);
  const d2 = tmp_alloc(<usize>VT_MAXDIG * 4);
  const T1 = tmp_alloc(<usize>VT_TBL * G1_AFFINE_SIZE);
  const T2 = tmp_alloc(<usize>VT_TBL * G1_AFFINE_SIZE);
  const acc = tmp_alloc(G1_SIZE);
  const tmp = tmp_alloc(G1_AFFINE_SIZE);
  sc_reduce_r(kk, k);
  if (g1_is_identity(a)) {
    g1_set_identity(out);
    tmp_reset(mk);
    return;
  }
  sc_split_x2(k1, k2, kk);
  store<u64>(k1, 0, 32);
  store<u64>(k2, 0, 32);
  const n1 = sc_wnaf(d1, k1, 9, VT_W, VT_MAXDIG);
  const n2 = sc_wnaf(d2, k2, 9, VT_W, VT_MAXDIG);
  g1j_from_proj(acc, a);
  build_table_vt(T1, acc);
  for (let i = 0; i < VT_TBL; i++) {
    const s = T1 + <usize>i * G1_AFFINE_SIZE;
    const e = T2 + <usize>i * G1_AFFINE_SIZE;
    fp_mul(e, s, G1_BETA);
    fp_neg(e + FS, s + FS);
    store<u64>(e + G1_AFFINE_INF, load<u64>(s + G1_AFFINE_INF));
  }
  g1_set_identity(acc);
  fp_set_zero(acc + FS2);
  const n = n1 > n2 ? n1 : n2;
  for (let i = n - 1; i >= 0; i--) {
    g1j_double(acc, acc);
    if (i < n1) add_digit_vt(acc, T1, load<i32>(d1 + <usize>i * 4), tmp);
    if (i < n2) add_digit_vt(acc, T2, load<i32>(d2 + <usize>i * 4), tmp);
  }
  g1j_to_proj(out, acc);
  tmp_reset(mk);
}

/** As g1_mul_vartime with k as 32 big-endian bytes. VARIABLE TIME. */
export function g1_mul_vartime_be(out: usize, a: usize, kbe: usize): void {
  const mk = tmp_mark();
  const k = tmp_alloc(32);
  sc_from_be(k, kbe);
  g1_mul_vartime(out, a, k);
  tmp_reset(mk);
}

/** out = k a for ANY point of E1 (no endomorphism, so also outside G1), k as
 *  8 LE u32 words, NOT reduced mod r. Width-5 wNAF, VARIABLE TIME. */
export function g1_mul_any_vartime(out: usize, a: usize, k: usize): void {
  const mk = tmp_mark();
  const kk = tmp_alloc(40);
  const d = tmp_alloc(<usize>VT_MAXDIG * 4);
  const T = tmp_alloc(<usize>VT_TBL * G1_AFFINE_SIZE);
  const acc = tmp_alloc(G1_SIZE);
  const tmp = tmp_alloc(G1_AFFINE_SIZE);
  memory.copy(kk, k, 32);
  store<u64>(kk, 0, 32);
  if (g1_is_identity(a)) {
    g1_set_identity(out);
    tmp_reset(mk);
    return;
  }
  const n = sc_wnaf(d, kk, 9, VT_W, VT_MAXDIG);
  g1j_from_proj(acc, a);
  build_table_vt(T, acc);
  fp_set_zero(acc + FS2);
  for (let i = n - 1; i >= 0; i--) {
    g1j_double(acc, acc);
    add_digit_vt(acc, T, load<i32>(d + <usize>i * 4), tmp);
  }
  g1j_to_proj(out, acc);
  tmp_reset(mk);
}
