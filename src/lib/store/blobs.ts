/**
 * Blob stores (issue 7, docs/blobs.md): the `BlobStore` interface of
 * src/lib/net/blob in memory and on IndexedDB. Both pass one acceptance
 * suite (tests/unit/store/blob-suite.ts).
 *
 * The invariant both keep: nothing half-written is ever visible. A partial
 * download's chunks are written only after their hash matched the manifest,
 * and `has`/`manifest`/`readChunk`/`read`/`list` answer from the complete
 * blobs only; `complete` moves a blob from partial to complete in ONE step
 * (one IndexedDB transaction), so a crash leaves either the partial (resumed
 * later from its stored chunks) or the complete blob.
 *
 * IndexedDB schema v1 (database `medchain-blobs-<name>`):
 *
 * | table | primary key | value |
 * | --- | --- | --- |
 * | blobs | id (hex) | { id, size, chunks, mime? }: complete blobs |
 * | partials | id (hex) | { id, size, chunks, mime? }: downloads under way |
 * | manifests | id (hex) | { id, bytes }: canonical manifest encoding (of a blob or a partial) |
 * | chunks | [id+i] | { id, i, data }: verified chunks (of a blob or a partial) |
 *
 * Chunks are not copied on completion: the `blobs` row is what makes a blob
 * visible, so completing a 2 GiB download writes one row.
 */
import Dexie, { type Table } from 'dexie';
import {
  chunkLength,
  chunksOf,
  checkChunkBytes,
  checkManifest,
  DEFAULT_CHUNK_BYTES,
  decodeManifest,
  encodeManifest,
  equalBytes,
  manifestId,
  MANIFEST_VERSION,
  MAX_CHUNKS,
  sha256,
  type BlobId,
  type BlobInfo,
  type BlobManifest,
  type BlobStore,
  type ManifestOptions,
  type PartialInfo,
  type PutChunkOutcome
} from '$lib/net/blob';

export type { BlobStore, BlobInfo, PartialInfo, PutChunkOutcome } from '$lib/net/blob';

/** Hashes a blob's chunks once: its manifest, id and the chunks (copies, never views of `bytes`). */
async function split(bytes: Uint8Array, opts: ManifestOptions): Promise<{ id: BlobId; manifest: BlobManifest; chunks: Uint8Array[] }> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected a Uint8Array');
  const chunkBytes = checkChunkBytes(opts.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  const chunks: Uint8Array[] = [];
  const hashes: Uint8Array[] = [];
  for await (const c of chunksOf(bytes, chunkBytes)) {
    if (chunks.length === MAX_CHUNKS) throw new RangeError(`bytes: more than ${MAX_CHUNKS} chunks of ${chunkBytes} bytes (use larger chunks)`);
    hashes.push(await sha256(c));
    // A copy: IndexedDB would clone a view's whole buffer, and the caller may reuse its own.
    chunks.push(c.slice());
  }
  const manifest: BlobManifest = { v: MANIFEST_VERSION, size: bytes.length, chunkBytes, chunks: hashes, ...(opts.mime === undefined ? {} : { mime: opts.mime }) };
  return { id: await manifestId(manifest), manifest, chunks };
}

/** Chunk `bytes` is chunk `i` of the blob `m` describes (length and hash). */
async function verifyChunk(m: BlobManifest, i: number, bytes: Uint8Array): Promise<boolean> {
  return bytes.length === chunkLength(m, i) && equalBytes(await sha256(bytes), m.chunks[i]);
}

function checkIndex(m: BlobManifest, i: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= m.chunks.length) throw new RangeError(`i: ${i} is not a chunk index of a ${m.chunks.length}-chunk blob`);
}

