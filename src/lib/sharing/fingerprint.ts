/**
 * Per-access fingerprints for `reencrypt` deliveries (SPEC §7: one copy names
 * one recipient), and `identifyLeak`.
 *
 * The recipient decrypts, so anything we add is in their hands; the aim is
 * that what a leaker does without thinking (forward the file, copy the JSON
 * out of it, trim it) still names them, and that nobody but the executor can
 * make a copy that names someone else. Two marks, both keyed by the
 * executor's 32-byte fingerprint key `fk` (never known to recipients):
 *
 * 1. Trailer (any content): appended after the body, written in JSON
 *    whitespace (2 bits per byte: ' ' '\t' '\n' '\r'), so a FHIR JSON copy is
 *    still valid JSON that any parser reads unchanged.
 *    `T = "MCFP" || 0x01 || u8(|rid|) || rid || HMAC-SHA256(fk, "MEDCHAIN-V1-FP-TRAILER" || rid)[0..16]`.
 * 2. Watermark (JSON bodies: first non-whitespace byte `{` or `[`): the j-th
 *    `,` or `:` outside strings (j < 2048) gets one space before it iff bit j
 *    of `PRF(fk, rid)` is 1, `PRF` = HMAC-SHA256(fk, "MEDCHAIN-V1-FP-WM" || u8(|rid|) || rid || u32be(block)).
 *    JSON ignores that whitespace, so the record means the same; survives
 *    removing the trailer, trimming and cutting the end off.
 *
 * | paper / SPEC §7 | here |
 * | --- | --- |
 * | access record of a requester | `AccessGrant` (`recordId`) |
 * | per-access fingerprint | trailer tag + watermark bits, both from (fk, recordId) |
 * | tracing a leaked record | `identifyLeak(copy, grants, fk)` |
 *
 * Costs: embedding is one pass over the body (state machine, scanning stops
 * after 2048 slots) plus ceil(2048/256) = 8 HMACs; the copy grows by
 * 4·(22 + |rid|) trailer bytes and at most 2048 spaces. identifyLeak: one
 * pass over the copy plus 8 HMACs per candidate grant.
 *
 * What it does NOT resist (docs/sharing.md): re-serialising the JSON
 * (pretty-print, minify, FHIR server round trip) removes the watermark;
 * retyping, screenshots or copying values by hand; a non-JSON body whose
 * trailer is cut off; two recipients who compare their copies (the marks
 * differ and can be found and stripped); the executor itself, which holds fk.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { EncryptionSecretKey } from '$lib/crypto';
import type { AccessGrant } from './grant';

export const FINGERPRINT_KEY_BYTES = 32;
/** Slots (`,`/`:` outside strings) that carry watermark bits. */
export const WATERMARK_SLOTS = 2048;
/** Fewest slots for a watermark verdict, and the z-score a match must reach (false positive per candidate < 3e-7). */
export const MIN_SLOTS = 32;
export const MIN_Z = 5;

const enc = new TextEncoder();
const DST_TRAILER = enc.encode('MEDCHAIN-V1-FP-TRAILER');
const DST_WM = enc.encode('MEDCHAIN-V1-FP-WM');
const DST_KEY = enc.encode('MEDCHAIN-V1-FP-KEY');
const MAGIC = enc.encode('MCFP');
const TRAILER_VERSION = 1;
const TAG_BYTES = 16;
const SYMBOLS = [0x20, 0x09, 0x0a, 0x0d]; // ' ', '\t', '\n', '\r'
const SYMBOL_VALUE = new Map(SYMBOLS.map((s, i) => [s, i]));
const SPACE = 0x20;
const isWs = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

export type WatermarkMode = 'auto' | 'json' | 'off';

/** A fresh random fingerprint key for an executor. */
export function generateFingerprintKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(FINGERPRINT_KEY_BYTES));
}

/** A fingerprint key derived from the executor's encryption secret (HKDF, own DST), so it needs no storage of its own. */
export function deriveFingerprintKey(executor: EncryptionSecretKey): Uint8Array {
  if (!(executor instanceof EncryptionSecretKey)) throw new TypeError('executor: expected an EncryptionSecretKey');
  return hkdf(sha256, executor.toBytes(), undefined, DST_KEY, FINGERPRINT_KEY_BYTES);
}

function checkFk(fk: Uint8Array): void {
  if (!(fk instanceof Uint8Array) || fk.length !== FINGERPRINT_KEY_BYTES) throw new TypeError(`fingerprintKey: expected ${FINGERPRINT_KEY_BYTES} bytes`);
}

