/**
 * The in-page half of `npm run bench:net` (bench/net.bench.ts drives it
 * through `window.__benchNet` on /bench-net). Data channels exist only in a
 * browser, so both ends of every transfer live in this one page and share
 * its main thread; the raw baselines do too, so the ratio is fair.
 *
 * | op | `medchain` | `medchain-raw` |
 * | --- | --- | --- |
 * | blob_<n>MiB_webrtc | BlobService fetch on B of a blob published on A; two NetNodes, each with its own WebRtcTransport, signalled by the serving PeerServer (a real loopback RTCDataChannel) | the same bytes as 60 KiB ArrayBuffers over a PeerJS DataConnection ('raw', reliable), paused on `bufferedamountlow` above 1 MiB |
 * | blob_<n>MiB_broadcast | the same BlobService fetch over two BroadcastTransports | 60 KiB Uint8Array copies posted to a second BroadcastChannel object |
 * | sync_<n>_blocks | a RoomPeer (observer) joining, over BroadcastTransport, a room whose validator fast-forwarded n blocks: its start until its final block id equals the validator's (headers first, full validation; the validator keeps making one block per 1 s slot) | – |
 *
 * Timed: blobs from `fetch` to its resolution (publishing on A, i.e. hashing
 * the blob, is not timed) and raw sends from the first send until the
 * receiver has counted every byte. Both sides use MemoryBlobStore, so
 * IndexedDB is not measured; chunks are still SHA-256-checked on arrival.
 * Each round uses fresh random bytes; the impls of an op alternate, with the
 * order rotated each round, after `warmup` discarded rounds. `mb_per_s` is
 * 10^6 bytes per second.
 *
 * `profile*` is diagnostics, not rows: per-chunk costs of the steps a chunk
 * goes through, one fetch with those steps timed (the CPU profile is taken
 * by the driver), and what-ifs with other flow-control settings.
 */
import { encode as cborEncode, decode as cborDecode } from '@ipld/dag-cbor';
import type { DataConnection, Peer } from 'peerjs';
import { hex } from '$lib/chain';
import { bls, ready } from '$lib/crypto';
import { BlobService, DEFAULT_CHUNK_BYTES, sha256Sync, type BlobId } from '$lib/net/blob';
import { BroadcastTransport } from '$lib/net/broadcast';
import { fragment, Reassembler } from '$lib/net/fragment';
import type { ChainStatus } from '$lib/net/hello';
import { NetNode } from '$lib/net/node';
import { signallingOptions } from '$lib/net/signalling';
import type { Link, Transport } from '$lib/net/transport';
import { WebRtcTransport } from '$lib/net/webrtc';
import { frame, frameBody, frameType } from '$lib/net/wire';
import { demoRoom, fastForward } from '$lib/roles/demo-room';
import { RoomPeer } from '$lib/roles/room-peer';
import { MemoryBlobStore } from '$lib/store';

export interface NetBenchOptions {
  /** Blob size for the blob ops. */
  blobBytes: number;
  /** Recorded rounds and discarded warm-up rounds per blob op. */
  runs: number;
  warmup: number;
  /** Blocks the validator fast-forwards, recorded runs, and blocks of the one discarded warm-up run (0: none). */
  syncBlocks: number;
  syncRuns: number;
  syncWarmupBlocks: number;
  /** Which ops to run (default all). */
  ops?: ('webrtc' | 'broadcast' | 'sync')[];
}

/** One row of bench/results/net.json (BENCH.md). */
export interface NetBenchRow {
  op: string;
  impl: string;
  median_us: number;
  min_us: number;
  max_us: number;
  runs: number;
  [extra: string]: number | string;
}

/** Raw message size: the blob chunk size, so both impls move the same messages. */
const RAW_CHUNK = DEFAULT_CHUNK_BYTES;
/** Raw sender's pause threshold; the same as the WebRTC link's and BlobService's default high-water mark. */
const HIGH_WATER = 1 << 20;
/**
 * The unit tests' slot length. The joiner's sync cannot make the validator's
 * newest block final (its certificate travels in the next block), so the
 * ids match at the first live block after the sync: up to one slot of wait.
 */
