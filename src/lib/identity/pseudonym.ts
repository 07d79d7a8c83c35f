/**
 * Pseudonyms, the PKG's escrow and tracing (SPEC §3 "Setup (PKG)", §7).
 *
 * | paper | here | size |
 * | --- | --- | --- |
 * | ID_p | `id` (string), padded to `padIdentity(id)` | 64 B block |
 * | E_pkR(ID_p) | `escrowEncrypt(pkR, block)` (escrow.ts) | 128 B |
 * | H1: {0,1}* -> {0,1}^n, n = 512 | `h1(E, ID_BYTES)` ($lib/hashes) | 64 B |
 * | PID_p = ID_p xor H1(E_pkR(ID_p)) | `Pseudonym.pid` | 64 B |
 *
 * Why the escrow is secret. PID is public and `ID = PID xor H1(E)`, so
 * whoever learns E_pkR(ID) learns ID without any key; E never leaves the
 * PKG. Without E, PID is ID masked by H1 of a fresh randomised ciphertext:
 * a uniformly random-looking 64-byte string, different each time the same ID
 * is registered, that nobody without the escrow (or skR together with the
 * escrow) can link to ID or to another PID. The escrow map PID -> E is
 * therefore as sensitive as a table of identities; the storage layer keeps
 * it encrypted at rest.
 *
 * Tracing (`trace`) looks E up by PID, decrypts it with skR (the escrow entry
 * is authenticated by the AEAD, so a swapped or corrupted entry is caught),
 * and checks that PID == block xor H1(E) before naming anyone. Every trace is
 * itself recorded on chain as a `TraceRecord` signed by the PKG (§7); the
 * record names the pseudonym, the requester and the reason, never the
 * identity.
 *
 * TraceRecord encoding (canonical DAG-CBOR, at most MAX_TRACE_RECORD_BYTES):
 *   { t: "medchain/trace", v: 1, pid: 64 B, req: requester's signing pk (G2, 96 B),
 *     why: UTF-8 reason 1..1024 bytes, time: ms since the Unix epoch (uint),
 *     sig: PKG BLS signature (48 B) over the same map without `sig` }
 *
 * | operation | cost |
 * | --- | --- |
 * | issuePseudonym | escrowEncrypt (2 G1 mul) + H1 (3 SHA-256 blocks) |
 * | trace | escrowDecrypt (1 G1 decode + 1 G1 mul) + H1 |
 * | signTraceRecord | 1 hash-to-G1 + 1 G1 mul |
 * | verifyTraceRecord | 2 P |
 */
import { decode, encode, expectArray, expectBytes, expectHeader, expectMap, expectString, expectUint, FormatError, type Value } from '$lib/codec';
import type { EncryptionPublicKey, EncryptionSecretKey } from '$lib/crypto';
import { h1 } from '$lib/hashes';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { ESCROW_BYTES, escrowDecrypt, escrowEncrypt, ID_BYTES, padIdentity, unpadIdentity } from './escrow';
import { fail, OK, wrapRange, type Verdict } from './errors';
import { G1_BYTES, G2_BYTES, sign, signingPublicKey, verify, type SigningKeyPair, type SigningPublicKey } from './keys';

/** A PID (64 bytes) and the escrow entry E_pkR(ID) (128 bytes) the PKG keeps secret. */
export interface Pseudonym {
  readonly pid: Uint8Array;
  readonly escrow: Uint8Array;
}

/** The PKG's private escrow: hex(PID) -> E_pkR(ID). */
export type EscrowBook = Map<string, Uint8Array>;

export const PID_BYTES = ID_BYTES;

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** The escrow book key of a PID. */
export function pidKey(pid: Uint8Array): string {
  return bytesToHex(pid);
}

/**
 * PID = pad(ID) xor H1(E_pkR(pad(ID))), E randomised: two calls with the same
 * ID give unrelated PIDs. Throws IdentityError for an unacceptable ID.
 */
export function issuePseudonym(id: string, pkR: EncryptionPublicKey): Pseudonym {
  const block = padIdentity(id);
  const escrow = escrowEncrypt(pkR, block);
  return { pid: xor(block, h1(escrow, ID_BYTES)), escrow };
}