function info(id: BlobId, m: BlobManifest): BlobInfo {
  return m.mime === undefined ? { id, size: m.size, chunks: m.chunks.length } : { id, size: m.size, chunks: m.chunks.length, mime: m.mime };
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

interface MemEntry {
  manifest: BlobManifest;
  chunks: (Uint8Array | undefined)[];
  received: number;
  complete: boolean;
}

/**
 * In-memory BlobStore for tests, the simulator and tabs without persistence.
 * Chunks are copied in and out, as IndexedDB's structured clone would.
 */
export class MemoryBlobStore implements BlobStore {
  private readonly entries = new Map<BlobId, MemEntry>();

  async put(bytes: Uint8Array, opts: ManifestOptions = {}): Promise<{ id: BlobId; manifest: BlobManifest }> {
    const { id, manifest, chunks } = await split(bytes, opts);
    const e = this.entries.get(id);
    if (!e?.complete) this.entries.set(id, { manifest, chunks, received: chunks.length, complete: true });
    return { id, manifest: e?.manifest ?? manifest };
  }
  async has(id: BlobId): Promise<boolean> {
    return this.entries.get(id)?.complete === true;
  }
  async manifest(id: BlobId): Promise<BlobManifest | undefined> {
    const e = this.entries.get(id);
    return e?.complete ? e.manifest : undefined;
  }
  async readChunk(id: BlobId, i: number): Promise<Uint8Array | undefined> {
    const e = this.entries.get(id);
    return e?.complete ? e.chunks[i]?.slice() : undefined;
  }
  async read(id: BlobId): Promise<Uint8Array | undefined> {
    const e = this.entries.get(id);
    return e?.complete ? concat(e.chunks as Uint8Array[], e.manifest.size) : undefined;
  }
  async list(): Promise<BlobInfo[]> {
    return [...this.entries].filter(([, e]) => e.complete).map(([id, e]) => info(id, e.manifest));
  }
  async delete(id: BlobId): Promise<void> {
    this.entries.delete(id);
  }
  async beginPartial(manifest: BlobManifest): Promise<BlobId> {
    checkManifest(manifest);
    const id = await manifestId(manifest);
    if (!this.entries.has(id)) this.entries.set(id, { manifest, chunks: new Array(manifest.chunks.length).fill(undefined), received: 0, complete: false });
    return id;
  }
  async partial(id: BlobId): Promise<BlobManifest | undefined> {
    const e = this.entries.get(id);
    return e && !e.complete ? e.manifest : undefined;
  }
  async putChunk(id: BlobId, i: number, bytes: Uint8Array): Promise<PutChunkOutcome> {
    const e = this.entries.get(id);
    if (!e) return 'no-partial';
    checkIndex(e.manifest, i);
    if (e.complete || e.chunks[i]) return 'duplicate';
    if (!(await verifyChunk(e.manifest, i, bytes))) return 'bad-hash';
    // Re-read after the await: it may have been deleted, completed or written meanwhile.
    const now = this.entries.get(id);
    if (now !== e) return now ? 'duplicate' : 'no-partial';
    if (e.complete || e.chunks[i]) return 'duplicate';
    e.chunks[i] = bytes.slice();
    e.received++;
    return 'stored';
  }
  async missing(id: BlobId): Promise<number[] | undefined> {
    const e = this.entries.get(id);
    if (!e) return undefined;
    const out: number[] = [];
    if (!e.complete) e.chunks.forEach((c, i) => c === undefined && out.push(i));
    return out;
  }
  async complete(id: BlobId): Promise<boolean> {
    const e = this.entries.get(id);
    if (!e) return false;
    if (e.received === e.chunks.length) e.complete = true;
    return e.complete;
  }
  async partials(): Promise<PartialInfo[]> {
    return [...this.entries].filter(([, e]) => !e.complete).map(([id, e]) => ({ ...info(id, e.manifest), received: e.received }));
  }
  async close(): Promise<void> {}
}

interface InfoRow {
  id: string;
  size: number;
  chunks: number;
  mime?: string;
}
interface ManifestRow {
  id: string;
  bytes: Uint8Array;
}
interface ChunkRow {
  id: string;
  i: number;
  data: Uint8Array;
}

class BlobDb extends Dexie {
  blobs!: Table<InfoRow, string>;
  partials!: Table<InfoRow, string>;
  manifests!: Table<ManifestRow, string>;
  chunks!: Table<ChunkRow, [string, number]>;
  constructor(name: string, options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    this.version(1).stores({ blobs: 'id', partials: 'id', manifests: 'id', chunks: '[id+i]' });
  }
}

function infoRow(id: BlobId, m: BlobManifest): InfoRow {
  const r: InfoRow = { id, size: m.size, chunks: m.chunks.length };
  if (m.mime !== undefined) r.mime = m.mime;
  return r;
}

function infoOf(r: InfoRow): BlobInfo {
  return r.mime === undefined ? { id: r.id, size: r.size, chunks: r.chunks } : { id: r.id, size: r.size, chunks: r.chunks, mime: r.mime };
}

/** BlobStore on IndexedDB through Dexie 4, one database per node: `medchain-blobs-<name>`. */
export class DexieBlobStore implements BlobStore {
  private readonly db: BlobDb;
  /** Decoded manifests by id: content-addressed, so an entry never goes stale (only whether it is stored does). */
  private readonly manifestCache = new Map<BlobId, BlobManifest>();

  /** `options` is passed to Dexie (e.g. `{ indexedDB, IDBKeyRange }` from fake-indexeddb in Node). */
  constructor(name: string, options?: ConstructorParameters<typeof Dexie>[1]) {
    if (typeof name !== 'string' || name === '') throw new TypeError('name: expected a non-empty string');
    this.db = new BlobDb(`medchain-blobs-${name}`, options);
  }

  private range(id: BlobId) {
    return this.db.chunks.where('[id+i]').between([id, Dexie.minKey], [id, Dexie.maxKey], true, true);
  }

  /** The stored manifest of `id` (blob or partial), decoded once. */
  private async loadManifest(id: BlobId): Promise<BlobManifest | undefined> {
    const hit = this.manifestCache.get(id);
    if (hit) return hit;
    const row = await this.db.manifests.get(id);
    if (!row) return undefined;
    const m = decodeManifest(row.bytes);
    this.cache(id, m);
    return m;
  }

  private cache(id: BlobId, m: BlobManifest): void {
    this.manifestCache.set(id, m);
    if (this.manifestCache.size > 64) this.manifestCache.delete(this.manifestCache.keys().next().value as BlobId);
  }

  async put(bytes: Uint8Array, opts: ManifestOptions = {}): Promise<{ id: BlobId; manifest: BlobManifest }> {
    const { id, manifest, chunks } = await split(bytes, opts);
    const db = this.db;
    await db.transaction('rw', [db.blobs, db.partials, db.manifests, db.chunks], async () => {
      if (await db.blobs.get(id)) return;
      await db.manifests.put({ id, bytes: encodeManifest(manifest) });
      await db.chunks.bulkPut(chunks.map((data, i) => ({ id, i, data })));
      await db.partials.delete(id);
      await db.blobs.put(infoRow(id, manifest));
    });
    this.cache(id, manifest);
    return { id, manifest };
  }

  async has(id: BlobId): Promise<boolean> {
    return (await this.db.blobs.get(id)) !== undefined;
  }

  async manifest(id: BlobId): Promise<BlobManifest | undefined> {
    if (!(await this.has(id))) return undefined;
    return this.loadManifest(id);
  }

  async readChunk(id: BlobId, i: number): Promise<Uint8Array | undefined> {
    if (!Number.isInteger(i) || i < 0) return undefined;
    const db = this.db;
    // One read transaction: a blob deleted meanwhile yields nothing, never a chunk of a non-blob.
    return db.transaction('r', [db.blobs, db.chunks], async () => {
      if (!(await db.blobs.get(id))) return undefined;
      return (await db.chunks.get([id, i]))?.data;
    });
  }

  async read(id: BlobId): Promise<Uint8Array | undefined> {
    const db = this.db;
    return db.transaction('r', [db.blobs, db.chunks], async () => {
      const row = await db.blobs.get(id);
      if (!row) return undefined;
      const parts = (await this.range(id).toArray()).map((r) => r.data);
      if (parts.length !== row.chunks) throw new Error(`blob store: ${id.slice(0, 12)}… has ${parts.length} of ${row.chunks} chunks (database damaged)`);
      return concat(parts, row.size);
    });
  }

  async list(): Promise<BlobInfo[]> {
    return (await this.db.blobs.toArray()).map(infoOf);
  }

  async delete(id: BlobId): Promise<void> {
    const db = this.db;
    await db.transaction('rw', [db.blobs, db.partials, db.manifests, db.chunks], async () => {
      await db.blobs.delete(id);
      await db.partials.delete(id);
      await db.manifests.delete(id);
      await this.range(id).delete();
    });
    this.manifestCache.delete(id);
  }

  async beginPartial(manifest: BlobManifest): Promise<BlobId> {
    checkManifest(manifest);
    const id = await manifestId(manifest);
    const bytes = encodeManifest(manifest);
    const db = this.db;
    await db.transaction('rw', [db.blobs, db.partials, db.manifests], async () => {
      if ((await db.blobs.get(id)) || (await db.partials.get(id))) return;
      await db.manifests.put({ id, bytes });
      await db.partials.put(infoRow(id, manifest));
    });
    this.cache(id, manifest);
    return id;
  }

  async partial(id: BlobId): Promise<BlobManifest | undefined> {
    if (!(await this.db.partials.get(id))) return undefined;
    return this.loadManifest(id);
  }

  async putChunk(id: BlobId, i: number, bytes: Uint8Array): Promise<PutChunkOutcome> {
    const m = await this.loadManifest(id);
    if (!m) return 'no-partial';
    checkIndex(m, i);
    // Hash outside the transaction: IndexedDB commits a transaction that waits on anything else.
    if (!(await verifyChunk(m, i, bytes))) return 'bad-hash';
    const db = this.db;
    return db.transaction('rw', [db.blobs, db.partials, db.chunks], async (): Promise<PutChunkOutcome> => {
      if (!(await db.partials.get(id))) return (await db.blobs.get(id)) ? 'duplicate' : 'no-partial';
      if ((await db.chunks.where('[id+i]').equals([id, i]).count()) > 0) return 'duplicate';
      await db.chunks.put({ id, i, data: bytes.slice() });
      return 'stored';
    });
  }

  async missing(id: BlobId): Promise<number[] | undefined> {
    const db = this.db;
    return db.transaction('r', [db.blobs, db.partials, db.chunks], async () => {
      if (await db.blobs.get(id)) return [];
      const row = await db.partials.get(id);
      if (!row) return undefined;
      const have = new Uint8Array(row.chunks);
      for (const k of await this.range(id).primaryKeys()) have[(k as [string, number])[1]] = 1;
      const out: number[] = [];
      for (let i = 0; i < row.chunks; i++) if (!have[i]) out.push(i);
      return out;
    });
  }

  async complete(id: BlobId): Promise<boolean> {
    const db = this.db;
    return db.transaction('rw', [db.blobs, db.partials, db.chunks], async () => {
      if (await db.blobs.get(id)) return true;
      const row = await db.partials.get(id);
      // Every stored chunk was verified and has an index < row.chunks: the count says all are there.
      if (!row || (await this.range(id).count()) !== row.chunks) return false;
      await db.blobs.put(row);
      await db.partials.delete(id);
      return true;
    });
  }

  async partials(): Promise<PartialInfo[]> {
    const rows = await this.db.partials.toArray();
    const out: PartialInfo[] = [];
    for (const r of rows) out.push({ ...infoOf(r), received: await this.range(r.id).count() });
    return out;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  /** Deletes the database (tests, "reset this node"). */
  async destroy(): Promise<void> {
    await this.db.delete();
  }
}
