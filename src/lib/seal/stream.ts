/**
 * `Enc_k` / `Dec_k` of SPEC §5 as streams: the sealed-file format of
 * format.ts produced and consumed incrementally, in bounded memory.
 *
 * Paper symbols -> identifiers
 *
 * | paper | here |
 * | --- | --- |
 * | k (random symmetric key) | `key`, 32 bytes (`generateFileKey()`) |
 * | m (the EMR) | the plaintext stream / bytes |
 * | c = Enc_k(m) | `seal(key, m)`, `sealStream(key)` |
 * | m = Dec_k(c) | `open(key, c)`, `openStream(key)` |
 *
 * Costs for n plaintext bytes, segment size S (default 256 KiB), N = max(1, ceil(n/S)):
 *
 * | phase | operations | bytes |
 * | --- | --- | --- |
 * | key schedule | 1 HKDF-SHA256 (71 B out) + 1 HMAC-SHA256 | header 50-60 B + MAC 32 B |
 * | seal | N AES-256-GCM encryptions | sealed = n + 16 N + ~90 |
 * | open | 1 HMAC check, N GCM decryptions (+1 on failure, to name the kind) | plaintext n |
 *
 * Memory: the sealer and opener hold at most one input chunk, one partial
 * segment and `inFlight` (default 4) segments being encrypted, plus what the
 * stream machinery queues (one chunk per side): a few segments, whatever the
 * file size.
 *
 * What a streaming consumer of `openStream` sees: the plaintext of each
 * segment only after that segment has authenticated at its position, in
 * order; nothing of a failed segment. A segment's "last" flag is only checked
 * when the opener knows whether more bytes follow, so a truncated or extended
 * stream is reported by erroring the stream (SealError `truncated` /
 * `extended`) *before it closes*. Bytes read before an error are authentic
 * but may be an incomplete prefix: act on the content only once the stream
 * has closed without error (or use `open`, which returns nothing on failure).
 */
import { aesGcm, TAG_BYTES, type Aead, type AeadChoice } from './aead';
import { asChunk, ByteQueue, concatBytes, equalBytes } from './bytes';
import { SealError } from './errors';
import {
  checkSegmentSize,
  decodeSealHeader,
  DEFAULT_SEGMENT,
  deriveFileKeys,
  encodeSealHeader,
  FILE_ID_BYTES,
  MAC_BYTES,
  MAX_HEADER_BYTES,
  MAX_SEGMENTS,
  sealedLength,
  segmentCount,
  segmentNonce,
  type SealHeader
} from './format';
import { FormatError } from '$lib/codec';

export const FILE_KEY_BYTES = 32;

/** Progress of a seal or open: plaintext bytes done, and the total when known. */
export interface Progress {
  readonly bytes: number;
  readonly total?: number;
}

export interface StreamOptions {
  /** AES-GCM implementation; `auto` (default) is WebCrypto when present, else @noble/ciphers. */
  backend?: AeadChoice;
  /** Called after each segment with the plaintext bytes sealed / released so far. */
  onProgress?: (p: Progress) => void;
  /** Segments encrypted or decrypted concurrently (1..16, default 4); WebCrypto runs them in parallel. */
  inFlight?: number;
}

export interface SealOptions extends StreamOptions {
  /** Plaintext bytes per segment, 1 KiB..16 MiB (default 256 KiB). */
  segmentSize?: number;
  /** Plaintext size if known: recorded (authenticated) in the header; the source must produce exactly this many bytes. */
  size?: number;
  /** For tests and vectors only: a fixed file id instead of 32 random bytes. Never reuse one with the same key. */
  fileId?: Uint8Array;
}

/** A fresh random 32-byte file key k. */
export function generateFileKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(FILE_KEY_BYTES));
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== FILE_KEY_BYTES) throw new TypeError(`key: expected ${FILE_KEY_BYTES} bytes`);
}

function checkInFlight(n: number | undefined): number {
  const v = n ?? 4;
  if (!Number.isInteger(v) || v < 1 || v > 16) throw new RangeError(`inFlight: ${v} not an integer in [1, 16]`);
  return v;
}

type Emit = (bytes: Uint8Array) => void;

interface Pending {
  readonly index: number;
  readonly last: boolean;
  readonly input: Uint8Array;
  readonly result: Promise<Uint8Array | null>;
}

