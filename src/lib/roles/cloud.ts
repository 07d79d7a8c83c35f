/**
 * The cloud server role (SPEC §1, §3, §4): stores what hospitals upload (the
 * sealed ciphertext and its audit tags), answers audit challenges with
 * proofs, and hands out the blob ids of a file for download. No UI here;
 * the page is src/routes/cloud/ with components in $lib/ui/cloud/.
 *
 * Storage shape (docs/cloud-tpa.md):
 *
 * - A file is TWO blobs (docs/blobs.md): the ciphertext `c` exactly as
 *   sealed, and its tag set (`encodeSwTagSet` or `encodeYangTagSet` from
 *   $lib/audit). The hospital `publish`es both with its BlobService, then
 *   calls `cloud.store`; the cloud fetches both blobs (content-addressed, so
 *   every byte is checked against the ids), decodes the tag set, checks that
 *   it fits the ciphertext, and records the file in its catalogue.
 * - The file key is a string of 64 hex digits: for sw-priv the hex of the
 *   file's 32-byte `name` (what the EMR's audit metadata records; the cloud
 *   checks it against the tag set); for yang2019 (no name in the paper) any
 *   64 hex digits the hospital chooses, which it writes as the EMR's
 *   `info.index`. `cloud.store` answers the key back: it is the `index`.
 *
 * Requests (Rpc methods; bodies are DAG-CBOR maps, blob ids 64-hex strings):
 *
 * | method | body | answer | errors (RpcError code) |
 * | --- | --- | --- | --- |
 * | `cloud.store` | `{file, scheme, data, tags}` | `{file, bytes, n}` | `bad-request`, `fetch-failed`, `bad-upload` |
 * | `cloud.prove` | `{file, seed (32 B), c}` | `{scheme, proof (bytes)}` | `bad-request`, `unknown-file`, `no-key` |
 * | `cloud.get` | `{file}` | `{file, scheme, data, tags, bytes}` | `bad-request`, `unknown-file` |
 * | `cloud.list` | `{}` | `[{file, scheme, bytes}]` | |
 *
 * The sw-priv prover needs the hospital key `v`: taken from the file's EMR
 * entry on chain (`audit.v`), else the key of the peer that uploaded it (a
 * hospital's node key is its signing key, which is also its audit key).
 *
 * CLASSROOM SWITCH (`behaviour`): a cloud that misbehaves so a TPA's audit
 * visibly fails: `delete` (a fraction of blocks gone: their sectors read as
 * zero and their tags as the identity), `corrupt` (one byte of one block
 * flipped), `forge-yang2019` (the paper's attack, SPEC §3: the cloud keeps
 * two per-file constants instead of the data and answers from them; it
 * passes the paper's yang2019 check and fails the sound sw-priv one).
 */
import { encodeSwProof, encodeYangProof, decodeSwTagSet, decodeYangTagSet, prove, yangProve, attackYang2019, yangBlocks, AuditCache, deriveChallenge, SECTOR_BYTES, type SwFileInfo, type SwProof } from '$lib/audit';
import { hex, unhex, type ChainState, type EmrIndexEntry, type Scheme } from '$lib/chain';
import { expectBytes, expectMap, expectString, expectUint, FormatError, type Value } from '$lib/codec';
import { fr, g1, g2, gt, pairing, type G1, type G2 } from '$lib/crypto';
import { isBlobId, BlobTransferError, type BlobId, type BlobStore } from '$lib/net/blob';
import { RpcError, type Rpc } from '$lib/net/rpc';
import type { PeerPort } from '$lib/net/protocol';
import type { RoomPeer } from './room-peer';

export const CLOUD_METHODS = { store: 'cloud.store', prove: 'cloud.prove', get: 'cloud.get', list: 'cloud.list' } as const;

export type CloudBehaviour = 'honest' | 'delete' | 'corrupt' | 'forge-yang2019';
export const CLOUD_BEHAVIOURS: readonly CloudBehaviour[] = ['honest', 'delete', 'corrupt', 'forge-yang2019'];

