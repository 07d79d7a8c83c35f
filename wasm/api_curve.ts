// WASM exports of the curve layer for src/lib/crypto/ (docs/wasm-curves.md).
// Every function takes pointers (normally into the I/O buffer, io_ptr());
// points are projective G1_SIZE / G2_SIZE byte images that TypeScript may keep
// as its own copies; scalars are 32 big-endian bytes (any value, reduced mod r).

import { tmp_used, tmp_mark, tmp_alloc, tmp_reset } from './mem';
import {
  G1_SIZE,
  g1_generator as g1gen,
  g1_set_identity,
  g1_add as g1add,
  g1_double as g1dbl,
  g1_neg as g1neg,
  g1_eq as g1eq,
  g1_is_identity as g1isid,
  g1_is_on_curve,
  g1_is_in_subgroup,
  g1_mul_be,
  g1_mul_vartime_be,
  g1_mul_any_vartime,
  g1_clear_cofactor as g1cc
} from './g1';
import {
  G2_SIZE,
  g2_generator as g2gen,
  g2_set_identity,
  g2_add as g2add,
  g2_double as g2dbl,
  g2_neg as g2neg,
  g2_eq as g2eq,
  g2_is_identity as g2isid,
  g2_is_on_curve,
  g2_is_in_subgroup,
  g2_mul_be,
  g2_mul_vartime_be,
  g2_mul_any_vartime,
  g2_clear_cofactor as g2cc
} from './g2';
import { sc_from_be } from './curve_scalar';
import { g1_decode as g1dec, g1_decode_unchecked as g1decu, g1_encode as g1enc, g2_decode as g2dec, g2_decode_unchecked as g2decu, g2_encode as g2enc } from './serialize';

/** Bytes of a projective G1 point image (156). */
export function g1_size(): usize {
  return G1_SIZE;
}
/** Bytes of a projective G2 point image (312). */
export function g2_size(): usize {
  return G2_SIZE;
}
/** Bytes of temporaries in use (0 between calls). */
export function curve_tmp_used(): usize {
  return tmp_used();
}

export function g1_generator(out: usize): void { g1gen(out); }
export function g1_identity(out: usize): void { g1_set_identity(out); }
export function g1_add(out: usize, a: usize, b: usize): void { g1add(out, a, b); }
export function g1_double(out: usize, a: usize): void { g1dbl(out, a); }
export function g1_neg(out: usize, a: usize): void { g1neg(out, a); }
export function g1_eq(a: usize, b: usize): bool { return g1eq(a, b); }
export function g1_is_identity(a: usize): bool { return g1isid(a); }
export function g1_on_curve(a: usize): bool { return g1_is_on_curve(a); }
export function g1_in_subgroup(a: usize): bool { return g1_is_in_subgroup(a); }
/** out = k a, k 32 bytes big-endian, constant time in k; a must be in G1. */
export function g1_mul_ct(out: usize, a: usize, k: usize): void { g1_mul_be(out, a, k); }
/** out = k a, k 32 bytes big-endian, variable time (public k); a must be in G1. */
export function g1_mul_vt(out: usize, a: usize, k: usize): void { g1_mul_vartime_be(out, a, k); }
/** out = k a for any curve point a (k NOT reduced mod r), variable time. */
export function g1_mul_any_vt(out: usize, a: usize, kbe: usize): void {
  const mk = tmp_mark();
  const k = tmp_alloc(32);
  sc_from_be(k, kbe);
  g1_mul_any_vartime(out, a, k);
  tmp_reset(mk);
}
export function g1_clear_cofactor(out: usize, a: usize): void { g1cc(out, a); }
export function g1_encode(dst: usize, a: usize, compressed: bool): i32 { return g1enc(dst, a, compressed); }
export function g1_decode(out: usize, src: usize, len: i32): i32 { return g1dec(out, src, len); }
export function g1_decode_unchecked(out: usize, src: usize, len: i32): i32 { return g1decu(out, src, len); }

export function g2_generator(out: usize): void { g2gen(out); }
export function g2_identity(out: usize): void { g2_set_identity(out); }
export function g2_add(out: usize, a: usize, b: usize): void { g2add(out, a, b); }
export function g2_double(out: usize, a: usize): void { g2dbl(out, a); }
export function g2_neg(out: usize, a: usize): void { g2neg(out, a); }
export function g2_eq(a: usize, b: usize): bool { return g2eq(a, b); }
export function g2_is_identity(a: usize): bool { return g2isid(a); }
export function g2_on_curve(a: usize): bool { return g2_is_on_curve(a); }
export function g2_in_subgroup(a: usize): bool { return g2_is_in_subgroup(a); }
export function g2_mul_ct(out: usize, a: usize, k: usize): void { g2_mul_be(out, a, k); }
export function g2_mul_vt(out: usize, a: usize, k: usize): void { g2_mul_vartime_be(out, a, k); }
/** out = k a for any curve point a (k NOT reduced mod r), variable time. */
export function g2_mul_any_vt(out: usize, a: usize, kbe: usize): void {
  const mk = tmp_mark();
  const k = tmp_alloc(32);
  sc_from_be(k, kbe);
  g2_mul_any_vartime(out, a, k);
  tmp_reset(mk);
}
export function g2_clear_cofactor(out: usize, a: usize): void { g2cc(out, a); }
export function g2_encode(dst: usize, a: usize, compressed: bool): i32 { return g2enc(dst, a, compressed); }
export function g2_decode(out: usize, src: usize, len: i32): i32 { return g2dec(out, src, len); }
export function g2_decode_unchecked(out: usize, src: usize, len: i32): i32 { return g2decu(out, src, len); }
