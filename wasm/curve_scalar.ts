// Scalars for the curve layer: 256-bit integers as 8 little-endian u32 words.
//
// - sc_from_be: 32 big-endian bytes -> words.
// - sc_reduce_r: k mod r (k < 2^256 < 3r: two CT conditional subtractions).
// - sc_divrem_x2 / sc_split_x4: the GLV (G1) and GLS (G2) decompositions
//   k = k1 + k2 x^2 and k = d0 + d1|x| + d2|x|^2 + d3|x|^3, by a constant-time
//   bit-serial long division by a public constant (no branch or memory index
//   depends on k).
// - sc_recode_signed: CT signed fixed windows (digits in [-2^(w-1), 2^(w-1)]).
// - sc_wnaf: variable-time width-w NAF (public scalars only).
//
// Constant time unless marked vartime.

import { tmp_alloc, tmp_mark, tmp_reset } from './mem';

/** Bytes of an internal scalar (8 u32 words, little-endian). */
export const SC_SIZE: usize = 32;

/** r (the group order) as 8 little-endian u32 words. */
export const SC_R: usize = memory.data<u32>([0x1, 0xffffffff, 0xfffe5bfe, 0x53bda402, 0x9a1d805, 0x3339d808, 0x299d7d48, 0x73eda753]);
/** |x| = 0xd201000000010000, the absolute value of the BLS parameter. */
export const X_ABS: u64 = 0xd201000000010000;
/** x^2 = 0xac45a4010001a4020000000100000000 as two u64 (lo, hi). */
const X2_LO: u64 = 0x0000000100000000;
const X2_HI: u64 = 0xac45a4010001a402;

/** out (8 words) = the 32 big-endian bytes at src. */
export function sc_from_be(out: usize, src: usize): void {
  for (let i = 0; i < 8; i++) {
    const b = src + <usize>(28 - 4 * i);
    store<u32>(out + (<usize>i << 2), bswap<u32>(load<u32>(b)));
  }
}

/** dst (32 bytes big-endian) = the 8 words at k. */
export function sc_to_be(dst: usize, k: usize): void {
  for (let i = 0; i < 8; i++) {
    store<u32>(dst + <usize>(28 - 4 * i), bswap<u32>(load<u32>(k + (<usize>i << 2))));
  }
}

/** k = k - r if k >= r (constant time). */
function sc_csub_r(k: usize): void {
  let br: i64 = 0;
  const mk = tmp_mark();
  const t = tmp_alloc(32);
  for (let i = 0; i < 8; i++) {
    const d = <i64>load<u32>(k + (<usize>i << 2)) - <i64>load<u32>(SC_R + (<usize>i << 2)) + br;
    store<u32>(t + (<usize>i << 2), <u32>d);
    br = d >> 32; // 0 or -1
  }
  // br == 0 -> k >= r: take t
  const m: u32 = <u32>(br + 1) * 0xffffffff; // br=0 -> all ones, br=-1 -> 0
  for (let i = 0; i < 8; i++) {
    const o = <usize>i << 2;
    store<u32>(k + o, (load<u32>(t + o) & m) | (load<u32>(k + o) & ~m));
  }
  tmp_reset(mk);
}

/** out = k mod r for any 256-bit k (8 words). Constant time. out may alias k. */
export function sc_reduce_r(out: usize, k: usize): void {
  if (out != k) memory.copy(out, k, 32);
  sc_csub_r(out);
  sc_csub_r(out);
}

/** True iff the 8 words at k are all zero (vartime helper for public scalars). */
export function sc_is_zero(k: usize): bool {
  let a: u32 = 0;
  for (let i = 0; i < 8; i++) a |= load<u32>(k + (<usize>i << 2));
  return a == 0;
}

/** q (8 words), rem (two u64 at rem: lo, hi) with k = q * (dhi:dlo) + rem, for a
 *  public divisor of at most 128 bits with its top bit set somewhere in dhi/dlo.
 *  Bit-serial restoring division over all 256 bits of k; constant time in k. */
function divrem128(q: usize, rem: usize, k: usize, dlo: u64, dhi: u64): void {
  let r0: u64 = 0, r1: u64 = 0, r2: u64 = 0;
  for (let w = 7; w >= 0; w--) {
    const kw = load<u32>(k + (<usize>w << 2));
    let qw: u32 = 0;
    for (let b = 31; b >= 0; b--) {
      // rem = rem * 2 + bit
      r2 = (r2 << 1) | (r1 >> 63);
      r1 = (r1 << 1) | (r0 >> 63);
      r0 = (r0 << 1) | <u64>((kw >> <u32>b) & 1);
      // t = rem - d
      const t0 = r0 - dlo;
      const b0: u64 = <u64>(r0 < dlo);
      const t1a = r1 - dhi;
      const b1a: u64 = <u64>(r1 < dhi);
      const t1 = t1a - b0;
      const b1: u64 = b1a | <u64>(t1a < b0);
      const t2 = r2 - b1;
      const b2: u64 = <u64>(r2 < b1);
      // keep t iff no borrow
      const m: u64 = b2 - 1; // b2 = 0 -> all ones
      r0 = (t0 & m) | (r0 & ~m);
      r1 = (t1 & m) | (r1 & ~m);
      r2 = (t2 & m) | (r2 & ~m);
      qw |= (<u32>(m & 1)) << <u32>b;
    }
    store<u32>(q + (<usize>w << 2), qw);
  }
  store<u64>(rem, r0);
  store<u64>(rem, r1, 8);
}

