/**
 * `Enc_pkd` (SPEC §5): encryption to a data user's G1 public key as a KEM on
 * G1 plus the same AES-256-GCM: key wrapping of a 32-byte file key, and the
 * envelope that seals a whole stream to a public key (paper Algorithm 1's
 * re-encryption).
 *
 * Paper symbols -> identifiers
 *
 * | paper / SPEC | here |
 * | --- | --- |
 * | pk_d = P1^d (data user) | `EncryptionPublicKey`, secret `EncryptionSecretKey` ($lib/crypto) |
 * | y (ephemeral), Y = P1^y | inside `kemEncapsulate` ($lib/crypto), `WrappedKey.y` (48 B) |
 * | shared secret pk^y = Y^d | Z, inside `kemEncapsulate` / `kemDecapsulate` (`sk.dh(Y)`) |
 * | HKDF-SHA256 | the crypto layer's KEM: ikm = enc(Z), salt = enc(Y) || enc(pk), info = DST || context |
 * | Enc_pkd(k) | `wrapKey(pk, k, context)` |
 * | Enc_pkd(m) | `sealToStream(pk)` / `sealTo(pk, m)`: wrap a fresh k, then `Enc_k(m)` |
 *
 * ```
 * (kemKey, nonce) = HKDF-SHA256(ikm = Z, salt = Y || pk, info = "MEDCHAIN-V1-KEM-G1" || context, 44)
 * wrapped  = DAG-CBOR { t: "wrapped-key", v: 1, y: Y(48), c: AES-256-GCM(kemKey, nonce, k, aad = context)(48) }
 * envelope = u16be(|wrapped|) || wrapped || sealed(k, m)        (context = "MEDCHAIN-V1-ENVELOPE" || ctx)
 * ```
 *
 * Costs:
 *
 * | phase | operations | bytes |
 * | --- | --- | --- |
 * | wrap | 2 G1 mul (constant time), 1 HKDF, 1 GCM | wrapped key 122 B |
 * | unwrap | 1 G1 decode (subgroup check), 1 G1 mul, 1 HKDF, 1 GCM | k 32 B |
 * | envelope | wrap + seal | sealed + 124 B |
 *
 * `context` (<= 1024 bytes, not stored) binds a wrapped key to where it is
 * used (an EMR, an access record); unwrapping with another context fails.
 * Y and pk are both in the KDF, so a wrapped key is bound to its recipient
 * and a changed Y yields another key (the GCM tag then fails).
 */
import { decode, encode, expectBytes, expectHeader, expectMap, FormatError } from '$lib/codec';
import { DecodeError, EncryptionPublicKey, EncryptionSecretKey, kemDecapsulate, kemEncapsulate, KEM_Y_BYTES, type KemKey } from '$lib/crypto';
import { aesGcm, type AeadChoice } from './aead';
import { asChunk, ByteQueue, concatBytes, u16be, utf8 } from './bytes';
import { SealError } from './errors';
import { FILE_KEY_BYTES, generateFileKey, Opener, Sealer, type SealOptions, type StreamOptions } from './stream';

export const WRAPPED_TYPE = 'wrapped-key';
export const WRAPPED_VERSION = 1;
export const MAX_WRAPPED_BYTES = 256;
export const MAX_CONTEXT_BYTES = 1024;
const DST_KEM = utf8('MEDCHAIN-V1-KEM-G1');
const DST_ENVELOPE = utf8('MEDCHAIN-V1-ENVELOPE');
const WRAPPED_CT_BYTES = FILE_KEY_BYTES + 16;

/** A decoded wrapped key: the KEM's Y and the GCM-sealed 32-byte key. */
export interface WrappedKey {
  readonly y: Uint8Array;
  readonly c: Uint8Array;
}

export interface WrapOptions {
  /** Binds the wrap to where it is used (<= 1024 bytes); the same bytes are needed to unwrap. */
  context?: Uint8Array;
  backend?: AeadChoice;
}

