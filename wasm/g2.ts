// G2 of BLS12-381: E2: y^2 = x^3 + 4(u + 1) over Fp2, points of prime order r.
//
// Representation (docs/wasm-curves.md): homogeneous projective (X : Y : Z),
// x = X/Z, y = Y/Z, identity (0 : 1 : 0); G2_SIZE = 3 * FP2_SIZE bytes.
// Affine: x, y, u32 infinity flag (G2_AFFINE_SIZE bytes).
//
// Formulas: Renes-Costello-Batina 2016 (eprint 2015/1060) for a = 0, b3 = 3b = 12:
// Alg. 7 (complete addition, 12M), Alg. 8 (mixed addition, 11M), Alg. 9
// (doubling, 6M + 2S). They are complete: no exceptional case, no branch.
// Variable-time paths (public data: subgroup checks, cofactor clearing,
// vartime multiplication) use Jacobian coordinates internally (dbl-2009-l,
// add-2007-bl, madd-2007-bl) with explicit handling of the exceptional cases.
//
// Curve E2: y^2 = x^3 + 4(u + 1) over Fp2 (M-twist), b3 = 12(u + 1).
// Endomorphism psi(x, y) = (c_x conj(x), c_y conj(y)) (untwist-Frobenius-twist,
// RFC 9380 §8.8.2 / EIP-2537 fast_subgroup_checks.md) acts on G2 as x = -|x|.
// Constant time unless marked vartime. Every `out` may alias any input.

import {
  FP2_SIZE,
  fp2_mul,
  fp2_sqr,
  fp2_add,
  fp2_sub,
  fp2_double,
  fp2_neg,
  fp2_copy,
  fp2_set_zero,
  fp2_set_one,
  fp2_is_zero,
  fp2_eq,
  fp2_cmov,
  fp2_inv,
  fp2_inv_vartime,
  fp2_conjugate,
  fp2_mul_by_nonresidue
} from './fp2';
import { tmp_alloc, tmp_mark, tmp_reset } from './mem';
import { sc_reduce_r, sc_split_x4, sc_recode_signed, sc_wnaf, sc_from_be, X_ABS } from './curve_scalar';

/** Bytes of a projective G2 point (X, Y, Z). */
export const G2_SIZE: usize = 3 * FP2_SIZE;
/** Bytes of an affine G2 point (x, y, u32 infinity flag, 4 bytes pad). */
export const G2_AFFINE_SIZE: usize = 2 * FP2_SIZE + 8;
/** Offset of the infinity flag in an affine point. */
export const G2_AFFINE_INF: usize = 2 * FP2_SIZE;

/** Generator x.c0, x.c1, y.c0, y.c1 (Montgomery form). */
const G2_GEN: usize = memory.data<u32>([
  0x2506d951, 0x2ac3a202, 0x3e186c10, 0x30b26cba, 0x3ce0576e, 0x28ec8c0e, 0x1c6b02ca, 0x24618c5a, 0x13f60b17, 0x1212b7d7, 0x609865, 0x2afa2c20, 0xe567b,
  0x90bd6c7, 0x326c759e, 0x23c30f52, 0x1359e9da, 0x24a99981, 0x3094bcc7, 0x2b3a8972, 0xf31a44, 0x998e6a4, 0x207cdead, 0x10610161, 0x14beff0, 0x65c80,
  0x125367d5, 0xb0ef860, 0x5316936, 0x24a1f637, 0x27e07240, 0x222262f, 0x1453a927, 0xbb5a3f3, 0x3bd79776, 0x1717e1f6, 0x2a7a9ceb, 0x2d59adb4, 0x6fe51,
  0x19351737, 0x96892df, 0x13c7732d, 0x1970ab84, 0x10f236ee, 0x138e53d2, 0x3d471c94, 0x72b2817, 0xa6b9c2, 0xfbfd8de, 0x273d9eb6, 0x2939c26a, 0xcd3c4
]);
/** psi x coefficient 1/(u+1)^((p-1)/3) = 0 + c1 u. */
export const G2_PSI_X: usize = memory.data<u32>([
  0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0,
  0x1d6270af, 0x1695e486, 0x1ad75703, 0x212543d3, 0x1e81d8a0, 0x208dec06, 0x14cf2934, 0x35e8c7a0, 0x2b3f7f82, 0x2aa53b42, 0x1c842b9a, 0x6f92997, 0xb24be
]);
/** psi y coefficient 1/(u+1)^((p-1)/2). */
export const G2_PSI_Y: usize = memory.data<u32>([
  0x17305ee1, 0x27cc5da5, 0x1dc60d77, 0x2313e1e6, 0x1ea792b, 0x25579b9a, 0x665f598, 0xc4dab7f, 0x19fe49c7, 0x1115fea6, 0x28cdc319, 0x25b746a4, 0x345b7,
  0x28cf4bca, 0x2fa25a, 0x3779f284, 0x7ec1dc5, 0x2f0baaf3, 0x1df2e840, 0xac600da, 0x6939162, 0x12d91ab0, 0xdc30e88, 0xd6eea1, 0x14d71955, 0x16bb5a
]);