/** The incremental sealer behind `sealStream` and `seal`. */
export class Sealer {
  private readonly queue = new ByteQueue();
  private readonly pending: Pending[] = [];
  private next = 0;
  private bytesIn = 0;
  private bytesDone = 0;
  private finished = false;

  private constructor(
    private readonly aead: Aead,
    private readonly prefix: Uint8Array,
    private readonly segmentSize: number,
    private readonly size: number | undefined,
    private readonly inFlight: number,
    private readonly onProgress: ((p: Progress) => void) | undefined,
    /** `u16be(|H|) || H || mac`: the first bytes of the sealed file. */
    readonly header: Uint8Array
  ) {}

  static async create(key: Uint8Array, opts: SealOptions = {}): Promise<Sealer> {
    checkKey(key);
    const segmentSize = checkSegmentSize(opts.segmentSize ?? DEFAULT_SEGMENT);
    const fileId = opts.fileId ?? crypto.getRandomValues(new Uint8Array(FILE_ID_BYTES));
    const wire = encodeSealHeader({ segmentSize, fileId, size: opts.size });
    const keys = deriveFileKeys(key, fileId, wire);
    const aead = await aesGcm(keys.segKey, opts.backend);
    return new Sealer(aead, keys.prefix, segmentSize, opts.size, checkInFlight(opts.inFlight), opts.onProgress, concatBytes(wire, keys.mac));
  }

  /** Takes plaintext; emits every segment that is known not to be the last. */
  async push(chunk: Uint8Array, emit: Emit): Promise<void> {
    if (this.finished) throw new TypeError('push after finish');
    this.bytesIn += chunk.length;
    if (this.size !== undefined && this.bytesIn > this.size) throw new RangeError(`size: the source produced more than the declared ${this.size} bytes`);
    this.queue.push(chunk);
    // Strictly more than S: the segment taken is followed by data, so it is not the last.
    while (this.queue.length > this.segmentSize) await this.submit(this.queue.take(this.segmentSize), false, emit);
  }

  /** Seals the rest as the last segment and emits everything left. */
  async finish(emit: Emit): Promise<void> {
    if (this.finished) throw new TypeError('finish twice');
    this.finished = true;
    if (this.size !== undefined && this.bytesIn !== this.size) throw new RangeError(`size: the source produced ${this.bytesIn} bytes, declared ${this.size}`);
    await this.submit(this.queue.take(this.queue.length), true, emit);
    while (this.pending.length > 0) await this.drainOne(emit);
  }

  private async submit(pt: Uint8Array, last: boolean, emit: Emit): Promise<void> {
    const index = this.next++;
    if (index >= MAX_SEGMENTS) throw new RangeError('more than 2^32 segments: use a larger segmentSize');
    const result = this.aead.encrypt(segmentNonce(this.prefix, index, last), pt);
    result.catch(() => undefined); // awaited in drainOne; avoid an unhandled rejection meanwhile
    this.pending.push({ index, last, input: pt, result });
    if (this.pending.length >= this.inFlight) await this.drainOne(emit);
  }

  private async drainOne(emit: Emit): Promise<void> {
    const p = this.pending.shift()!;
    const out = await p.result;
    if (out === null) throw new Error('unreachable: encryption returned null');
    emit(out);
    this.bytesDone += p.input.length;
    this.onProgress?.({ bytes: this.bytesDone, total: this.size });
  }
}

/** The incremental opener behind `openStream` and `open`. */
export class Opener {
  private readonly queue = new ByteQueue();
  private readonly pending: Pending[] = [];
  private aead: Aead | undefined;
  private prefix: Uint8Array | undefined;
  private header: SealHeader | undefined;
  private expectedTotal: number | undefined;
  private next = 0;
  private bytesIn = 0;
  private bytesDone = 0;
  private readonly inFlight: number;

  private readonly key: Uint8Array;

  constructor(
    key: Uint8Array,
    private readonly opts: StreamOptions = {}
  ) {
    checkKey(key);
    this.key = key.slice(); // keys are derived when the header arrives; the caller may wipe its copy
    this.inFlight = checkInFlight(opts.inFlight);
  }

  /** The sealed length recorded in the authenticated header (when it has a size). */
  get expectedLength(): number | undefined {
    return this.expectedTotal;
  }

  /** The authenticated header, once read. */
  get sealHeader(): SealHeader | undefined {
    return this.header;
  }

