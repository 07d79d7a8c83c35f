// Scalar helpers of the MSM (wasm/msm.ts, wasm/msm_g2.ts). VARIABLE TIME:
// MSM scalars are public in every MedChain use (audit challenges, batch
// verification randomisers), see docs/wasm-msm.md.

import { sc_from_be, sc_reduce_r, sc_is_zero } from './curve_scalar';

/** |x| = 2^16 * XD, XD = 0xd20100000001 (48 bits). */
const XD: u64 = 0xd20100000001;

/** q = floor(k / |x|) for the integer k of `words` little-endian u32 words;
 *  returns k mod |x|. q may alias k. VARIABLE TIME (i64 division per 16 bits). */
export function msm_div_xabs(q: usize, k: usize, words: i32): u64 {
  const low16: u64 = <u64>(load<u32>(k) & 0xffff);
  const chunks = words << 1; // 16-bit chunks, little-endian
  let rem: u64 = 0;
  // (k >> 16) / XD, chunk by chunk from the top; quotient chunk i-1 <- chunk i
  // (chunk i-1 is read before it is overwritten, so q may alias k)
  let next: u64 = <u64>load<u16>(k + (<usize>(chunks - 1) << 1));
  for (let i = chunks - 1; i >= 1; i--) {
    const cur: u64 = (rem << 16) | next;
    next = <u64>load<u16>(k + (<usize>(i - 1) << 1));
    const qq = cur / XD;
    rem = cur - qq * XD;
    store<u16>(q + (<usize>(i - 1) << 1), <u16>qq);
  }
  store<u16>(q + (<usize>(chunks - 1) << 1), 0);
  return (rem << 16) | low16;
}

/** 128-bit a * b (u64 x u64) + c, stored as 4 LE u32 words at out. */
function mul_add_128(out: usize, a: u64, b: u64, c: u64): void {
  const a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  // lo 64 and hi 64 with carries
  let mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  let lo = (p00 & 0xffffffff) | (mid << 32);
  let hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
  const lo2 = lo + c;
  if (lo2 < lo) hi++;
  store<u64>(out, lo2);
  store<u64>(out, hi, 8);
}

/** From 32 big-endian bytes at src: k mod r, written as 8 words at k8.
 *  Returns false iff k mod r == 0. */
export function msm_scalar_load(k8: usize, src: usize): bool {
  sc_from_be(k8, src);
  sc_reduce_r(k8, k8);
  return !sc_is_zero(k8);
}

/** G1 GLV split of k (8 words, < r, destroyed): k = k1 + k2 x^2 with
 *  0 <= k1 < x^2, 0 <= k2 < 2^128; k1, k2 as 4 words each. VARIABLE TIME. */
export function msm_split_x2(k1: usize, k2: usize, k: usize): void {
  const r1 = msm_div_xabs(k, k, 8); // k <- q1
  const r2 = msm_div_xabs(k, k, 8); // k <- q2 < 2^128
  mul_add_128(k1, r2, 0xd201000000010000, r1);
  store<u64>(k2, load<u64>(k));
  store<u64>(k2, load<u64>(k, 8), 8);
}

/** G2 GLS split of k (8 words, < r, destroyed): k = d0 + d1|x| + d2|x|^2 + d3|x|^3,
 *  each 0 <= d_i < 2^64, written as u64 at out + 8i. VARIABLE TIME. */
export function msm_split_x4(out: usize, k: usize): void {
  store<u64>(out, msm_div_xabs(k, k, 8));
  store<u64>(out, msm_div_xabs(k, k, 8), 8);
  store<u64>(out, msm_div_xabs(k, k, 8), 16);
  store<u64>(out, load<u64>(k), 24);
}

/** Signed c-bit recoding of the integer at k (sw words, < 2^(nw c)): writes nw
 *  digits (i32) at dig, k = sum d_i 2^(c i), d_i in [-2^(c-1), 2^(c-1)] except
 *  the top one, which is in [0, (k >> (c (nw-1))) + 1] (no carry out of it).
 *  VARIABLE TIME. */
export function msm_recode(dig: usize, k: usize, sw: i32, c: i32, nw: i32): void {
  const half: i32 = 1 << (c - 1);
  const full: i32 = 1 << c;
  const mask: u64 = (<u64>1 << <u64>c) - 1;
  let carry: i32 = 0;
  for (let w = 0; w < nw; w++) {
    const pos = w * c;
    const wi = pos >> 5;
    let v: u64 = 0;
    if (wi < sw) {
      v = <u64>load<u32>(k + (<usize>wi << 2));
      if (wi + 1 < sw) v |= (<u64>load<u32>(k + (<usize>(wi + 1) << 2))) << 32;
      v = (v >> <u64>(pos & 31)) & mask;
    }
    let d = <i32>v + carry;
    if (d > half && w < nw - 1) {
      d -= full;
      carry = 1;
    } else carry = 0;
    store<i32>(dig + (<usize>w << 2), d);
  }
}
