// WASM exports of RFC 9380 hash-to-curve for BLS12-381 (see docs/wasm-h2c.md).
//
// expand_message_xmd (SHA-256) runs in TypeScript; these functions take its
// uniform bytes. All take pointers (TypeScript passes addresses inside the I/O
// buffer, io_ptr()) and write points in the curve layer's projective layout
// (docs/wasm-curves.md: G1 = X, Y, Z as Fp, G1_SIZE = 156 bytes; G2 = X, Y, Z
// as Fp2, G2_SIZE = 312 bytes; Montgomery limbs, not bytes). `out` may be the
// same address as the input (it is consumed first) but must not partly overlap
// it. Variable time: inputs are public (hashes of messages).
// Every export leaves the tmp stack as it found it.

import { FP_SIZE, fp_from_bytes, fp_from_bytes_wide, fp_inv_vartime, fp_is_zero, fp_mul, fp_to_bytes } from './fp';
import { FP2_SIZE, fp2_from_bytes, fp2_inv_vartime, fp2_is_zero, fp2_mul, fp2_to_bytes } from './fp2';
import { tmp_alloc, tmp_mark, tmp_reset } from './mem';
import { map_to_curve_g1, map2_to_curve_g1, H2C_G1_POINT_SIZE } from './h2c_g1';
import { map_to_curve_g2, H2C_G2_POINT_SIZE } from './h2c_g2';
import { G1_SIZE, g1_clear_cofactor } from './g1';
import { G2_SIZE, g2_add, g2_clear_cofactor } from './g2';

// ---------------------------------------------------------------------------
// hash_to_curve (RO) and encode_to_curve (NU), RFC 9380 §3.

/** G1 hash_to_curve: `uniform` = 128 bytes of expand_message_xmd output; u0, u1 =
 *  the two 64-byte big-endian halves mod p (hash_to_field, L = 64);
 *  out (G1_SIZE) = clear_cofactor(map_to_curve(u0) + map_to_curve(u1)).
 *  `out` may equal `uniform` (the input is consumed first). */
export function h2c_g1_hash(out: usize, uniform: usize): void {
  const mk = tmp_mark();
  const u0 = tmp_alloc(FP_SIZE);
  const u1 = tmp_alloc(FP_SIZE);
  const r = tmp_alloc(G1_SIZE);
  fp_from_bytes_wide(u0, uniform);
  fp_from_bytes_wide(u1, uniform + 64);
  map2_to_curve_g1(r, u0, u1);
  g1_clear_cofactor(out, r);
  tmp_reset(mk);
}

/** G1 encode_to_curve: `uniform` = 64 bytes; out = clear_cofactor(map_to_curve(u)).
 *  `out` may equal `uniform`. */
export function h2c_g1_encode(out: usize, uniform: usize): void {
  const mk = tmp_mark();
  const u = tmp_alloc(FP_SIZE);
  const q = tmp_alloc(G1_SIZE);
  fp_from_bytes_wide(u, uniform);
  map_to_curve_g1(q, u);
  g1_clear_cofactor(out, q);
  tmp_reset(mk);
}

/** G2 hash_to_curve: `uniform` = 256 bytes = u0.c0, u0.c1, u1.c0, u1.c1 (64 bytes each,
 *  RFC 9380 §5.2 order), each reduced mod p; out (G2_SIZE) = clear_cofactor(Q0 + Q1).
 *  `out` may equal `uniform`. */
export function h2c_g2_hash(out: usize, uniform: usize): void {
  const mk = tmp_mark();
  const u = tmp_alloc(FP2_SIZE);
  const q0 = tmp_alloc(G2_SIZE);
  const q1 = tmp_alloc(G2_SIZE);
  fp_from_bytes_wide(u, uniform);
  fp_from_bytes_wide(u + FP_SIZE, uniform + 64);
  map_to_curve_g2(q0, u);
  fp_from_bytes_wide(u, uniform + 128);
  fp_from_bytes_wide(u + FP_SIZE, uniform + 192);
  map_to_curve_g2(q1, u);
  g2_add(q0, q0, q1);
  g2_clear_cofactor(out, q0);
  tmp_reset(mk);
}

/** G2 encode_to_curve: `uniform` = 128 bytes (u.c0, u.c1); out = clear_cofactor(map_to_curve(u)).
 *  `out` may equal `uniform`. */
