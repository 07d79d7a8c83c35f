/**
 * Resumable, verified blob transfer between peers (issue 7, docs/blobs.md):
 * hospital -> cloud (encrypted records), cloud -> data user, cloud -> TPA.
 *
 * PULL protocol. Bodies are DAG-CBOR maps; `id` is always the 32-byte blob id.
 *
 * | message | body | sent by | answer |
 * | --- | --- | --- | --- |
 * | blob-want | { id, manifest: bool } | a fetcher, to every peer (and to each peer that comes up) | blob-manifest (if manifest) / blob-have / blob-none |
 * | blob-manifest | { id, manifest: {v, size, chunkBytes, chunks, mime?} } | a holder, only when asked | – |
 * | blob-get | { id, from, count } (1 <= count <= 64) | a fetcher, to a holder | `count` blob-chunk, or blob-none |
 * | blob-chunk | { id, i, data } | a holder, only when asked | – |
 * | blob-have | { id } | a holder: answer to a want, and to every peer when it publishes or completes a blob | – |
 * | blob-none | { id } | anyone not holding the complete blob | – |
 *
 * The fetcher asks every peer whether it holds the blob, takes the manifest
 * from one holder (checked: it must hash to the id), and then keeps a window
 * of at most `window` chunk requests outstanding per holder, spread over all
 * holders. Each chunk is checked against its manifest hash before it is
 * stored (`BlobStore.putChunk`). A holder that goes down, says it no longer
 * holds the blob, sends a bad chunk, or sends nothing for `requestTimeoutMs`
 * loses its outstanding requests to the others (a timed-out one is retried
 * after a growing back-off; a bad one never again for this blob). A fetch
 * with no reachable holder keeps waiting: peers coming up are asked, all
 * peers are asked again every `wantIntervalMs`, and a holder that completes
 * the blob announces it. Resumption is the same path: the store keeps the
 * verified chunks of a partial download, and `fetch` of that id asks only
 * for the missing ones (after a reload too).
 *
 * The holder serves each requester from a FIFO queue (at most
 * `maxServeQueue` chunks queued per peer, beyond that `rate-limit`), reading
 * one chunk at a time and awaiting `peer.drained(highWaterBytes)` before each
 * send, so a data channel's buffer stays under the high-water mark plus one
 * frame.
 *
 * What a peer is counted for (`host.drop`): a body that does not read
 * (`malformed`), a manifest that does not hash to the id (`invalid`), a get
 * beyond the blob's chunks (`invalid`), a chunk whose hash does not match
 * (`bad-chunk`), a chunk or manifest not asked of that peer (`unsolicited`),
 * the same chunk twice from the same peer (`replay`), too many queued
 * requests (`rate-limit`). Announcements (blob-have, blob-none) are never
 * penalised: they race with everything.
 */
import { expectBytes, expectMap, expectUint, FormatError } from '../../codec';
import type { FrameHandler, PeerKey, PeerPort, ProtocolHost } from '../protocol';
import { frame, type WireType } from '../wire';
import { HASH_BYTES } from './hash';
import { blobIdBytes, blobIdOf, chunkLength, manifestId, manifestValue, MAX_CHUNK_BYTES, MAX_CHUNKS, readManifest, type BlobId, type BlobManifest, type ManifestOptions } from './manifest';

/** What `putChunk` did: stored it, already had it, refused it (length or hash), or there is no partial download of that blob. */
export type PutChunkOutcome = 'stored' | 'duplicate' | 'bad-hash' | 'no-partial';

/** A complete blob in a store. */
export interface BlobInfo {
  id: BlobId;
  size: number;
  chunks: number;
  mime?: string;
}

/** A partial download: its manifest's facts and how many verified chunks are stored. */
export interface PartialInfo extends BlobInfo {
  received: number;
}

/**
 * Where blobs live (src/lib/store/blobs.ts: `MemoryBlobStore`,
 * `DexieBlobStore`). Complete blobs and partial downloads are kept apart:
 * `has`/`manifest`/`readChunk`/`read`/`list` see a blob only after
 * `complete` (or `put`), which switches it from partial to complete
 * atomically. Every chunk of a partial was verified against its manifest
 * hash before it was written.
 */
export interface BlobStore {
  /** Stores a local blob (complete at once) and returns its id and manifest; a no-op if already held. Throws RangeError past the limits. */
  put(bytes: Uint8Array, opts?: ManifestOptions): Promise<{ id: BlobId; manifest: BlobManifest }>;
  /** True once the blob is complete. */
  has(id: BlobId): Promise<boolean>;
  /** The manifest of a complete blob. */
  manifest(id: BlobId): Promise<BlobManifest | undefined>;
  /** Chunk `i` of a complete blob (a copy), undefined if not held or no such chunk. */
  readChunk(id: BlobId, i: number): Promise<Uint8Array | undefined>;
  /** The whole blob, undefined if not complete. */
  read(id: BlobId): Promise<Uint8Array | undefined>;
  /** Complete blobs. */
  list(): Promise<BlobInfo[]>;
  /** Forgets a blob, complete or partial (no-op if unknown). */
  delete(id: BlobId): Promise<void>;
  /** Starts (or keeps) a partial download of the blob `manifest` describes; returns its id. Throws RangeError on an invalid manifest. */
  beginPartial(manifest: BlobManifest): Promise<BlobId>;
  /** The manifest of a partial download. */
  partial(id: BlobId): Promise<BlobManifest | undefined>;
  /** Stores chunk `i` of a partial after checking its length and hash. Throws RangeError if `i` is not a chunk index. */
  putChunk(id: BlobId, i: number, bytes: Uint8Array): Promise<PutChunkOutcome>;
  /** Indices not yet stored, ascending: all missing ones of a partial, [] for a complete blob, undefined if unknown. */
  missing(id: BlobId): Promise<number[] | undefined>;
  /** Makes a partial whose chunks are all stored complete, in one transaction; true if the blob is now complete (or already was). */
  complete(id: BlobId): Promise<boolean>;
  /** Partial downloads. */
  partials(): Promise<PartialInfo[]>;
  close(): Promise<void>;
}