function checkContext(ctx: Uint8Array | undefined): Uint8Array {
  const c = ctx ?? new Uint8Array(0);
  if (!(c instanceof Uint8Array)) throw new TypeError('context: expected a Uint8Array');
  if (c.length > MAX_CONTEXT_BYTES) throw new RangeError(`context: ${c.length} bytes, limit ${MAX_CONTEXT_BYTES}`);
  return c;
}

function checkPublicKey(pk: EncryptionPublicKey): void {
  if (!(pk instanceof EncryptionPublicKey)) throw new TypeError('pk: expected an EncryptionPublicKey (a G1 encryption key, not a signing key)');
}


/** The canonical DAG-CBOR encoding of a wrapped key. */
export function encodeWrappedKey(w: WrappedKey): Uint8Array {
  return encode({ t: WRAPPED_TYPE, v: WRAPPED_VERSION, y: w.y, c: w.c });
}

/** Decodes a wrapped key; throws the codec's FormatError (size checked before parsing). Y is checked on unwrap. */
export function decodeWrappedKey(bytes: Uint8Array): WrappedKey {
  const m = expectMap(decode(bytes, MAX_WRAPPED_BYTES), 'wrapped key');
  expectHeader(m, WRAPPED_TYPE, WRAPPED_VERSION);
  for (const k of Object.keys(m)) if (!['t', 'v', 'y', 'c'].includes(k)) throw new FormatError('malformed', `wrapped key: unknown field ${k}`);
  return { y: expectBytes(m.y, 'wrapped key y', KEM_Y_BYTES), c: expectBytes(m.c, 'wrapped key c', WRAPPED_CT_BYTES) };
}

/** Enc_pkd(k): wraps a 32-byte key to `pk`. Returns the encoded wrapped key. */
export async function wrapKey(pk: EncryptionPublicKey, k: Uint8Array, opts: WrapOptions = {}): Promise<Uint8Array> {
  checkPublicKey(pk);
  if (!(k instanceof Uint8Array) || k.length !== FILE_KEY_BYTES) throw new TypeError(`k: expected ${FILE_KEY_BYTES} bytes`);
  const context = checkContext(opts.context);
  const { y, key, nonce } = kemEncapsulate(pk, concatBytes(DST_KEM, context));
  const aead = await aesGcm(key, opts.backend);
  return encodeWrappedKey({ y, c: await aead.encrypt(nonce, k, context) });
}

/** Unwraps a key wrapped to `sk.publicKey`. Throws SealError (`malformed`, `bad-point`, `unwrap-failed`). */
export async function unwrapKey(sk: EncryptionSecretKey, wrapped: Uint8Array, opts: WrapOptions = {}): Promise<Uint8Array> {
  if (!(sk instanceof EncryptionSecretKey)) throw new TypeError('sk: expected an EncryptionSecretKey');
  const context = checkContext(opts.context);
  let w: WrappedKey;
  try {
    w = decodeWrappedKey(wrapped);
  } catch (e) {
    if (e instanceof FormatError) throw new SealError('malformed', `wrapped key: ${e.message}`, { cause: e });
    throw e;
  }
  let kem: KemKey;
  try {
    kem = kemDecapsulate(sk, w.y, concatBytes(DST_KEM, context));
  } catch (e) {
    if (e instanceof DecodeError) throw new SealError('bad-point', `wrapped key: Y is not a valid G1 point other than the identity (${e.kind})`, { cause: e });
    throw e;
  }
  const { key, nonce } = kem;
  const aead = await aesGcm(key, opts.backend);
  const k = await aead.decrypt(nonce, w.c, context);
  if (k === null) throw new SealError('unwrap-failed', 'the wrapped key does not open with this key and context: another recipient, another context, or altered bytes');
  return k;
}

export interface SealToOptions extends Omit<SealOptions, 'fileId'> {
  context?: Uint8Array;
}

const envelopeContext = (ctx: Uint8Array | undefined) => concatBytes(DST_ENVELOPE, checkContext(ctx));

