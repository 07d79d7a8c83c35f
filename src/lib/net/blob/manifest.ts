/**
 * A blob's manifest and id (issue 7, docs/blobs.md).
 *
 * A blob (an encrypted record, a sealed file) is cut into chunks of
 * `chunkBytes` bytes (the last one shorter). Its manifest lists the SHA-256 of
 * every chunk:
 *
 *     { v: 1, size, chunkBytes, chunks: [sha256(chunk_0), ...], mime? }
 *
 * and the blob id is SHA-256 of the manifest's canonical DAG-CBOR encoding
 * (src/lib/codec). So an id fixes every byte of the blob: a manifest received
 * from anyone is checked against the id asked for, then each chunk against
 * its hash in the manifest, before anything is stored.
 *
 * Sizes: the default chunk (60 KiB) keeps a `blob-chunk` frame (3-byte
 * header, CBOR envelope with the 32-byte id and the index) under 64 KiB, one
 * WebRTC message without fragmentation. At most `MAX_CHUNKS` chunks, so the
 * largest manifest (34 bytes per hash) still fits one `blob-manifest` frame
 * (2 MiB): 2 GiB at the default chunk size, 240 MiB at the smallest.
 *
 * | field | rule |
 * | --- | --- |
 * | v | 1 |
 * | size | 0 ..= 2 GiB |
 * | chunkBytes | 4 KiB ..= 192 KiB |
 * | chunks | exactly ceil(size / chunkBytes) hashes of 32 bytes, at most 61,440 |
 * | mime | optional, 1..255 characters, no control characters |
 *
 * No other field is accepted (a manifest has exactly one encoding).
 */
import { decode, encode, expectArray, expectBytes, expectMap, expectString, expectUint, FormatError, type Value } from '../../codec';
import { HASH_BYTES, sha256 } from './hash';

export const MANIFEST_VERSION = 1;
const KiB = 1024;
/** Default chunk size: one chunk frame stays under 64 KiB (one WebRTC message). */
export const DEFAULT_CHUNK_BYTES = 60 * KiB;
export const MIN_CHUNK_BYTES = 4 * KiB;
export const MAX_CHUNK_BYTES = 192 * KiB;
/** Largest blob: 2 GiB. */
export const MAX_BLOB_BYTES = 2 * 1024 * KiB * KiB;
/** Most chunks in one manifest: 61,440 x 34 bytes = 2,088,960 bytes, under the 2 MiB `blob-manifest` frame. */
export const MAX_CHUNKS = 61_440;
/** Largest manifest encoding accepted by `decodeManifest` (the frame's limit less its envelope). */
export const MAX_MANIFEST_BYTES = 2 * 1024 * KiB - 4 * KiB;
export const MAX_MIME_LENGTH = 255;

/** A blob id: lowercase hex of the manifest's SHA-256 (32 bytes on the wire). */
export type BlobId = string;

export interface BlobManifest {
  readonly v: typeof MANIFEST_VERSION;
  /** Blob length in bytes. */
  readonly size: number;
  /** Length of every chunk but the last. */
  readonly chunkBytes: number;
  /** SHA-256 of each chunk, in order. */
  readonly chunks: readonly Uint8Array[];
  /** Media type, for people and the UI only (e.g. 'application/x-medchain-sealed'). */
  readonly mime?: string;
}

const FIELDS = new Set(['v', 'size', 'chunkBytes', 'chunks', 'mime']);
const HEX = /^[0-9a-f]{64}$/;
// Control characters would let a manifest smuggle line breaks into logs and UI.
const MIME_OK = /^[^\u0000-\u001f\u007f]+$/;

/** Number of chunks of a blob of `size` bytes cut into `chunkBytes`. */
export function chunkCount(size: number, chunkBytes: number): number {
  return Math.ceil(size / chunkBytes);
}

/** Length of chunk `i` of the blob `m` describes. Throws RangeError if `i` is not a chunk index. */
export function chunkLength(m: BlobManifest, i: number): number {
  if (!Number.isInteger(i) || i < 0 || i >= m.chunks.length) throw new RangeError(`i: ${i} is not a chunk index (0..${m.chunks.length - 1})`);
  return i < m.chunks.length - 1 ? m.chunkBytes : m.size - i * m.chunkBytes;
}