export function h2c_g2_encode(out: usize, uniform: usize): void {
  const mk = tmp_mark();
  const u = tmp_alloc(FP2_SIZE);
  const q = tmp_alloc(G2_SIZE);
  fp_from_bytes_wide(u, uniform);
  fp_from_bytes_wide(u + FP_SIZE, uniform + 64);
  map_to_curve_g2(q, u);
  g2_clear_cofactor(out, q);
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// EIP-2537 MAP_FP_TO_G1 / MAP_FP2_TO_G2 (without the 16-byte zero padding of the
// precompile ABI: TypeScript checks and strips it).

/** out (G1_SIZE) = clear_cofactor(map_to_curve(u)), u = 48 canonical big-endian bytes at fe.
 *  Returns 0, or 1 if u >= p (out untouched). `out` may equal `fe`. */
export function h2c_g1_map_fp(out: usize, fe: usize): i32 {
  const mk = tmp_mark();
  const u = tmp_alloc(FP_SIZE);
  const q = tmp_alloc(G1_SIZE);
  let ret: i32 = 1;
  if (fp_from_bytes(u, fe) == 0) {
    map_to_curve_g1(q, u);
    g1_clear_cofactor(out, q);
    ret = 0;
  }
  tmp_reset(mk);
  return ret;
}

/** out (G2_SIZE) = clear_cofactor(map_to_curve(u)), u = c0 || c1 (96 canonical big-endian
 *  bytes) at fe. Returns 0, or 1 if a coefficient is >= p (out untouched). `out` may equal `fe`. */
export function h2c_g2_map_fp2(out: usize, fe: usize): i32 {
  const mk = tmp_mark();
  const u = tmp_alloc(FP2_SIZE);
  const q = tmp_alloc(G2_SIZE);
  let ret: i32 = 1;
  if (fp2_from_bytes(u, fe) == 0) {
    map_to_curve_g2(q, u);
    g2_clear_cofactor(out, q);
    ret = 0;
  }
  tmp_reset(mk);
  return ret;
}

// ---------------------------------------------------------------------------
// map_to_curve only (before clear_cofactor): for tests and for callers that
// want Q0 / Q1 / Q of RFC 9380.

/** out = map_to_curve(u) on E1 (NOT cleared), u = 48 big-endian bytes at `fe`.
 *  Returns 0, or 1 if u >= p (out untouched). */
export function h2c_g1_map_to_curve(out: usize, fe: usize): i32 {
  const mk = tmp_mark();
  const u = tmp_alloc(FP_SIZE);
  let ret: i32 = 1;
  if (fp_from_bytes(u, fe) == 0) {
    map_to_curve_g1(out, u);
    ret = 0;
  }
  tmp_reset(mk);
  return ret;
}

/** out = map_to_curve(u) on E2 (NOT cleared), u = c0 || c1 (96 big-endian bytes) at `fe`.
 *  Returns 0, or 1 if a coefficient is >= p (out untouched). */
export function h2c_g2_map_to_curve(out: usize, fe: usize): i32 {
  const mk = tmp_mark();
  const u = tmp_alloc(FP2_SIZE);
  let ret: i32 = 1;
  if (fp2_from_bytes(u, fe) == 0) {
    map_to_curve_g2(out, u);
    ret = 0;
  }
  tmp_reset(mk);
  return ret;
}

/** hash_to_field for G1 (L = 64): out = (64 big-endian bytes at src) mod p, as 48 canonical bytes. */
export function h2c_fp_from_uniform(dst: usize, src: usize): void {
  const mk = tmp_mark();
  const u = tmp_alloc(FP_SIZE);
  fp_from_bytes_wide(u, src);
  fp_to_bytes(dst, u);
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// Affine big-endian output (tests, EIP-2537-style encodings).

/** Writes the projective G1 point at p as affine x || y (96 bytes big-endian) at dst.
 *  Returns 1 for the identity (then writes 96 zero bytes, the EIP-2537 encoding), else 0. */
export function h2c_g1_affine_be(dst: usize, p: usize): i32 {
  const Z = p + 2 * FP_SIZE;
  if (fp_is_zero(Z)) {
    memory.fill(dst, 0, 96);
    return 1;
  }
  const mk = tmp_mark();
  const zi = tmp_alloc(FP_SIZE);
  const t = tmp_alloc(FP_SIZE);
  fp_inv_vartime(zi, Z);
  fp_mul(t, p, zi);
  fp_to_bytes(dst, t);
  fp_mul(t, p + FP_SIZE, zi);
  fp_to_bytes(dst + 48, t);
  tmp_reset(mk);
  return 0;
}

/** Writes the projective G2 point at p as affine x.c0 || x.c1 || y.c0 || y.c1
 *  (192 bytes big-endian, EIP-2537 order; note ZCash puts c1 first) at dst.
 *  Returns 1 for the identity (then writes 192 zero bytes), else 0. */
export function h2c_g2_affine_be(dst: usize, p: usize): i32 {
  const Z = p + 2 * FP2_SIZE;
  if (fp2_is_zero(Z)) {
    memory.fill(dst, 0, 192);
    return 1;
  }
  const mk = tmp_mark();
  const zi = tmp_alloc(FP2_SIZE);
  const t = tmp_alloc(FP2_SIZE);
  fp2_inv_vartime(zi, Z);
  fp2_mul(t, p, zi);
  fp2_to_bytes(dst, t);
  fp2_mul(t, p + FP2_SIZE, zi);
  fp2_to_bytes(dst + 96, t);
  tmp_reset(mk);
  return 0;
}

/** Bytes of the projective points written by these exports (G1, G2). */
export function h2c_g1_point_size(): usize {
  return H2C_G1_POINT_SIZE;
}
export function h2c_g2_point_size(): usize {
  return H2C_G2_POINT_SIZE;
}