/** What the cloud's catalogue keeps about one stored file. */
export interface CloudFileRecord {
  /** 64 hex digits: sw-priv name, or the hospital's index (yang2019). */
  file: string;
  scheme: Scheme;
  /** Blob ids (64 hex). */
  data: BlobId;
  tags: BlobId;
  /** Ciphertext length and tag-set length in bytes. */
  dataBytes: number;
  tagBytes: number;
  /** Blocks (sw-priv) or 31-byte sectors (yang2019). */
  n: number;
  /** Sectors per block (1 for yang2019). */
  s: number;
  /** Hex of the uploading peer's key. */
  uploader: string;
  stored: number;
}

/** Where the catalogue is kept (the blobs themselves are in the peer's BlobStore). */
export interface CloudCatalog {
  list(): Promise<CloudFileRecord[]>;
  put(r: CloudFileRecord): Promise<void>;
  delete(file: string): Promise<void>;
}

export class MemoryCloudCatalog implements CloudCatalog {
  private readonly m = new Map<string, CloudFileRecord>();
  async list(): Promise<CloudFileRecord[]> {
    return [...this.m.values()];
  }
  async put(r: CloudFileRecord): Promise<void> {
    this.m.set(r.file, { ...r });
  }
  async delete(file: string): Promise<void> {
    this.m.delete(file);
  }
}

/** The catalogue in `localStorage` under `key` (small: ids and sizes only). Falls back to memory without it. */
export class LocalCloudCatalog implements CloudCatalog {
  private readonly mem = new MemoryCloudCatalog();
  constructor(private readonly key: string) {}
  private get ls(): Storage | null {
    return typeof localStorage === 'undefined' ? null : localStorage;
  }
  private read(): CloudFileRecord[] {
    try {
      const raw = this.ls?.getItem(this.key);
      return raw ? (JSON.parse(raw) as CloudFileRecord[]) : [];
    } catch {
      return [];
    }
  }
  async list(): Promise<CloudFileRecord[]> {
    return this.ls ? this.read() : this.mem.list();
  }
  async put(r: CloudFileRecord): Promise<void> {
    if (!this.ls) return this.mem.put(r);
    this.ls.setItem(this.key, JSON.stringify([...this.read().filter((x) => x.file !== r.file), r]));
  }
  async delete(file: string): Promise<void> {
    if (!this.ls) return this.mem.delete(file);
    this.ls.setItem(this.key, JSON.stringify(this.read().filter((x) => x.file !== file)));
  }
}

export interface CloudOptions {
  /** How long `cloud.store` waits for the two blobs (default 120 s). */
  fetchTimeoutMs?: number;
  /** Fraction of blocks the `delete` behaviour loses (default 0.01; at least one block). */
  deleteFraction?: number;
}

/** One challenge the cloud answered (for the page). */
export interface AnsweredChallenge {
  file: string;
  c: number;
  behaviour: CloudBehaviour;
  at: number;
}

interface Loaded {
  rec: CloudFileRecord;
  data: Uint8Array;
  tags: G1[];
  sw?: SwFileInfo;
}

const HEX64 = /^[0-9a-f]{64}$/;

function expectFileKey(v: unknown): string {
  const f = expectString(v, 'file', 64);
  if (!HEX64.test(f)) throw new FormatError('malformed', 'file: expected 64 lower-case hex digits');
  return f;
}

function badRequest<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new RpcError('bad-request', e instanceof Error ? e.message : String(e));
  }
}

/** Finds the EMR entry of a stored file on chain (sw-priv by name, yang2019 by index). */
export function emrOfFile(state: ChainState | undefined, file: string): EmrIndexEntry | undefined {
  if (!state) return undefined;
  for (const e of state.emrs.values()) if (fileKeyOf(e) === file) return e;
  return undefined;
}

