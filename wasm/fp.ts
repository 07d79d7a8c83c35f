// Fp, the base field of BLS12-381: p = 0x1a0111ea...ffffaaab (381 bits), p = 3 mod 4.
//
// Limb arithmetic (mul, sqr, add, sub, neg, conversions, pow, Fermat inverse)
// is generated into fp_mont.ts (see wasm/gen/gen-field.mjs, docs/wasm-layout.md);
// this file adds what needs no unrolling: square roots, the Legendre symbol,
// sign helpers for RFC 9380 / ZCash serialisation and a fast variable-time
// inverse, and the constant-time inverse fp_inv (binary GCD).
//
// Elements are FP_SIZE bytes in Montgomery form, fully reduced. Every function
// allows `out` to alias any input. Constant time unless marked "vartime".

import {
  FP_SIZE,
  FP_ONE,
  FP_HALF,
  FP_R3,
  FP_EXP_SQRT,
  FP_EXP_SQRT_WORDS,
  FP_EXP_LEGENDRE,
  FP_EXP_LEGENDRE_WORDS,
  fp_mul,
  fp_sqr,
  fp_copy,
  fp_eq,
  fp_is_zero,
  fp_pow,
  fp_from_mont,
  fp_limbs_lt,
  fp_limbs_to_be,
  fp_limbs_from_be,
  fp_inv_fermat,
  fp_set_zero,
  FP_P,
  FP_LIMBS,
  FP_LIMB_BITS
} from './fp_mont';
import { tmp_alloc, tmp_mark, tmp_reset } from './mem';

export * from './fp_mont';

/** out = sqrt(a) = a^((p+1)/4) if a is a square; returns true iff a is a square
 *  (then out^2 == a; which of the two roots is unspecified beyond this formula,
 *  use fp_sgn0 / fp_is_lex_largest to pick one). If a is not a square out is
 *  a^((p+1)/4) (so out^2 == -a). Constant time; the result flag is not secret-safe. */
export function fp_sqrt(out: usize, a: usize): bool {
  const mk = tmp_mark();
  const r = tmp_alloc(FP_SIZE);
  const c = tmp_alloc(FP_SIZE);
  fp_pow(r, a, FP_EXP_SQRT, FP_EXP_SQRT_WORDS);
  fp_sqr(c, r);
  const ok = fp_eq(c, a);
  fp_copy(out, r);
  tmp_reset(mk);
  return ok;
}

/** Legendre symbol a^((p-1)/2): 1 (nonzero square), -1 (non-square), 0 (a = 0). */
export function fp_legendre(a: usize): i32 {
  const mk = tmp_mark();
  const r = tmp_alloc(FP_SIZE);
  fp_pow(r, a, FP_EXP_LEGENDRE, FP_EXP_LEGENDRE_WORDS);
  let res: i32 = 0;
  if (fp_eq(r, FP_ONE)) res = 1;
  else if (!fp_is_zero(r)) res = -1;
  tmp_reset(mk);
  return res;
}

/** True iff a is a square (0 counts as a square). */
export function fp_is_square(a: usize): bool {
  return fp_legendre(a) >= 0;
}

/** RFC 9380 sgn0: the parity of the canonical integer of a. Constant time. */
export function fp_sgn0(a: usize): u32 {
  const mk = tmp_mark();
  const t = tmp_alloc(FP_SIZE);
  fp_from_mont(t, a);
  const s = load<u32>(t) & 1;
  tmp_reset(mk);
  return s;
}

/** ZCash serialisation: true iff canonical(a) > (p-1)/2. Constant time. */
export function fp_is_lex_largest(a: usize): bool {
  const mk = tmp_mark();
  const t = tmp_alloc(FP_SIZE);
  fp_from_mont(t, a);
  const r = fp_limbs_lt(FP_HALF, t);
  tmp_reset(mk);
  return r;
}

/** out = a/2 mod p (add p if odd, then shift). Constant time. */
export function fp_halve(out: usize, a: usize): void {
  const m: u64 = 0 - <u64>(load<u32>(a) & 1);
  const mask: u64 = (<u64>1 << <u64>FP_LIMB_BITS) - 1;
  let c: u64 = 0;
  let prev: u64 = 0;
  for (let j = 0; j < FP_LIMBS; j++) {
    const s = <u64>load<u32>(a + (<usize>j << 2)) + (<u64>load<u32>(FP_P + (<usize>j << 2)) & m) + c;
    c = s >> <u64>FP_LIMB_BITS;
    const l = s & mask;
    if (j > 0) store<u32>(out + (<usize>(j - 1) << 2), <u32>((prev >> 1) | ((l & 1) << <u64>(FP_LIMB_BITS - 1))));
    prev = l;
  }
  store<u32>(out + (<usize>(FP_LIMBS - 1) << 2), <u32>((prev >> 1) | (c << <u64>(FP_LIMB_BITS - 1))));
}