const SYNC_SLOT_MS = 1000;
const TRANSFER_TIMEOUT_MS = 300_000;

type Log = (line: string) => void;

function randomHex(bytes: number): string {
  return hex(crypto.getRandomValues(new Uint8Array(bytes)));
}

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  // getRandomValues fills at most 64 KiB per call.
  for (let at = 0; at < n; at += 65536) crypto.getRandomValues(b.subarray(at, Math.min(at + 65536, n)));
  return b;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

function row(op: string, impl: string, ms: number[], extra: (medianUs: number) => Record<string, number | string>): NetBenchRow {
  const us = ms.map((x) => x * 1000);
  const med = median(us);
  return { op, impl, median_us: r3(med), min_us: r3(Math.min(...us)), max_us: r3(Math.max(...us)), runs: us.length, ...extra(med) };
}

async function until(cond: () => boolean, ms: number, what: string, pollMs = 20): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

// ------------------------------------------------------------------ medchain: two NetNodes with BlobService

/** Called with each link a node adopts, after the node has set its handlers (profiling wraps them). */
type LinkHook = (side: 'a' | 'b', link: Link) => void;

interface NodePair {
  a: NetNode;
  b: NetNode;
  storeA: MemoryBlobStore;
  storeB: MemoryBlobStore;
  blobsA: BlobService;
  blobsB: BlobService;
  stop(): void;
}

const STATUS: ChainStatus = { head: { height: 0, id: new Uint8Array(32) }, final: { height: 0, id: new Uint8Array(32) } };

/** Non-default settings, for the profile's what-if runs (the rows use the defaults). */
export interface Tuning {
  /** WebRtcTransport highWaterBytes (default 1 MiB). */
  linkHighWater?: number;
  /** BlobService window (default 32 chunks) and highWaterBytes (default 1 MiB). */
  window?: number;
  serveHighWater?: number;
}

/** Two members of a throwaway room, linked over one transport kind; resolves once each has the other as a peer. */
async function nodePair(kind: 'webrtc' | 'broadcast', hook?: LinkHook, tuning: Tuning = {}): Promise<NodePair> {
  await ready();
  const keys = [0, 1].map(() => {
    const sk = bls.keygen(crypto.getRandomValues(new Uint8Array(32)));
    return { sk, pk: bls.publicKey(sk) };
  });
  const members = new Set(keys.map((k) => hex(k.pk)));
  const room = `bench-net-${kind}-${randomHex(6)}`;
  const chain = crypto.getRandomValues(new Uint8Array(32));
  const signer = { sign: (sk: Uint8Array, m: Uint8Array) => bls.sign(sk, m), verify: (pk: Uint8Array, m: Uint8Array, s: Uint8Array) => bls.verify(pk, m, s) };
  const make = (side: 'a' | 'b', k: { sk: Uint8Array; pk: Uint8Array }) => {
    // Quick discovery: link set-up is not what is measured.
    const t: Transport = kind === 'webrtc' ? new WebRtcTransport({ room, discoveryMs: 250, highWaterBytes: tuning.linkHighWater }) : new BroadcastTransport({ room, announceMs: 1000 });
    const node = new NetNode({ room, chain, keys: k, role: side === 'a' ? 'hospital' : 'cloud', signer, isMember: (pk) => members.has(hex(pk)), status: () => STATUS, transports: [t] });
    if (hook) {
      const adopt = t.onLink;
      t.onLink = (l) => {
        adopt?.(l);
        hook(side, l);
      };
    }
    return node;
  };
  const a = make('a', keys[0]);
  const b = make('b', keys[1]);
  const storeA = new MemoryBlobStore();
  const storeB = new MemoryBlobStore();
  const blobOpts = { window: tuning.window, highWaterBytes: tuning.serveHighWater };
  const blobsA = new BlobService(a, storeA, blobOpts);
  const blobsB = new BlobService(b, storeB, blobOpts);
  await Promise.all([a.start(), b.start()]);
  await until(() => !!a.peer(b.key) && !!b.peer(a.key), 60_000, `${kind} link between two NetNodes (hello both ways)`);
  return {
    a,
    b,
    storeA,
    storeB,
    blobsA,
    blobsB,
    stop() {
      blobsA.close();
      blobsB.close();
      a.stop();
      b.stop();
    }
  };
}