/** The cloud file key of an EMR entry (see the header). */
export function fileKeyOf(e: Pick<EmrIndexEntry, 'audit' | 'info'>): string {
  return e.audit.scheme === 'sw-priv' ? hex(e.audit.name) : e.info.index;
}

export class CloudService {
  behaviour: CloudBehaviour = 'honest';
  readonly answered: AnsweredChallenge[] = [];
  challengesAnswered = 0;
  private readonly blobs: BlobStore;
  private readonly cache = new Map<string, Promise<Loaded>>();
  private readonly audits = new AuditCache();
  /** Blocks the `delete` / `corrupt` behaviours picked, per file (stable while the behaviour holds). */
  private readonly damage = new Map<string, number[]>();
  private readonly listeners = new Set<() => void>();
  private readonly o: Required<CloudOptions>;

  private readonly catalog: CloudCatalog;

  /**
   * @param peer the cloud's node; it must run a BlobService (RoomPeer `blobStore`)
   * @param rpc the node's Rpc (the methods above are registered on it)
   * @param store the catalogue of stored files (the blobs are in the peer's blob store)
   */
  constructor(
    private readonly peer: RoomPeer,
    rpc: Rpc,
    store: { catalog: CloudCatalog },
    o: CloudOptions = {}
  ) {
    if (!peer.blobs || !peer.blobStore) throw new TypeError('peer: the cloud needs a RoomPeer with a blob store');
    this.blobs = peer.blobStore;
    this.catalog = store.catalog;
    this.o = { fetchTimeoutMs: o.fetchTimeoutMs ?? 120_000, deleteFraction: o.deleteFraction ?? 0.01 };
    rpc.register(CLOUD_METHODS.store, (b, from) => this.onStore(b, from));
    rpc.register(CLOUD_METHODS.prove, (b) => this.onProve(b));
    rpc.register(CLOUD_METHODS.get, (b) => this.onGet(b));
    rpc.register(CLOUD_METHODS.list, () => this.onList());
  }

  /** Called after every change the page shows (store, challenge, switch). */
  onChange(f: () => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }
  private changed(): void {
    for (const f of this.listeners) f();
  }

  /** The classroom switch. `fraction` applies to `delete`. */
  setBehaviour(b: CloudBehaviour, fraction?: number): void {
    if (!CLOUD_BEHAVIOURS.includes(b)) throw new RangeError(`behaviour: unknown ${b}`);
    if (fraction !== undefined) {
      if (!(fraction > 0 && fraction <= 1)) throw new RangeError('fraction: expected (0, 1]');
      this.o.deleteFraction = fraction;
    }
    this.behaviour = b;
    this.damage.clear();
    this.changed();
  }

  get deleteFraction(): number {
    return this.o.deleteFraction;
  }

  files(): Promise<CloudFileRecord[]> {
    return this.catalog.list();
  }