const FS: usize = FP2_SIZE;
const FS2: usize = 2 * FP2_SIZE;

// ---------------------------------------------------------------------------
// Basics

/** out = b3 * a = 12 (u + 1) a. */
@inline function mul_b3(out: usize, a: usize, t: usize): void {
  fp2_mul_by_nonresidue(out, a);
  fp2_double(out, out);
  fp2_double(out, out);
  fp2_double(t, out);
  fp2_add(out, out, t);
}

/** out = identity (0 : 1 : 0). */
export function g2_set_identity(out: usize): void {
  fp2_set_zero(out);
  fp2_set_one(out + FS);
  fp2_set_zero(out + FS2);
}

export function g2_copy(out: usize, a: usize): void {
  if (out != a) memory.copy(out, a, G2_SIZE);
}

/** out = the standard generator (Z = 1). */
export function g2_generator(out: usize): void {
  memory.copy(out, G2_GEN, FS2);
  fp2_set_one(out + FS2);
}

/** True iff a is the identity (Z == 0). Constant time. */
export function g2_is_identity(a: usize): bool {
  return fp2_is_zero(a + FS2);
}

/** out = -a. */
export function g2_neg(out: usize, a: usize): void {
  g2_copy(out, a);
  fp2_neg(out + FS, a + FS);
}

/** out = flag ? a : out (flag 0 or 1), constant time. */
export function g2_cmov(out: usize, a: usize, flag: u32): void {
  fp2_cmov(out, a, flag);
  fp2_cmov(out + FS, a + FS, flag);
  fp2_cmov(out + FS2, a + FS2, flag);
}

/** a == b as points (projective cross-multiplication). Constant time. */
export function g2_eq(a: usize, b: usize): bool {
  const mk = tmp_mark();
  const t0 = tmp_alloc(FS);
  const t1 = tmp_alloc(FS);
  fp2_mul(t0, a, b + FS2);
  fp2_mul(t1, b, a + FS2);
  const ex = fp2_eq(t0, t1);
  fp2_mul(t0, a + FS, b + FS2);
  fp2_mul(t1, b + FS, a + FS2);
  const ey = fp2_eq(t0, t1);
  tmp_reset(mk);
  return ex & ey;
}

/** True iff a is a valid point of E2 (Y^2 Z == X^3 + 4(u + 1) Z^3; the identity must be
 *  (0 : Y : 0) with Y != 0). Does not check the subgroup. */
export function g2_is_on_curve(a: usize): bool {
  const mk = tmp_mark();
  const l = tmp_alloc(FS);
  const r = tmp_alloc(FS);
  const t = tmp_alloc(FS);
  fp2_sqr(l, a + FS);
  fp2_mul(l, l, a + FS2); // Y^2 Z
  fp2_sqr(r, a);
  fp2_mul(r, r, a); // X^3
  fp2_sqr(t, a + FS2);
  fp2_mul(t, t, a + FS2);
  fp2_double(t, t);
  fp2_double(t, t); // 4 Z^3
  fp2_mul_by_nonresidue(t, t);
  fp2_add(r, r, t);
  let ok = fp2_eq(l, r);
  if (fp2_is_zero(a + FS2)) ok = ok & fp2_is_zero(a) & !fp2_is_zero(a + FS);
  tmp_reset(mk);
  return ok;
}

// ---------------------------------------------------------------------------
// Complete formulas (RCB 2016, a = 0)

/** out = a + b, complete (RCB Alg. 7). Constant time. */
export function g2_add(out: usize, a: usize, b: usize): void {
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
  fp2_mul(t0, X1, X2);
  fp2_mul(t1, Y1, Y2);
  fp2_mul(t2, Z1, Z2);
  fp2_add(t3, X1, Y1);
  fp2_add(t4, X2, Y2);
  fp2_mul(t3, t3, t4);
  fp2_add(t4, t0, t1);
  fp2_sub(t3, t3, t4);
  fp2_add(t4, Y1, Z1);
  fp2_add(X3, Y2, Z2);
  fp2_mul(t4, t4, X3);
  fp2_add(X3, t1, t2);
  fp2_sub(t4, t4, X3);
  fp2_add(X3, X1, Z1);
  fp2_add(Y3, X2, Z2);
  fp2_mul(X3, X3, Y3);
  fp2_add(Y3, t0, t2);
  fp2_sub(Y3, X3, Y3);
  fp2_add(X3, t0, t0);
  fp2_add(t0, X3, t0);
  mul_b3(t2, t2, Z3);
  fp2_add(Z3, t1, t2);
  fp2_sub(t1, t1, t2);
  mul_b3(Y3, Y3, t2);
  fp2_mul(X3, t4, Y3);
  fp2_mul(t2, t3, t1);
  fp2_sub(X3, t2, X3);
  fp2_mul(Y3, Y3, t0);
  fp2_mul(t1, t1, Z3);
  fp2_add(Y3, t1, Y3);
  fp2_mul(t0, t0, t3);
  fp2_mul(Z3, Z3, t4);
  fp2_add(Z3, Z3, t0);
  fp2_copy(out, X3);
  fp2_copy(out + FS, Y3);
  fp2_copy(out + FS2, Z3);
  tmp_reset(mk);
}