// ---------------------------------------------------------------------------
// Variable-time inverse: Pornin's optimised binary GCD (eprint 2020/972,
// Algorithm 2), with 31-bit limbs. Each round runs 31 divsteps on 64-bit
// approximations of (a, b) (low 31 bits + top 33 bits), then applies the
// resulting 2x2 matrix to the full a, b and to the Bezout coefficients u, v
// (mod p, with a Montgomery division by 2^31). Invariants: a = u*y, b = v*y
// (mod p). Ends when a = 0; then b = 1 and v = y^-1.

const L31: i32 = 13; // 13 * 31 = 403 bits >= 384
const M31: i64 = 0x7fffffff;
/** p in 31-bit limbs. */
const P31: usize = memory.data<u32>([
  0x7fffaaab, 0x73fdffff, 0x454ffffe, 0x755ffff5, 0x6b0f6241, 0x661a541e, 0x6144afd9, 0x3ba5c279, 0x4bacd764,
  0x374f6c86, 0x7f9a692c, 0x88f51cb, 0x1a0
]);
/** -p^-1 mod 2^31. */
const P31_NINV: i64 = 0x7ffcfffd;

@inline function ld31(x: usize, j: i32): i64 {
  return <i64>load<i32>(x + (<usize>j << 2));
}
@inline function st31(x: usize, j: i32, v: i64): void {
  store<i32>(x + (<usize>j << 2), <i32>v);
}

/** Bit length of the 31-bit-limb number x (non-negative). */
function bitlen31(x: usize): i32 {
  for (let j = L31 - 1; j >= 0; j--) {
    const l = ld31(x, j);
    if (l != 0) return j * 31 + (64 - <i32>clz<i64>(l));
  }
  return 0;
}

/** floor(x / 2^pos) mod 2^64 for a 31-bit-limb number x. */
function bitsAt31(x: usize, pos: i32): u64 {
  const q = pos / 31;
  const r = pos % 31;
  let v: u64 = 0;
  if (q < L31) v = <u64>ld31(x, q) >> <u64>r;
  if (q + 1 < L31) v |= <u64>ld31(x, q + 1) << <u64>(31 - r);
  if (q + 2 < L31) v |= <u64>ld31(x, q + 2) << <u64>(62 - r);
  return v;
}

/** out = (a*f + b*g) / 2^31 (exact); makes it non-negative and returns true if it was negated. */
function lin31(out: usize, a: usize, b: usize, f: i64, g: i64): bool {
  let c: i64 = (ld31(a, 0) * f + ld31(b, 0) * g) >> 31;
  for (let j = 1; j < L31; j++) {
    const t = ld31(a, j) * f + ld31(b, j) * g + c;
    st31(out, j - 1, t & M31);
    c = t >> 31;
  }
  st31(out, L31 - 1, c);
  if (c >= 0) return false;
  // negate: two's complement over 31-bit limbs (top limb holds the sign)
  let br: i64 = 0;
  for (let j = 0; j < L31; j++) {
    const t = br - ld31(out, j);
    st31(out, j, t & M31);
    br = t >> 31;
  }
  return true;
}

/** out = (u*f + v*g) / 2^31 mod p, with u, v in [0, p); result in [0, p). */
function linmod31(out: usize, u: usize, v: usize, f: i64, g: i64): void {
  const t0 = ld31(u, 0) * f + ld31(v, 0) * g;
  const k = (t0 * P31_NINV) & M31;
  let c: i64 = (t0 + k * ld31(P31, 0)) >> 31;
  for (let j = 1; j < L31; j++) {
    const t = ld31(u, j) * f + ld31(v, j) * g + k * ld31(P31, j) + c;
    st31(out, j - 1, t & M31);
    c = t >> 31;
  }
  st31(out, L31 - 1, c);
  // now out in (-p, 2p)
  if (c < 0) {
    c = 0;
    for (let j = 0; j < L31; j++) {
      const t = ld31(out, j) + ld31(P31, j) + c;
      st31(out, j, j == L31 - 1 ? t : t & M31);
      c = t >> 31;
    }
  }
  // subtract p while >= p
  let br: i64 = 0;
  for (let j = 0; j < L31; j++) br = (ld31(out, j) - ld31(P31, j) + br) >> 31;
  if (br == 0) {
    br = 0;
    for (let j = 0; j < L31; j++) {
      const t = ld31(out, j) - ld31(P31, j) + br;
      st31(out, j, t & M31);
      br = t >> 31;
    }
  }
}