function trailerTag(fk: Uint8Array, rid: Uint8Array): Uint8Array {
  const m = new Uint8Array(DST_TRAILER.length + rid.length);
  m.set(DST_TRAILER);
  m.set(rid, DST_TRAILER.length);
  return hmac(sha256, fk, m).subarray(0, TAG_BYTES);
}

/** The trailer for (fk, rid), already in whitespace symbols. */
export function trailer(fk: Uint8Array, rid: Uint8Array): Uint8Array {
  checkFk(fk);
  const t = new Uint8Array(MAGIC.length + 2 + rid.length + TAG_BYTES);
  t.set(MAGIC);
  t[4] = TRAILER_VERSION;
  t[5] = rid.length;
  t.set(rid, 6);
  t.set(trailerTag(fk, rid), 6 + rid.length);
  const out = new Uint8Array(t.length * 4);
  for (let i = 0; i < t.length; i++) for (let s = 0; s < 4; s++) out[4 * i + s] = SYMBOLS[(t[i] >> (6 - 2 * s)) & 3];
  return out;
}

/** Finds a well-formed trailer at the end of `copy` (tag not checked). */
export function readTrailer(copy: Uint8Array): { recordId: Uint8Array; tag: Uint8Array; bodyLength: number } | null {
  let start = copy.length;
  while (start > 0 && isWs(copy[start - 1])) start--;
  const minLen = 4 * (MAGIC.length + 2 + 1 + TAG_BYTES);
  const maxLen = 4 * (MAGIC.length + 2 + 255 + TAG_BYTES);
  for (let s = Math.max(start, copy.length - maxLen); copy.length - s >= minLen; s++) {
    if ((copy.length - s) % 4 !== 0) continue;
    const bytes = new Uint8Array((copy.length - s) / 4);
    for (let i = 0; i < bytes.length; i++) {
      let v = 0;
      for (let k = 0; k < 4; k++) v = (v << 2) | SYMBOL_VALUE.get(copy[s + 4 * i + k])!;
      bytes[i] = v;
    }
    if (bytes[0] !== MAGIC[0] || bytes[1] !== MAGIC[1] || bytes[2] !== MAGIC[2] || bytes[3] !== MAGIC[3] || bytes[4] !== TRAILER_VERSION) continue;
    const ridLen = bytes[5];
    if (ridLen === 0 || bytes.length !== 6 + ridLen + TAG_BYTES) continue;
    return { recordId: bytes.slice(6, 6 + ridLen), tag: bytes.slice(6 + ridLen), bodyLength: s };
  }
  return null;
}

/** The first `count` watermark bits for (fk, rid). */
export function watermarkBits(fk: Uint8Array, rid: Uint8Array, count = WATERMARK_SLOTS): Uint8Array {
  checkFk(fk);
  const bits = new Uint8Array(count);
  const msg = new Uint8Array(DST_WM.length + 1 + rid.length + 4);
  msg.set(DST_WM);
  msg[DST_WM.length] = rid.length;
  msg.set(rid, DST_WM.length + 1);
  const view = new DataView(msg.buffer);
  for (let block = 0; block * 256 < count; block++) {
    view.setUint32(msg.length - 4, block);
    const h = hmac(sha256, fk, msg);
    for (let j = block * 256; j < Math.min(count, (block + 1) * 256); j++) bits[j] = (h[(j & 255) >> 3] >> (7 - (j & 7))) & 1;
  }
  return bits;
}

/** The JSON scanner shared by embedding and reading: string state survives chunk boundaries. */
class JsonSlots {
  inString = false;
  escape = false;
  slot = 0;
  /** Calls `onSlot(i, j)` for byte i of `chunk` that is the j-th `,`/`:` outside strings; stops after WATERMARK_SLOTS. */
  scan(chunk: Uint8Array, onSlot: (i: number, j: number) => void): void {
    for (let i = 0; i < chunk.length && this.slot < WATERMARK_SLOTS; i++) {
      const b = chunk[i];
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (b === 0x5c) this.escape = true;
        else if (b === 0x22) this.inString = false;
      } else if (b === 0x22) this.inString = true;
      else if (b === 0x2c || b === 0x3a) onSlot(i, this.slot++);
    }
  }
  get exhausted(): boolean {
    return this.slot >= WATERMARK_SLOTS;
  }
}

export interface FingerprintOptions {
  /** `auto` (default): watermark when the body starts with `{` or `[` (FHIR JSON); `json`: always; `off`: trailer only. */
  watermark?: WatermarkMode;
}

