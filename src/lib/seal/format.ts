/**
 * The sealed-file format (`Enc_k`, SPEC §5) and its key schedule.
 *
 * ```
 * sealed = u16be(|H|) || H || mac || seg_0 || seg_1 || ... || seg_{N-1}
 * H      = DAG-CBOR { t: "seal", v: 1, seg: S, id: fileId(32) [, n: size] }
 * okm    = HKDF-SHA256(ikm = k, salt = fileId, info = "MEDCHAIN-V1-SEAL" || u16be(|H|) || H, 71)
 *        = segKey(32) || macKey(32) || prefix(7)
 * mac    = HMAC-SHA256(macKey, u16be(|H|) || H)                      (32 bytes)
 * seg_i  = AES-256-GCM(segKey, nonce_i, pt_i, aad = "")               (|pt_i| + 16 bytes)
 * nonce_i = prefix(7) || u32be(i) || last_i(1)                        (12 bytes)
 * ```
 *
 * `pt_i` is S bytes for i < N-1 and 0..S bytes for the last; N = max(1, ceil(n/S))
 * (an empty file is one empty segment, so there is always a segment marked
 * last). `n`, the plaintext size, is present when the sealer knew it; then the
 * opener knows the exact sealed length and reports truncation and extension
 * by byte count, before any crypto on the bad part.
 *
 * Why each piece: the random `fileId` gives every file its own segment key
 * and nonce prefix even if a key were reused, so segments cannot move between
 * files; `i` in the nonce pins each segment to its position (no reordering);
 * `last_i` makes truncation at a segment boundary and extension after the
 * last segment fail (Hoang-Reyhanitabar-Rogaway-Vizar's STREAM, as in Tink's
 * streaming AEAD and age). The header is in the HKDF info and under its own
 * MAC, so a changed header (segment size, size, id) or a wrong key is caught
 * before the first segment, with one HMAC.
 *
 * Limits, checked before any parsing or allocation: |H| <= 256,
 * 1 KiB <= S <= 16 MiB, N <= 2^32, n <= 2^53 - 1.
 */
import { decode, encode, expectBytes, expectHeader, expectMap, expectUint, FormatError } from '$lib/codec';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { TAG_BYTES } from './aead';
import { concatBytes, u16be, utf8 } from './bytes';

export const SEAL_TYPE = 'seal';
export const SEAL_VERSION = 1;
export const FILE_ID_BYTES = 32;
export const MAC_BYTES = 32;
export const PREFIX_BYTES = 7;
export const MAX_HEADER_BYTES = 256;
export const MIN_SEGMENT = 1024;
export const MAX_SEGMENT = 16 * 1024 * 1024;
/** Default plaintext bytes per segment: 256 KiB (per-call cost of WebCrypto amortised; memory stays ~3 MiB; docs/seal.md). */
export const DEFAULT_SEGMENT = 256 * 1024;
export const MAX_SEGMENTS = 2 ** 32;

const DST_SEAL = utf8('MEDCHAIN-V1-SEAL');

export interface SealHeader {
  /** Plaintext bytes per segment (S). */
  readonly segmentSize: number;
  /** 32 random bytes naming this sealed file (HKDF salt). */
  readonly fileId: Uint8Array;
  /** Plaintext size, when the sealer knew it. */
  readonly size?: number;
}

export function checkSegmentSize(s: number, what = 'segmentSize'): number {
  if (!Number.isSafeInteger(s) || s < MIN_SEGMENT || s > MAX_SEGMENT) throw new RangeError(`${what}: ${s} not an integer in [${MIN_SEGMENT}, ${MAX_SEGMENT}]`);
  return s;
}

/** Number of segments for a plaintext of n bytes. */
export function segmentCount(n: number, segmentSize: number): number {
  return Math.max(1, Math.ceil(n / segmentSize));
}

/** `u16be(|H|) || H`: the header as it appears on the wire. */
export function encodeSealHeader(h: SealHeader): Uint8Array {
  checkSegmentSize(h.segmentSize);
  if (!(h.fileId instanceof Uint8Array) || h.fileId.length !== FILE_ID_BYTES) throw new TypeError(`fileId: expected ${FILE_ID_BYTES} bytes`);
  const m: Record<string, number | string | Uint8Array> = { t: SEAL_TYPE, v: SEAL_VERSION, seg: h.segmentSize, id: h.fileId };
  if (h.size !== undefined) {
    if (!Number.isSafeInteger(h.size) || h.size < 0) throw new RangeError(`size: ${h.size} is not a byte count`);
    if (segmentCount(h.size, h.segmentSize) > MAX_SEGMENTS) throw new RangeError('size: more than 2^32 segments');
    m.n = h.size;
  }
  const body = encode(m);
  return concatBytes(u16be(body.length), body);
}

/**
 * Decodes the DAG-CBOR header body (without the length prefix). Throws the
 * codec's FormatError: `oversized`, `malformed`, `wrong-type`,
 * `wrong-version`, `missing-field`, `bad-length`, `out-of-range`.
 */
export function decodeSealHeader(body: Uint8Array): SealHeader {
  const m = expectMap(decode(body, MAX_HEADER_BYTES), 'seal header');
  expectHeader(m, SEAL_TYPE, SEAL_VERSION);
  for (const k of Object.keys(m)) if (!['t', 'v', 'seg', 'id', 'n'].includes(k)) throw new FormatError('malformed', `seal header: unknown field ${k}`);
  const segmentSize = expectUint(m.seg, 'seal header seg', MAX_SEGMENT);
  if (segmentSize < MIN_SEGMENT) throw new FormatError('out-of-range', `seal header seg: ${segmentSize} below ${MIN_SEGMENT}`);
  const fileId = expectBytes(m.id, 'seal header id', FILE_ID_BYTES);
  if (m.n === undefined) return { segmentSize, fileId };
  const size = expectUint(m.n, 'seal header n');
  if (segmentCount(size, segmentSize) > MAX_SEGMENTS) throw new FormatError('out-of-range', 'seal header n: more than 2^32 segments');
  return { segmentSize, fileId, size };
}

/** Total sealed bytes for a header (wire bytes) and plaintext size. */
export function sealedLength(headerWireBytes: number, size: number, segmentSize: number): number {
  return headerWireBytes + MAC_BYTES + size + segmentCount(size, segmentSize) * TAG_BYTES;
}

export interface FileKeys {
  readonly segKey: Uint8Array;
  readonly mac: Uint8Array;
  readonly prefix: Uint8Array;
}

/** The key schedule above: segment key, header MAC and nonce prefix for one file. */
export function deriveFileKeys(k: Uint8Array, fileId: Uint8Array, headerWire: Uint8Array): FileKeys {
  const okm = hkdf(sha256, k, fileId, concatBytes(DST_SEAL, headerWire), 32 + 32 + PREFIX_BYTES);
  const macKey = okm.subarray(32, 64);
  return { segKey: okm.slice(0, 32), mac: hmac(sha256, macKey, headerWire), prefix: okm.slice(64) };
}

/** nonce_i = prefix || u32be(i) || last. */
export function segmentNonce(prefix: Uint8Array, index: number, last: boolean): Uint8Array {
  const n = new Uint8Array(12);
  n.set(prefix, 0);
  new DataView(n.buffer).setUint32(PREFIX_BYTES, index);
  n[11] = last ? 1 : 0;
  return n;
}
