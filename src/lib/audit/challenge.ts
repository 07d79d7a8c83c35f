/**
 * Challenge derivation from a public seed (SPEC §4), shared by both schemes.
 *
 * A challenge is `(seed, c)` for a file of `n` blocks:
 * - indices: for k = 0, 1, 2, ... take `SHA-256(seed || "I" || k8)` (k as 8
 *   bytes big-endian), read its first 8 bytes as a big-endian u64, reduce
 *   mod n, and keep the value if it is new; stop when `min(c, n)` distinct
 *   indices are found. Order: first found first. (The bias of u64 mod n is
 *   below n / 2^64: negligible for any n a file can have.)
 * - coefficients: `v_i` = the first 16 bytes of `SHA-256(seed || "V" || i8)`
 *   (i the block index, 8 bytes big-endian) as a big-endian integer in
 *   [0, 2^128). If those 16 bytes are all zero (probability 2^-128) then
 *   `v_i = 1`, so no challenged block is ever multiplied away.
 * - `c > n`: the challenge covers every block once (`min(c, n)` indices, in
 *   the order the sampling finds them). A caller that wants to know can
 *   compare `indices.length` with `c`.
 *
 * When the audit runs on chain, `seed` is the hash of the first block
 * finalised after the audit request. The seed is 32 bytes.
 */
/* SHA-256 is computed by `sha256Short` below: the derivation hashes ~2.3 c
 * messages of 41 bytes, and a one-block compression without allocation is
 * ~5x faster than a general hasher per call (tests compare it with
 * @noble/hashes through the reference derivation). */

export const SEED_BYTES = 32;
/** Largest challenge size accepted (SPEC's 460 for 99% needs far less). */
export const MAX_C = 1 << 16;
/** Largest block count accepted: indices are carried as u64 in hashes, 2^32 keeps sampling cheap. */
export const MAX_N = 2 ** 32;

export interface ChallengeSpec {
  /** 32 public random bytes (on chain: a finalised block hash). */
  seed: Uint8Array;
  /** Number of blocks to challenge (min(c, n) are used). */
  c: number;
}

export interface DerivedChallenge {
  /** Distinct block indices in [0, n). */
  indices: number[];
  /** v_i for each index, same order, in [1, 2^128). */
  coeffs: bigint[];
}

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
]);
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const W = new Uint32Array(64);
const BLOCK = new Uint8Array(64);
const BLOCK_VIEW = new DataView(BLOCK.buffer);
const OUT = new Uint32Array(8);

/** SHA-256 of BLOCK[0..len) for len <= 55 (one block); the digest words land in OUT. */
function sha256Short(len: number): void {
  BLOCK.fill(0, len);
  BLOCK[len] = 0x80;
  BLOCK_VIEW.setUint32(60, len * 8);
  for (let t = 0; t < 16; t++) W[t] = BLOCK_VIEW.getUint32(4 * t);
  for (let t = 16; t < 64; t++) {
    const a = W[t - 15], b = W[t - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
  }
  let [a, b, c, d, e, f, g, h] = IV;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t] + W[t]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  OUT[0] = IV[0] + a;
  OUT[1] = IV[1] + b;
  OUT[2] = IV[2] + c;
  OUT[3] = IV[3] + d;
  OUT[4] = IV[4] + e;
  OUT[5] = IV[5] + f;
  OUT[6] = IV[6] + g;
  OUT[7] = IV[7] + h;
}

/** SHA-256(seed || label || k as u64 BE); returns the first 4 digest words (big-endian u32s, in OUT). */
function tagged(seed: Uint8Array, label: number, k: number): Uint32Array {
  BLOCK.set(seed, 0);
  BLOCK[SEED_BYTES] = label;
  // k < 2^53: write the two 32-bit halves (no BigInt on this hot path).
  BLOCK_VIEW.setUint32(SEED_BYTES + 1, Math.floor(k / 2 ** 32));
  BLOCK_VIEW.setUint32(SEED_BYTES + 5, k >>> 0);
  sha256Short(SEED_BYTES + 9);
  return OUT;
}

/** Full SHA-256 digest of a message of at most 55 bytes (exported for the tests). */
export function sha256Short55(msg: Uint8Array): Uint8Array {
  if (msg.length > 55) throw new RangeError('msg: at most 55 bytes');
  BLOCK.set(msg, 0);
  sha256Short(msg.length);
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  OUT.forEach((w, i) => view.setUint32(4 * i, w));
  return out;
}

export function checkChallenge(seed: Uint8Array, c: number): void {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) throw new RangeError(`seed: expected ${SEED_BYTES} bytes`);
  if (!Number.isInteger(c) || c < 1 || c > MAX_C) throw new RangeError(`c: expected an integer in [1, ${MAX_C}], got ${c}`);
}

/** The coefficient v_i of block i under `seed`. */
export function coefficient(seed: Uint8Array, i: number): bigint {
  const h = tagged(seed, 0x56 /* "V" */, i);
  const v = (BigInt(h[0]) << 96n) | (BigInt(h[1]) << 64n) | (BigInt(h[2]) << 32n) | BigInt(h[3]);
  return v === 0n ? 1n : v;
}

/** Indices and coefficients of challenge (seed, c) over n blocks. */
export function deriveChallenge(seed: Uint8Array, n: number, c: number): DerivedChallenge {
  checkChallenge(seed, c);
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_N) throw new RangeError(`n: expected an integer in [1, 2^32], got ${n}`);
  const want = Math.min(c, n);
  const seen = new Set<number>();
  const indices: number[] = [];
  for (let k = 0; indices.length < want; k++) {
    const h = tagged(seed, 0x49 /* "I" */, k);
    // (hi * 2^32 + lo) mod n with exact integer arithmetic: n <= 2^32, so
    // (hi mod n) * 2^32 + lo < 2^64 needs BigInt only when n > 2^21.
    const hi = h[0] % n;
    const lo = h[1];
    const i = n <= 2 ** 21 ? ((hi * 4294967296) % n + lo) % n : Number(((BigInt(hi) << 32n) + BigInt(lo)) % BigInt(n));
    if (!seen.has(i)) {
      seen.add(i);
      indices.push(i);
    }
  }
  return { indices, coeffs: indices.map((i) => coefficient(seed, i)) };
}