export type BlobTransferErrorKind = 'aborted' | 'timeout' | 'deleted' | 'store' | 'closed';

/** Why a `fetch` did not complete. */
export class BlobTransferError extends Error {
  constructor(
    readonly kind: BlobTransferErrorKind,
    message: string
  ) {
    super(message);
    this.name = 'BlobTransferError';
  }
}

export interface BlobProgress {
  id: BlobId;
  /** finding: no manifest yet; fetching: chunks under way; done; failed (or abandoned). */
  state: 'finding' | 'fetching' | 'done' | 'failed';
  /** Verified chunks stored, and the blob's chunk count (0 until the manifest is known). */
  received: number;
  total: number;
  /** Bytes stored, and the blob's size (0 until the manifest is known). */
  bytes: number;
  size: number;
  /** Peers known to hold the blob and not given up on. 0 while fetching = waiting for a holder. */
  peers: number;
}

export type HolderLostReason = 'down' | 'timeout' | 'bad-chunk' | 'invalid' | 'none';

/** What the UI may show. */
export type BlobEvent =
  | { type: 'started'; id: BlobId }
  /** Continuing from `received` verified chunks stored earlier (a reload, an aborted fetch). */
  | { type: 'resumed'; id: BlobId; received: number; total: number }
  | { type: 'progress'; id: BlobId; progress: BlobProgress }
  | { type: 'holder-found'; id: BlobId; peer: PeerKey }
  | { type: 'holder-lost'; id: BlobId; peer: PeerKey; reason: HolderLostReason }
  | { type: 'completed'; id: BlobId }
  | { type: 'failed'; id: BlobId; error: BlobTransferError }
  /** A peer announced a blob this node is not fetching (roles decide whether to fetch it). */
  | { type: 'announced'; id: BlobId; peer: PeerKey };

export interface BlobServiceOptions {
  /** Chunk requests outstanding per holder, across all blobs (default 32: ~2 MiB in flight). */
  window?: number;
  /** A holder waits until a peer's link buffer is at most this before sending a chunk (default 1 MiB). */
  highWaterBytes?: number;
  /** A holder that sends nothing for this long loses its outstanding requests (default 20 s). */
  requestTimeoutMs?: number;
  /** While no peer is known to hold a blob being fetched, all peers are asked again this often (default 30 s). */
  wantIntervalMs?: number;
  /** Chunks queued for sending per requesting peer; a get beyond it is dropped as `rate-limit` (default 256). */
  maxServeQueue?: number;
  onEvent?: (e: BlobEvent) => void;
  /** Clock (tests). */
  now?: () => number;
}

export interface FetchOptions {
  onProgress?: (p: BlobProgress) => void;
  signal?: AbortSignal;
  /** Reject with BlobTransferError('timeout') if not complete by then (default: wait as long as it takes). */
  timeoutMs?: number;
}

/** Longest run of chunks in one blob-get. */
export const MAX_GET_RUN = 64;
const MAX_QUEUED_MANIFESTS = 4;
const HELD_CACHE = 64;

type State = 'starting' | 'finding' | 'loading' | 'fetching' | 'completing' | 'done' | 'failed';

interface PeerState {
  /** Said it holds the blob (have or manifest) and has not since gone down or said none. */
  holder: boolean;
  /** Sent a bad chunk or manifest: never asked again during this transfer. */
  excluded: boolean;
  /** Requested chunk index -> when. */
  pending: Map<number, number>;
  /** Requests given up on (timeout): a late answer is still welcome, not unsolicited. */
  expired: Set<number>;
  /** Chunks this peer has sent: a second copy is a replay. */
  delivered: Set<number>;
  manifestAsked: boolean;
  manifestAskedAt: number;
  lastProgress: number;
  backoffUntil: number;
  backoffMs: number;
}

interface Waiter {
  resolve: () => void;
  reject: (e: BlobTransferError) => void;
  onProgress?: (p: BlobProgress) => void;
  cleanup: () => void;
}

class Transfer {
  state: State = 'starting';
  readonly idBytes: Uint8Array;
  manifest: BlobManifest | undefined;
  /** 1 for each chunk known to be in the store. */
  stored = new Uint8Array(0);
  received = 0;
  bytes = 0;
  /** Chunks to request, in the order they will be asked for. */
  readonly needed = new Set<number>();
  /** Chunks requested and not answered (pending at exactly one peer). */
  readonly requested = new Set<number>();
  /** Chunks being hashed and written. */
  readonly writing = new Set<number>();
  readonly peers = new Map<PeerKey, PeerState>();
  readonly waiters = new Set<Waiter>();
  manifestFrom: PeerKey | undefined;
  /** Stopped by `BlobService.delete`. */
  deleted = false;
  lastWant = 0;
  endedAt = 0;
  constructor(readonly id: BlobId) {
    this.idBytes = blobIdBytes(id);
  }
  get active(): boolean {
    return this.state !== 'done' && this.state !== 'failed';
  }
}