  async push(chunk: Uint8Array, emit: Emit): Promise<void> {
    this.bytesIn += chunk.length;
    this.queue.push(chunk);
    if (this.header === undefined && !(await this.readHeader())) return;
    if (this.expectedTotal !== undefined && this.bytesIn > this.expectedTotal) {
      throw new SealError('extended', `${this.bytesIn - this.expectedTotal} bytes after the end recorded in the header`);
    }
    const unit = this.header!.segmentSize + TAG_BYTES;
    while (this.queue.length > unit) await this.submit(this.queue.take(unit), false, emit);
  }

  async finish(emit: Emit): Promise<void> {
    if (this.header === undefined) throw new SealError('truncated', `the stream ended inside the header (${this.bytesIn} bytes)`);
    if (this.expectedTotal !== undefined && this.bytesIn < this.expectedTotal) {
      // Release what verifies, then report: the tail is missing.
      while (this.pending.length > 0) await this.drainOne(emit);
      throw new SealError('truncated', `the stream ended ${this.expectedTotal - this.bytesIn} bytes before the end recorded in the header`);
    }
    const rest = this.queue.length;
    if (rest < TAG_BYTES) {
      while (this.pending.length > 0) await this.drainOne(emit);
      throw new SealError('truncated', rest === 0 ? `the stream ended after segment ${this.next - 1}, which is not the last` : `the stream ended inside segment ${this.next}`, { segment: this.next });
    }
    await this.submit(this.queue.take(rest), true, emit);
    while (this.pending.length > 0) await this.drainOne(emit);
  }

  /** Reads, bounds-checks, decodes and authenticates the header once its bytes are in. */
  private async readHeader(): Promise<boolean> {
    if (this.queue.length < 2) return false;
    const len2 = this.queue.peek(2);
    const hlen = (len2[0] << 8) | len2[1];
    if (hlen === 0 || hlen > MAX_HEADER_BYTES) {
      throw new SealError('malformed', `seal header: ${hlen} bytes, limit ${MAX_HEADER_BYTES}`, { cause: new FormatError('oversized', `${hlen} bytes`) });
    }
    if (this.queue.length < 2 + hlen + MAC_BYTES) return false;
    const wire = this.queue.take(2 + hlen).slice();
    const mac = this.queue.take(MAC_BYTES);
    let header: SealHeader;
    try {
      header = decodeSealHeader(wire.subarray(2));
    } catch (e) {
      if (e instanceof FormatError) throw new SealError('malformed', `seal header: ${e.message}`, { cause: e });
      throw e;
    }
    const keys = deriveFileKeys(this.key, header.fileId, wire);
    if (!equalBytes(keys.mac, mac)) throw new SealError('header-auth', 'the seal header does not authenticate: it was altered, or this is not the file key');
    this.aead = await aesGcm(keys.segKey, this.opts.backend);
    this.prefix = keys.prefix;
    this.header = header;
    if (header.size !== undefined) this.expectedTotal = sealedLength(wire.length, header.size, header.segmentSize);
    return true;
  }

  private async submit(ct: Uint8Array, last: boolean, emit: Emit): Promise<void> {
    const index = this.next++;
    if (index >= MAX_SEGMENTS) throw new SealError('extended', 'more than 2^32 segments', { segment: index });
    const result = this.aead!.decrypt(segmentNonce(this.prefix!, index, last), ct);
    this.pending.push({ index, last, input: ct, result });
    if (this.pending.length >= this.inFlight) await this.drainOne(emit);
  }

  private async drainOne(emit: Emit): Promise<void> {
    const p = this.pending.shift()!;
    const pt = await p.result;
    if (pt === null) {
      this.pending.length = 0;
      // Name the failure: does the segment open with the other last-flag?
      const other = await this.aead!.decrypt(segmentNonce(this.prefix!, p.index, !p.last), p.input);
      // A segment genuine at its position (only its flag is wrong for where
      // the stream ends) is released like any verified segment, then the error.
      if (other !== null) emit(other);
      if (other !== null && p.last) throw new SealError('truncated', `the stream ended after segment ${p.index}, which is not the last`, { segment: p.index });
      if (other !== null) throw new SealError('extended', `segment ${p.index} is the last, but more bytes follow`, { segment: p.index });
      throw new SealError('segment-auth', `segment ${p.index} does not authenticate: altered, out of order, or from another file`, { segment: p.index });
    }
    emit(pt);
    this.bytesDone += pt.length;
    this.opts.onProgress?.({ bytes: this.bytesDone, total: this.header!.size });
  }
}

