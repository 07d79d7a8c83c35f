// ZCash / IETF serialisation of G1 and G2 points (zkcrypto/bls12_381
// notes/serialization.md; the format of @noble/curves, blst and mcl).
//
// G1: 48 bytes compressed (x), 96 uncompressed (x || y). G2: 96 / 192 bytes,
// each Fp2 written c1 || c0 (imaginary part first). Fp: 48 bytes big-endian.
// Byte 0, bit 7 (0x80): compressed; bit 6 (0x40): infinity (all other bits and
// bytes zero); bit 5 (0x20): sort, compressed only: y is the lexicographically
// largest of the two roots (Fp: y > (p-1)/2; Fp2: c1 decides, c0 if c1 == 0).
//
// Decoders return a status code (DECODE_*, docs/wasm-curves.md); on failure
// `out` is unspecified. Checks run in order: length, flags, infinity
// canonical, coordinates < p, on curve, subgroup (checked decoders only).
// Encoding normalises with a constant-time inversion.

import { FP_SIZE, fp_from_bytes, fp_to_bytes, fp_sqr, fp_mul, fp_add, fp_eq, fp_neg, fp_sqrt, fp_is_lex_largest, fp_set_one, fp_copy } from './fp';
import { FP2_SIZE, fp2_sqr, fp2_mul, fp2_add, fp2_eq, fp2_neg, fp2_sqrt, fp2_is_lex_largest, fp2_set_one, fp2_mul_by_nonresidue, fp2_copy } from './fp2';
import { tmp_alloc, tmp_mark, tmp_reset } from './mem';
import { G1_AFFINE_SIZE, G1_AFFINE_INF, g1_set_identity, g1_to_affine, g1_is_in_subgroup } from './g1';
import { G2_AFFINE_SIZE, G2_AFFINE_INF, g2_set_identity, g2_to_affine, g2_is_in_subgroup } from './g2';

export const DECODE_OK: i32 = 0;
export const DECODE_BAD_LENGTH: i32 = 1;
export const DECODE_BAD_FLAGS: i32 = 2;
export const DECODE_NON_CANONICAL: i32 = 3;
export const DECODE_BAD_INFINITY: i32 = 4;
export const DECODE_NOT_ON_CURVE: i32 = 5;
export const DECODE_NOT_IN_SUBGROUP: i32 = 6;

const FLAG_C: u32 = 0x80;
const FLAG_I: u32 = 0x40;
const FLAG_S: u32 = 0x20;

/** Common flag checks. Returns a status, or -1 for "valid infinity", or -2 to continue. */
function check_flags(src: usize, len: i32, clen: i32): i32 {
  const b0 = <u32>load<u8>(src);
  const compressed = len == clen;
  const c = (b0 & FLAG_C) != 0;
  const inf = (b0 & FLAG_I) != 0;
  const srt = (b0 & FLAG_S) != 0;
  if (c != compressed) return DECODE_BAD_FLAGS;
  if (srt && (!compressed || inf)) return DECODE_BAD_FLAGS;
  if (inf) {
    let z: u32 = b0 & 0x1f;
    for (let i = 1; i < len; i++) z |= load<u8>(src + <usize>i);
    return z != 0 ? DECODE_BAD_INFINITY : -1;
  }
  return -2;
}

/** out = the Fp element of 48 big-endian bytes at src with the top 3 bits of
 *  byte 0 cleared when `mask`; returns true iff canonical (< p). */
function read_fp(out: usize, src: usize, mask: bool): bool {
  const mk = tmp_mark();
  const b = tmp_alloc(48);
  memory.copy(b, src, 48);
  if (mask) store<u8>(b, load<u8>(b) & 0x1f);
  const ok = fp_from_bytes(out, b) == 0;
  tmp_reset(mk);
  return ok;
}

/** Decodes a G1 point (len 48 = compressed, 96 = uncompressed) into out
 *  (projective, Z = 1). `check` enables the subgroup check. */
export function g1_decode_with(out: usize, src: usize, len: i32, check: bool): i32 {
  if (len != 48 && len != 96) return DECODE_BAD_LENGTH;
  const f = check_flags(src, len, 48);
  if (f == -1) {
    g1_set_identity(out);
    return DECODE_OK;
  }
  if (f >= 0) return f;
  const mk = tmp_mark();
  const x = tmp_alloc(FP_SIZE);
  const y = tmp_alloc(FP_SIZE);
  const rhs = tmp_alloc(FP_SIZE);
  const t = tmp_alloc(FP_SIZE);
  let st = DECODE_OK;
  if (!read_fp(x, src, true)) st = DECODE_NON_CANONICAL;
  else if (len == 96 && !read_fp(y, src + 48, false)) st = DECODE_NON_CANONICAL;
  if (st == DECODE_OK) {
    // rhs = x^3 + 4
    fp_sqr(rhs, x);
    fp_mul(rhs, rhs, x);
    fp_set_one(t);
    fp_add(t, t, t);
    fp_add(t, t, t);
    fp_add(rhs, rhs, t);
    if (len == 48) {
      if (!fp_sqrt(y, rhs)) st = DECODE_NOT_ON_CURVE;
      else {
        const want = (load<u8>(src) & FLAG_S) != 0;
        if (fp_is_lex_largest(y) != want) fp_neg(y, y);
      }
    } else {
      fp_sqr(t, y);
      if (!fp_eq(t, rhs)) st = DECODE_NOT_ON_CURVE;
    }
  }
  if (st == DECODE_OK) {
    fp_copy(out, x);
    fp_copy(out + FP_SIZE, y);
    fp_set_one(out + 2 * FP_SIZE);
    if (check && !g1_is_in_subgroup(out)) st = DECODE_NOT_IN_SUBGROUP;
  }
  tmp_reset(mk);
  return st;
}