/** Enc_pkd(m) as a stream: `u16be(|wrapped|) || wrapped || sealed(k, m)` with a fresh k. */
export function sealToStream(pk: EncryptionPublicKey, opts: SealToOptions = {}): TransformStream<Uint8Array, Uint8Array> {
  checkPublicKey(pk);
  const context = envelopeContext(opts.context);
  let sealer: Sealer;
  return new TransformStream<Uint8Array, Uint8Array>({
    async start(c) {
      const k = generateFileKey();
      const wrapped = await wrapKey(pk, k, { context, backend: opts.backend });
      sealer = await Sealer.create(k, opts);
      c.enqueue(concatBytes(u16be(wrapped.length), wrapped, sealer.header));
    },
    transform: (chunk, c) => sealer.push(asChunk(chunk), (b) => c.enqueue(b)),
    flush: (c) => sealer.finish((b) => c.enqueue(b))
  });
}

/** The incremental envelope opener: reads the wrapped key, unwraps, then opens the sealed body. */
class EnvelopeOpener {
  private readonly queue = new ByteQueue();
  private inner: Opener | undefined;
  constructor(
    private readonly sk: EncryptionSecretKey,
    private readonly opts: StreamOptions & { context?: Uint8Array }
  ) {
    if (!(sk instanceof EncryptionSecretKey)) throw new TypeError('sk: expected an EncryptionSecretKey');
  }
  async push(chunk: Uint8Array, emit: (b: Uint8Array) => void): Promise<void> {
    if (this.inner) return this.inner.push(chunk, emit);
    this.queue.push(chunk);
    if (this.queue.length < 2) return;
    const l = this.queue.peek(2);
    const wlen = (l[0] << 8) | l[1];
    if (wlen === 0 || wlen > MAX_WRAPPED_BYTES) throw new SealError('malformed', `envelope: wrapped key of ${wlen} bytes, limit ${MAX_WRAPPED_BYTES}`, { cause: new FormatError('oversized', `${wlen} bytes`) });
    if (this.queue.length < 2 + wlen) return;
    this.queue.take(2);
    const wrapped = this.queue.take(wlen).slice();
    const k = await unwrapKey(this.sk, wrapped, { context: envelopeContext(this.opts.context), backend: this.opts.backend });
    this.inner = new Opener(k, this.opts);
    const rest = this.queue.take(this.queue.length);
    if (rest.length > 0) await this.inner.push(rest, emit);
  }
  async finish(emit: (b: Uint8Array) => void): Promise<void> {
    if (!this.inner) throw new SealError('truncated', 'the envelope ended inside the wrapped key');
    await this.inner.finish(emit);
  }
}

/** Opens an envelope made by `sealToStream` / `sealTo`; same guarantees as `openStream`. */
export function openFromStream(sk: EncryptionSecretKey, opts: StreamOptions & { context?: Uint8Array } = {}): TransformStream<Uint8Array, Uint8Array> {
  const opener = new EnvelopeOpener(sk, opts);
  return new TransformStream<Uint8Array, Uint8Array>({
    transform: (chunk, c) => opener.push(asChunk(chunk), (b) => c.enqueue(b)),
    flush: (c) => opener.finish((b) => c.enqueue(b))
  });
}

/** Enc_pkd(m) in memory. */
export async function sealTo(pk: EncryptionPublicKey, plaintext: Uint8Array, opts: SealToOptions = {}): Promise<Uint8Array> {
  return collect(bytesStream(plaintext).pipeThrough(sealToStream(pk, { ...opts, size: plaintext.length })));
}

/** Opens an envelope in memory; returns only if everything authenticates. Throws SealError. */
export async function openFrom(sk: EncryptionSecretKey, envelope: Uint8Array, opts: StreamOptions & { context?: Uint8Array } = {}): Promise<Uint8Array> {
  const opener = new EnvelopeOpener(sk, opts);
  const out: Uint8Array[] = [];
  const emit = (b: Uint8Array) => void out.push(b);
  await opener.push(envelope, emit);
  await opener.finish(emit);
  return concatBytes(...out);
}

/** A one-chunk ReadableStream of bytes. */
export function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(c) {
      if (bytes.length > 0) c.enqueue(bytes);
      c.close();
    }
  });
}

/** Reads a stream to the end into one Uint8Array. */
export async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return concatBytes(...parts);
}