/** Drops either node counted: a benchmark that hit a rate limit or a bad frame measured something else. */
function checkNoDrops(p: NodePair, what: string): void {
  for (const n of [p.a, p.b]) {
    const d = n.stats().drops;
    if (Object.keys(d).length) throw new Error(`${what}: the node dropped frames ${JSON.stringify(d)}`);
  }
}

/** Publishes `bytes` on A: stored, hashed and announced (not timed). */
async function medchainPublish(p: NodePair, bytes: Uint8Array): Promise<BlobId> {
  return p.blobsA.publish(bytes);
}

/** Fetches blob `id` on B; returns the fetch's ms. Both stores forget the blob after. */
async function medchainFetch(p: NodePair, id: BlobId, size: number, what: string): Promise<number> {
  const t0 = performance.now();
  await p.blobsB.fetch(id, { timeoutMs: TRANSFER_TIMEOUT_MS });
  const ms = performance.now() - t0;
  const got = (await p.storeB.list()).find((x) => x.id === id);
  if (got?.size !== size) throw new Error(`${what}: blob not complete on B`);
  checkNoDrops(p, what);
  await Promise.all([p.blobsA.delete(id), p.blobsB.delete(id)]);
  return ms;
}

async function medchainTransfer(p: NodePair, bytes: Uint8Array, what: string): Promise<number> {
  return medchainFetch(p, await medchainPublish(p, bytes), bytes.length, what);
}

// ------------------------------------------------------------------ raw baselines

interface RawPipe {
  /** Sends `bytes` in RAW_CHUNK messages; resolves with the ms until the receiver counted them all. */
  send(bytes: Uint8Array): Promise<number>;
  stop(): void;
}

/** Counts bytes arriving at a receiver and resolves once a run's total is in. */
function counter() {
  let want = 0;
  let got = 0;
  let done: (() => void) | null = null;
  return {
    expect(n: number): Promise<void> {
      want = n;
      got = 0;
      return new Promise((resolve) => (done = resolve));
    },
    add(n: number): void {
      got += n;
      if (got >= want && done) {
        const d = done;
        done = null;
        d();
      }
    }
  };
}

/** Two PeerJS peers of this page with a 'raw', reliable DataConnection between them. */
async function rawWebRtc(highWater = HIGH_WATER): Promise<RawPipe> {
  const { Peer } = await import('peerjs');
  const opts = signallingOptions(location);
  const open = (id: string) =>
    new Promise<Peer>((resolve, reject) => {
      const p = new Peer(id, opts);
      p.once('open', () => resolve(p));
      p.once('error', (e) => reject(new Error(`PeerJS ${id}: ${e.type}: ${e.message}`)));
    });
  // Not a room prefix (mc-…): the WebRtcTransports of the other op never dial these.
  const [pa, pb] = await Promise.all([open(`bench-raw-${randomHex(8)}`), open(`bench-raw-${randomHex(8)}`)]);
  const inbound = new Promise<DataConnection>((resolve) => pb.on('connection', (c) => c.on('open', () => resolve(c))));
  const out = pa.connect(pb.id, { serialization: 'raw', reliable: true });
  if (!out) throw new Error('PeerJS connect returned nothing');
  const outOpen = new Promise<void>((resolve) => out.on('open', () => resolve()));
  const [rx] = await withTimeout(Promise.all([inbound, outOpen]), 60_000, 'raw PeerJS DataConnection to open');
  const count = counter();
  rx.on('data', (d) => count.add((d as ArrayBuffer).byteLength));
  const dc = out.dataChannel;
  dc.bufferedAmountLowThreshold = highWater / 4;
  return {
    async send(bytes) {
      const arrived = count.expect(bytes.length);
      const t0 = performance.now();
      for (let at = 0; at < bytes.length; at += RAW_CHUNK) {
        if (dc.bufferedAmount > highWater) await new Promise((r) => dc.addEventListener('bufferedamountlow', r, { once: true }));
        out.send(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + Math.min(at + RAW_CHUNK, bytes.length)));
      }
      await withTimeout(arrived, TRANSFER_TIMEOUT_MS, 'raw WebRTC bytes to arrive');
      return performance.now() - t0;
    },
    stop() {
      pa.destroy();
      pb.destroy();
    }
  };
}