  /** Bytes held (ciphertexts and tag sets) and, where the browser says, its storage estimate. */
  async usage(): Promise<{ files: number; bytes: number; estimate?: { usage: number; quota: number } }> {
    const list = await this.catalog.list();
    const bytes = list.reduce((a, r) => a + r.dataBytes + r.tagBytes, 0);
    let estimate: { usage: number; quota: number } | undefined;
    try {
      const nav = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { storage?: StorageManager });
      const e = nav?.storage?.estimate ? await nav.storage.estimate() : undefined;
      if (e && typeof e.usage === 'number' && typeof e.quota === 'number') estimate = { usage: e.usage, quota: e.quota };
    } catch {
      /* no estimate */
    }
    return { files: list.length, bytes, estimate };
  }

  /** Which blocks the current behaviour damages for a stored file (for the page). */
  async damagedBlocks(file: string): Promise<number[]> {
    if (this.behaviour !== 'delete' && this.behaviour !== 'corrupt') return [];
    const l = await this.load(file);
    return this.damaged(l);
  }

  // ------------------------------------------------------------------ rpc

  private async onStore(body: unknown, from: PeerPort): Promise<Value> {
    const req = badRequest(() => {
      const m = expectMap(body, 'cloud.store');
      const scheme = expectString(m.scheme, 'scheme', 16);
      if (scheme !== 'sw-priv' && scheme !== 'yang2019') throw new FormatError('out-of-range', `scheme: unknown ${scheme}`);
      const data = expectString(m.data, 'data', 64);
      const tags = expectString(m.tags, 'tags', 64);
      if (!isBlobId(data) || !isBlobId(tags)) throw new FormatError('malformed', 'data, tags: expected blob ids');
      return { file: expectFileKey(m.file), scheme: scheme as Scheme, data, tags };
    });
    const blobs = this.peer.blobs!;
    try {
      await Promise.all([blobs.fetch(req.data, { timeoutMs: this.o.fetchTimeoutMs }), blobs.fetch(req.tags, { timeoutMs: this.o.fetchTimeoutMs })]);
    } catch (e) {
      throw new RpcError('fetch-failed', `could not fetch the blobs: ${e instanceof BlobTransferError ? e.kind : 'error'}`);
    }
    const data = await this.blobs.read(req.data);
    const tagBytes = await this.blobs.read(req.tags);
    if (!data || !tagBytes) throw new RpcError('fetch-failed', 'the blobs vanished from the store');
    let n: number;
    let s = 1;
    try {
      if (req.scheme === 'sw-priv') {
        const t = decodeSwTagSet(tagBytes);
        if (hex(t.file.name) !== req.file) throw new Error('the tag set names another file');
        if (t.file.length !== data.length) throw new Error(`the tag set is for ${t.file.length} bytes, the ciphertext has ${data.length}`);
        n = t.file.n;
        s = t.file.s;
      } else {
        const t = decodeYangTagSet(tagBytes);
        if (t.length !== data.length) throw new Error(`the tag set is for ${t.length} bytes, the ciphertext has ${data.length}`);
        n = t.tags.length;
      }
    } catch (e) {
      throw new RpcError('bad-upload', e instanceof Error ? e.message : 'the tag set does not read');
    }
    const rec: CloudFileRecord = { file: req.file, scheme: req.scheme, data: req.data, tags: req.tags, dataBytes: data.length, tagBytes: tagBytes.length, n, s, uploader: from.key, stored: Date.now() };
    await this.catalog.put(rec);
    this.cache.delete(req.file);
    this.changed();
    return { file: req.file, bytes: data.length, n };
  }

  private async onGet(body: unknown): Promise<Value> {
    const file = badRequest(() => expectFileKey(expectMap(body, 'cloud.get').file));
    const rec = await this.record(file);
    return { file, scheme: rec.scheme, data: rec.data, tags: rec.tags, bytes: rec.dataBytes };
  }

  private async onList(): Promise<Value> {
    return (await this.catalog.list()).map((r) => ({ file: r.file, scheme: r.scheme, bytes: r.dataBytes }));
  }

  private async onProve(body: unknown): Promise<Value> {
    const { file, seed, c } = badRequest(() => {
      const m = expectMap(body, 'cloud.prove');
      const c = expectUint(m.c, 'c', 1 << 16);
      if (c < 1) throw new FormatError('out-of-range', 'c: at least 1');
      return { file: expectFileKey(m.file), seed: expectBytes(m.seed, 'seed', 32), c };
    });
    const proof = await this.proveFile(file, { seed, c });
    this.challengesAnswered++;
    this.answered.unshift({ file, c, behaviour: this.behaviour, at: Date.now() });
    if (this.answered.length > 50) this.answered.pop();
    this.changed();
    return proof;
  }

  // ------------------------------------------------------------------ proving

  private async record(file: string): Promise<CloudFileRecord> {
    const rec = (await this.catalog.list()).find((r) => r.file === file);
    if (!rec) throw new RpcError('unknown-file', `this cloud holds no file ${file.slice(0, 16)}…`);
    return rec;
  }

  private load(file: string): Promise<Loaded> {
    let p = this.cache.get(file);
    if (!p) {
      p = (async () => {
        const rec = await this.record(file);
        const data = await this.blobs.read(rec.data);
        const tagBytes = await this.blobs.read(rec.tags);
        if (!data || !tagBytes) throw new RpcError('unknown-file', `the blobs of ${file.slice(0, 16)}… are no longer stored`);
        if (rec.scheme === 'sw-priv') {
          const t = decodeSwTagSet(tagBytes);
          return { rec, data, tags: t.tags, sw: t.file };
        }
        return { rec, data, tags: decodeYangTagSet(tagBytes).tags };
      })();
      this.cache.set(file, p);
      p.catch(() => this.cache.delete(file));
    }
    return p;
  }

  /** The hospital key v of a file: its EMR entry, else the uploader. */
  private keyOf(l: Loaded): G2 {
    const state = this.peer.finalState() ?? this.peer.executor.stateOf(this.peer.consensus.tree.head());
    const e = emrOfFile(state, l.rec.file);
    try {
      return g2.fromBytes(e ? e.audit.v : unhex(l.rec.uploader));
    } catch {
      throw new RpcError('no-key', 'no hospital key for this file');
    }
  }

  private damaged(l: Loaded): number[] {
    let d = this.damage.get(l.rec.file);
    if (!d) {
      const n = l.rec.n;
      const want = this.behaviour === 'corrupt' ? 1 : Math.min(n, Math.max(1, Math.round(this.o.deleteFraction * n)));
      const set = new Set<number>();
      while (set.size < want) set.add(Math.floor(Math.random() * n));
      d = [...set].sort((a, b) => a - b);
      this.damage.set(l.rec.file, d);
    }
    return d;
  }

  /** The data and tags as the current behaviour "holds" them. */
  private held(l: Loaded): { data: Uint8Array; tags: G1[] } {
    if (this.behaviour !== 'delete' && this.behaviour !== 'corrupt') return { data: l.data, tags: l.tags };
    const blockBytes = l.rec.s * SECTOR_BYTES;
    const data = l.data.slice();
    const tags = l.tags.slice();
    for (const i of this.damaged(l)) {
      const from = i * blockBytes;
      const to = Math.min(data.length, from + blockBytes);
      if (this.behaviour === 'delete') {
        data.fill(0, from, to);
        tags[i] = g1.identity();
      } else if (from < to) {
        data[from + Math.floor((to - from) / 2)] ^= 0x01;
      } else {
        // a block of padding only: corrupt its tag instead
        tags[i] = g1.add(tags[i], g1.generator());
      }
    }
    return { data, tags };
  }

  /** The proof for challenge (seed, c) on a stored file under the current behaviour; RpcError if unknown. */
  async proveFile(file: string, chal: { seed: Uint8Array; c: number }): Promise<{ scheme: Scheme; proof: Uint8Array }> {
    const l = await this.load(file);
    if (l.sw) {
      const v = this.keyOf(l);
      if (this.behaviour === 'forge-yang2019') return { scheme: 'sw-priv', proof: encodeSwProof(forgeSw(l.sw, v, l.data, l.tags, chal)) };
      const { data, tags } = this.held(l);
      return { scheme: 'sw-priv', proof: encodeSwProof(prove(l.sw, v, data, tags, chal, { cache: this.audits })) };
    }
    const pub = { n: l.rec.n } as Parameters<typeof yangProve>[0];
    if (this.behaviour === 'forge-yang2019') return { scheme: 'yang2019', proof: encodeYangProof(forgeYang(l.data, l.tags).prove(l.rec.n, chal)) };
    const { data, tags } = this.held(l);
    return { scheme: 'yang2019', proof: encodeYangProof(yangProve(pub, data, tags, chal)) };
  }
}