/** A TransformStream that embeds the fingerprint of access `recordId` into a plaintext stream. */
export function fingerprintStream(fk: Uint8Array, recordId: Uint8Array, opts: FingerprintOptions = {}): TransformStream<Uint8Array, Uint8Array> {
  checkFk(fk);
  if (!(recordId instanceof Uint8Array) || recordId.length === 0 || recordId.length > 255) throw new TypeError('recordId: expected 1..255 bytes');
  const mode = opts.watermark ?? 'auto';
  if (mode !== 'auto' && mode !== 'json' && mode !== 'off') throw new TypeError(`watermark: expected 'auto', 'json' or 'off'`);
  let decided: boolean | undefined = mode === 'auto' ? undefined : mode === 'json';
  const scanner = new JsonSlots();
  let bits: Uint8Array | undefined;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, c) {
      let from = 0;
      if (decided === undefined) {
        while (from < chunk.length && isWs(chunk[from])) from++;
        if (from === chunk.length) return c.enqueue(chunk); // only whitespace so far
        decided = chunk[from] === 0x7b || chunk[from] === 0x5b;
        if (from > 0) c.enqueue(chunk.subarray(0, from));
        chunk = chunk.subarray(from);
      }
      if (!decided || scanner.exhausted) return c.enqueue(chunk);
      bits ??= watermarkBits(fk, recordId);
      const marks: number[] = [];
      scanner.scan(chunk, (i, j) => {
        if (bits![j]) marks.push(i);
      });
      if (marks.length === 0) return c.enqueue(chunk);
      const out = new Uint8Array(chunk.length + marks.length);
      let o = 0;
      let last = 0;
      for (const i of marks) {
        out.set(chunk.subarray(last, i), o);
        o += i - last;
        out[o++] = SPACE;
        last = i;
      }
      out.set(chunk.subarray(last), o);
      c.enqueue(out);
    },
    flush(c) {
      c.enqueue(trailer(fk, recordId));
    }
  });
}

/** Observed watermark bits of a copy: 1 where a space precedes the slot. */
export function readWatermark(copy: Uint8Array): Uint8Array {
  let from = 0;
  while (from < copy.length && isWs(copy[from])) from++;
  if (from === copy.length) return new Uint8Array(0);
  const observed: number[] = [];
  const scanner = new JsonSlots();
  scanner.scan(copy, (i) => observed.push(i > 0 && copy[i - 1] === SPACE ? 1 : 0));
  return Uint8Array.from(observed);
}

export type LeakResult =
  | { readonly recipient: AccessGrant; readonly evidence: 'trailer' }
  | { readonly recipient: AccessGrant; readonly evidence: 'watermark'; readonly slots: number; readonly matches: number; readonly z: number }
  | { readonly recipient: null; readonly reason: 'no-fingerprint' | 'no-match'; readonly message: string };

/**
 * Names the recipient of a leaked copy among `grants` (the access records of
 * the EMR), using the executor's fingerprint key. First a trailer with a
 * valid tag; else the watermark, accepted when one grant's bits match with
 * z = (2·matches − slots)/√slots ≥ 5 over ≥ 32 slots. Never throws on bad
 * copies; returns `recipient: null` with a reason.
 */
export function identifyLeak(copy: Uint8Array, grants: readonly AccessGrant[], fk: Uint8Array): LeakResult {
  checkFk(fk);
  if (!(copy instanceof Uint8Array)) return { recipient: null, reason: 'no-fingerprint', message: 'the copy is not a byte array' };
  const t = readTrailer(copy);
  if (t !== null) {
    const expectTag = trailerTag(fk, t.recordId);
    let diff = 0;
    for (let i = 0; i < TAG_BYTES; i++) diff |= expectTag[i] ^ t.tag[i];
    const g = diff === 0 ? grants.find((x) => equal(x.recordId, t.recordId)) : undefined;
    if (g) return { recipient: g, evidence: 'trailer' };
    // A trailer that does not verify (forged, altered, another executor's) is no evidence; fall through.
  }
  const observed = readWatermark(copy);
  if (observed.length < MIN_SLOTS) return { recipient: null, reason: 'no-fingerprint', message: `no valid trailer and ${observed.length} watermark slots (need ${MIN_SLOTS})` };
  let best: { g: AccessGrant; matches: number; z: number } | undefined;
  for (const g of grants) {
    const bits = watermarkBits(fk, g.recordId, observed.length);
    let matches = 0;
    for (let j = 0; j < observed.length; j++) if (bits[j] === observed[j]) matches++;
    const z = (2 * matches - observed.length) / Math.sqrt(observed.length);
    if (!best || z > best.z) best = { g, matches, z };
  }
  if (best && best.z >= MIN_Z) return { recipient: best.g, evidence: 'watermark', slots: observed.length, matches: best.matches, z: best.z };
  return { recipient: null, reason: 'no-match', message: `no grant's watermark matches (best z = ${best ? best.z.toFixed(2) : 'n/a'} over ${observed.length} slots, need ${MIN_Z})` };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
