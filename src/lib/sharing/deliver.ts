/**
 * The sharing contract (paper Algorithm 1, SPEC §5) run by the executor (the
 * hospital that wrote the EMR) on a finalised access record, and the data
 * user's side of it.
 *
 * Paper symbols -> identifiers
 *
 * | paper / SPEC | here |
 * | --- | --- |
 * | c = Enc_k(m), fetched by `index` | `ciphertext` (sealed bytes / stream) |
 * | H3(c) == info.H3 | `checkCiphertext(c, expectedH3)` (check.ts) |
 * | k (held by the contract) | `executorCopy`: k wrapped to the executor's encryption key, context `emrKeyContext(emrId)` |
 * | access record (requester, finalised) | `AccessGrant` (grant.ts) |
 * | pk_d (requester) | `grant.requester` (EncryptionPublicKey, G1) |
 * | Enc_pkd(Dec_k(c)) (paper: reencrypt) | `reencrypt` / `reencryptStream`: open, fingerprint, `sealToStream(pk_d)` |
 * | Enc_pkd(k) (rewrap, default) | `rewrap`: unwrap k, `wrapKey(pk_d, k)` |
 *
 * Every delivered key or envelope is wrapped with context
 * `accessContext(recordId)`, so it opens only for that access record.
 *
 * Costs per delivery (|c| = n + 16 N + ~100 bytes):
 *
 * | mode | executor | user | bytes sent |
 * | --- | --- | --- | --- |
 * | rewrap | unwrap (1 G1 decode, 1 mul) + wrap (2 mul), no access to c | H3(c) + unwrap + open c | wrapped key 122 B (+ the user fetches c from the cloud) |
 * | reencrypt | H3(c) + unwrap + open c + fingerprint + wrap + seal | unwrap + open envelope | envelope ≈ |c| + ~220 B + trailer (4·(22+|rid|)) + ≤2048 watermark spaces |
 */
import { decode, encode, expectBytes, expectHeader, expectMap, expectString, FormatError } from '$lib/codec';
import { EncryptionSecretKey } from '$lib/crypto';
import {
  bytesStream,
  collect,
  openFrom,
  openFromStream,
  openStream,
  sealToStream,
  unwrapKey,
  wrapKey,
  open,
  type AeadChoice,
  type StreamOptions
} from '$lib/seal';
import { checkCiphertext, type CiphertextRejection } from './check';
import { fingerprintStream, type WatermarkMode } from './fingerprint';
import { accessContext, checkGrant, MAX_RECORD_ID_BYTES, type AccessGrant } from './grant';

export interface RewrapDelivery {
  readonly mode: 'rewrap';
  readonly recordId: Uint8Array;
  /** k wrapped to the requester (DAG-CBOR wrapped key, 122 bytes). */
  readonly wrappedKey: Uint8Array;
}

export interface ReencryptDelivery {
  readonly mode: 'reencrypt';
  readonly recordId: Uint8Array;
  /** Enc_pkd of the fingerprinted record (envelope: wrapped key || sealed copy). */
  readonly envelope: Uint8Array;
}

export type Delivery = RewrapDelivery | ReencryptDelivery;

/** What the executor holds for one EMR. */
export interface ExecutorInput {
  readonly executorKey: EncryptionSecretKey;
  /** k wrapped to `executorKey.publicKey` when the EMR was stored. */
  readonly executorCopy: Uint8Array;
  /** The context that copy was wrapped with (by convention `emrKeyContext(emrId)`). */
  readonly executorContext?: Uint8Array;
  readonly grant: AccessGrant;
  readonly backend?: AeadChoice;
}

export interface ReencryptInput extends ExecutorInput {
  /** The executor's fingerprint key (fingerprint.ts). */
  readonly fingerprintKey: Uint8Array;
  readonly watermark?: WatermarkMode;
  readonly onProgress?: StreamOptions['onProgress'];
}

function expectMode(grant: AccessGrant, mode: 'rewrap' | 'reencrypt'): void {
  checkGrant(grant);
  if (grant.mode !== mode) throw new TypeError(`grant.mode: this access record asks for ${grant.mode}, not ${mode}`);
}

/** Rewrap mode (default): k re-wrapped to the requester; the executor never touches c. Throws SealError if its own copy does not open. */
export async function rewrap(input: ExecutorInput): Promise<RewrapDelivery> {
  expectMode(input.grant, 'rewrap');
  const k = await unwrapKey(input.executorKey, input.executorCopy, { context: input.executorContext, backend: input.backend });
  try {
    const wrappedKey = await wrapKey(input.grant.requester, k, { context: accessContext(input.grant.recordId), backend: input.backend });
    return { mode: 'rewrap', recordId: input.grant.recordId.slice(), wrappedKey };
  } finally {
    k.fill(0);
  }
}

/**
 * Reencrypt mode as a stream (paper Algorithm 1 after the H3 check): write c,
 * read the envelope for the requester. The caller must have checked H3(c)
 * (`checkCiphertextStream`) — or use `reencrypt`, which does.
 */
export async function reencryptStream(input: ReencryptInput): Promise<{ writable: WritableStream<Uint8Array>; readable: ReadableStream<Uint8Array> }> {
  expectMode(input.grant, 'reencrypt');
  const k = await unwrapKey(input.executorKey, input.executorCopy, { context: input.executorContext, backend: input.backend });
  const opener = openStream(k, { backend: input.backend, onProgress: input.onProgress });
  k.fill(0); // the opener holds its derived keys, not k
  const readable = opener.readable
    .pipeThrough(fingerprintStream(input.fingerprintKey, input.grant.recordId, { watermark: input.watermark }))
    .pipeThrough(sealToStream(input.grant.requester, { context: accessContext(input.grant.recordId), backend: input.backend }));
  return { writable: opener.writable, readable };
}