/** out = a^-1, VARIABLE TIME (use only on public values, e.g. batch
 *  normalisation of public points). The inverse of 0 is 0. */
export function fp_inv_vartime(out: usize, x: usize): void {
  if (fp_is_zero(x)) {
    fp_set_zero(out);
    return;
  }
  const mk = tmp_mark();
  const SZ: usize = <usize>L31 * 4;
  let a = tmp_alloc(SZ);
  let b = tmp_alloc(SZ);
  let u = tmp_alloc(SZ);
  let v = tmp_alloc(SZ);
  let a2 = tmp_alloc(SZ);
  let b2 = tmp_alloc(SZ);
  let u2 = tmp_alloc(SZ);
  let v2 = tmp_alloc(SZ);
  const be = tmp_alloc(48);
  const t = tmp_alloc(FP_SIZE);
  // a = Montgomery value of x as an integer (y = xR), b = p, u = 1, v = 0
  fp_limbs_to_be(be, x);
  {
    let acc: u64 = 0;
    let nb: i32 = 0;
    let k: i32 = 0;
    for (let i = 47; i >= 0; i--) {
      acc |= (<u64>load<u8>(be + <usize>i)) << <u64>nb;
      nb += 8;
      if (nb >= 31) {
        st31(a, k++, <i64>(acc & 0x7fffffff));
        acc >>= 31;
        nb -= 31;
      }
    }
    for (; k < L31; k++) {
      st31(a, k, <i64>acc);
      acc = 0;
    }
  }
  memory.copy(b, P31, SZ);
  memory.fill(u, 0, SZ);
  memory.fill(v, 0, SZ);
  st31(u, 0, 1);
  let rounds = 0;
  while (true) {
    let az = true;
    for (let j = 0; j < L31; j++) if (ld31(a, j) != 0) { az = false; break; }
    if (az || rounds > 60) break;
    rounds++;
    const la = bitlen31(a);
    const lb = bitlen31(b);
    const n = la > lb ? la : lb;
    let xa: u64, xb: u64;
    if (n <= 64) {
      xa = bitsAt31(a, 0);
      xb = bitsAt31(b, 0);
    } else {
      xa = (bitsAt31(a, 0) & 0x7fffffff) | (bitsAt31(a, n - 33) << 31);
      xb = (bitsAt31(b, 0) & 0x7fffffff) | (bitsAt31(b, n - 33) << 31);
    }
    let f0: i64 = 1, g0: i64 = 0, f1: i64 = 0, g1: i64 = 1;
    for (let i = 0; i < 31; i++) {
      if (xa & 1) {
        if (xa < xb) {
          const tx = xa; xa = xb; xb = tx;
          let tt = f0; f0 = f1; f1 = tt;
          tt = g0; g0 = g1; g1 = tt;
        }
        xa -= xb;
        f0 -= f1;
        g0 -= g1;
      }
      xa >>= 1;
      f1 <<= 1;
      g1 <<= 1;
    }
    if (lin31(a2, a, b, f0, g0)) { f0 = -f0; g0 = -g0; }
    if (lin31(b2, a, b, f1, g1)) { f1 = -f1; g1 = -g1; }
    linmod31(u2, u, v, f0, g0);
    linmod31(v2, u, v, f1, g1);
    let s = a; a = a2; a2 = s;
    s = b; b = b2; b2 = s;
    s = u; u = u2; u2 = s;
    s = v; v = v2; v2 = s;
  }
  if (rounds > 60) {
    // not reached for a prime modulus; stay correct regardless
    fp_inv_fermat(out, x);
    tmp_reset(mk);
    return;
  }
  // v = y^-1 = x^-1 R^-1 (as an integer); out = v * R^3 / R = x^-1 R
  {
    for (let i = 0; i < 48; i++) store<u8>(be + <usize>i, 0);
    let acc: u64 = 0;
    let nb: i32 = 0;
    let k: i32 = 0;
    for (let i = 47; i >= 0; i--) {
      if (nb < 8) {
        if (k < L31) acc |= (<u64>ld31(v, k)) << <u64>nb;
        nb += 31;
        k++;
      }
      store<u8>(be + <usize>i, <u8>acc);
      acc >>= 8;
      nb -= 8;
    }
  }
  fp_limbs_from_be(t, be, 48);
  fp_mul(out, t, FP_R3);
  tmp_reset(mk);
}