/** Records a pseudonym in the PKG's escrow book (a PID is random: a clash means a bug). */
export function addToEscrow(book: EscrowBook, p: Pseudonym): void {
  const key = pidKey(p.pid);
  if (book.has(key)) throw new RangeError('pid: already in the escrow book');
  book.set(key, p.escrow);
}

export type TraceFailure = 'unknown-pseudonym' | 'decrypt-failed' | 'pid-mismatch' | 'malformed-identity';
export type TraceResult = { readonly ok: true; readonly id: string } | { readonly ok: false; readonly reason: TraceFailure; readonly detail: string };

/**
 * The identity behind `pid`, for the PKG: looks E up in `escrow` (or takes the
 * entry itself), decrypts it with skR and checks PID == block xor H1(E).
 */
export function trace(pid: Uint8Array, escrow: EscrowBook | Uint8Array, skR: EncryptionSecretKey): TraceResult {
  if (!(pid instanceof Uint8Array)) throw new TypeError('pid: expected Uint8Array');
  const e = escrow instanceof Uint8Array ? escrow : escrow.get(pidKey(pid));
  if (e === undefined) return { ok: false, reason: 'unknown-pseudonym', detail: 'no escrow entry for this pseudonym' };
  if (pid.length !== PID_BYTES) return { ok: false, reason: 'pid-mismatch', detail: `a pseudonym is ${PID_BYTES} bytes` };
  const block = escrowDecrypt(skR, e);
  if (block === null) return { ok: false, reason: 'decrypt-failed', detail: 'the escrow entry does not decrypt under this key (wrong key or altered entry)' };
  if (!equalBytes(xor(block, h1(e, ID_BYTES)), pid)) {
    return { ok: false, reason: 'pid-mismatch', detail: 'the escrow entry belongs to another pseudonym' };
  }
  try {
    return { ok: true, id: unpadIdentity(block) };
  } catch (err) {
    return { ok: false, reason: 'malformed-identity', detail: err instanceof Error ? err.message : String(err) };
  }
}

// ---------------------------------------------------------------- escrow book storage

export const ESCROW_BOOK_TYPE = 'medchain/escrow-book';