export type ContractResult<D> = { readonly ok: true; readonly delivery: D } | { readonly ok: false; readonly check: CiphertextRejection };

/**
 * Reencrypt mode in memory: the paper's Algorithm 1. Rejects (as an outcome)
 * unless H3(c) equals the on-chain value, then decrypts, fingerprints for
 * `grant.recordId` and encrypts to `grant.requester`.
 */
export async function reencrypt(input: ReencryptInput & { ciphertext: Uint8Array; expectedH3: bigint | Uint8Array }): Promise<ContractResult<ReencryptDelivery>> {
  expectMode(input.grant, 'reencrypt');
  const check = checkCiphertext(input.ciphertext, input.expectedH3);
  if (!check.ok) return { ok: false, check };
  const { writable, readable } = await reencryptStream(input);
  const [, envelope] = await Promise.all([bytesStream(input.ciphertext).pipeTo(writable), collect(readable)]);
  return { ok: true, delivery: { mode: 'reencrypt', recordId: input.grant.recordId.slice(), envelope } };
}

/** Either mode, by `grant.mode`. In rewrap mode c is not needed and not checked here (the user checks it). */
export async function deliver(
  input: ReencryptInput & { ciphertext?: Uint8Array; expectedH3?: bigint | Uint8Array }
): Promise<ContractResult<Delivery>> {
  if (input.grant.mode === 'rewrap') return { ok: true, delivery: await rewrap(input) };
  if (input.ciphertext === undefined || input.expectedH3 === undefined) throw new TypeError('ciphertext, expectedH3: required in reencrypt mode');
  return reencrypt({ ...input, ciphertext: input.ciphertext, expectedH3: input.expectedH3 });
}

// ---- the data user's side ----

/** The file key of a rewrap delivery (for streaming `openStream(k)`). Throws SealError. */
export async function unwrapDelivery(userKey: EncryptionSecretKey, delivery: RewrapDelivery, backend?: AeadChoice): Promise<Uint8Array> {
  return unwrapKey(userKey, delivery.wrappedKey, { context: accessContext(delivery.recordId), backend });
}

/**
 * Rewrap mode, user side, in memory: checks H3(c) against the on-chain value
 * itself (outcome on mismatch), then unwraps k and opens c. Throws SealError
 * if the key or c do not authenticate.
 */
export async function openRewrap(
  userKey: EncryptionSecretKey,
  delivery: RewrapDelivery,
  ciphertext: Uint8Array,
  expectedH3: bigint | Uint8Array,
  backend?: AeadChoice
): Promise<{ readonly ok: true; readonly plaintext: Uint8Array } | { readonly ok: false; readonly check: CiphertextRejection }> {
  const check = checkCiphertext(ciphertext, expectedH3);
  if (!check.ok) return { ok: false, check };
  const k = await unwrapDelivery(userKey, delivery, backend);
  try {
    return { ok: true, plaintext: await open(k, ciphertext, { backend }) };
  } finally {
    k.fill(0);
  }
}

/** Reencrypt mode, user side: the fingerprinted copy (JSON stays valid JSON). Throws SealError. */
export async function openReencrypted(userKey: EncryptionSecretKey, delivery: ReencryptDelivery, backend?: AeadChoice): Promise<Uint8Array> {
  return openFrom(userKey, delivery.envelope, { context: accessContext(delivery.recordId), backend });
}

/** Reencrypt mode, user side, streaming. */
export function openReencryptedStream(userKey: EncryptionSecretKey, recordId: Uint8Array, opts: StreamOptions = {}): TransformStream<Uint8Array, Uint8Array> {
  return openFromStream(userKey, { ...opts, context: accessContext(recordId) });
}

// ---- wire encoding of a rewrap delivery ----

const DELIVERY_TYPE = 'delivery';
const MAX_DELIVERY_BYTES = 512;

/** DAG-CBOR `{ t: "delivery", v: 1, mode: "rewrap", r: recordId, w: wrappedKey }`. */
export function encodeRewrapDelivery(d: RewrapDelivery): Uint8Array {
  return encode({ t: DELIVERY_TYPE, v: 1, mode: 'rewrap', r: d.recordId, w: d.wrappedKey });
}

/** Decodes a rewrap delivery; throws the codec's FormatError. The wrapped key is checked when unwrapped. */
export function decodeRewrapDelivery(bytes: Uint8Array): RewrapDelivery {
  const m = expectMap(decode(bytes, MAX_DELIVERY_BYTES), 'delivery');
  expectHeader(m, DELIVERY_TYPE, 1);
  for (const k of Object.keys(m)) if (!['t', 'v', 'mode', 'r', 'w'].includes(k)) throw new FormatError('malformed', `delivery: unknown field ${k}`);
  if (expectString(m.mode, 'delivery mode', 16) !== 'rewrap') throw new FormatError('out-of-range', 'delivery mode: expected rewrap');
  const recordId = expectBytes(m.r, 'delivery r');
  if (recordId.length === 0 || recordId.length > MAX_RECORD_ID_BYTES) throw new FormatError('bad-length', `delivery r: expected 1..${MAX_RECORD_ID_BYTES} bytes`);
  return { mode: 'rewrap', recordId, wrappedKey: expectBytes(m.w, 'delivery w') };
}
