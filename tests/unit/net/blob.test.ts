/**
 * Blob manifests, chunk hashing, and the pull-based transfer service
 * (src/lib/net/blob) between BlobServices on an in-memory hub
 * (tests/unit/net/blob-host.ts). Store semantics are covered by the shared
 * suite in tests/unit/store/blob-suite.ts.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decode, encode, FormatError, type Value } from '../../../src/lib/codec';
import {
  blobIdBytes,
  blobIdOf,
  BlobService,
  BlobTransferError,
  chunkLength,
  decodeManifest,
  DEFAULT_CHUNK_BYTES,
  encodeManifest,
  equalBytes,
  makeManifest,
  manifestId,
  manifestValue,
  MAX_BLOB_BYTES,
  MAX_CHUNK_BYTES,
  MAX_CHUNKS,
  MAX_MANIFEST_BYTES,
  MIN_CHUNK_BYTES,
  readManifest,
  sha256,
  sha256Sync,
  type BlobEvent,
  type BlobId,
  type BlobManifest,
  type BlobProgress,
  type BlobServiceOptions,
  type BlobStore
} from '../../../src/lib/net/blob';
import { MemoryHub, type MemoryHubOptions } from '../../../src/lib/net/memory';
import { frame, WIRE_TYPES } from '../../../src/lib/net/wire';
import { DexieBlobStore, MemoryBlobStore } from '../../../src/lib/store';
import { randomBytes as random64k } from '../helpers/random';
import { TestHost } from './blob-host';

const MiB = 1 << 20;

/** Random bytes of any length (getRandomValues stops at 64 KiB per call). */
function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65_536) out.set(random64k(Math.min(65_536, n - at)), at);
  return out;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Byte equality without vitest's element-wise diffing (slow on megabytes). */
function expectSame(actual: Uint8Array | undefined, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(actual!.length).toBe(expected.length);
  expect(equalBytes(actual!, expected)).toBe(true);
}

/** Waits until `cond` holds (a liveness guard for async delivery, not a timing assertion). */
async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function formatKind(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof FormatError) return e.kind;
    throw e;
  }
  return 'accepted';
}

interface Node {
  name: string;
  host: TestHost;
  store: BlobStore;
  svc: BlobService;
  events: BlobEvent[];
}

const services: BlobService[] = [];
afterEach(() => {
  for (const s of services.splice(0)) s.close();
});

function node(hub: MemoryHub, name: string, opts: BlobServiceOptions = {}, store: BlobStore = new MemoryBlobStore()): Node {
  const host = new TestHost(hub, name);
  const events: BlobEvent[] = [];
  const svc = new BlobService(host, store, { ...opts, onEvent: (e) => events.push(e) });
  services.push(svc);
  return { name, host, store, svc, events };
}

async function startAll(...ns: Node[]): Promise<void> {
  for (const n of ns) await n.host.start();
}