/** True for a well-formed blob id (64 lowercase hex digits). */
export function isBlobId(id: unknown): id is BlobId {
  return typeof id === 'string' && HEX.test(id);
}

/** The 32 bytes of a blob id. Throws TypeError on a malformed id. */
export function blobIdBytes(id: BlobId): Uint8Array {
  if (!isBlobId(id)) throw new TypeError(`id: expected 64 lowercase hex digits, got ${String(id).slice(0, 80)}`);
  const out = new Uint8Array(HASH_BYTES);
  for (let i = 0; i < HASH_BYTES; i++) out[i] = parseInt(id.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The blob id of 32 bytes (a hash, or the `id` field of a message). Throws TypeError on another length. */
export function blobIdOf(bytes: Uint8Array): BlobId {
  if (!(bytes instanceof Uint8Array) || bytes.length !== HASH_BYTES) throw new TypeError(`bytes: expected ${HASH_BYTES} bytes`);
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * Checks a manifest built in this process (programmer input): RangeError or
 * TypeError naming the field. Network input goes through `readManifest`.
 */
export function checkManifest(m: BlobManifest): void {
  try {
    readManifest(manifestValueUnchecked(m));
  } catch (e) {
    if (e instanceof FormatError) throw new RangeError(`manifest: ${e.message}`);
    throw e;
  }
}

// The CBOR value of a manifest; `mime` is left out when absent (DAG-CBOR has no undefined).
function manifestValueUnchecked(m: BlobManifest): Value {
  const v: { [k: string]: Value } = { v: m.v, size: m.size, chunkBytes: m.chunkBytes, chunks: [...m.chunks] };
  if (m.mime !== undefined) v.mime = m.mime;
  return v;
}

/** The manifest as a CBOR map (the `manifest` field of a `blob-manifest` message). Throws RangeError if invalid. */
export function manifestValue(m: BlobManifest): Value {
  checkManifest(m);
  return manifestValueUnchecked(m);
}

/** Canonical DAG-CBOR bytes of a manifest (what its id hashes). Throws RangeError if invalid. */
export function encodeManifest(m: BlobManifest): Uint8Array {
  return encode(manifestValue(m));
}

/**
 * Reads a decoded CBOR value as a manifest, checking every rule in the table
 * above. Throws FormatError (`wrong-version`, `out-of-range`, `bad-length`,
 * `malformed`, ...). The returned hashes may be views into `v`'s buffer.
 */
export function readManifest(v: unknown): BlobManifest {
  const m = expectMap(v, 'manifest');
  for (const k of Object.keys(m)) if (!FIELDS.has(k)) throw new FormatError('malformed', `manifest: unknown field ${JSON.stringify(k.slice(0, 40))}`);
  if (m.v === undefined) throw new FormatError('missing-field', 'manifest.v: missing');
  if (m.v !== MANIFEST_VERSION) throw new FormatError('wrong-version', `manifest: version ${String(m.v)}, expected ${MANIFEST_VERSION}`);
  const size = expectUint(m.size, 'manifest.size', MAX_BLOB_BYTES);
  const chunkBytes = expectUint(m.chunkBytes, 'manifest.chunkBytes', MAX_CHUNK_BYTES);
  if (chunkBytes < MIN_CHUNK_BYTES) throw new FormatError('out-of-range', `manifest.chunkBytes: ${chunkBytes} not in [${MIN_CHUNK_BYTES}, ${MAX_CHUNK_BYTES}]`);
  const list = expectArray(m.chunks, 'manifest.chunks', MAX_CHUNKS);
  const want = chunkCount(size, chunkBytes);
  if (list.length !== want) throw new FormatError('bad-length', `manifest.chunks: ${list.length} hashes for ${size} bytes in chunks of ${chunkBytes} (expected ${want})`);
  const chunks = list.map((h, i) => expectBytes(h, `manifest.chunks[${i}]`, HASH_BYTES));
  const out: { v: 1; size: number; chunkBytes: number; chunks: Uint8Array[]; mime?: string } = { v: MANIFEST_VERSION, size, chunkBytes, chunks };
  if ('mime' in m) {
    const mime = expectString(m.mime, 'manifest.mime', MAX_MIME_LENGTH);
    if (!MIME_OK.test(mime)) throw new FormatError('malformed', 'manifest.mime: empty or has control characters');
    out.mime = mime;
  }
  return out;
}

/** Decodes a manifest's bytes (size limit first, canonical form checked). Throws FormatError. */
export function decodeManifest(bytes: Uint8Array): BlobManifest {
  return readManifest(decode(bytes, MAX_MANIFEST_BYTES));
}

/** The blob id of a manifest: SHA-256 of its canonical encoding. Throws RangeError if invalid. */
export async function manifestId(m: BlobManifest): Promise<BlobId> {
  return blobIdOf(await sha256(encodeManifest(m)));
}

export interface ManifestOptions {
  /** Chunk size in bytes (default 60 KiB), in [4 KiB, 192 KiB]. */
  chunkBytes?: number;
  mime?: string;
}

/** Source of a blob's bytes: the whole blob, or pieces of any size in order (e.g. a sealing stream). */
export type BlobSource = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Checks `chunkBytes`; RangeError naming it. */
export function checkChunkBytes(chunkBytes: number): number {
  if (!Number.isInteger(chunkBytes) || chunkBytes < MIN_CHUNK_BYTES || chunkBytes > MAX_CHUNK_BYTES) {
    throw new RangeError(`chunkBytes: ${chunkBytes} not an integer in [${MIN_CHUNK_BYTES}, ${MAX_CHUNK_BYTES}]`);
  }
  return chunkBytes;
}

/**
 * Cuts a source into chunks of exactly `chunkBytes` (the last one shorter,
 * none for an empty source). Chunks of a `Uint8Array` source are views into
 * it (copy before storing one in IndexedDB, which would clone the whole
 * buffer). Throws RangeError once the source passes `MAX_BLOB_BYTES`.
 */
export async function* chunksOf(source: BlobSource, chunkBytes: number): AsyncGenerator<Uint8Array> {
  checkChunkBytes(chunkBytes);
  if (source instanceof Uint8Array) {
    if (source.length > MAX_BLOB_BYTES) throw new RangeError(`bytes: ${source.length} bytes, limit ${MAX_BLOB_BYTES}`);
    for (let at = 0; at < source.length; at += chunkBytes) yield source.subarray(at, Math.min(at + chunkBytes, source.length));
    return;
  }
  let buf = new Uint8Array(chunkBytes);
  let fill = 0;
  let total = 0;
  for await (const piece of source as AsyncIterable<Uint8Array>) {
    if (!(piece instanceof Uint8Array)) throw new TypeError('source: expected Uint8Array pieces');
    total += piece.length;
    if (total > MAX_BLOB_BYTES) throw new RangeError(`source: more than ${MAX_BLOB_BYTES} bytes`);
    let at = 0;
    while (at < piece.length) {
      const n = Math.min(chunkBytes - fill, piece.length - at);
      buf.set(piece.subarray(at, at + n), fill);
      fill += n;
      at += n;
      if (fill === chunkBytes) {
        yield buf;
        buf = new Uint8Array(chunkBytes);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield buf.subarray(0, fill);
}

/**
 * The manifest and id of a blob. Throws RangeError if the blob is larger
 * than 2 GiB, needs more than `MAX_CHUNKS` chunks, or an option is out of
 * range.
 */
export async function makeManifest(source: BlobSource, opts: ManifestOptions = {}): Promise<{ id: BlobId; manifest: BlobManifest }> {
  const chunkBytes = checkChunkBytes(opts.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const c of chunksOf(source, chunkBytes)) {
    if (chunks.length === MAX_CHUNKS) throw new RangeError(`source: more than ${MAX_CHUNKS} chunks of ${chunkBytes} bytes (use larger chunks)`);
    chunks.push(await sha256(c));
    size += c.length;
  }
  const manifest: BlobManifest = opts.mime === undefined ? { v: MANIFEST_VERSION, size, chunkBytes, chunks } : { v: MANIFEST_VERSION, size, chunkBytes, chunks, mime: opts.mime };
  return { id: await manifestId(manifest), manifest };
}