/** out = a - b, complete. Constant time. */
export function g2_sub(out: usize, a: usize, b: usize): void {
  const mk = tmp_mark();
  const nb = tmp_alloc(G2_SIZE);
  g2_neg(nb, b);
  g2_add(out, a, nb);
  tmp_reset(mk);
}

/** out = a + q with q affine (RCB Alg. 8); q's infinity flag is honoured by a
 *  constant-time select. Constant time. */
export function g2_add_affine(out: usize, a: usize, q: usize): void {
  const mk = tmp_mark();
  const t0 = tmp_alloc(FS);
  const t1 = tmp_alloc(FS);
  const t2 = tmp_alloc(FS);
  const t3 = tmp_alloc(FS);
  const t4 = tmp_alloc(FS);
  const R = tmp_alloc(G2_SIZE);
  const X3 = R, Y3 = R + FS, Z3 = R + FS2;
  const X1 = a, Y1 = a + FS, Z1 = a + FS2;
  const X2 = q, Y2 = q + FS;
  fp2_mul(t0, X1, X2);
  fp2_mul(t1, Y1, Y2);
  fp2_add(t3, X2, Y2);
  fp2_add(t4, X1, Y1);
  fp2_mul(t3, t3, t4);
  fp2_add(t4, t0, t1);
  fp2_sub(t3, t3, t4);
  fp2_mul(t4, Y2, Z1);
  fp2_add(t4, t4, Y1);
  fp2_mul(Y3, X2, Z1);
  fp2_add(Y3, Y3, X1);
  fp2_add(X3, t0, t0);
  fp2_add(t0, X3, t0);
  mul_b3(t2, Z1, Z3);
  fp2_add(Z3, t1, t2);
  fp2_sub(t1, t1, t2);
  mul_b3(Y3, Y3, t2);
  fp2_mul(X3, t4, Y3);
  fp2_mul(t2, t3, t1);
  fp2_sub(X3, t2, X3);
  fp2_mul(Y3, Y3, t0);
  fp2_mul(t1, t1, Z3);
  fp2_add(Y3, t1, Y3);
  fp2_mul(t0, t0, t3);
  fp2_mul(Z3, Z3, t4);
  fp2_add(Z3, Z3, t0);
  const inf = load<u32>(q + G2_AFFINE_INF) & 1;
  g2_cmov(R, a, inf);
  memory.copy(out, R, G2_SIZE);
  tmp_reset(mk);
}