/** Two BroadcastChannel objects of one name in this page (each hears the other's posts). */
function rawBroadcast(): RawPipe {
  const name = `bench-net-raw-${randomHex(6)}`;
  const tx = new BroadcastChannel(name);
  const rx = new BroadcastChannel(name);
  const count = counter();
  rx.onmessage = (e: MessageEvent) => count.add((e.data as Uint8Array).byteLength);
  return {
    async send(bytes) {
      const arrived = count.expect(bytes.length);
      const t0 = performance.now();
      // Copies: structured clone would otherwise copy the whole buffer under each view.
      for (let at = 0; at < bytes.length; at += RAW_CHUNK) tx.postMessage(bytes.slice(at, Math.min(at + RAW_CHUNK, bytes.length)));
      await withTimeout(arrived, TRANSFER_TIMEOUT_MS, 'raw BroadcastChannel bytes to arrive');
      return performance.now() - t0;
    },
    stop() {
      tx.close();
      rx.close();
    }
  };
}

// ------------------------------------------------------------------ ops

/** Runs every impl once per round on the round's bytes, order rotated per round; returns recorded ms per impl. */
async function interleave(op: string, impls: Record<string, (bytes: Uint8Array) => Promise<number>>, o: NetBenchOptions, log: Log): Promise<Record<string, number[]>> {
  const names = Object.keys(impls);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < o.warmup + o.runs; round++) {
    const bytes = randomBytes(o.blobBytes);
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      const ms = await impls[name](bytes);
      const warm = round < o.warmup;
      if (!warm) samples[name].push(ms);
      log(`${op} ${name} ${warm ? 'warm-up' : `run ${round - o.warmup + 1}/${o.runs}`}: ${ms.toFixed(0)} ms, ${((bytes.length / ms) * 1e-3).toFixed(1)} MB/s`);
    }
  }
  return samples;
}

async function blobOp(kind: 'webrtc' | 'broadcast', o: NetBenchOptions, log: Log): Promise<NetBenchRow[]> {
  const op = `blob_${r1(o.blobBytes / (1 << 20))}MiB_${kind}`;
  log(`${op}: linking`);
  const pair = await nodePair(kind);
  const raw = kind === 'webrtc' ? await rawWebRtc() : rawBroadcast();
  try {
    const samples = await interleave(op, { medchain: (b) => medchainTransfer(pair, b, op), 'medchain-raw': (b) => raw.send(b) }, o, log);
    return Object.entries(samples).map(([impl, ms]) => row(op, impl, ms, (us) => ({ mb_per_s: r1(o.blobBytes / us), bytes: o.blobBytes })));
  } finally {
    pair.stop();
    raw.stop();
  }
}

/** One late joiner catching up `blocks` blocks (and the live ones made meanwhile); returns ms and the final height it reached. */
async function syncRun(blocks: number): Promise<{ ms: number; height: number }> {
  // Genesis just far enough back for `blocks` past slots; the validator keeps
  // making one block per slot meanwhile, which the joiner follows too.
  const room = demoRoom({ seed: `bench-net-${randomHex(8)}`, validators: 1, observers: 1, genesisTime: Date.now() - (blocks + 3) * SYNC_SLOT_MS, slotMs: SYNC_SLOT_MS, roundSlots: 8 });
  const transports = (r: string) => [new BroadcastTransport({ room: r, announceMs: 1000 })];
  const a = new RoomPeer({ genesis: room.genesis, keys: room.seats[0].keys, role: room.seats[0].role, transports });
  const b = new RoomPeer({ genesis: room.genesis, keys: room.seats[1].keys, role: room.seats[1].role, transports });
  try {
    fastForward(a.consensus, room.seats[0].keys, blocks);
    await a.start();
    const t0 = performance.now();
    await b.start();
    await until(() => b.finalId() === a.finalId(), 600_000, `the joiner to reach the validator's final block (${blocks} blocks)`, 2);
    const ms = performance.now() - t0;
    return { ms, height: b.consensus.tree.final.height };
  } finally {
    a.stop();
    b.stop();
  }
}

