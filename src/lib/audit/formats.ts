/**
 * Byte formats of the audit objects: one deterministic DAG-CBOR encoding
 * each (maps with sorted keys, `t` type and `v` version), and decoders that
 * check size, shape, lengths and ranges before any group work, then decode
 * points with full validation (`g1.fromBytes`: canonical, on curve, in the
 * subgroup). Every rejection is a `FormatError` with a `kind`.
 *
 * | object | t | fields (besides t, v = 1) | size |
 * | --- | --- | --- | --- |
 * | sw-priv tag set | `audit/sw-priv/tags` | name (32 B), n, s, len, tags (n·48 B, σ_0 ‖ σ_1 ‖ …) | 48 n + ~70 |
 * | challenge | `audit/challenge` | scheme ("sw-priv" / "yang2019"), name (32 B file id), seed (32 B), c | ~110 |
 * | sw-priv proof | `audit/sw-priv/proof` | sigma (48 B), mu (s·32 B, μ'_0 ‖ …), R (576 B, SPEC §2 GT bytes) | 32 s + 660 |
 * | yang2019 tag set | `audit/yang2019/tags` | n, len, tags (n·48 B) | 48 n + ~50 |
 * | yang2019 proof | `audit/yang2019/proof` | lambda (32 B), sigma (48 B) | ~120 |
 *
 * Points are compressed (G1 48 bytes), scalars 32 bytes big-endian < q.
 * Lists of fixed-size items are one concatenated byte string: smaller and
 * cheaper to decode than CBOR arrays, and the count is checked against n / s.
 * Unknown fields are rejected, so each object has exactly one encoding.
 */
import { DecodeError, fr, g1, type G1 } from '$lib/crypto';
import { decode, encode, expectBytes, expectHeader, expectMap, expectString, expectUint, FormatError } from '$lib/codec';
import { MAX_C, SEED_BYTES } from './challenge';
import { checkGtBytes } from './gtbytes';
import { blockCount, MAX_S } from './sectors';
import type { SwFileInfo, SwProof } from './swpriv';

export const VERSION = 1;
export const T_SW_TAGS = 'audit/sw-priv/tags';
export const T_SW_PROOF = 'audit/sw-priv/proof';
export const T_CHALLENGE = 'audit/challenge';
export const T_YANG_TAGS = 'audit/yang2019/tags';
export const T_YANG_PROOF = 'audit/yang2019/proof';

/** Default ceiling for a tag set (~1.4 M blocks: a 2.7 GB file at s = 64). */
export const MAX_TAGSET_BYTES = 64 << 20;
const G1_BYTES = 48;
const SCALAR_BYTES = 32;

export type AuditScheme = 'sw-priv' | 'yang2019';

function onlyFields(m: Record<string, unknown>, fields: string[], what: string): void {
  for (const k of Object.keys(m)) if (!fields.includes(k)) throw new FormatError('malformed', `${what}: unknown field ${k}`);
  for (const k of fields) if (!(k in m)) throw new FormatError('missing-field', `${what}: missing ${k}`);
}

function point(bytes: Uint8Array, what: string): G1 {
  try {
    return g1.fromBytes(bytes);
  } catch (e) {
    if (e instanceof DecodeError) throw new FormatError('malformed', `${what}: ${e.message} (${e.kind})`);
    throw e;
  }
}

function points(bytes: Uint8Array, count: number, what: string): G1[] {
  if (bytes.length !== count * G1_BYTES) throw new FormatError('bad-length', `${what}: expected ${count} x ${G1_BYTES} bytes, got ${bytes.length}`);
  return Array.from({ length: count }, (_, i) => point(bytes.subarray(i * G1_BYTES, (i + 1) * G1_BYTES), `${what}[${i}]`));
}

function scalar(bytes: Uint8Array, what: string): bigint {
  try {
    return fr.fromBytes(bytes);
  } catch (e) {
    if (e instanceof DecodeError) throw new FormatError('out-of-range', `${what}: ${e.message}`);
    throw e;
  }
}

function concat(parts: Uint8Array[], each: number): Uint8Array {
  const out = new Uint8Array(parts.length * each);
  parts.forEach((p, i) => out.set(p, i * each));
  return out;
}

// sw-priv tag set ------------------------------------------------------------

export interface SwTagSet {
  file: SwFileInfo;
  tags: G1[];
}

export function encodeSwTagSet(file: SwFileInfo, tags: readonly G1[]): Uint8Array {
  if (tags.length !== file.n) throw new RangeError(`tags: expected ${file.n}, got ${tags.length}`);
  return encode({ t: T_SW_TAGS, v: VERSION, name: file.name, n: file.n, s: file.s, len: file.length, tags: concat(tags.map((p) => g1.toBytes(p)), G1_BYTES) });
}

export function decodeSwTagSet(bytes: Uint8Array, maxBytes = MAX_TAGSET_BYTES): SwTagSet {
  const m = expectMap(decode(bytes, maxBytes), 'tag set');
  expectHeader(m, T_SW_TAGS, VERSION);
  onlyFields(m, ['t', 'v', 'name', 'n', 's', 'len', 'tags'], 'tag set');
  const name = expectBytes(m.name, 'tag set name', 32);
  const s = expectUint(m.s, 'tag set s', MAX_S);
  if (s < 1) throw new FormatError('out-of-range', 'tag set s: must be at least 1');
  const length = expectUint(m.len, 'tag set len');
  const n = expectUint(m.n, 'tag set n');
  if (n !== blockCount(length, s)) throw new FormatError('out-of-range', `tag set n: ${n} blocks do not fit len ${length} and s ${s}`);
  const raw = expectBytes(m.tags, 'tag set tags', n * G1_BYTES);
  return { file: { name, n, s, length }, tags: points(raw, n, 'tag') };
}