/** Seals a plaintext stream: `readable.pipeThrough(sealStream(k))`. Writes Uint8Array chunks of any size. */
export function sealStream(key: Uint8Array, opts: SealOptions = {}): TransformStream<Uint8Array, Uint8Array> {
  checkKey(key);
  let sealer: Sealer;
  return new TransformStream<Uint8Array, Uint8Array>({
    async start(c) {
      sealer = await Sealer.create(key, opts);
      c.enqueue(sealer.header);
    },
    transform: (chunk, c) => sealer.push(asChunk(chunk), (b) => c.enqueue(b)),
    flush: (c) => sealer.finish((b) => c.enqueue(b))
  });
}

/**
 * Opens a sealed stream: `sealed.pipeThrough(openStream(k))`. Releases the
 * plaintext of authenticated segments only; errors with a SealError (see the
 * module header for what a consumer sees).
 */
export function openStream(key: Uint8Array, opts: StreamOptions = {}): TransformStream<Uint8Array, Uint8Array> {
  const opener = new Opener(key, opts);
  return new TransformStream<Uint8Array, Uint8Array>({
    transform: (chunk, c) => opener.push(asChunk(chunk), (b) => c.enqueue(b)),
    flush: (c) => opener.finish((b) => c.enqueue(b))
  });
}

/** Seals bytes in memory (size recorded in the header). */
export async function seal(key: Uint8Array, plaintext: Uint8Array, opts: SealOptions = {}): Promise<Uint8Array> {
  if (!(plaintext instanceof Uint8Array)) throw new TypeError('plaintext: expected a Uint8Array');
  const sealer = await Sealer.create(key, { ...opts, size: plaintext.length });
  const segmentSize = opts.segmentSize ?? DEFAULT_SEGMENT;
  // The sealed length is known: write each segment in place (one copy, no concatenation).
  const out = new Uint8Array(sealer.header.length + plaintext.length + segmentCount(plaintext.length, segmentSize) * TAG_BYTES);
  out.set(sealer.header, 0);
  let o = sealer.header.length;
  const emit = (b: Uint8Array) => {
    out.set(b, o);
    o += b.length;
  };
  await sealer.push(plaintext, emit);
  await sealer.finish(emit);
  if (o !== out.length) throw new Error(`unreachable: sealed ${o} bytes, expected ${out.length}`);
  return out;
}

/** Opens sealed bytes in memory; returns the plaintext only if everything authenticates. Throws SealError. */
export async function open(key: Uint8Array, sealed: Uint8Array, opts: StreamOptions = {}): Promise<Uint8Array> {
  if (!(sealed instanceof Uint8Array)) throw new TypeError('sealed: expected a Uint8Array');
  const opener = new Opener(key, opts);
  // When the authenticated header's size matches the input, write in place (no concatenation).
  let out: Uint8Array | undefined;
  const parts: Uint8Array[] = [];
  let o = 0;
  const emit = (b: Uint8Array) => {
    if (out === undefined && o === 0 && opener.expectedLength === sealed.length) out = new Uint8Array(opener.sealHeader!.size!);
    if (out !== undefined) out.set(b, o);
    else parts.push(b);
    o += b.length;
  };
  await opener.push(sealed, emit);
  await opener.finish(emit);
  return out ?? concatBytes(...parts);
}

/** Reads the (unauthenticated) header of sealed bytes, e.g. to show the size before asking for a key. Throws SealError. */
export function peekSealHeader(sealed: Uint8Array): SealHeader {
  if (sealed.length < 2) throw new SealError('truncated', 'no seal header');
  const hlen = (sealed[0] << 8) | sealed[1];
  if (hlen === 0 || hlen > MAX_HEADER_BYTES) throw new SealError('malformed', `seal header: ${hlen} bytes, limit ${MAX_HEADER_BYTES}`);
  if (sealed.length < 2 + hlen) throw new SealError('truncated', 'the seal header is cut short');
  try {
    return decodeSealHeader(sealed.subarray(2, 2 + hlen));
  } catch (e) {
    if (e instanceof FormatError) throw new SealError('malformed', `seal header: ${e.message}`, { cause: e });
    throw e;
  }
}