/** out = 2a, complete (RCB Alg. 9). Constant time. */
export function g2_double(out: usize, a: usize): void {
  const mk = tmp_mark();
  const t0 = tmp_alloc(FS);
  const t1 = tmp_alloc(FS);
  const t2 = tmp_alloc(FS);
  const X3 = tmp_alloc(FS);
  const Y3 = tmp_alloc(FS);
  const Z3 = tmp_alloc(FS);
  const X = a, Y = a + FS, Z = a + FS2;
  fp2_sqr(t0, Y);
  fp2_double(Z3, t0);
  fp2_double(Z3, Z3);
  fp2_double(Z3, Z3);
  fp2_mul(t1, Y, Z);
  fp2_sqr(t2, Z);
  mul_b3(t2, t2, X3);
  fp2_mul(X3, t2, Z3);
  fp2_add(Y3, t0, t2);
  fp2_mul(Z3, t1, Z3);
  fp2_double(t1, t2);
  fp2_add(t2, t1, t2);
  fp2_sub(t0, t0, t2);
  fp2_mul(Y3, t0, Y3);
  fp2_add(Y3, X3, Y3);
  fp2_mul(t1, X, Y);
  fp2_mul(X3, t0, t1);
  fp2_double(X3, X3);
  fp2_copy(out, X3);
  fp2_copy(out + FS, Y3);
  fp2_copy(out + FS2, Z3);
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// Affine conversions

/** out (affine) = a, one constant-time inversion. */
export function g2_to_affine(out: usize, a: usize): void {
  const mk = tmp_mark();
  const zi = tmp_alloc(FS);
  const inf: u32 = fp2_is_zero(a + FS2) ? 1 : 0;
  fp2_inv(zi, a + FS2);
  fp2_mul(out + FS, a + FS, zi);
  fp2_mul(out, a, zi);
  store<u32>(out + G2_AFFINE_INF, inf);
  store<u32>(out + G2_AFFINE_INF + 4, 0);
  tmp_reset(mk);
}

/** out (affine) = a, VARIABLE TIME inversion (public points). */
export function g2_to_affine_vartime(out: usize, a: usize): void {
  const mk = tmp_mark();
  const zi = tmp_alloc(FS);
  const inf: u32 = fp2_is_zero(a + FS2) ? 1 : 0;
  fp2_inv_vartime(zi, a + FS2);
  fp2_mul(out + FS, a + FS, zi);
  fp2_mul(out, a, zi);
  store<u32>(out + G2_AFFINE_INF, inf);
  store<u32>(out + G2_AFFINE_INF + 4, 0);
  tmp_reset(mk);
}

/** out (projective) = the affine point a. */
export function g2_from_affine(out: usize, a: usize): void {
  const inf = load<u32>(a + G2_AFFINE_INF) & 1;
  fp2_copy(out, a);
  fp2_copy(out + FS, a + FS);
  fp2_set_one(out + FS2);
  const mk = tmp_mark();
  const id = tmp_alloc(G2_SIZE);
  g2_set_identity(id);
  g2_cmov(out, id, inf);
  tmp_reset(mk);
}

/** Batch normalisation of n projective points at pts (stride G2_SIZE) into n
 *  affine points at out (stride G2_AFFINE_SIZE): Montgomery's trick, one
 *  VARIABLE-TIME inversion (public points). Identities get the infinity flag. */
export function g2_batch_to_affine(out: usize, pts: usize, n: i32): void {
  if (n <= 0) return;
  const mk = tmp_mark();
  const acc = tmp_alloc(<usize>n * FS);
  const inv = tmp_alloc(FS);
  const t = tmp_alloc(FS);
  const one = tmp_alloc(FS);
  fp2_set_one(one);
  // acc[i] = prod_{j<=i} z_j (zeros replaced by 1)
  for (let i = 0; i < n; i++) {
    let z = pts + <usize>i * G2_SIZE + FS2;
    if (fp2_is_zero(z)) z = one;
    if (i == 0) fp2_copy(acc, z);
    else fp2_mul(acc + <usize>i * FS, acc + <usize>(i - 1) * FS, z);
  }
  fp2_inv_vartime(inv, acc + <usize>(n - 1) * FS);
  for (let i = n - 1; i >= 0; i--) {
    const p = pts + <usize>i * G2_SIZE;
    const o = out + <usize>i * G2_AFFINE_SIZE;
    const isinf = fp2_is_zero(p + FS2);
    let z = p + FS2;
    if (isinf) z = one;
    // t = 1/z_i = inv * acc[i-1]; inv = inv * z_i
    if (i > 0) fp2_mul(t, inv, acc + <usize>(i - 1) * FS);
    else fp2_copy(t, inv);
    fp2_mul(inv, inv, z);
    if (isinf) {
      fp2_set_zero(o);
      fp2_set_zero(o + FS);
      store<u32>(o + G2_AFFINE_INF, 1);
    } else {
      fp2_mul(o, p, t);
      fp2_mul(o + FS, p + FS, t);
      store<u32>(o + G2_AFFINE_INF, 0);
    }
    store<u32>(o + G2_AFFINE_INF + 4, 0);
  }
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// Jacobian coordinates, VARIABLE TIME (public data only). (X, Y, Z):
// x = X/Z^2, y = Y/Z^3; Z == 0 is the identity.

/** out (Jacobian) = a (projective): (X Z, Y Z^2, Z). */
export function g2j_from_proj(out: usize, a: usize): void {
  const mk = tmp_mark();
  const z2 = tmp_alloc(FS);
  fp2_sqr(z2, a + FS2);
  fp2_mul(out + FS, a + FS, z2);
  fp2_mul(out, a, a + FS2);
  fp2_copy(out + FS2, a + FS2);
  tmp_reset(mk);
}

/** out (projective) = a (Jacobian): (X Z, Y, Z^3); identity -> (0 : 1 : 0). */
export function g2j_to_proj(out: usize, a: usize): void {
  if (fp2_is_zero(a + FS2)) {
    g2_set_identity(out);
    return;
  }
  const mk = tmp_mark();
  const z3 = tmp_alloc(FS);
  fp2_sqr(z3, a + FS2);
  fp2_mul(z3, z3, a + FS2);
  fp2_mul(out, a, a + FS2);
  fp2_copy(out + FS, a + FS);
  fp2_copy(out + FS2, z3);
  tmp_reset(mk);
}

/** out = 2a (Jacobian, dbl-2009-l, 2M + 5S). Correct for every input. */
export function g2j_double(out: usize, a: usize): void {
  const mk = tmp_mark();
  const A = tmp_alloc(FS);
  const B = tmp_alloc(FS);
  const C = tmp_alloc(FS);
  const D = tmp_alloc(FS);
  const E = tmp_alloc(FS);
  const F = tmp_alloc(FS);
  const X1 = a, Y1 = a + FS, Z1 = a + FS2;
  fp2_sqr(A, X1);
  fp2_sqr(B, Y1);
  fp2_sqr(C, B);
  fp2_add(D, X1, B);
  fp2_sqr(D, D);
  fp2_sub(D, D, A);
  fp2_sub(D, D, C);
  fp2_double(D, D);
  fp2_double(E, A);
  fp2_add(E, E, A);
  fp2_sqr(F, E);
  // Z3 = 2 Y1 Z1 (before Y1 is overwritten)
  fp2_mul(out + FS2, Y1, Z1);
  fp2_double(out + FS2, out + FS2);
  // X3 = F - 2D
  fp2_double(A, D);
  fp2_sub(out, F, A);
  // Y3 = E (D - X3) - 8C
  fp2_sub(D, D, out);
  fp2_mul(D, E, D);
  fp2_double(C, C);
  fp2_double(C, C);
  fp2_double(C, C);
  fp2_sub(out + FS, D, C);
  tmp_reset(mk);
}

/** out = a + b (Jacobian, add-2007-bl), VARIABLE TIME, every case handled. */
export function g2j_add(out: usize, a: usize, b: usize): void {
  if (fp2_is_zero(a + FS2)) {
    memory.copy(out, b, G2_SIZE);
    return;
  }
  if (fp2_is_zero(b + FS2)) {
    memory.copy(out, a, G2_SIZE);
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
  fp2_sqr(Z1Z1, Z1);
  fp2_sqr(Z2Z2, Z2);
  fp2_mul(U1, X1, Z2Z2);
  fp2_mul(U2, X2, Z1Z1);
  fp2_mul(S1, Y1, Z2);
  fp2_mul(S1, S1, Z2Z2);
  fp2_mul(S2, Y2, Z1);
  fp2_mul(S2, S2, Z1Z1);
  fp2_sub(H, U2, U1);
  fp2_sub(r, S2, S1);
  if (fp2_is_zero(H)) {
    if (fp2_is_zero(r)) g2j_double(out, a);
    else g2_set_identity(out);
    tmp_reset(mk);
    return;
  }
  fp2_double(r, r);
  fp2_double(I, H);
  fp2_sqr(I, I);
  fp2_mul(J, H, I);
  fp2_mul(V, U1, I);
  // Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H
  fp2_add(U2, Z1, Z2);
  fp2_sqr(U2, U2);
  fp2_sub(U2, U2, Z1Z1);
  fp2_sub(U2, U2, Z2Z2);
  fp2_mul(out + FS2, U2, H);
  // X3 = r^2 - J - 2V
  fp2_sqr(U2, r);
  fp2_sub(U2, U2, J);
  fp2_double(U1, V);
  fp2_sub(out, U2, U1);
  // Y3 = r (V - X3) - 2 S1 J
  fp2_sub(V, V, out);
  fp2_mul(V, r, V);
  fp2_mul(S1, S1, J);
  fp2_double(S1, S1);
  fp2_sub(out + FS, V, S1);
  tmp_reset(mk);
}

/** out = a (Jacobian) + q (affine, infinity flag honoured), madd-2007-bl,
 *  VARIABLE TIME, every case handled. */
export function g2j_add_affine(out: usize, a: usize, q: usize): void {
  if (load<u32>(q + G2_AFFINE_INF) != 0) {
    if (out != a) memory.copy(out, a, G2_SIZE);
    return;
  }
  if (fp2_is_zero(a + FS2)) {
    fp2_copy(out, q);
    fp2_copy(out + FS, q + FS);
    fp2_set_one(out + FS2);
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
  fp2_sqr(Z1Z1, Z1);
  fp2_mul(U2, q, Z1Z1);
  fp2_mul(S2, q + FS, Z1);
  fp2_mul(S2, S2, Z1Z1);
  fp2_sub(H, U2, X1);
  fp2_sub(r, S2, Y1);
  if (fp2_is_zero(H)) {
    if (fp2_is_zero(r)) g2j_double(out, a);
    else g2_set_identity(out);
    tmp_reset(mk);
    return;
  }
  fp2_double(r, r);
  fp2_sqr(HH, H);
  fp2_double(I, HH);
  fp2_double(I, I);
  fp2_mul(J, H, I);
  fp2_mul(V, X1, I);
  // Z3 = (Z1 + H)^2 - Z1Z1 - HH
  fp2_add(U2, Z1, H);
  fp2_sqr(U2, U2);
  fp2_sub(U2, U2, Z1Z1);
  fp2_sub(out + FS2, U2, HH);
  // Y1 J before X1/Y1 may be overwritten (out may alias a)
  fp2_mul(S2, Y1, J);
  fp2_double(S2, S2);
  // X3 = r^2 - J - 2V
  fp2_sqr(U2, r);
  fp2_sub(U2, U2, J);
  fp2_double(HH, V);
  fp2_sub(out, U2, HH);
  // Y3 = r (V - X3) - 2 Y1 J
  fp2_sub(V, V, out);
  fp2_mul(V, r, V);
  fp2_sub(out + FS, V, S2);
  tmp_reset(mk);
}

/** out = |x| a (Jacobian in and out), |x| = 0xd201000000010000. VARIABLE TIME. */
export function g2j_mul_by_x_abs(out: usize, a: usize): void {
  const mk = tmp_mark();
  const acc = tmp_alloc(G2_SIZE);
  const base = tmp_alloc(G2_SIZE);
  memory.copy(base, a, G2_SIZE);
  memory.copy(acc, a, G2_SIZE);
  for (let i = 62; i >= 0; i--) {
    g2j_double(acc, acc);
    if ((X_ABS >> <u64>i) & 1) g2j_add(acc, acc, base);
  }
  memory.copy(out, acc, G2_SIZE);
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// Endomorphism, subgroup check, cofactor clearing

/** out = psi(a) = (c_x conj(X) : c_y conj(Y) : conj(Z)) (projective or Jacobian). */
export function g2_psi(out: usize, a: usize): void {
  fp2_conjugate(out, a);
  fp2_mul(out, out, G2_PSI_X);
  fp2_conjugate(out + FS, a + FS);
  fp2_mul(out + FS, out + FS, G2_PSI_Y);
  fp2_conjugate(out + FS2, a + FS2);
}

/** out = psi(psi(a)). */
export function g2_psi2(out: usize, a: usize): void {
  g2_psi(out, a);
  g2_psi(out, out);
}

/** psi on an affine point (infinity flag kept). */
function psi_affine(out: usize, a: usize): void {
  fp2_conjugate(out, a);
  fp2_mul(out, out, G2_PSI_X);
  fp2_conjugate(out + FS, a + FS);
  fp2_mul(out + FS, out + FS, G2_PSI_Y);
  store<u64>(out + G2_AFFINE_INF, load<u64>(a + G2_AFFINE_INF));
}

/** out = |x| a (projective in and out). VARIABLE TIME. */
export function g2_mul_by_x_abs(out: usize, a: usize): void {
  const mk = tmp_mark();
  const j = tmp_alloc(G2_SIZE);
  g2j_from_proj(j, a);
  g2j_mul_by_x_abs(j, j);
  g2j_to_proj(out, j);
  tmp_reset(mk);
}

/** True iff a (on the curve) is in G2: psi(a) == x a = -|x| a (eprint
 *  2021/1130 §4, 2022/352 §4.2). The identity is in G2. VARIABLE TIME. */
export function g2_is_in_subgroup(a: usize): bool {
  if (fp2_is_zero(a + FS2)) return true;
  const mk = tmp_mark();
  const j = tmp_alloc(G2_SIZE);
  const s = tmp_alloc(G2_SIZE);
  const t0 = tmp_alloc(FS);
  const t1 = tmp_alloc(FS);
  const zz = tmp_alloc(FS);
  g2j_from_proj(j, a);
  g2j_mul_by_x_abs(j, j); // |x| a, Jacobian (Xr, Yr, Zr)
  g2_psi(s, a); // projective
  let ok = false;
  if (!fp2_is_zero(j + FS2)) {
    // need Xs / Zs == Xr / Zr^2 and Ys / Zs == -Yr / Zr^3
    fp2_sqr(zz, j + FS2);
    fp2_mul(t0, s, zz);
    fp2_mul(t1, j, s + FS2);
    const ex = fp2_eq(t0, t1);
    fp2_mul(zz, zz, j + FS2);
    fp2_mul(t0, s + FS, zz);
    fp2_mul(t1, j + FS, s + FS2);
    fp2_neg(t1, t1);
    ok = ex && fp2_eq(t0, t1);
  }
  tmp_reset(mk);
  return ok;
}

/** out = h_eff a (RFC 9380 §8.8.2, Budroni-Pintore, App. G.4):
 *  h_eff P = [x^2 - x - 1] P + [x - 1] psi(P) + psi^2(2P). Any point of E2 maps
 *  into G2. VARIABLE TIME (public inputs: hash-to-curve). */
export function g2_clear_cofactor(out: usize, a: usize): void {
  const mk = tmp_mark();
  const P = tmp_alloc(G2_SIZE);
  const t1 = tmp_alloc(G2_SIZE);
  const t2 = tmp_alloc(G2_SIZE);
  const t3 = tmp_alloc(G2_SIZE);
  g2j_from_proj(P, a);
  // t1 = x P = -|x| P
  g2j_mul_by_x_abs(t1, P);
  fp2_neg(t1 + FS, t1 + FS);
  // t2 = psi(P)
  g2_psi(t2, P);
  // t3 = psi2(2P)
  g2j_double(t3, P);
  g2_psi2(t3, t3);
  // t3 = t3 - t2
  fp2_neg(t2 + FS, t2 + FS);
  g2j_add(t3, t3, t2);
  fp2_neg(t2 + FS, t2 + FS);
  // t2 = x (t1 + t2)
  g2j_add(t2, t1, t2);
  g2j_mul_by_x_abs(t2, t2);
  fp2_neg(t2 + FS, t2 + FS);
  // t3 = t3 + t2 - t1 - P
  g2j_add(t3, t3, t2);
  fp2_neg(t1 + FS, t1 + FS);
  g2j_add(t3, t3, t1);
  fp2_neg(P + FS, P + FS);
  g2j_add(t3, t3, P);
  g2j_to_proj(out, t3);
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// Scalar multiplication

/** Window width and digit count of the constant-time multiplication. */
const CT_W: i32 = 5;
const CT_TBL: i32 = 17; // multiples 0..16
const CT_DIG: i32 = 13; // 13 * 5 = 65 >= 64 + 1

/** out = tbl[|d|] negated if d < 0, scanning all CT_TBL entries. Constant time. */
function lookup_ct(out: usize, tbl: usize, d: i32): void {
  const s = d >> 31;
  const a = (d ^ s) - s;
  memory.fill(out, 0, G2_SIZE);
  for (let j = 0; j < CT_TBL; j++) {
    const m = <u32>(((j ^ a) - 1) >> 31);
    const e = tbl + <usize>j * G2_SIZE;
    for (let w: usize = 0; w < G2_SIZE; w += 4) {
      store<u32>(out + w, load<u32>(out + w) | (load<u32>(e + w) & m));
    }
  }
  const mk = tmp_mark();
  const ny = tmp_alloc(FS);
  fp2_neg(ny, out + FS);
  fp2_cmov(out + FS, ny, <u32>(s & 1));
  tmp_reset(mk);
}

/** tbl[j] = j a for j = 0..CT_TBL-1 (projective, complete formulas). */
function build_table_ct(tbl: usize, a: usize): void {
  g2_set_identity(tbl);
  memory.copy(tbl + G2_SIZE, a, G2_SIZE);
  for (let j = 2; j < CT_TBL; j++) {
    const e = tbl + <usize>j * G2_SIZE;
    if ((j & 1) == 0) g2_double(e, tbl + <usize>(j >> 1) * G2_SIZE);
    else g2_add(e, e - G2_SIZE, a);
  }
}

/** out = k a for k given as 8 little-endian u32 words (any 256-bit value,
 *  reduced mod r first). CONSTANT TIME in k (GLS: k = d0 + d1|x| + d2|x|^2 +
 *  d3|x|^3, |x|^i a = (-psi)^i a, signed 5-bit windows on each 64-bit d_i,
 *  full-table scans, complete formulas). Requires a in G2 (psi = x on G2 only). */
export function g2_mul(out: usize, a: usize, k: usize): void {
  const mk = tmp_mark();
  const kk = tmp_alloc(32);
  const parts = tmp_alloc(32);
  const dg = tmp_alloc(4 * <usize>CT_DIG * 4);
  const T = tmp_alloc(4 * <usize>CT_TBL * G2_SIZE);
  const acc = tmp_alloc(G2_SIZE);
  const sel = tmp_alloc(G2_SIZE);
  const TS = <usize>CT_TBL * G2_SIZE;
  sc_reduce_r(kk, k);
  sc_split_x4(parts, kk);
  for (let i = 0; i < 4; i++) sc_recode_signed(dg + <usize>i * CT_DIG * 4, parts + <usize>i * 8, 64, CT_W, CT_DIG);
  build_table_ct(T, a);
  // T_{i}[j] = -psi(T_{i-1}[j]) = |x|^i j a
  for (let i = 1; i < 4; i++) {
    for (let j = 0; j < CT_TBL; j++) {
      const e = T + <usize>i * TS + <usize>j * G2_SIZE;
      g2_psi(e, e - TS);
      fp2_neg(e + FS, e + FS);
    }
  }
  lookup_ct(acc, T, load<i32>(dg + <usize>(CT_DIG - 1) * 4));
  for (let p = 1; p < 4; p++) {
    lookup_ct(sel, T + <usize>p * TS, load<i32>(dg + (<usize>p * CT_DIG + <usize>(CT_DIG - 1)) * 4));
    g2_add(acc, acc, sel);
  }
  for (let i = CT_DIG - 2; i >= 0; i--) {
    for (let s = 0; s < CT_W; s++) g2_double(acc, acc);
    for (let p = 0; p < 4; p++) {
      lookup_ct(sel, T + <usize>p * TS, load<i32>(dg + (<usize>p * CT_DIG + <usize>i) * 4));
      g2_add(acc, acc, sel);
    }
  }
  memory.copy(out, acc, G2_SIZE);
  tmp_reset(mk);
}

/** As g2_mul with k as 32 big-endian bytes at kbe. CONSTANT TIME in k. */
export function g2_mul_be(out: usize, a: usize, kbe: usize): void {
  const mk = tmp_mark();
  const k = tmp_alloc(32);
  sc_from_be(k, kbe);
  g2_mul(out, a, k);
  tmp_reset(mk);
}

const VT_W: i32 = 5;
const VT_TBL: i32 = 8; // odd multiples 1, 3, ..., 15
const VT_MAXDIG: i32 = 260;

/** tbl (affine, VT_TBL entries) = odd multiples (2i+1) a of the Jacobian point a. VARIABLE TIME. */
function build_table_vt(tbl: usize, a: usize): void {
  const mk = tmp_mark();
  const pts = tmp_alloc(<usize>VT_TBL * G2_SIZE);
  const d = tmp_alloc(G2_SIZE);
  const p = tmp_alloc(G2_SIZE);
  g2j_double(d, a);
  memory.copy(pts, a, G2_SIZE);
  for (let i = 1; i < VT_TBL; i++) {
    g2j_add(pts + <usize>i * G2_SIZE, pts + <usize>(i - 1) * G2_SIZE, d);
  }
  // Jacobian -> projective in place, then batch-normalise
  for (let i = 0; i < VT_TBL; i++) {
    g2j_to_proj(p, pts + <usize>i * G2_SIZE);
    memory.copy(pts + <usize>i * G2_SIZE, p, G2_SIZE);
  }
  g2_batch_to_affine(tbl, pts, VT_TBL);
  tmp_reset(mk);
}

/** acc (Jacobian) += sign(d) tbl[|d| >> 1]. VARIABLE TIME. */
function add_digit_vt(acc: usize, tbl: usize, d: i32, tmp: usize): void {
  if (d == 0) return;
  const e = tbl + <usize>((d < 0 ? -d : d) >> 1) * G2_AFFINE_SIZE;
  if (d > 0) {
    g2j_add_affine(acc, acc, e);
  } else {
    memory.copy(tmp, e, G2_AFFINE_SIZE);
    fp2_neg(tmp + FS, tmp + FS);
    g2j_add_affine(acc, acc, tmp);
  }
}

/** out = k a, k as 8 LE u32 words (reduced mod r first). VARIABLE TIME: public
 *  k only. 4-dimensional GLS (psi) + width-5 wNAF, Jacobian internally.
 *  Requires a in G2. */
export function g2_mul_vartime(out: usize, a: usize, k: usize): void {
  const mk = tmp_mark();
  const kk = tmp_alloc(32);
  const parts = tmp_alloc(32);
  const w = tmp_alloc(16);
  const dg = tmp_alloc(4 * <usize>VT_MAXDIG * 4);
  const T = tmp_alloc(4 * <usize>VT_TBL * G2_AFFINE_SIZE);
  const acc = tmp_alloc(G2_SIZE);
  const tmp = tmp_alloc(G2_AFFINE_SIZE);
  const TS = <usize>VT_TBL * G2_AFFINE_SIZE;
  sc_reduce_r(kk, k);
  if (g2_is_identity(a)) {
    g2_set_identity(out);
    tmp_reset(mk);
    return;
  }
  sc_split_x4(parts, kk);
  let n = 0;
  const lens = tmp_alloc(16);
  for (let i = 0; i < 4; i++) {
    store<u64>(w, load<u64>(parts + <usize>i * 8));
    store<u64>(w, 0, 8);
    const len = sc_wnaf(dg + <usize>i * VT_MAXDIG * 4, w, 3, VT_W, VT_MAXDIG);
    store<i32>(lens + <usize>i * 4, len);
    if (len > n) n = len;
  }
  g2j_from_proj(acc, a);
  build_table_vt(T, acc);
  for (let i = 1; i < 4; i++) {
    for (let j = 0; j < VT_TBL; j++) {
      const e = T + <usize>i * TS + <usize>j * G2_AFFINE_SIZE;
      psi_affine(e, e - TS);
      fp2_neg(e + FS, e + FS);
    }
  }
  g2_set_identity(acc);
  for (let i = n - 1; i >= 0; i--) {
    g2j_double(acc, acc);
    for (let p = 0; p < 4; p++) {
      if (i < load<i32>(lens + <usize>p * 4)) {
        add_digit_vt(acc, T + <usize>p * TS, load<i32>(dg + (<usize>p * VT_MAXDIG + <usize>i) * 4), tmp);
      }
    }
  }
  g2j_to_proj(out, acc);
  tmp_reset(mk);
}

/** As g2_mul_vartime with k as 32 big-endian bytes. VARIABLE TIME. */
export function g2_mul_vartime_be(out: usize, a: usize, kbe: usize): void {
  const mk = tmp_mark();
  const k = tmp_alloc(32);
  sc_from_be(k, kbe);
  g2_mul_vartime(out, a, k);
  tmp_reset(mk);
}

/** out = k a for ANY point of E2 (no endomorphism, so also outside G2), k as
 *  8 LE u32 words, NOT reduced mod r. Width-5 wNAF, VARIABLE TIME. */
export function g2_mul_any_vartime(out: usize, a: usize, k: usize): void {
  const mk = tmp_mark();
  const kk = tmp_alloc(40);
  const d = tmp_alloc(<usize>VT_MAXDIG * 4);
  const T = tmp_alloc(<usize>VT_TBL * G2_AFFINE_SIZE);
  const acc = tmp_alloc(G2_SIZE);
  const tmp = tmp_alloc(G2_AFFINE_SIZE);
  memory.copy(kk, k, 32);
  store<u64>(kk, 0, 32);
  if (g2_is_identity(a)) {
    g2_set_identity(out);
    tmp_reset(mk);
    return;
  }
  const n = sc_wnaf(d, kk, 9, VT_W, VT_MAXDIG);
  g2j_from_proj(acc, a);
  build_table_vt(T, acc);
  fp2_set_zero(acc + FS2);
  for (let i = n - 1; i >= 0; i--) {
    g2j_double(acc, acc);
    add_digit_vt(acc, T, load<i32>(d + <usize>i * 4), tmp);
  }
  g2j_to_proj(out, acc);
  tmp_reset(mk);
}