// challenge ------------------------------------------------------------------

export interface ChallengeMessage {
  scheme: AuditScheme;
  /** The file's id (sw-priv: its name). */
  name: Uint8Array;
  seed: Uint8Array;
  c: number;
}

export function encodeChallenge(ch: ChallengeMessage): Uint8Array {
  if (ch.scheme !== 'sw-priv' && ch.scheme !== 'yang2019') throw new RangeError('scheme: expected sw-priv or yang2019');
  if (ch.name.length !== 32 || ch.seed.length !== SEED_BYTES) throw new RangeError('name, seed: expected 32 bytes each');
  if (!Number.isInteger(ch.c) || ch.c < 1 || ch.c > MAX_C) throw new RangeError(`c: expected an integer in [1, ${MAX_C}]`);
  return encode({ t: T_CHALLENGE, v: VERSION, scheme: ch.scheme, name: ch.name, seed: ch.seed, c: ch.c });
}

export function decodeChallenge(bytes: Uint8Array): ChallengeMessage {
  const m = expectMap(decode(bytes, 256), 'challenge');
  expectHeader(m, T_CHALLENGE, VERSION);
  onlyFields(m, ['t', 'v', 'scheme', 'name', 'seed', 'c'], 'challenge');
  const scheme = expectString(m.scheme, 'challenge scheme', 16);
  if (scheme !== 'sw-priv' && scheme !== 'yang2019') throw new FormatError('out-of-range', `challenge scheme: unknown ${scheme}`);
  const c = expectUint(m.c, 'challenge c', MAX_C);
  if (c < 1) throw new FormatError('out-of-range', 'challenge c: must be at least 1');
  return { scheme, name: expectBytes(m.name, 'challenge name', 32), seed: expectBytes(m.seed, 'challenge seed', SEED_BYTES), c };
}

// sw-priv proof --------------------------------------------------------------

export function encodeSwProof(p: SwProof): Uint8Array {
  return encode({ t: T_SW_PROOF, v: VERSION, sigma: g1.toBytes(p.sigma), mu: concat(p.mu.map((x) => fr.toBytes(x)), SCALAR_BYTES), R: p.R });
}

/** Decodes a proof; `s` (from the file's on-chain record) fixes the number of masked sums. */
export function decodeSwProof(bytes: Uint8Array, s: number): SwProof {
  if (!Number.isInteger(s) || s < 1 || s > MAX_S) throw new RangeError(`s: expected an integer in [1, ${MAX_S}]`);
  const m = expectMap(decode(bytes, 64 + 48 + 576 + 32 * s + 64), 'proof');
  expectHeader(m, T_SW_PROOF, VERSION);
  onlyFields(m, ['t', 'v', 'sigma', 'mu', 'R'], 'proof');
  const sigmaBytes = expectBytes(m.sigma, 'proof sigma', G1_BYTES);
  const muBytes = expectBytes(m.mu, 'proof mu', s * SCALAR_BYTES);
  const R = expectBytes(m.R, 'proof R', 576);
  checkGtBytes(R, 'proof R');
  const mu = Array.from({ length: s }, (_, j) => scalar(muBytes.subarray(j * SCALAR_BYTES, (j + 1) * SCALAR_BYTES), `proof mu[${j}]`));
  return { sigma: point(sigmaBytes, 'proof sigma'), mu, R: R.slice() };
}

// yang2019 -------------------------------------------------------------------

export interface YangProofMessage {
  lambda: bigint;
  sigma: G1;
}

export function encodeYangTagSet(length: number, tags: readonly G1[]): Uint8Array {
  if (tags.length !== blockCount(length, 1)) throw new RangeError('tags: one per 31-byte sector expected');
  return encode({ t: T_YANG_TAGS, v: VERSION, n: tags.length, len: length, tags: concat(tags.map((p) => g1.toBytes(p)), G1_BYTES) });
}

export function decodeYangTagSet(bytes: Uint8Array, maxBytes = MAX_TAGSET_BYTES): { length: number; tags: G1[] } {
  const m = expectMap(decode(bytes, maxBytes), 'yang2019 tag set');
  expectHeader(m, T_YANG_TAGS, VERSION);
  onlyFields(m, ['t', 'v', 'n', 'len', 'tags'], 'yang2019 tag set');
  const length = expectUint(m.len, 'yang2019 tag set len');
  const n = expectUint(m.n, 'yang2019 tag set n');
  if (n !== blockCount(length, 1)) throw new FormatError('out-of-range', `yang2019 tag set n: ${n} does not fit len ${length}`);
  return { length, tags: points(expectBytes(m.tags, 'yang2019 tags', n * G1_BYTES), n, 'yang2019 tag') };
}

export function encodeYangProof(p: YangProofMessage): Uint8Array {
  return encode({ t: T_YANG_PROOF, v: VERSION, lambda: fr.toBytes(p.lambda), sigma: g1.toBytes(p.sigma) });
}

export function decodeYangProof(bytes: Uint8Array): YangProofMessage {
  const m = expectMap(decode(bytes, 160), 'yang2019 proof');
  expectHeader(m, T_YANG_PROOF, VERSION);
  onlyFields(m, ['t', 'v', 'lambda', 'sigma'], 'yang2019 proof');
  const lambda = scalar(expectBytes(m.lambda, 'yang2019 proof lambda', SCALAR_BYTES), 'yang2019 proof lambda');
  return { lambda, sigma: point(expectBytes(m.sigma, 'yang2019 proof sigma', G1_BYTES), 'yang2019 proof sigma') };
}