/** Canonical bytes of an escrow book (entries sorted by PID). Secret: encrypt before storing. */
export function encodeEscrowBook(book: EscrowBook): Uint8Array {
  const entries = [...book.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return encode({ t: ESCROW_BOOK_TYPE, v: 1, e: entries.map(([k, e]) => [hexToPid(k), e]) });
}

function hexToPid(k: string): Uint8Array {
  if (!/^[0-9a-f]{128}$/.test(k)) throw new RangeError(`escrow book key ${k}: not a PID`);
  return Uint8Array.from(k.match(/../g)!.map((h) => parseInt(h, 16)));
}

/** Reads an escrow book; FormatError on bad shape, duplicates or disorder. */
export function decodeEscrowBook(bytes: Uint8Array, maxEntries = 1_000_000): EscrowBook {
  const m = expectMap(decode(bytes, 64 + maxEntries * (PID_BYTES + ESCROW_BYTES + 8)), 'escrow book');
  expectHeader(m, ESCROW_BOOK_TYPE, 1);
  const book: EscrowBook = new Map();
  let prev = '';
  for (const [i, item] of expectArray(m.e, 'escrow book entries', maxEntries).entries()) {
    const pair = expectArray(item, `entry ${i}`, 2);
    if (pair.length !== 2) throw new FormatError('malformed', `entry ${i}: expected [pid, escrow]`);
    const key = pidKey(expectBytes(pair[0], `entry ${i} pid`, PID_BYTES));
    if (key <= prev) throw new FormatError('malformed', `entry ${i}: PIDs not sorted or repeated`);
    prev = key;
    book.set(key, expectBytes(pair[1], `entry ${i} escrow`, ESCROW_BYTES));
  }
  return book;
}

// ---------------------------------------------------------------- trace records

export const TRACE_TYPE = 'medchain/trace';
export const TRACE_VERSION = 1;
export const MAX_TRACE_REASON_BYTES = 1024;
export const MAX_TRACE_RECORD_BYTES = 1536;

/** The on-chain statement "the PKG traced `pid` for `requester` because `reason` at `time`". */
export interface TraceRecord {
  readonly pid: Uint8Array;
  readonly requester: SigningPublicKey;
  readonly reason: string;
  /** Milliseconds since the Unix epoch. */
  readonly time: number;
  /** PKG signature over the record without `sig`. */
  readonly sig: Uint8Array;
}

export type TraceRecordFailure = 'bad-signature' | 'malformed';

function traceBody(r: Omit<TraceRecord, 'sig'>): Record<string, Value> {
  return { t: TRACE_TYPE, v: TRACE_VERSION, pid: r.pid, req: r.requester, why: r.reason, time: r.time };
}

function checkReason(reason: string): string | null {
  if (typeof reason !== 'string' || !reason.isWellFormed()) return 'the reason is not a valid string';
  if (reason.trim().length === 0) return 'the reason is empty';
  if (utf8ToBytes(reason).length > MAX_TRACE_REASON_BYTES) return `the reason is longer than ${MAX_TRACE_REASON_BYTES} bytes`;
  return null;
}

/** The PKG signs a trace record. Throws RangeError / TypeError on bad arguments. */
export function signTraceRecord(pkg: SigningKeyPair, fields: { pid: Uint8Array; requester: SigningPublicKey; reason: string; time: number }): TraceRecord {
  if (!(fields.pid instanceof Uint8Array) || fields.pid.length !== PID_BYTES) throw new TypeError(`pid: expected ${PID_BYTES} bytes`);
  const bad = checkReason(fields.reason);
  if (bad) throw new RangeError(`reason: ${bad}`);
  if (!Number.isSafeInteger(fields.time) || fields.time < 0) throw new RangeError('time: expected milliseconds since the epoch');
  const unsigned = { pid: fields.pid, requester: fields.requester, reason: fields.reason, time: fields.time };
  return { ...unsigned, sig: sign(pkg.sk, encode(traceBody(unsigned))) };
}

/**
 * The PKG's whole trace: the identity (kept off chain) and the record of the
 * trace (for the chain). The record is made whether or not the trace succeeds:
 * an attempt is an event worth auditing.
 */
export function traceWithRecord(
  pkg: { signing: SigningKeyPair; encryption: EncryptionSecretKey },
  pid: Uint8Array,
  escrow: EscrowBook,
  request: { requester: SigningPublicKey; reason: string; time: number }
): { result: TraceResult; record: TraceRecord } {
  const record = signTraceRecord(pkg.signing, { pid, ...request });
  return { result: trace(pid, escrow, pkg.encryption), record };
}

export function encodeTraceRecord(r: TraceRecord): Uint8Array {
  return encode({ ...traceBody(r), sig: r.sig });
}

/** Decodes a trace record; FormatError / DecodeError. Does not check the signature. */
export function decodeTraceRecord(bytes: Uint8Array): TraceRecord {
  const m = expectMap(decode(bytes, MAX_TRACE_RECORD_BYTES), 'trace record');
  expectHeader(m, TRACE_TYPE, TRACE_VERSION);
  for (const k of Object.keys(m)) if (!['t', 'v', 'pid', 'req', 'why', 'time', 'sig'].includes(k)) throw new FormatError('malformed', `trace record: unknown field ${k}`);
  const reason = expectString(m.why, 'trace record reason', MAX_TRACE_REASON_BYTES);
  const bad = checkReason(reason);
  if (bad) throw new FormatError('out-of-range', `trace record: ${bad}`);
  const req = expectBytes(m.req, 'trace record requester', G2_BYTES);
  return {
    pid: expectBytes(m.pid, 'trace record pid', PID_BYTES),
    requester: wrapRange(() => signingPublicKey(req), 'trace record requester'),
    reason,
    time: expectUint(m.time, 'trace record time'),
    sig: expectBytes(m.sig, 'trace record signature', G1_BYTES)
  };
}

/** Checks the PKG's signature on a trace record. */
export function verifyTraceRecord(r: TraceRecord, pkgPk: SigningPublicKey): Verdict<TraceRecordFailure> {
  if (!(r.pid instanceof Uint8Array) || r.pid.length !== PID_BYTES || checkReason(r.reason) || !Number.isSafeInteger(r.time) || r.time < 0) {
    return fail('malformed', 'the record has a field of the wrong shape');
  }
  if (!verify(pkgPk, encode(traceBody(r)), r.sig)) return fail('bad-signature', 'the record is not signed by this PKG');
  return OK;
}