// ---------------------------------------------------------------------------
// Constant-time inverse: the same binary GCD (Pornin, eprint 2020/972,
// Algorithm 2) with a fixed number of rounds and no secret-dependent branch
// or address: the approximations are extracted with masks, the inner steps
// swap and subtract with masks, conditional negations and the reductions mod
// p are masked. 26 rounds of 31 steps (806 >= 2*381 - 1 iterations, the
// bound of the paper); once a = 0, further steps leave b and v unchanged
// (f1 = 0, g1 = 2^31 in each later round), so extra rounds are harmless.

const CT_ROUNDS: i32 = 26;
/** Scratch for the constant-time GCD (single-threaded, never live across calls). */
const CT_SCR: usize = memory.data(8 * 13 * 4 + 48 + 16, 8);

/** out = (a*f + b*g) / 2^31 (exact); made non-negative. Returns -1 if it was negated, else 0. Constant time. */
function lin31_ct(out: usize, a: usize, b: usize, f: i64, g: i64): i64 {
  let c: i64 = (ld31(a, 0) * f + ld31(b, 0) * g) >> 31;
  for (let j = 1; j < L31; j++) {
    const t = ld31(a, j) * f + ld31(b, j) * g + c;
    st31(out, j - 1, t & M31);
    c = t >> 31;
  }
  st31(out, L31 - 1, c);
  const neg: i64 = c >> 63;
  let br: i64 = 0;
  for (let j = 0; j < L31; j++) {
    const l = ld31(out, j);
    const t = br - l;
    br = t >> 31;
    st31(out, j, ((t & M31) & neg) | (l & ~neg));
  }
  return neg;
}

/** out = (u*f + v*g) / 2^31 mod p, with u, v in [0, p), |f| + |g| <= 2^31; result in [0, p). Constant time. */
function linmod31_ct(out: usize, u: usize, v: usize, f: i64, g: i64, scr: usize): void {
  const t0 = ld31(u, 0) * f + ld31(v, 0) * g;
  const k = (t0 * P31_NINV) & M31;
  let c: i64 = (t0 + k * ld31(P31, 0)) >> 31;
  for (let j = 1; j < L31; j++) {
    const t = ld31(u, j) * f + ld31(v, j) * g + k * ld31(P31, j) + c;
    st31(out, j - 1, t & M31);
    c = t >> 31;
  }
  st31(out, L31 - 1, c);
  // out in (-p, 2p): add p if negative
  const m: i64 = c >> 63;
  c = 0;
  for (let j = 0; j < L31; j++) {
    const t = ld31(out, j) + (ld31(P31, j) & m) + c;
    st31(out, j, j == L31 - 1 ? t : t & M31);
    c = t >> 31;
  }
  // out in [0, 2p): subtract p if >= p
  let br: i64 = 0;
  for (let j = 0; j < L31; j++) {
    const t = ld31(out, j) - ld31(P31, j) + br;
    st31(scr, j, t & M31);
    br = t >> 31;
  }
  // br = -1: out < p, keep
  for (let j = 0; j < L31; j++) st31(out, j, (ld31(out, j) & br) | (ld31(scr, j) & ~br));
}