/** Checked G1 decode (flags, canonical, on curve, in G1). Returns DECODE_*. */
export function g1_decode(out: usize, src: usize, len: i32): i32 {
  return g1_decode_with(out, src, len, true);
}

/** G1 decode WITHOUT the subgroup check: only for trusted input (bytes this
 *  process encoded itself or read from its own store). Returns DECODE_*. */
export function g1_decode_unchecked(out: usize, src: usize, len: i32): i32 {
  return g1_decode_with(out, src, len, false);
}

/** Writes p as 48 (compressed) or 96 bytes at dst; returns the length. */
export function g1_encode(dst: usize, p: usize, compressed: bool): i32 {
  const len: i32 = compressed ? 48 : 96;
  const mk = tmp_mark();
  const a = tmp_alloc(G1_AFFINE_SIZE);
  g1_to_affine(a, p);
  if (load<u32>(a + G1_AFFINE_INF) != 0) {
    memory.fill(dst, 0, <usize>len);
    store<u8>(dst, <u8>(compressed ? FLAG_C | FLAG_I : FLAG_I));
  } else {
    fp_to_bytes(dst, a);
    if (compressed) {
      const s: u32 = fp_is_lex_largest(a + FP_SIZE) ? FLAG_S : 0;
      store<u8>(dst, <u8>(load<u8>(dst) | FLAG_C | s));
    } else {
      fp_to_bytes(dst + 48, a + FP_SIZE);
    }
  }
  tmp_reset(mk);
  return len;
}

/** out (Fp2) = c1 || c0 at src (96 bytes), top 3 bits of byte 0 masked when `mask`. */
function read_fp2(out: usize, src: usize, mask: bool): bool {
  const ok1 = read_fp(out + FP_SIZE, src, mask);
  const ok0 = read_fp(out, src + 48, false);
  return ok1 && ok0;
}

function write_fp2(dst: usize, a: usize): void {
  fp_to_bytes(dst, a + FP_SIZE);
  fp_to_bytes(dst + 48, a);
}

/** Decodes a G2 point (len 96 = compressed, 192 = uncompressed). */
export function g2_decode_with(out: usize, src: usize, len: i32, check: bool): i32 {
  if (len != 96 && len != 192) return DECODE_BAD_LENGTH;
  const f = check_flags(src, len, 96);
  if (f == -1) {
    g2_set_identity(out);
    return DECODE_OK;
  }
  if (f >= 0) return f;
  const mk = tmp_mark();
  const x = tmp_alloc(FP2_SIZE);
  const y = tmp_alloc(FP2_SIZE);
  const rhs = tmp_alloc(FP2_SIZE);
  const t = tmp_alloc(FP2_SIZE);
  let st = DECODE_OK;
  if (!read_fp2(x, src, true)) st = DECODE_NON_CANONICAL;
  else if (len == 192 && !read_fp2(y, src + 96, false)) st = DECODE_NON_CANONICAL;
  if (st == DECODE_OK) {
    // rhs = x^3 + 4(u + 1)
    fp2_sqr(rhs, x);
    fp2_mul(rhs, rhs, x);
    fp2_set_one(t);
    fp2_add(t, t, t);
    fp2_add(t, t, t);
    fp2_mul_by_nonresidue(t, t);
    fp2_add(rhs, rhs, t);
    if (len == 96) {
      if (!fp2_sqrt(y, rhs)) st = DECODE_NOT_ON_CURVE;
      else {
        const want = (load<u8>(src) & FLAG_S) != 0;
        if (fp2_is_lex_largest(y) != want) fp2_neg(y, y);
      }
    } else {
      fp2_sqr(t, y);
      if (!fp2_eq(t, rhs)) st = DECODE_NOT_ON_CURVE;
    }
  }
  if (st == DECODE_OK) {
    fp2_copy(out, x);
    fp2_copy(out + FP2_SIZE, y);
    fp2_set_one(out + 2 * FP2_SIZE);
    if (check && !g2_is_in_subgroup(out)) st = DECODE_NOT_IN_SUBGROUP;
  }
  tmp_reset(mk);
  return st;
}

/** Checked G2 decode (flags, canonical, on curve, in G2). Returns DECODE_*. */
export function g2_decode(out: usize, src: usize, len: i32): i32 {
  return g2_decode_with(out, src, len, true);
}

/** G2 decode WITHOUT the subgroup check (trusted input only). Returns DECODE_*. */
export function g2_decode_unchecked(out: usize, src: usize, len: i32): i32 {
  return g2_decode_with(out, src, len, false);
}

/** Writes p as 96 (compressed) or 192 bytes at dst; returns the length. */
export function g2_encode(dst: usize, p: usize, compressed: bool): i32 {
  const len: i32 = compressed ? 96 : 192;
  const mk = tmp_mark();
  const a = tmp_alloc(G2_AFFINE_SIZE);
  g2_to_affine(a, p);
  if (load<u32>(a + G2_AFFINE_INF) != 0) {
    memory.fill(dst, 0, <usize>len);
    store<u8>(dst, <u8>(compressed ? FLAG_C | FLAG_I : FLAG_I));
  } else {
    write_fp2(dst, a);
    if (compressed) {
      const s: u32 = fp2_is_lex_largest(a + FP2_SIZE) ? FLAG_S : 0;
      store<u8>(dst, <u8>(load<u8>(dst) | FLAG_C | s));
    } else {
      write_fp2(dst + 96, a + FP2_SIZE);
    }
  }
  tmp_reset(mk);
  return len;
}