/** G1 GLV split: k (8 words, < r) = k1 + k2 * x^2 with 0 <= k1 < x^2 < 2^128,
 *  0 <= k2 < 2^128. Writes k1 and k2 as 8 words each. Constant time. */
export function sc_split_x2(k1: usize, k2: usize, k: usize): void {
  const mk = tmp_mark();
  const rem = tmp_alloc(16);
  divrem128(k2, rem, k, X2_LO, X2_HI);
  memory.fill(k1, 0, 32);
  store<u64>(k1, load<u64>(rem));
  store<u64>(k1, load<u64>(rem, 8), 8);
  tmp_reset(mk);
}

/** G2 GLS split: k (8 words, < r) = d0 + d1|x| + d2|x|^2 + d3|x|^3 with each
 *  0 <= d_i < |x| < 2^64. Writes d_i as u64 at out + 8i. Constant time. */
export function sc_split_x4(out: usize, k: usize): void {
  const mk = tmp_mark();
  const q = tmp_alloc(32);
  const q2 = tmp_alloc(32);
  const rem = tmp_alloc(16);
  divrem128(q, rem, k, X_ABS, 0);
  store<u64>(out, load<u64>(rem));
  divrem128(q2, rem, q, X_ABS, 0);
  store<u64>(out, load<u64>(rem), 8);
  divrem128(q, rem, q2, X_ABS, 0);
  store<u64>(out, load<u64>(rem), 16);
  store<u64>(out, load<u64>(q), 24);
  tmp_reset(mk);
}

/** Signed fixed-window recoding, constant time: the `nbits`-bit non-negative
 *  integer at k (little-endian u32 words) = sum d_i 2^(w i), i < ndig, with
 *  d_i in [-2^(w-1), 2^(w-1)], written as i32 at digits + 4i. Requires
 *  ndig * w >= nbits + 1 (so no carry leaves the top digit). */
export function sc_recode_signed(digits: usize, k: usize, nbits: i32, w: i32, ndig: i32): void {
  const half: i32 = 1 << (w - 1);
  const mask: u32 = (<u32>1 << <u32>w) - 1;
  let carry: i32 = 0;
  for (let i = 0; i < ndig; i++) {
    const pos = i * w;
    let bits: u32 = 0;
    if (pos < nbits) {
      // pos is public: extract w bits starting at pos from the words
      // (only the words below nbits are read: k may be followed by other data)
      const wi = pos >> 5;
      const sh = pos & 31;
      let v: u64 = <u64>load<u32>(k + (<usize>wi << 2));
      if ((wi + 1) * 32 < nbits) v |= (<u64>load<u32>(k + (<usize>(wi + 1) << 2))) << 32;
      bits = <u32>(v >> <u64>sh) & mask;
      if (pos + w > nbits) bits &= (<u32>1 << <u32>(nbits - pos)) - 1;
    }
    const v = <i32>bits + carry;
    carry = (half - v) >>> 31; // 1 iff v > half
    store<i32>(digits + (<usize>i << 2), v - (carry << w));
  }
}

/** Width-w NAF of the non-negative integer at k (`words` u32 words, k is
 *  modified: destroyed). Writes up to maxlen i32 digits (odd, |d| < 2^(w-1), or
 *  0) least significant first; returns the number of digits. VARIABLE TIME. */
export function sc_wnaf(digits: usize, k: usize, words: i32, w: i32, maxlen: i32): i32 {
  const full: i32 = 1 << w;
  const half: i32 = 1 << (w - 1);
  let n = 0;
  while (true) {
    let nz: u32 = 0;
    for (let i = 0; i < words; i++) nz |= load<u32>(k + (<usize>i << 2));
    if (nz == 0 || n >= maxlen) break;
    let d: i32 = 0;
    const lo = load<u32>(k);
    if (lo & 1) {
      d = <i32>(lo & <u32>(full - 1));
      if (d >= half) d -= full;
      // k -= d
      if (d > 0) {
        let br: i64 = -<i64>d;
        for (let i = 0; i < words && br != 0; i++) {
          const t = <i64>load<u32>(k + (<usize>i << 2)) + br;
          store<u32>(k + (<usize>i << 2), <u32>t);
          br = t >> 32;
        }
      } else {
        let c: u64 = <u64>(-d);
        for (let i = 0; i < words && c != 0; i++) {
          const t = <u64>load<u32>(k + (<usize>i << 2)) + c;
          store<u32>(k + (<usize>i << 2), <u32>t);
          c = t >> 32;
        }
      }
    }
    store<i32>(digits + (<usize>n << 2), d);
    n++;
    // k >>= 1
    for (let i = 0; i < words; i++) {
      const cur = load<u32>(k + (<usize>i << 2));
      const nxt: u32 = i + 1 < words ? load<u32>(k + (<usize>(i + 1) << 2)) : 0;
      store<u32>(k + (<usize>i << 2), (cur >> 1) | (nxt << 31));
    }
  }
  return n;
}