interface ServeItem {
  kind: 'chunk' | 'manifest';
  id: BlobId;
  idBytes: Uint8Array;
  i: number;
}
interface ServeQueue {
  items: ServeItem[];
  chunks: number;
  manifests: number;
  running: boolean;
}

function readId(m: Record<string, unknown>, type: WireType): Uint8Array {
  return expectBytes(m.id, `${type}.id`, HASH_BYTES);
}

/**
 * Fetches and serves blobs over a `ProtocolHost`, keeping them in a
 * `BlobStore`. One per host: it registers the six blob-* handlers.
 */
export class BlobService {
  private readonly window: number;
  private readonly highWater: number;
  private readonly timeoutMs: number;
  private readonly wantIntervalMs: number;
  private readonly maxServeQueue: number;
  private readonly now: () => number;
  private readonly transfers = new Map<BlobId, Transfer>();
  /** Chunk requests outstanding per peer, across transfers (the window). */
  private readonly outstanding = new Map<PeerKey, number>();
  private readonly serving = new Map<PeerKey, ServeQueue>();
  /** Chunk counts of blobs held, to check gets without reading the manifest each time. */
  private readonly held = new Map<BlobId, number>();
  private readonly listeners = new Set<(e: BlobEvent) => void>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly offPeer: () => void;
  private closed = false;
  /** Counters for the network panel and tests. */
  readonly stats = { requested: 0, received: 0, served: 0 };