/** out = a^-1 mod p, constant time (binary GCD, see above). The inverse of 0 is 0. */
export function fp_inv(out: usize, x: usize): void {
  const SZ: usize = <usize>L31 * 4;
  let a = CT_SCR;
  let b = a + SZ;
  let u = b + SZ;
  let v = u + SZ;
  let a2 = v + SZ;
  let b2 = a2 + SZ;
  let u2 = b2 + SZ;
  let v2 = u2 + SZ;
  const be = v2 + SZ;
  // a = the Montgomery value of x as an integer (y = xR), b = p, u = 1, v = 0
  fp_limbs_to_be(be, x);
  {
    let acc: u64 = 0;
    let nb: i32 = 0;
    let k: i32 = 0;
    for (let i = 47; i >= 0; i--) {
      acc |= (<u64>load<u8>(be + <usize>i)) << <u64>nb;
      nb += 8;
      if (nb >= 31) {
        st31(a, k++, <i64>(acc & 0x7fffffff));
        acc >>= 31;
        nb -= 31;
      }
    }
    for (; k < L31; k++) {
      st31(a, k, <i64>acc);
      acc = 0;
    }
  }
  memory.copy(b, P31, SZ);
  memory.fill(u, 0, SZ);
  memory.fill(v, 0, SZ);
  st31(u, 0, 1);
  for (let r = 0; r < CT_ROUNDS; r++) {
    // approximations xa, xb: exact if a, b < 2^64, else low 31 bits + top 33 bits
    // at the bit length of max(a, b); selected with masks over all limbs.
    let aj: i64 = 0, aj1: i64 = 0, aj2: i64 = 0, bj: i64 = 0, bj1: i64 = 0, bj2: i64 = 0, tt: i64 = 0;
    let hi: i64 = 0;
    for (let j = 2; j < L31; j++) {
      const A = ld31(a, j);
      const B = ld31(b, j);
      const o = A | B;
      if (j >= 3) hi |= o;
      const m: i64 = -<i64>(o != 0);
      aj = (A & m) | (aj & ~m);
      bj = (B & m) | (bj & ~m);
      aj1 = (ld31(a, j - 1) & m) | (aj1 & ~m);
      bj1 = (ld31(b, j - 1) & m) | (bj1 & ~m);
      aj2 = (ld31(a, j - 2) & m) | (aj2 & ~m);
      bj2 = (ld31(b, j - 2) & m) | (bj2 & ~m);
      tt = (o & m) | (tt & ~m);
    }
    const bl: u64 = <u64>(32 - clz<u32>(<u32>tt)); // bit length of the top limb of max(a, b)
    const sh: u64 = 33 - bl; // 2..33
    const topA: u64 = ((((<u64>aj << 31) | <u64>aj1) << sh) | ((<u64>aj2 << sh) >> 31)) >> 31;
    const topB: u64 = ((((<u64>bj << 31) | <u64>bj1) << sh) | ((<u64>bj2 << sh) >> 31)) >> 31;
    const a0 = <u64>ld31(a, 0);
    const b0 = <u64>ld31(b, 0);
    const exA: u64 = a0 | (<u64>ld31(a, 1) << 31) | (<u64>ld31(a, 2) << 62);
    const exB: u64 = b0 | (<u64>ld31(b, 1) << 31) | (<u64>ld31(b, 2) << 62);
    const ex: u64 = 0 - <u64>((hi == 0) & ((ld31(a, 2) | ld31(b, 2)) < 4));
    let xa: u64 = (exA & ex) | ((a0 | (topA << 31)) & ~ex);
    let xb: u64 = (exB & ex) | ((b0 | (topB << 31)) & ~ex);
    let f0: i64 = 1, g0: i64 = 0, f1: i64 = 0, g1: i64 = 1;
    for (let i = 0; i < 31; i++) {
      const odd: u64 = 0 - (xa & 1);
      const sw: u64 = odd & (0 - <u64>(xa < xb));
      const ts = sw & (xa ^ xb);
      xa ^= ts;
      xb ^= ts;
      const sws = <i64>sw;
      const tf = sws & (f0 ^ f1);
      f0 ^= tf;
      f1 ^= tf;
      const tg = sws & (g0 ^ g1);
      g0 ^= tg;
      g1 ^= tg;
      const odds = <i64>odd;
      xa -= odd & xb;
      f0 -= odds & f1;
      g0 -= odds & g1;
      xa >>= 1;
      f1 <<= 1;
      g1 <<= 1;
    }
    let n = lin31_ct(a2, a, b, f0, g0);
    f0 = (f0 ^ n) - n;
    g0 = (g0 ^ n) - n;
    n = lin31_ct(b2, a, b, f1, g1);
    f1 = (f1 ^ n) - n;
    g1 = (g1 ^ n) - n;
    let s = a; a = a2; a2 = s;
    s = b; b = b2; b2 = s;
    // a2 (the old a) is free now: scratch of linmod31_ct
    linmod31_ct(u2, u, v, f0, g0, a2);
    linmod31_ct(v2, u, v, f1, g1, a2);
    s = u; u = u2; u2 = s;
    s = v; v = v2; v2 = s;
  }
  // v = y^-1 = x^-1 R^-1 (as an integer; 0 if x = 0); out = v * R^3 / R = x^-1 R
  {
    let acc: u64 = 0;
    let nb: i32 = 0;
    let k: i32 = 0;
    for (let i = 47; i >= 0; i--) {
      if (nb < 8) {
        if (k < L31) acc |= (<u64>ld31(v, k)) << <u64>nb;
        nb += 31;
        k++;
      }
      store<u8>(be + <usize>i, <u8>acc);
      acc >>= 8;
      nb -= 8;
    }
  }
  fp_limbs_from_be(out, be, 48);
  fp_mul(out, out, FP_R3);
}