async function syncOp(o: NetBenchOptions, log: Log): Promise<NetBenchRow[]> {
  await ready();
  const op = `sync_${o.syncBlocks}_blocks`;
  if (o.syncWarmupBlocks > 0) {
    const w = await syncRun(o.syncWarmupBlocks);
    log(`${op} warm-up (${o.syncWarmupBlocks} blocks): ${w.ms.toFixed(0)} ms`);
  }
  const ms: number[] = [];
  const heights: number[] = [];
  for (let i = 0; i < o.syncRuns; i++) {
    const r = await syncRun(o.syncBlocks);
    ms.push(r.ms);
    heights.push(r.height);
    log(`${op} run ${i + 1}/${o.syncRuns}: ${r.ms.toFixed(0)} ms to final height ${r.height}, ${((r.height / r.ms) * 1000).toFixed(1)} blocks/s`);
  }
  const h = median(heights);
  return [row(op, 'medchain', ms, (us) => ({ ops_per_s: r1((h / us) * 1e6), blocks: h }))];
}

/** Runs the selected ops; rows in the BENCH.md format. */
export async function runNetBench(o: NetBenchOptions, log: Log = (l) => console.log(l)): Promise<NetBenchRow[]> {
  if (!(o.blobBytes > 0) || !(o.runs >= 1) || !(o.warmup >= 0) || !(o.syncBlocks >= 1) || !(o.syncRuns >= 1)) throw new RangeError(`opts: ${JSON.stringify(o)}`);
  const ops = o.ops ?? ['webrtc', 'broadcast', 'sync'];
  const rows: NetBenchRow[] = [];
  if (ops.includes('webrtc')) rows.push(...(await blobOp('webrtc', o, log)));
  if (ops.includes('broadcast')) rows.push(...(await blobOp('broadcast', o, log)));
  if (ops.includes('sync')) rows.push(...(await syncOp(o, log)));
  return rows;
}

// ------------------------------------------------------------------ profiling (diagnostics, not rows)

/** µs per call of `fn`, repeated for about `ms`. */
async function perCall(fn: () => unknown, ms = 300): Promise<number> {
  for (let i = 0; i < 5; i++) await fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await fn();
    n++;
  }
  return r1(((performance.now() - t0) * 1000) / n);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** µs per 60 KiB chunk of each step a blob chunk goes through (sender, link, receiver, store). */
export async function profileSteps(): Promise<Record<string, number>> {
  await ready();
  const data = randomBytes(RAW_CHUNK);
  const id = crypto.getRandomValues(new Uint8Array(32));
  const body = { id, i: 123, data };
  const f = frame('blob-chunk', body);
  const cbor = f.subarray(3);
  const decoded = cborDecode(cbor);
  const again = cborEncode(decoded);
  const frags = fragment(f);
  const store = new MemoryBlobStore();
  const full = new MemoryBlobStore();
  const big = randomBytes(RAW_CHUNK * 64);
  const { id: blobId, manifest } = await full.put(big);
  const chunks = Array.from({ length: 64 }, (_, i) => big.slice(i * RAW_CHUNK, (i + 1) * RAW_CHUNK));
  let k = 0;
  const subtle = crypto.subtle;
  return {
    frame_bytes: f.length,
    fragments: frags.length,
    'sender: frame() = dag-cbor encode + copy': await perCall(() => frame('blob-chunk', body)),
    '  of which dag-cbor encode': await perCall(() => cborEncode(body)),
    'sender: fragment() copy': await perCall(() => fragment(f)),
    'receiver: Reassembler.push (whole: slice)': await perCall(() => new Reassembler(4 << 20).push(frags[0])),
    'receiver: frameType + frameBody (decode + canonical check)': await perCall(() => frameBody(f, frameType(f))),
    '  of which dag-cbor decode': await perCall(() => cborDecode(cbor)),
    '  of which dag-cbor re-encode': await perCall(() => cborEncode(decoded)),
    '  of which compare with .some()': await perCall(() => again.some((b, i) => b !== cbor[i])),
    '  (the same compare as a for loop)': await perCall(() => sameBytes(again, cbor)),
    '  (one 61 KB copy, for scale)': await perCall(() => cbor.slice()),
    'receiver: sha256 WebCrypto, awaited one at a time': await perCall(() => subtle.digest('SHA-256', data)),
    'receiver: sha256 WebCrypto, 32 in parallel (per chunk)': r1((await perCall(() => Promise.all(Array.from({ length: 32 }, () => subtle.digest('SHA-256', data))))) / 32),
    'receiver: sha256 @noble/hashes (JS)': await perCall(() => sha256Sync(data)),
    'receiver: MemoryBlobStore.putChunk (hash + copy)': await perCall(async () => {
      // A fresh partial every 64 chunks, so each put stores (not 'duplicate').
      if (k % 64 === 0) {
        await store.delete(blobId);
        await store.beginPartial(manifest);
      }
      const i = k++ % 64;
      await store.putChunk(blobId, i, chunks[i]);
    }),
    'sender: MemoryBlobStore.readChunk (copy)': await perCall(() => full.readChunk(blobId, 0))
  };
}