  /**
   * @param host the node's protocol host (peers after their hello)
   * @param store where complete blobs and partial downloads are kept
   */
  constructor(
    private readonly host: ProtocolHost,
    private readonly store: BlobStore,
    opts: BlobServiceOptions = {}
  ) {
    const pos = (v: number | undefined, d: number, name: string): number => {
      const x = v ?? d;
      if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`opts.${name}: ${x} must be a positive number`);
      return x;
    };
    this.window = Math.floor(pos(opts.window, 32, 'window'));
    this.highWater = pos(opts.highWaterBytes, 1 << 20, 'highWaterBytes');
    this.timeoutMs = pos(opts.requestTimeoutMs, 20_000, 'requestTimeoutMs');
    this.wantIntervalMs = pos(opts.wantIntervalMs, 30_000, 'wantIntervalMs');
    this.maxServeQueue = Math.floor(pos(opts.maxServeQueue, 256, 'maxServeQueue'));
    this.now = opts.now ?? Date.now;
    if (opts.onEvent) this.listeners.add(opts.onEvent);
    host.handle('blob-want', this.guard('blob-want', this.onWant));
    host.handle('blob-manifest', this.guard('blob-manifest', this.onManifest));
    host.handle('blob-get', this.guard('blob-get', this.onGet));
    host.handle('blob-chunk', this.guard('blob-chunk', this.onChunk));
    host.handle('blob-have', this.guard('blob-have', this.onHave));
    host.handle('blob-none', this.guard('blob-none', this.onNone));
    this.offPeer = host.onPeer((peer, ev) => (ev === 'up' ? this.peerUp(peer) : this.peerDown(peer.key)));
  }

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: (e: BlobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stores a local blob (e.g. a sealed record) and announces it to every peer; returns its id. */
  async publish(bytes: Uint8Array, opts: ManifestOptions = {}): Promise<BlobId> {
    const { id, manifest } = await this.store.put(bytes, opts);
    this.remember(id, manifest.chunks.length);
    this.announce(id);
    return id;
  }

  /**
   * Resolves once the blob `id` is complete in the store (at once if it
   * already is). Continues a partial download from its stored chunks. Does
   * not fail while no holder is reachable: it waits for one. Several calls
   * for one id share a transfer; it stops (keeping its chunks) when the last
   * caller aborts or times out. Rejects with BlobTransferError (`aborted`,
   * `timeout`, `deleted`, `store`, `closed`); TypeError on a malformed id.
   */
  fetch(id: BlobId, opts: FetchOptions = {}): Promise<void> {
    try {
      blobIdBytes(id);
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.closed) return Promise.reject(new BlobTransferError('closed', 'the blob service is closed'));
    const aborted = () => new BlobTransferError('aborted', `fetch of ${id.slice(0, 12)}… aborted`);
    if (opts.signal?.aborted) return Promise.reject(aborted());
    // The transfer is registered synchronously (its first step checks the store), so a
    // `delete` or `close` right after this call sees it and nothing races past them.
    let t = this.transfers.get(id);
    if (!t?.active) {
      t = new Transfer(id);
      this.transfers.set(id, t);
      this.ensureTicker();
      void this.start(t);
    }
    const tr = t;
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => this.leave(tr, w, aborted());
      const w: Waiter = {
        resolve,
        reject,
        onProgress: opts.onProgress,
        cleanup: () => {
          if (timer !== undefined) clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
        }
      };
      tr.waiters.add(w);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.timeoutMs !== undefined) timer = setTimeout(() => this.leave(tr, w, new BlobTransferError('timeout', `fetch of ${id.slice(0, 12)}… not complete after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    });
  }

  /** Starts fetching every partial download in the store (e.g. after a reload); returns their ids. Outcomes arrive as events. */
  async resumePartials(): Promise<BlobId[]> {
    const ids = (await this.store.partials()).map((p) => p.id);
    for (const id of ids) this.fetch(id).catch(() => {});
    return ids;
  }

  /** Progress of a transfer under way or recently ended, undefined otherwise. */
  progress(id: BlobId): BlobProgress | undefined {
    const t = this.transfers.get(id);
    return t && this.progressOf(t);
  }

  /** Stops any transfer of `id` (its callers get `deleted`) and deletes the blob, complete or partial, from the store. */
  async delete(id: BlobId): Promise<void> {
    blobIdBytes(id);
    const t = this.transfers.get(id);
    if (t?.active) {
      t.deleted = true;
      this.fail(t, new BlobTransferError('deleted', `blob ${id.slice(0, 12)}… was deleted`));
    }
    this.held.delete(id);
    await this.store.delete(id);
  }

  /** Stops everything: callers get `closed`, nothing more is sent or stored. Partial downloads stay in the store. */
  close(): void {
    if (this.closed) return;
    // Closed first: failing one transfer must not pump the others.
    this.closed = true;
    for (const t of this.transfers.values()) if (t.active) this.fail(t, new BlobTransferError('closed', 'the blob service is closed'));
    this.offPeer();
    this.stopTicker();
    this.transfers.clear();
    for (const q of this.serving.values()) q.items.length = 0;
    this.serving.clear();
  }

  // --- fetching ---------------------------------------------------------

  private async start(t: Transfer): Promise<void> {
    let held: boolean;
    let stored: BlobManifest | undefined;
    try {
      held = await this.store.has(t.id);
      if (!held) stored = await this.store.partial(t.id);
    } catch (e) {
      return this.storeFailed(t, e);
    }
    if (t.state !== 'starting') return;
    if (held) {
      // Already here: resolve quietly (no events, no announcement).
      t.state = 'done';
      t.endedAt = this.now();
      this.settle(t);
      return;
    }
    this.emit({ type: 'started', id: t.id });
    this.wantAll(t);
    if (stored) return this.useManifest(t, stored, true);
    t.state = 'finding';
    this.emitProgress(t);
    this.askManifest(t);
  }

  /** Resolves every caller of a transfer that is done. */
  private settle(t: Transfer): void {
    for (const w of t.waiters) {
      w.cleanup();
      w.resolve();
    }
    t.waiters.clear();
  }

  /** Sets up the partial download of a verified manifest and starts requesting chunks. */
  private async useManifest(t: Transfer, m: BlobManifest, fromStore: boolean): Promise<void> {
    t.manifest = m;
    t.state = 'loading';
    let missing: number[] | undefined;
    try {
      await this.store.beginPartial(m);
      missing = await this.store.missing(t.id);
    } catch (e) {
      return this.storeFailed(t, e);
    }
    if (t.state !== 'loading') {
      // Deleted while beginPartial ran: it may have written the partial after the delete.
      if (t.deleted) await this.store.delete(t.id).catch(() => {});
      return;
    }
    if (!missing) return this.fail(t, new BlobTransferError('deleted', `blob ${t.id.slice(0, 12)}… was deleted`));
    const n = m.chunks.length;
    t.stored = new Uint8Array(n).fill(1);
    t.bytes = m.size;
    for (const i of missing) {
      t.stored[i] = 0;
      t.bytes -= chunkLength(m, i);
      t.needed.add(i);
    }
    t.received = n - missing.length;
    t.state = 'fetching';
    if (fromStore && t.received > 0) this.emit({ type: 'resumed', id: t.id, received: t.received, total: n });
    this.emitProgress(t);
    if (t.received === n) return this.finish(t);
    this.pump(t);
  }

  /** Asks one holder for the manifest (if none is being asked). */
  private askManifest(t: Transfer): void {
    if (t.state !== 'finding' || t.manifestFrom !== undefined) return;
    const now = this.now();
    for (const [key, ps] of t.peers) {
      if (!ps.holder || ps.excluded || ps.backoffUntil > now) continue;
      const peer = this.host.peer(key);
      if (!peer?.open || !peer.send('blob-want', { id: t.idBytes, manifest: true })) continue;
      ps.manifestAsked = true;
      ps.manifestAskedAt = now;
      t.manifestFrom = key;
      return;
    }
  }

  private wantAll(t: Transfer): void {
    t.lastWant = this.now();
    for (const peer of this.host.peers()) if (!t.peers.get(peer.key)?.excluded) peer.send('blob-want', { id: t.idBytes, manifest: false });
  }

  /** Fills every usable holder's window from the needed chunks. */
  private pump(t: Transfer): void {
    if (t.state !== 'fetching' || t.needed.size === 0 || this.closed) return;
    const now = this.now();
    for (const [key, ps] of t.peers) {
      if (t.needed.size === 0) return;
      if (!ps.holder || ps.excluded || ps.backoffUntil > now) continue;
      const room = this.window - (this.outstanding.get(key) ?? 0);
      const peer = this.host.peer(key);
      if (room <= 0 || !peer?.open) continue;
      const take: number[] = [];
      for (const i of t.needed) {
        take.push(i);
        if (take.length === room) break;
      }
      this.request(t, peer, ps, take);
    }
  }

  /** Fills the windows of every transfer: a slot freed by one blob may serve another. */
  private pumpAll(): void {
    for (const t of this.transfers.values()) this.pump(t);
  }

  /** Sends blob-get for `take` (grouped into runs) and records them as pending at `peer`. */
  private request(t: Transfer, peer: PeerPort, ps: PeerState, take: number[]): void {
    for (const i of take) t.needed.delete(i);
    take.sort((a, b) => a - b);
    const now = this.now();
    // The timeout runs from the oldest unanswered request's batch, not from the last chunk of a busy period.
    if (ps.pending.size === 0) ps.lastProgress = now;
    for (let at = 0; at < take.length; ) {
      let end = at + 1;
      while (end < take.length && take[end] === take[end - 1] + 1 && end - at < MAX_GET_RUN) end++;
      if (!peer.send('blob-get', { id: t.idBytes, from: take[at], count: end - at })) {
        // No link any more: its 'down' follows; these go back to the pool.
        for (let k = at; k < take.length; k++) this.requeue(t, take[k]);
        return;
      }
      for (let k = at; k < end; k++) {
        ps.pending.set(take[k], now);
        t.requested.add(take[k]);
      }
      this.addOutstanding(peer.key, end - at);
      this.stats.requested += end - at;
      at = end;
    }
  }

  /** Puts chunk `i` back in the pool unless it is stored, being written or requested. */
  private requeue(t: Transfer, i: number): void {
    if (!t.stored[i] && !t.writing.has(i) && !t.requested.has(i)) t.needed.add(i);
  }

  /** Takes back a peer's outstanding requests (to ask others); with `late`, its answers stay welcome. */
  private release(t: Transfer, key: PeerKey, ps: PeerState, late: boolean): void {
    if (ps.pending.size === 0) return;
    this.addOutstanding(key, -ps.pending.size);
    const ids = [...ps.pending.keys()];
    ps.pending.clear();
    for (const i of ids) {
      t.requested.delete(i);
      if (late) ps.expired.add(i);
      this.requeue(t, i);
    }
  }

  /** A holder that may not be asked again for this blob (bad chunk, wrong manifest). */
  private exclude(t: Transfer, key: PeerKey, ps: PeerState, reason: HolderLostReason): void {
    if (ps.excluded) return;
    const was = ps.holder;
    ps.excluded = true;
    ps.holder = false;
    this.release(t, key, ps, true);
    if (was) this.emit({ type: 'holder-lost', id: t.id, peer: key, reason });
    this.manifestSourceLost(t, key);
  }

  private manifestSourceLost(t: Transfer, key: PeerKey): void {
    if (t.manifestFrom !== key) return;
    t.manifestFrom = undefined;
    this.askManifest(t);
  }

  private onChunk(body: unknown, from: PeerPort): void {
    const m = expectMap(body, 'blob-chunk');
    const idBytes = readId(m, 'blob-chunk');
    const i = expectUint(m.i, 'blob-chunk.i', MAX_CHUNKS - 1);
    const data = expectBytes(m.data, 'blob-chunk.data');
    if (data.length > MAX_CHUNK_BYTES) throw new FormatError('out-of-range', `blob-chunk.data: ${data.length} bytes, limit ${MAX_CHUNK_BYTES}`);
    if (this.closed) return;
    const t = this.transfers.get(blobIdOf(idBytes));
    const ps = t?.peers.get(from.key);
    if (!t || !ps) return this.host.drop(from, 'unsolicited', `blob-chunk ${i} of a blob not asked for`);
    // Classified at once, before any await, so a second copy right behind the first is seen as a replay.
    if (ps.pending.has(i)) {
      ps.pending.delete(i);
      t.requested.delete(i);
      this.addOutstanding(from.key, -1);
    } else if (ps.expired.has(i)) {
      ps.expired.delete(i);
    } else {
      return this.host.drop(from, ps.delivered.has(i) ? 'replay' : 'unsolicited', `blob-chunk ${i}`);
    }
    ps.delivered.add(i);
    // It answers: whatever back-off a timeout put it in is over.
    ps.lastProgress = this.now();
    ps.backoffUntil = 0;
    ps.backoffMs = this.timeoutMs;
    const man = t.manifest;
    if ((t.state !== 'fetching' && t.state !== 'completing') || !man) return; // a late answer after the end
    if (t.stored[i] || t.writing.has(i)) return this.pumpAll();
    if (data.length !== chunkLength(man, i)) {
      this.host.drop(from, 'bad-chunk', `blob-chunk ${i}: ${data.length} bytes, expected ${chunkLength(man, i)}`);
      this.exclude(t, from.key, ps, 'bad-chunk');
      this.requeue(t, i);
      return this.pumpAll();
    }
    t.writing.add(i);
    t.needed.delete(i);
    void this.storeChunk(t, from, ps, i, data);
  }

  private async storeChunk(t: Transfer, from: PeerPort, ps: PeerState, i: number, data: Uint8Array): Promise<void> {
    let outcome: PutChunkOutcome;
    try {
      outcome = await this.store.putChunk(t.id, i, data);
    } catch (e) {
      t.writing.delete(i);
      return this.storeFailed(t, e);
    }
    t.writing.delete(i);
    if (!t.active || this.closed) return; // the chunk, if stored, stays in the partial
    if (outcome === 'no-partial') return this.fail(t, new BlobTransferError('deleted', `blob ${t.id.slice(0, 12)}… was deleted`));
    if (outcome === 'bad-hash') {
      this.host.drop(from, 'bad-chunk', `blob-chunk ${i}: hash does not match the manifest`);
      this.exclude(t, from.key, ps, 'bad-chunk');
      this.requeue(t, i);
      return this.pumpAll();
    }
    if (!t.stored[i]) {
      t.stored[i] = 1;
      t.received++;
      t.bytes += data.length;
      this.stats.received++;
      this.emitProgress(t);
    }
    if (t.received === t.stored.length && t.state === 'fetching') return this.finish(t);
    this.pumpAll();
  }

  private async finish(t: Transfer): Promise<void> {
    t.state = 'completing';
    for (const [key, ps] of t.peers) this.release(t, key, ps, true);
    let ok: boolean;
    let missing: number[] | undefined = [];
    try {
      ok = await this.store.complete(t.id);
      if (!ok) missing = await this.store.missing(t.id);
    } catch (e) {
      return this.storeFailed(t, e);
    }
    if (t.state !== 'completing') return;
    if (!ok) {
      const m = t.manifest as BlobManifest;
      if (!missing) return this.fail(t, new BlobTransferError('deleted', `blob ${t.id.slice(0, 12)}… was deleted`));
      // The store lost chunks we counted (cleared behind our back): fetch them again.
      for (const i of missing) {
        if (!t.stored[i]) continue;
        t.stored[i] = 0;
        t.received--;
        t.bytes -= chunkLength(m, i);
        t.needed.add(i);
      }
      t.state = 'fetching';
      return this.pump(t);
    }
    t.state = 'done';
    t.endedAt = this.now();
    this.remember(t.id, t.stored.length);
    this.emitProgress(t);
    this.emit({ type: 'completed', id: t.id });
    this.settle(t);
    this.announce(t.id);
    this.pumpAll();
  }

  private fail(t: Transfer, error: BlobTransferError): void {
    if (!t.active) return;
    t.state = 'failed';
    t.endedAt = this.now();
    for (const [key, ps] of t.peers) this.release(t, key, ps, true);
    for (const w of t.waiters) {
      w.cleanup();
      w.reject(error);
    }
    t.waiters.clear();
    this.emit({ type: 'failed', id: t.id, error });
    this.pumpAll();
  }

  private storeFailed(t: Transfer, e: unknown): void {
    if (this.closed || !t.active) return;
    this.fail(t, new BlobTransferError('store', `blob store: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** One caller stops waiting; the transfer stops when no caller is left. */
  private leave(t: Transfer, w: Waiter, error: BlobTransferError): void {
    if (!t.waiters.delete(w)) return;
    w.cleanup();
    w.reject(error);
    if (t.waiters.size === 0) this.fail(t, error);
  }

  private peerState(t: Transfer, key: PeerKey): PeerState {
    let ps = t.peers.get(key);
    if (!ps) {
      ps = { holder: false, excluded: false, pending: new Map(), expired: new Set(), delivered: new Set(), manifestAsked: false, manifestAskedAt: 0, lastProgress: 0, backoffUntil: 0, backoffMs: this.timeoutMs };
      t.peers.set(key, ps);
    }
    return ps;
  }

  /** Marks a peer as a holder of `t` (unless excluded). */
  private addHolder(t: Transfer, key: PeerKey): void {
    const ps = this.peerState(t, key);
    if (ps.excluded || ps.holder) return;
    ps.holder = true;
    this.emit({ type: 'holder-found', id: t.id, peer: key });
    this.emitProgress(t);
  }

  private onHave(body: unknown, from: PeerPort): void {
    const idBytes = readId(expectMap(body, 'blob-have'), 'blob-have');
    if (this.closed) return;
    const id = blobIdOf(idBytes);
    const t = this.transfers.get(id);
    if (!t?.active) return this.emit({ type: 'announced', id, peer: from.key });
    this.addHolder(t, from.key);
    this.askManifest(t);
    this.pump(t);
  }

  private onNone(body: unknown, from: PeerPort): void {
    const idBytes = readId(expectMap(body, 'blob-none'), 'blob-none');
    const t = this.closed ? undefined : this.transfers.get(blobIdOf(idBytes));
    const ps = t?.peers.get(from.key);
    if (!t?.active || !ps) return;
    // A holder that deleted the blob answers gets with none after the chunks it did send: nothing more is coming.
    this.release(t, from.key, ps, false);
    ps.manifestAsked = false;
    if (ps.holder) {
      ps.holder = false;
      this.emit({ type: 'holder-lost', id: t.id, peer: from.key, reason: 'none' });
      this.emitProgress(t);
    }
    this.manifestSourceLost(t, from.key);
    this.pumpAll();
  }

  private async onManifest(body: unknown, from: PeerPort): Promise<void> {
    const m = expectMap(body, 'blob-manifest');
    const id = blobIdOf(readId(m, 'blob-manifest'));
    if (this.closed) return;
    const t = this.transfers.get(id);
    const ps = t?.peers.get(from.key);
    if (!t || !ps?.manifestAsked) return this.host.drop(from, 'unsolicited', `blob-manifest of ${id.slice(0, 12)}…`);
    ps.manifestAsked = false;
    let manifest: BlobManifest;
    try {
      manifest = readManifest(m.manifest);
    } catch (e) {
      if (t.active) this.exclude(t, from.key, ps, 'invalid');
      throw e;
    }
    if ((await manifestId(manifest)) !== id) {
      this.host.drop(from, 'invalid', `blob-manifest does not hash to ${id.slice(0, 12)}…`);
      if (t.active) this.exclude(t, from.key, ps, 'invalid');
      return;
    }
    if (!t.active || this.closed) return;
    if (t.manifestFrom === from.key) t.manifestFrom = undefined;
    this.addHolder(t, from.key);
    if (t.state === 'finding') return this.useManifest(t, manifest, false);
    this.pump(t);
  }

  private peerUp(peer: PeerPort): void {
    if (this.closed) return;
    for (const t of this.transfers.values()) {
      if (t.active && !t.peers.get(peer.key)?.excluded) peer.send('blob-want', { id: t.idBytes, manifest: false });
    }
  }

  private peerDown(key: PeerKey): void {
    if (this.closed) return;
    const q = this.serving.get(key);
    if (q) q.items.length = q.chunks = q.manifests = 0;
    this.serving.delete(key);
    for (const t of this.transfers.values()) {
      const ps = t.peers.get(key);
      if (!ps) continue;
      // Its link is gone: nothing it was asked will arrive.
      this.release(t, key, ps, false);
      ps.expired.clear();
      ps.manifestAsked = false;
      if (ps.holder && t.active) {
        ps.holder = false;
        this.emit({ type: 'holder-lost', id: t.id, peer: key, reason: 'down' });
        this.emitProgress(t);
      }
      ps.holder = false;
      if (t.active) {
        this.manifestSourceLost(t, key);
        this.pump(t);
      }
    }
    this.outstanding.delete(key);
  }

  private ensureTicker(): void {
    if (this.ticker === undefined && !this.closed) this.ticker = setInterval(() => this.tick(), Math.max(10, Math.min(1000, this.timeoutMs / 4)));
  }

  private stopTicker(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Timeouts, back-offs, re-asking, and forgetting ended transfers (kept a while so late answers are not penalised). */
  private tick(): void {
    const now = this.now();
    for (const t of [...this.transfers.values()]) {
      if (!t.active) {
        if (now - t.endedAt > 2 * this.timeoutMs) this.transfers.delete(t.id);
        continue;
      }
      for (const [key, ps] of t.peers) {
        if (t.state === 'fetching' && ps.pending.size > 0 && now - ps.lastProgress > this.timeoutMs) {
          this.release(t, key, ps, true);
          ps.backoffUntil = now + ps.backoffMs;
          ps.backoffMs = Math.min(ps.backoffMs * 2, 16 * this.timeoutMs);
          this.emit({ type: 'holder-lost', id: t.id, peer: key, reason: 'timeout' });
        }
        if (t.manifestFrom === key && now - ps.manifestAskedAt > this.timeoutMs) {
          // Its answer stays welcome (manifestAsked), but another holder is asked meanwhile.
          ps.backoffUntil = now + ps.backoffMs;
          ps.backoffMs = Math.min(ps.backoffMs * 2, 16 * this.timeoutMs);
          t.manifestFrom = undefined;
        }
      }
      let holders = 0;
      for (const ps of t.peers.values()) if (ps.holder && !ps.excluded) holders++;
      if (holders === 0 && now - t.lastWant > this.wantIntervalMs) this.wantAll(t);
      this.askManifest(t);
      this.pump(t);
    }
    if (this.transfers.size === 0) this.stopTicker();
  }

  // --- serving ----------------------------------------------------------

  private async onWant(body: unknown, from: PeerPort): Promise<void> {
    const m = expectMap(body, 'blob-want');
    const idBytes = readId(m, 'blob-want');
    if (m.manifest !== undefined && typeof m.manifest !== 'boolean') throw new FormatError('wrong-type', 'blob-want.manifest: expected a boolean');
    const id = blobIdOf(idBytes);
    const n = await this.heldChunks(id);
    if (this.closed) return;
    if (n === undefined) {
      from.send('blob-none', { id: idBytes });
      return;
    }
    if (m.manifest !== true) {
      from.send('blob-have', { id: idBytes });
      return;
    }
    // Manifests can be up to 2 MiB: they go through the flow-controlled queue, built when sent.
    const q = this.queue(from.key);
    if (q.manifests >= MAX_QUEUED_MANIFESTS) return this.host.drop(from, 'rate-limit', 'too many manifest requests queued');
    q.manifests++;
    q.items.push({ kind: 'manifest', id, idBytes, i: 0 });
    void this.serve(from.key, q);
  }

  private async onGet(body: unknown, from: PeerPort): Promise<void> {
    const m = expectMap(body, 'blob-get');
    const idBytes = readId(m, 'blob-get');
    const first = expectUint(m.from, 'blob-get.from', MAX_CHUNKS - 1);
    const count = expectUint(m.count, 'blob-get.count', MAX_GET_RUN);
    if (count === 0) throw new FormatError('out-of-range', 'blob-get.count: 0');
    const id = blobIdOf(idBytes);
    const n = await this.heldChunks(id);
    if (this.closed) return;
    if (n === undefined) {
      from.send('blob-none', { id: idBytes });
      return;
    }
    if (first + count > n) return this.host.drop(from, 'invalid', `blob-get ${first}+${count} beyond ${n} chunks`);
    const q = this.queue(from.key);
    if (q.chunks + count > this.maxServeQueue) return this.host.drop(from, 'rate-limit', `more than ${this.maxServeQueue} chunks queued`);
    q.chunks += count;
    for (let k = 0; k < count; k++) q.items.push({ kind: 'chunk', id, idBytes, i: first + k });
    void this.serve(from.key, q);
  }

  private queue(key: PeerKey): ServeQueue {
    let q = this.serving.get(key);
    if (!q) {
      q = { items: [], chunks: 0, manifests: 0, running: false };
      this.serving.set(key, q);
    }
    return q;
  }

  /** Sends a peer's queue in order, one frame at a time, each after the link has drained to the high-water mark. */
  private async serve(key: PeerKey, q: ServeQueue): Promise<void> {
    if (q.running) return;
    q.running = true;
    try {
      while (q.items.length > 0 && !this.closed) {
        const it = q.items.shift() as ServeItem;
        if (it.kind === 'chunk') q.chunks--;
        else q.manifests--;
        const peer = this.host.peer(key);
        if (!peer?.open) {
          q.items.length = q.chunks = q.manifests = 0;
          break;
        }
        let f: Uint8Array | undefined;
        try {
          // Read before waiting for the drain: the send then follows the drain with no await in between.
          if (it.kind === 'chunk') {
            const data = await this.store.readChunk(it.id, it.i);
            if (data) f = frame('blob-chunk', { id: it.idBytes, i: it.i, data });
          } else {
            const man = await this.store.manifest(it.id);
            if (man) f = frame('blob-manifest', { id: it.idBytes, manifest: manifestValue(man) });
          }
        } catch (e) {
          warn(`serving ${it.id.slice(0, 12)}…`, e);
        }
        if (!f) {
          // Deleted meanwhile: say so once and skip the rest of that blob.
          this.held.delete(it.id);
          const keep = q.items.filter((x) => x.id !== it.id);
          q.chunks = keep.filter((x) => x.kind === 'chunk').length;
          q.manifests = keep.length - q.chunks;
          q.items = keep;
          peer.send('blob-none', { id: it.idBytes });
          continue;
        }
        await peer.drained(this.highWater);
        if (this.closed) break;
        if (peer.sendFrame(f) && it.kind === 'chunk') this.stats.served++;
      }
    } finally {
      q.running = false;
    }
  }

  /** Chunk count of a complete blob in the store, undefined if not held. */
  private async heldChunks(id: BlobId): Promise<number | undefined> {
    const n = this.held.get(id);
    if (n !== undefined) return n;
    const m = await this.store.manifest(id);
    if (m) this.remember(id, m.chunks.length);
    return m?.chunks.length;
  }

  private remember(id: BlobId, n: number): void {
    this.held.delete(id);
    this.held.set(id, n);
    if (this.held.size > HELD_CACHE) this.held.delete(this.held.keys().next().value as BlobId);
  }

  private announce(id: BlobId): void {
    const idBytes = blobIdBytes(id);
    for (const p of this.host.peers()) p.send('blob-have', { id: idBytes });
  }

  // --- plumbing ---------------------------------------------------------

  private addOutstanding(key: PeerKey, d: number): void {
    const n = (this.outstanding.get(key) ?? 0) + d;
    if (n > 0) this.outstanding.set(key, n);
    else this.outstanding.delete(key);
  }

  private progressOf(t: Transfer): BlobProgress {
    let peers = 0;
    for (const ps of t.peers.values()) if (ps.holder && !ps.excluded) peers++;
    const state = t.state === 'done' || t.state === 'failed' ? t.state : t.state === 'fetching' || t.state === 'completing' ? 'fetching' : 'finding';
    return { id: t.id, state, received: t.received, total: t.stored.length, bytes: t.bytes, size: t.manifest?.size ?? 0, peers };
  }

  private emitProgress(t: Transfer): void {
    const p = this.progressOf(t);
    for (const w of t.waiters) {
      try {
        w.onProgress?.(p);
      } catch (e) {
        warn('onProgress', e);
      }
    }
    this.emit({ type: 'progress', id: t.id, progress: p });
  }

  private emit(e: BlobEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        warn(`event listener (${e.type})`, err);
      }
    }
  }

  /** Wraps a handler: a body that does not read is `malformed`; anything else unexpected is logged. */
  private guard(type: WireType, fn: (this: BlobService, body: unknown, from: PeerPort) => void | Promise<void>): FrameHandler {
    const failed = (from: PeerPort, e: unknown) => {
      if (e instanceof FormatError) this.host.drop(from, 'malformed', `${type}: ${e.message}`);
      else if (!this.closed) warn(type, e);
    };
    return (body, from) => {
      try {
        const r = fn.call(this, body, from);
        if (r) r.catch((e) => failed(from, e));
      } catch (e) {
        failed(from, e);
      }
    };
  }
}

function warn(what: string, e: unknown): void {
  console.warn(`medchain:net:blob ${what}:`, e);
}