/** Two stored blocks with different values (the attack needs m_1 ≠ m_2). */
function twoDistinct(values: bigint[]): [number, number] {
  for (let j = 1; j < values.length; j++) if (values[j] !== values[0]) return [0, j];
  return [0, 0];
}

/** The paper's attack (SPEC §3): keep A, B from two stored pairs, drop the data. */
function forgeYang(data: Uint8Array, tags: G1[]) {
  const m = yangBlocks(data);
  const [a, b] = twoDistinct(m);
  if (a === b) {
    // Every block equal: the attack cannot start; answer with noise.
    return { prove: () => ({ lambda: fr.random(), sigma: g1.mul(g1.generator(), fr.random()) }) };
  }
  return attackYang2019([
    { m: m[a], delta: tags[a] },
    { m: m[b], delta: tags[b] }
  ]);
}

/**
 * The same attack tried on sw-priv: from σ_0, σ_1 and their first sectors,
 * "A" and "B" as if σ_i = A·B^{m_i}; then σ = A^{Σν}·B^λ with random masked
 * sums and an honest-looking R. It fails: sw-priv tags bind the index
 * (H(name‖i)) and every sector (u_j).
 */
function forgeSw(file: SwFileInfo, v: G2, data: Uint8Array, tags: G1[], chal: { seed: Uint8Array; c: number }): SwProof {
  const m0 = data.length > 0 ? yangBlocks(data.subarray(0, Math.min(data.length, SECTOR_BYTES)))[0] : 0n;
  const second = file.s * SECTOR_BYTES;
  const m1 = data.length > second ? yangBlocks(data.subarray(second, Math.min(data.length, second + SECTOR_BYTES)))[0] : m0 + 1n;
  const dm = fr.mod(m0 - m1) || 1n;
  const B = g1.mulPublic(g1.sub(tags[0], tags[Math.min(1, tags.length - 1)]), fr.inv(dm));
  const A = g1.sub(tags[0], g1.mulPublic(B, m0));
  const { coeffs } = deriveChallenge(chal.seed, file.n, chal.c);
  const V = fr.mod(coeffs.reduce((x, y) => x + y, 0n));
  const lambda = fr.random();
  const R = gt.toBytes(pairing(g1.mul(g1.generator(), fr.random()), v));
  return { sigma: g1.add(g1.mulPublic(A, V), g1.mulPublic(B, lambda)), mu: Array.from({ length: file.s }, () => fr.random()), R };
}