interface Timing {
  n: number;
  ms: number;
}

/** What `profileFetch` returns: the fetch, and with `instrument` the summed times of its steps. */
export interface ProfiledFetch {
  ms: number;
  mb_per_s: number;
  timings: Record<string, Timing>;
}

/** A node pair kept between profile calls, so that a CPU profile can cover one fetch and nothing else. */
let profiled: { pair: NodePair; timings: Record<string, Timing>; state: { on: boolean }; blob?: { id: BlobId; size: number } } | null = null;
/** The same for the raw pipe. */
let rawProfiled: { pipe: RawPipe; data?: Uint8Array } | null = null;

/**
 * Sets up what the other profile calls use (a node pair, or with `raw` the
 * raw pipe); `stopProfile` tears it down.
 */
export async function startProfile(kind: 'webrtc' | 'broadcast', raw = false): Promise<void> {
  stopProfile();
  if (raw) {
    rawProfiled = { pipe: kind === 'webrtc' ? await rawWebRtc() : rawBroadcast() };
    return;
  }
  const timings: Record<string, Timing> = {};
  const add = (k: string, ms: number) => {
    const t = (timings[k] ??= { n: 0, ms: 0 });
    t.n++;
    t.ms += ms;
  };
  const state = { on: false };
  // Wrapped after the node set its handlers: wall time of the synchronous part, per frame.
  const hook: LinkHook = (side, l) => {
    if (side === 'a') {
      const send = l.send.bind(l);
      l.send = (fr) => {
        if (!state.on) return send(fr);
        const t0 = performance.now();
        send(fr);
        add(`A link.send (${kind === 'webrtc' ? 'fragment + dc.send' : 'postMessage'}), sync`, performance.now() - t0);
      };
    } else {
      const onFrame = l.onFrame;
      l.onFrame = (fr) => {
        if (!state.on) return onFrame?.(fr);
        const t0 = performance.now();
        onFrame?.(fr);
        add('B node onFrame (checks, decode, canonical check, handler), sync', performance.now() - t0);
      };
    }
  };
  const pair = await nodePair(kind, hook);
  for (const [side, store, method] of [
    ['B', pair.storeB, 'putChunk'],
    ['A', pair.storeA, 'readChunk']
  ] as const) {
    const orig = store[method].bind(store) as (...a: unknown[]) => Promise<unknown>;
    (store as unknown as Record<string, unknown>)[method] = async (...a: unknown[]) => {
      if (!state.on) return orig(...a);
      const t0 = performance.now();
      const r = await orig(...a);
      add(`${side} store.${method}, latency`, performance.now() - t0);
      return r;
    };
  }
  profiled = { pair, timings, state };
}

/** Publishes `bytes` random bytes on A for the next `profileFetch` (raw: makes them). */
export async function profilePrepare(bytes: number): Promise<void> {
  if (rawProfiled) {
    rawProfiled.data = randomBytes(bytes);
    return;
  }
  if (!profiled) throw new Error('startProfile first');
  profiled.blob = { id: await medchainPublish(profiled.pair, randomBytes(bytes)), size: bytes };
}