describe('chunk hashing', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('WebCrypto and @noble/hashes agree, on views too; WebCrypto is used when present', async () => {
    const spy = vi.spyOn(globalThis.crypto.subtle, 'digest');
    const buf = randomBytes(100_000);
    for (const b of [new Uint8Array(0), buf, buf.subarray(17, 70_017)]) expect(await sha256(b)).toEqual(sha256Sync(b));
    expect(spy).toHaveBeenCalled();
    expect(blobIdOf(await sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('falls back to JS where crypto.subtle is missing (plain http on a LAN)', async () => {
    const b = randomBytes(5000);
    vi.stubGlobal('crypto', {});
    expect(await sha256(b)).toEqual(sha256Sync(b));
  });
});

describe('blob manifest', () => {
  it('round-trips, and the id is SHA-256 of the canonical encoding', async () => {
    const bytes = randomBytes(3 * DEFAULT_CHUNK_BYTES + 5);
    const { id, manifest } = await makeManifest(bytes, { mime: 'application/x-medchain-sealed' });
    expect(manifest.chunkBytes).toBe(61_440);
    expect(manifest.chunks.length).toBe(4);
    expect(manifest.size).toBe(bytes.length);
    expect(chunkLength(manifest, 3)).toBe(5);
    for (let i = 0; i < 4; i++) expect(manifest.chunks[i]).toEqual(sha256Sync(bytes.subarray(i * 61_440, Math.min((i + 1) * 61_440, bytes.length))));
    const enc = encodeManifest(manifest);
    expect(id).toBe(blobIdOf(sha256Sync(enc)));
    expect(await manifestId(decodeManifest(enc))).toBe(id);
    expect(decodeManifest(enc)).toEqual(manifest);
    expect(readManifest(decode(encode(manifestValue(manifest)), 1 << 21))).toEqual(manifest);
    expect(blobIdOf(blobIdBytes(id))).toBe(id);
  });

  it('binds the id to every field: size, chunk size, each hash, mime', async () => {
    const bytes = randomBytes(2 * MIN_CHUNK_BYTES + 1);
    const { id, manifest } = await makeManifest(bytes, { chunkBytes: MIN_CHUNK_BYTES });
    const flipped = manifest.chunks.map((h) => h.slice());
    flipped[1][0] ^= 1;
    const variants: BlobManifest[] = [
      { ...manifest, chunks: flipped },
      { ...manifest, size: manifest.size + 1 },
      { ...manifest, mime: 'text/plain' },
      (await makeManifest(bytes, { chunkBytes: MIN_CHUNK_BYTES + 1 })).manifest
    ];
    const ids = await Promise.all(variants.map(manifestId));
    expect(new Set([id, ...ids]).size).toBe(5);
  });

  it('is the same from bytes, a sync iterable and an async stream of odd pieces', async () => {
    const bytes = randomBytes(5 * MIN_CHUNK_BYTES + 123);
    const opts = { chunkBytes: MIN_CHUNK_BYTES };
    const ref = await makeManifest(bytes, opts);
    const pieces = [0, 1, 4095, 4097, 10_000, bytes.length].map((end, k, a) => bytes.subarray(k === 0 ? 0 : a[k - 1], end));
    async function* stream() {
      for (const p of pieces) yield p;
    }
    expect(await makeManifest(pieces, opts)).toEqual(ref);
    expect(await makeManifest(stream(), opts)).toEqual(ref);
    const empty = await makeManifest(new Uint8Array(0));
    expect(empty.manifest.chunks).toEqual([]);
    expect(decodeManifest(encodeManifest(empty.manifest))).toEqual(empty.manifest);
  });

  it('keeps a default chunk frame under one 64 KiB WebRTC message and the largest manifest in one frame', () => {
    const id = new Uint8Array(32).fill(0xee);
    const chunkFrame = frame('blob-chunk', { id, i: MAX_CHUNKS - 1, data: new Uint8Array(DEFAULT_CHUNK_BYTES) });
    expect(chunkFrame.length).toBeLessThanOrEqual(64 * 1024);
    expect(frame('blob-chunk', { id, i: MAX_CHUNKS - 1, data: new Uint8Array(MAX_CHUNK_BYTES) }).length).toBeLessThanOrEqual(WIRE_TYPES['blob-chunk'].max);
    const big: BlobManifest = { v: 1, size: MAX_CHUNKS * 32 * 1024, chunkBytes: 32 * 1024, chunks: Array.from({ length: MAX_CHUNKS }, () => new Uint8Array(32).fill(7)), mime: 'x'.repeat(255) };
    expect(big.size).toBeLessThanOrEqual(MAX_BLOB_BYTES);
    expect(encodeManifest(big).length).toBeLessThanOrEqual(MAX_MANIFEST_BYTES);
    expect(frame('blob-manifest', { id, manifest: manifestValue(big) }).length).toBeLessThanOrEqual(WIRE_TYPES['blob-manifest'].max);
  });

  it('decode rejects malformed, oversized and inconsistent manifests with the right FormatError kind', async () => {
    const { manifest } = await makeManifest(randomBytes(2 * MIN_CHUNK_BYTES + 1), { chunkBytes: MIN_CHUNK_BYTES });
    const good = manifestValue(manifest) as Record<string, Value>;
    const h = new Uint8Array(32);
    const cases: [string, unknown, string][] = [
      ['not a map', [1, 2], 'wrong-type'],
      ['unknown field', { ...good, extra: 1 }, 'malformed'],
      ['version 2', { ...good, v: 2 }, 'wrong-version'],
      ['no version', { size: good.size, chunkBytes: good.chunkBytes, chunks: good.chunks }, 'missing-field'],
      ['no size', { v: 1, chunkBytes: good.chunkBytes, chunks: good.chunks }, 'missing-field'],
      ['negative size', { ...good, size: -1 }, 'out-of-range'],
      ['size over 2 GiB', { ...good, size: MAX_BLOB_BYTES + 1, chunkBytes: MAX_CHUNK_BYTES, chunks: [] }, 'out-of-range'],
      ['chunk size under 4 KiB', { ...good, chunkBytes: 4095 }, 'out-of-range'],
      ['chunk size over 192 KiB', { ...good, chunkBytes: MAX_CHUNK_BYTES + 1 }, 'out-of-range'],
      ['one hash too few', { ...good, chunks: (good.chunks as Uint8Array[]).slice(1) }, 'bad-length'],
      ['one hash too many', { ...good, chunks: [...(good.chunks as Uint8Array[]), h] }, 'bad-length'],
      ['size inconsistent with count', { ...good, size: 3 * MIN_CHUNK_BYTES + 1 }, 'bad-length'],
      ['short hash', { ...good, chunks: [h, h, h.subarray(1)] }, 'bad-length'],
      ['hash not bytes', { ...good, chunks: [h, h, 'x'] }, 'wrong-type'],
      ['too many chunks', { ...good, size: MAX_BLOB_BYTES, chunkBytes: MIN_CHUNK_BYTES, chunks: new Array(MAX_CHUNKS + 1).fill(h) }, 'out-of-range'],
      ['empty mime', { ...good, mime: '' }, 'malformed'],
      ['mime with a newline', { ...good, mime: 'text/plain\nX: y' }, 'malformed'],
      ['mime too long', { ...good, mime: 'x'.repeat(256) }, 'out-of-range'],
      ['mime not a string', { ...good, mime: 5 }, 'wrong-type']
    ];
    for (const [what, v, kind] of cases) expect(formatKind(() => readManifest(v)), what).toBe(kind);
    expect(formatKind(() => readManifest(good))).toBe('accepted');
    // Bytes: size limit before parsing, canonical form.
    expect(formatKind(() => decodeManifest(new Uint8Array(MAX_MANIFEST_BYTES + 1)))).toBe('oversized');
    const enc = encodeManifest(manifest);
    const unsorted = new Uint8Array([0xa2, 0x61, 0x76, 0x01, 0x61, 0x61, 0x01]); // {v:1, a:1}: keys out of order
    expect(formatKind(() => decodeManifest(unsorted))).toBe('malformed');
    expect(formatKind(() => decodeManifest(enc.subarray(0, enc.length - 1)))).toBe('malformed');
  });

  it('makeManifest and the programmer-facing encoders throw RangeError past the limits', async () => {
    await expect(makeManifest(randomBytes(10), { chunkBytes: 1000 })).rejects.toThrow(RangeError);
    await expect(makeManifest(randomBytes(10), { chunkBytes: MAX_CHUNK_BYTES + 1 })).rejects.toThrow(RangeError);
    const zero = new Uint8Array(MIN_CHUNK_BYTES);
    function* tooMany() {
      for (let i = 0; i <= MAX_CHUNKS; i++) yield zero;
    }
    await expect(makeManifest(tooMany(), { chunkBytes: MIN_CHUNK_BYTES })).rejects.toThrow(/more than 61440 chunks/);
    const { manifest } = await makeManifest(randomBytes(10));
    expect(() => encodeManifest({ ...manifest, size: 70_000 })).toThrow(RangeError);
    expect(() => blobIdBytes('ABC')).toThrow(TypeError);
  });
});

describe('blob transfer', () => {
  it('moves a 5 MiB blob A -> B intact, progress monotone to 100%, never visible half-written', async () => {
    const hub = new MemoryHub();
    const a = node(hub, 'A');
    const b = node(hub, 'B');
    await startAll(a, b);
    const bytes = randomBytes(5 * MiB);
    const id = await a.svc.publish(bytes, { mime: 'application/octet-stream' });
    const seen: BlobProgress[] = [];
    const visible: Promise<[number, boolean]>[] = [];
    await b.svc.fetch(id, {
      onProgress: (p) => {
        seen.push(p);
        if (p.state === 'fetching') visible.push(b.store.has(id).then((h) => [p.received, h]));
      }
    });
    expectSame(await b.store.read(id), bytes);
    expect((await b.store.manifest(id))?.mime).toBe('application/octet-stream');
    const fetching = seen.filter((p) => p.total > 0);
    for (let k = 1; k < fetching.length; k++) {
      expect(fetching[k].received).toBeGreaterThanOrEqual(fetching[k - 1].received);
      expect(fetching[k].bytes).toBeGreaterThanOrEqual(fetching[k - 1].bytes);
    }
    const last = seen[seen.length - 1];
    expect(last).toMatchObject({ state: 'done', received: 86, total: 86, bytes: 5 * MiB, size: 5 * MiB });
    for (const [received, h] of await Promise.all(visible)) if (received < 86) expect(h).toBe(false);
    expect(b.events.map((e) => e.type)).toContain('completed');
    expect(b.events[0]).toEqual({ type: 'started', id });
    expect(b.svc.stats.requested).toBe(86);
    expect(a.svc.stats.served).toBe(86);
    expect(await b.store.partials()).toEqual([]);
    expect(a.host.drops.size + b.host.drops.size).toBe(0);
    // A second fetch of a held blob resolves at once without asking anyone.
    const gets = b.host.sentCount.get('blob-get');
    await b.svc.fetch(id);
    expect(b.host.sentCount.get('blob-get')).toBe(gets);
  });

  it('flow control: the holder never lets bufferedAmount pass its high-water mark + one chunk frame', async () => {
    const hub = new MemoryHub({ drainBytesPerTick: 64 * 1024 });
    const highWaterBytes = 256 * 1024;
    const a = node(hub, 'A', { highWaterBytes });
    const b = node(hub, 'B');
    await startAll(a, b);
    const bytes = randomBytes(3 * MiB);
    const id = await a.svc.publish(bytes);
    await b.svc.fetch(id);
    expectSame(await b.store.read(id), bytes);
    const frameBytes = frame('blob-chunk', { id: blobIdBytes(id), i: 0, data: new Uint8Array(DEFAULT_CHUNK_BYTES) }).length;
    const max = a.host.maxBufferedAfterChunk.get('B') ?? 0;
    expect(max).toBeLessThanOrEqual(highWaterBytes + frameBytes);
    // The buffer did fill up: the limit was exercised, not just never approached.
    expect(max).toBeGreaterThan(highWaterBytes);
  });

  it('spreads requests over holders and finishes from C when A is cut at ~50%', async () => {
    const hub = new MemoryHub();
    const bytes = randomBytes(5 * MiB);
    const a = node(hub, 'A');
    const c = node(hub, 'C');
    const b = node(hub, 'B', { window: 8 });
    await startAll(a, b, c);
    const id = await a.svc.publish(bytes);
    expect(await c.svc.publish(bytes)).toBe(id);
    let cut = false;
    let servedByCAtCut = 0;
    await b.svc.fetch(id, {
      onProgress: (p) => {
        if (!cut && p.received >= p.total / 2 && p.total > 0) {
          cut = true;
          servedByCAtCut = c.svc.stats.served;
          hub.cut('A', 'B');
        }
      }
    });
    expect(cut).toBe(true);
    expectSame(await b.store.read(id), bytes);
    expect(b.host.requestedFrom('A').length).toBeGreaterThan(0);
    expect(servedByCAtCut).toBeGreaterThan(0);
    expect(c.svc.stats.served).toBeGreaterThan(servedByCAtCut);
    expect(a.svc.stats.served).toBeLessThan(86);
    expect(b.events).toContainEqual({ type: 'holder-lost', id, peer: 'A', reason: 'down' });
    expect(b.host.drops.size).toBe(0);
  });

  it('resumes from a single holder that stops at ~50% and comes back, asking only for what is missing', async () => {
    const hub = new MemoryHub();
    const bytes = randomBytes(5 * MiB);
    const storeA = new MemoryBlobStore();
    const a = node(hub, 'A', {}, storeA);
    const b = node(hub, 'B', { window: 8 });
    await startAll(a, b);
    const id = await a.svc.publish(bytes);
    let stopped = false;
    const done = b.svc.fetch(id, {
      onProgress: (p) => {
        if (!stopped && p.total > 0 && p.received >= p.total / 2) {
          stopped = true;
          a.host.stop();
        }
      }
    });
    await until(() => b.events.some((e) => e.type === 'holder-lost'), 'B to lose A');
    // Let chunks already received finish writing: store and service agree and stay put.
    let prev = -1;
    await until(async () => {
      const p = b.svc.progress(id)!;
      const settled = p.received === prev && p.total - p.received === (await b.store.missing(id))!.length;
      prev = p.received;
      return settled;
    }, 'B to settle');
    const missing = (await b.store.missing(id))!;
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.length).toBeLessThan(86);
    expect(b.svc.progress(id)).toMatchObject({ state: 'fetching', peers: 0 });
    const before = b.host.requestedFrom('A').length;
    // A comes back: same address, same store, new transport and service.
    const a2 = node(hub, 'A', {}, storeA);
    await a2.host.start();
    await done;
    expectSame(await b.store.read(id), bytes);
    const second = b.host.requestedFrom('A').slice(before);
    expect([...second].sort((x, y) => x - y)).toEqual(missing);
    expect(a2.svc.stats.served).toBe(missing.length);
    expect(b.events.filter((e) => e.type === 'holder-found').length).toBe(2);
    expect(b.host.drops.size).toBe(0);
  });

  it('counts a corrupting holder as bad-chunk and completes correctly from another holder', async () => {
    const hub = new MemoryHub();
    const bytes = randomBytes(2 * MiB);
    const evilStore = new MemoryBlobStore();
    const readChunk = evilStore.readChunk.bind(evilStore);
    evilStore.readChunk = async (id: BlobId, i: number) => {
      const c = await readChunk(id, i);
      if (c) c[c.length >> 1] ^= 0x40;
      return c;
    };
    const e = node(hub, 'E', {}, evilStore);
    const b = node(hub, 'B');
    const c = node(hub, 'C');
    await startAll(e, b);
    const id = await e.svc.publish(bytes);
    const done = b.svc.fetch(id);
    await until(() => b.host.dropped('E', 'bad-chunk') > 0 && b.svc.progress(id)?.peers === 0, 'B to give up on E');
    expect(b.svc.progress(id)?.received).toBe(0);
    expect(await c.svc.publish(bytes)).toBe(id);
    await c.host.start();
    await done;
    expectSame(await b.store.read(id), bytes);
    expect(b.events).toContainEqual({ type: 'holder-lost', id, peer: 'E', reason: 'bad-chunk' });
    expect(b.host.dropped('C', 'bad-chunk')).toBe(0);
    // E was asked once (its first window) and never again.
    expect(b.host.sent.filter((s) => s.to === 'E' && s.type === 'blob-get').length).toBe(1);
  });

  it('counts replayed and unsolicited chunks, unsolicited and malformed messages, and refuses out-of-range gets', async () => {
    const hub = new MemoryHub();
    const bytes = randomBytes(1 * MiB + 1000);
    const src = new MemoryBlobStore();
    const { id, manifest } = await src.put(bytes);
    const n = manifest.chunks.length;
    const idBytes = blobIdBytes(id);
    const b = node(hub, 'B', { window: 8 });
    // X: a hand-written holder that sends every chunk twice, and the last chunk once unasked.
    const x = new TestHost(hub, 'X');
    let extraSent = false;
    x.handle('blob-want', (body, from) => {
      const w = body as { manifest: boolean };
      from.send(w.manifest ? 'blob-manifest' : 'blob-have', w.manifest ? { id: idBytes, manifest: manifestValue(manifest) } : { id: idBytes });
    });
    x.handle('blob-get', async (body, from) => {
      const g = body as { from: number; count: number };
      for (let i = g.from; i < g.from + g.count; i++) {
        const f = frame('blob-chunk', { id: idBytes, i, data: (await src.readChunk(id, i))! });
        from.sendFrame(f);
        from.sendFrame(f);
      }
      if (!extraSent) {
        extraSent = true;
        from.send('blob-chunk', { id: idBytes, i: n - 1, data: (await src.readChunk(id, n - 1))! });
      }
    });
    await startAll(b);
    await x.start();
    await b.svc.fetch(id);
    expectSame(await b.store.read(id), bytes);
    expect(b.host.dropped('X', 'replay')).toBe(n);
    expect(b.host.dropped('X', 'unsolicited')).toBe(1);

    const px = x.peer('B')!;
    const other = randomBytes(32);
    px.send('blob-chunk', { id: other, i: 0, data: randomBytes(10) });
    px.send('blob-manifest', { id: idBytes, manifest: manifestValue(manifest) });
    px.send('blob-chunk', { id: 5, i: 0, data: randomBytes(10) });
    px.send('blob-chunk', { id: idBytes, i: -1, data: randomBytes(10) });
    px.send('blob-want', { id: idBytes.subarray(1) });
    px.send('blob-have', {});
    px.send('blob-get', { id: idBytes, from: 0, count: 0 });
    px.send('blob-get', { id: idBytes, from: n - 1, count: 2 });
    await until(() => b.host.dropped('X', 'malformed') === 5 && b.host.dropped('X', 'invalid') === 1, 'B to count the bad messages', 5000);
    expect(b.host.dropped('X', 'unsolicited')).toBe(3);
    // A blob-none for an unknown blob and a blob-have announcement are not penalised.
    px.send('blob-none', { id: other });
    px.send('blob-have', { id: other });
    await until(() => b.events.some((e) => e.type === 'announced'), 'the announcement');
    expect(b.events).toContainEqual({ type: 'announced', id: blobIdOf(other), peer: 'X' });
    expect([...b.host.drops.get('X')!.values()].reduce((s, v) => s + v, 0)).toBe(n + 3 + 5 + 1);
  });

  it('caps what one peer may queue at a holder (rate-limit) and answers gets for unknown blobs with blob-none', async () => {
    const hub = new MemoryHub({ drainBytesPerTick: 64 * 1024 });
    const a = node(hub, 'A', { maxServeQueue: 100, highWaterBytes: 64 * 1024 });
    const x = new TestHost(hub, 'X');
    const got: { type: string; body: unknown }[] = [];
    for (const t of ['blob-chunk', 'blob-none', 'blob-have', 'blob-manifest'] as const) x.handle(t, (body) => got.push({ type: t, body }));
    await startAll(a);
    await x.start();
    const id = await a.svc.publish(randomBytes(3 * MiB));
    const idBytes = blobIdBytes(id);
    const px = x.peer('A')!;
    for (let k = 0; k < 3; k++) px.send('blob-get', { id: idBytes, from: 0, count: 40 });
    const unknown = randomBytes(32);
    px.send('blob-get', { id: unknown, from: 0, count: 1 });
    await until(() => got.filter((g) => g.type === 'blob-chunk').length === 80 && got.some((g) => g.type === 'blob-none'), 'the served chunks and the none');
    expect(a.host.dropped('X', 'rate-limit')).toBe(1);
    expect(got.find((g) => g.type === 'blob-none')!.body).toEqual({ id: unknown });
  });

  it('a manifest that does not hash to the id is invalid, a malformed one malformed; the fetch waits for an honest holder', async () => {
    const hub = new MemoryHub();
    const bytes = randomBytes(300_000);
    const { id, manifest } = await makeManifest(bytes);
    const wrong = (await makeManifest(randomBytes(300_000))).manifest;
    const liar = (name: string, m: Value): TestHost => {
      const h = new TestHost(hub, name);
      h.handle('blob-want', (body, from) => {
        const w = body as { manifest: boolean };
        from.send(w.manifest ? 'blob-manifest' : 'blob-have', w.manifest ? { id: blobIdBytes(id), manifest: m } : { id: blobIdBytes(id) });
      });
      return h;
    };
    const b = node(hub, 'B');
    await startAll(b);
    const done = b.svc.fetch(id);
    const x = liar('X', manifestValue(wrong));
    await x.start();
    await until(() => b.host.dropped('X', 'invalid') === 1, 'the invalid manifest');
    const y = liar('Y', { ...(manifestValue(manifest) as Record<string, Value>), size: 1 });
    await y.start();
    await until(() => b.host.dropped('Y', 'malformed') === 1, 'the malformed manifest');
    expect(b.svc.progress(id)).toMatchObject({ state: 'finding', peers: 0 });
    const a = node(hub, 'A');
    await a.svc.publish(bytes);
    await a.host.start();
    await done;
    expectSame(await b.store.read(id), bytes);
    expect(b.events).toContainEqual({ type: 'holder-lost', id, peer: 'X', reason: 'invalid' });
  });

  it('re-requests from another holder when one stops answering (timeout), with no penalty for late answers', async () => {
    const hub = new MemoryHub();
    const bytes = randomBytes(1 * MiB);
    const a = node(hub, 'A');
    const id = await a.svc.publish(bytes);
    const { manifest } = await makeManifest(bytes);
    // S: says it holds the blob and sends the manifest, then ignores every get.
    const s = new TestHost(hub, 'S');
    s.handle('blob-want', (body, from) => {
      const w = body as { manifest: boolean };
      from.send(w.manifest ? 'blob-manifest' : 'blob-have', w.manifest ? { id: blobIdBytes(id), manifest: manifestValue(manifest) } : { id: blobIdBytes(id) });
    });
    s.handle('blob-get', () => {});
    const b = node(hub, 'B', { requestTimeoutMs: 100 });
    await startAll(b);
    await s.start();
    const done = b.svc.fetch(id);
    await until(() => b.events.some((e) => e.type === 'holder-lost' && e.peer === 'S' && e.reason === 'timeout'), 'the timeout');
    expect(b.svc.progress(id)?.received).toBe(0);
    await a.host.start();
    await done;
    expectSame(await b.store.read(id), bytes);
    expect(b.host.drops.size).toBe(0);
  });

  it('waits while no holder is reachable; abort and timeoutMs reject with typed errors, keeping stored chunks', async () => {
    const hub = new MemoryHub();
    const b = node(hub, 'B');
    await startAll(b);
    const bytes = randomBytes(200_000);
    const { id } = await makeManifest(bytes);
    const ac = new AbortController();
    const aborted = b.svc.fetch(id, { signal: ac.signal });
    const timed = b.svc.fetch(id, { timeoutMs: 30 });
    const waiting = b.svc.fetch(id);
    const err = await timed.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobTransferError);
    expect((err as BlobTransferError).kind).toBe('timeout');
    ac.abort();
    await expect(aborted).rejects.toMatchObject({ kind: 'aborted' });
    await sleep(50);
    expect(b.svc.progress(id)).toMatchObject({ state: 'finding', peers: 0 });
    const a = node(hub, 'A');
    await a.svc.publish(bytes);
    await a.host.start();
    await waiting;
    expectSame(await b.store.read(id), bytes);
    // The last caller leaving stops the transfer: it fails with that caller's reason.
    const { id: id2 } = await makeManifest(randomBytes(10));
    const ac2 = new AbortController();
    const p = b.svc.fetch(id2, { signal: ac2.signal });
    ac2.abort();
    await expect(p).rejects.toMatchObject({ kind: 'aborted' });
    expect(b.events).toContainEqual(expect.objectContaining({ type: 'failed', id: id2 }));
    await expect(b.svc.fetch('nope')).rejects.toThrow(TypeError);
  });

  it('fetches several blobs at once from one holder (one window per peer across blobs)', async () => {
    const hub = new MemoryHub();
    const a = node(hub, 'A');
    const b = node(hub, 'B', { window: 6 });
    await startAll(a, b);
    const blobs = [randomBytes(700_000), randomBytes(1), randomBytes(0), randomBytes(250_000)];
    const ids = await Promise.all(blobs.map((x) => a.svc.publish(x)));
    await Promise.all(ids.map((id) => b.svc.fetch(id)));
    for (const [k, id] of ids.entries()) expectSame(await b.store.read(id), blobs[k]);
    expect(b.host.drops.size + a.host.drops.size).toBe(0);
  });

  it('resumes after a reload: new service and DexieBlobStore on the same database fetch only the missing chunks', async () => {
    const hub = new MemoryHub();
    const indexedDB = new IDBFactory();
    const open = () => new DexieBlobStore('reload', { indexedDB, IDBKeyRange });
    const bytes = randomBytes(4 * MiB);
    const a = node(hub, 'A');
    const id = await a.svc.publish(bytes);
    const storeB = open();
    const b = node(hub, 'B', { window: 8 }, storeB);
    await startAll(a, b);
    let crashed = false;
    const first = b.svc.fetch(id, {
      onProgress: (p) => {
        if (!crashed && p.total > 0 && p.received >= p.total / 2) {
          crashed = true;
          // The tab dies: the service stops, the transport goes, the database closes mid-write.
          b.svc.close();
          b.host.stop();
          void storeB.close();
        }
      }
    });
    await expect(first).rejects.toMatchObject({ kind: 'closed' });

    const storeB2 = open();
    // Writes already inside a transaction when the database closed may still land: wait until none does.
    let last = -1;
    let stable = 0;
    await until(async () => {
      const r = (await storeB2.partials())[0]?.received ?? -1;
      stable = r === last ? stable + 1 : 0;
      last = r;
      return stable >= 3;
    }, 'the old database to go quiet');
    expect(await storeB2.has(id)).toBe(false);
    expect(await storeB2.read(id)).toBeUndefined();
    const [partial] = await storeB2.partials();
    expect(partial).toMatchObject({ id, chunks: 69 });
    expect(partial.received).toBeGreaterThan(0);
    const missing = (await storeB2.missing(id))!;
    expect(missing.length).toBe(69 - partial.received);
    const b2 = node(hub, 'B', { window: 8 }, storeB2);
    await b2.host.start();
    expect(await b2.svc.resumePartials()).toEqual([id]);
    await b2.svc.fetch(id);
    expect(b2.events).toContainEqual({ type: 'resumed', id, received: partial.received, total: 69 });
    expectSame(await storeB2.read(id), bytes);
    expect([...b2.host.requestedFrom('A')].sort((x, y) => x - y)).toEqual(missing);
    expect(b2.svc.stats.requested).toBe(missing.length);
    expect(await storeB2.partials()).toEqual([]);
    await storeB2.destroy();
  });

  it('deleting a blob being fetched fails its callers with `deleted`', async () => {
    const hub = new MemoryHub();
    const b = node(hub, 'B');
    await startAll(b);
    const { id } = await makeManifest(randomBytes(1000));
    // Right after the call (the transfer is registered synchronously) and once it is under way.
    const p1 = b.svc.fetch(id);
    await b.svc.delete(id);
    await expect(p1).rejects.toMatchObject({ kind: 'deleted' });
    const p2 = b.svc.fetch(id);
    await until(() => b.svc.progress(id)?.state === 'finding', 'the fetch to start');
    await b.svc.delete(id);
    await expect(p2).rejects.toMatchObject({ kind: 'deleted' });
    expect(b.events.filter((e) => e.type === 'failed').length).toBe(2);
  });
});