/** Client side: asks `cloud` to store a file whose two blobs the caller has published. */
export async function storeAtCloud(rpc: Rpc, cloud: string, req: { file: string; scheme: Scheme; data: BlobId; tags: BlobId }, timeoutMs = 180_000): Promise<{ file: string; bytes: number; n: number }> {
  const r = expectMap(await rpc.call(cloud, CLOUD_METHODS.store, { ...req }, { timeoutMs }), 'cloud.store answer');
  return { file: expectString(r.file, 'file', 64), bytes: expectUint(r.bytes, 'bytes'), n: expectUint(r.n, 'n') };
}

/** Client side: the blob ids of a stored file. */
export async function locateAtCloud(rpc: Rpc, cloud: string, file: string): Promise<{ scheme: Scheme; data: BlobId; tags: BlobId; bytes: number }> {
  const r = expectMap(await rpc.call(cloud, CLOUD_METHODS.get, { file }), 'cloud.get answer');
  return { scheme: expectString(r.scheme, 'scheme', 16) as Scheme, data: expectString(r.data, 'data', 64), tags: expectString(r.tags, 'tags', 64), bytes: expectUint(r.bytes, 'bytes') };
}

/** Peers of the room that say they are a cloud server. */
export function cloudPeers(peer: RoomPeer): string[] {
  return peer.net.peers().filter((p) => p.role === 'cloud').map((p) => p.key);
}