/** Fetches the prepared blob on B (raw: sends the bytes); with `instrument`, also times the steps of a fetch. */
export async function profileFetch(instrument: boolean): Promise<ProfiledFetch> {
  if (rawProfiled?.data) {
    const data = rawProfiled.data;
    rawProfiled.data = undefined;
    const ms = await rawProfiled.pipe.send(data);
    return { ms: r1(ms), mb_per_s: r1((data.length / ms) * 1e-3), timings: {} };
  }
  const p = profiled;
  if (!p?.blob) throw new Error('profilePrepare first');
  const { id, size } = p.blob;
  p.blob = undefined;
  for (const k of Object.keys(p.timings)) delete p.timings[k];
  const subtle = crypto.subtle;
  const digest = subtle.digest;
  if (instrument) {
    // hash.ts looks crypto.subtle.digest up per call, so an own property shadows the prototype's.
    (subtle as unknown as Record<string, unknown>).digest = async (alg: AlgorithmIdentifier, d: BufferSource) => {
      const t0 = performance.now();
      const r = await digest.call(subtle, alg, d);
      const t = (p.timings['B sha256 WebCrypto digest, latency'] ??= { n: 0, ms: 0 });
      t.n++;
      t.ms += performance.now() - t0;
      return r;
    };
  }
  p.state.on = instrument;
  try {
    const ms = await medchainFetch(p.pair, id, size, 'profile');
    const timings = Object.fromEntries(Object.entries(p.timings).map(([k, t]) => [k, { n: t.n, ms: r1(t.ms) }]));
    return { ms: r1(ms), mb_per_s: r1((size / ms) * 1e-3), timings };
  } finally {
    p.state.on = false;
    delete (subtle as unknown as Record<string, unknown>).digest;
  }
}

export function stopProfile(): void {
  profiled?.pair.stop();
  profiled = null;
  rawProfiled?.pipe.stop();
  rawProfiled = null;
}

/** A what-if for the profile: the raw pipe at another pause threshold, or medchain with other settings. */
export interface Variant {
  name: string;
  /** Default webrtc; over broadcast the raw pipe has no pause threshold. */
  kind?: 'webrtc' | 'broadcast';
  raw?: { highWater: number };
  medchain?: Tuning;
}

/** Median MB/s of each variant over `runs` interleaved transfers of `bytes` (after one warm-up round). */
export async function profileVariants(bytes: number, variants: Variant[], runs = 3): Promise<Record<string, number>> {
  const pipes: { name: string; send: (b: Uint8Array) => Promise<number>; stop: () => void }[] = [];
  try {
    for (const v of variants) {
      const kind = v.kind ?? 'webrtc';
      if (v.raw) {
        const raw = kind === 'webrtc' ? await rawWebRtc(v.raw.highWater) : rawBroadcast();
        pipes.push({ name: v.name, send: (b) => raw.send(b), stop: () => raw.stop() });
      } else {
        const pair = await nodePair(kind, undefined, v.medchain);
        pipes.push({ name: v.name, send: (b) => medchainTransfer(pair, b, v.name), stop: () => pair.stop() });
      }
    }
    const ms: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
    for (let round = 0; round <= runs; round++) {
      const data = randomBytes(bytes);
      for (let k = 0; k < pipes.length; k++) {
        const p = pipes[(round + k) % pipes.length];
        const t = await p.send(data);
        if (round > 0) ms[p.name].push(t);
      }
    }
    return Object.fromEntries(Object.entries(ms).map(([k, xs]) => [k, r1((bytes / median(xs)) * 1e-3)]));
  } finally {
    for (const p of pipes) p.stop();
  }
}

/** The API on `window.__benchNet`. */
export interface BenchNetApi {
  run(o: NetBenchOptions): Promise<NetBenchRow[]>;
  profileSteps(): Promise<Record<string, number>>;
  startProfile(kind: 'webrtc' | 'broadcast', raw?: boolean): Promise<void>;
  profilePrepare(bytes: number): Promise<void>;
  profileFetch(instrument: boolean): Promise<ProfiledFetch>;
  stopProfile(): void;
  profileVariants(bytes: number, variants: Variant[], runs?: number): Promise<Record<string, number>>;
}

export const benchNetApi: BenchNetApi = { run: (o) => runNetBench(o), profileSteps, startProfile, profilePrepare, profileFetch, stopProfile, profileVariants };
