/**
 * The /network page's model: join a demo room from URL parameters as one of
 * its seats, over BroadcastChannel, WebRTC or both, and keep a snapshot of
 * everything the network panel shows (peers, transports, bytes, drops, sync,
 * the tail of the chain).
 *
 * URL parameters: `seed`, `v` (validators), `obs` (observers), `t` (genesis
 * time, ms since the epoch), `slot` (slot ms), `round` (slots per round),
 * `seat` (0-based), `tx` = `bc`, `rtc` or `bc,rtc` (default both),
 * `prefill` = N (seat 0 of a one-validator room fills N past slots at once).
 */
import { hex } from '$lib/chain';
import { BroadcastTransport } from '$lib/net/broadcast';
import type { SyncProgress } from '$lib/net/sync';
import type { Transport } from '$lib/net/transport';
import { WebRtcTransport } from '$lib/net/webrtc';
import { DexieBlobStore, DexieChainStore, type BlobStore } from '$lib/store';
import type { BlobEvent } from '$lib/net/blob';
import { chacha20 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { demoRoom, fastForward, type DemoRoom, type DemoRoomParams } from './demo-room';
import { RoomPeer } from './room-peer';
import { snapshotOf, trackBlobEvent, type BlobRow, type RoomSnapshot } from './room-snapshot';

export type TransportChoice = 'bc' | 'rtc';

export interface NetworkRoomParams extends DemoRoomParams {
  seat: number;
  transports: TransportChoice[];
  prefill: number;
}

/** Reads the page's URL; null when it names no room (the page then offers to make one). */
export function parseRoomParams(q: URLSearchParams): NetworkRoomParams | null {
  const seed = q.get('seed');
  if (!seed) return null;
  const int = (k: string, d: number, min: number, max: number) => {
    const raw = q.get(k);
    const v = raw === null ? d : Number(raw);
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`URL parameter ${k}: expected an integer in [${min}, ${max}]`);
    return v;
  };
  const tx = (q.get('tx') ?? 'bc,rtc').split(',').filter(Boolean);
  if (!tx.length || tx.some((t) => t !== 'bc' && t !== 'rtc')) throw new RangeError('URL parameter tx: bc, rtc or bc,rtc');
  return {
    seed,
    validators: int('v', 3, 1, 32),
    observers: int('obs', 2, 0, 32),
    genesisTime: int('t', 0, 0, Number.MAX_SAFE_INTEGER),
    slotMs: int('slot', 1000, 100, 60_000),
    roundSlots: int('round', 8, 1, 1000),
    seat: int('seat', 0, 0, 63),
    transports: [...new Set(tx)] as TransportChoice[],
    prefill: int('prefill', 0, 0, 100_000)
  };
}

/** A query string for a seat of a room (the page's "invite" links). */
export function roomQuery(p: NetworkRoomParams, seat: number): string {
  const q = new URLSearchParams({ seed: p.seed, v: String(p.validators), obs: String(p.observers), t: String(p.genesisTime), slot: String(p.slotMs), round: String(p.roundSlots ?? 8), seat: String(seat), tx: p.transports.join(',') });
  return q.toString();
}

export type { BlobRow, ChainTailBlock, RoomSnapshot } from './room-snapshot';

export class NetworkRoom {
  readonly demo: DemoRoom;
  readonly peer: RoomPeer;
  blobRows = new Map<string, BlobRow>();
  blobStore: BlobStore | null = null;

  private constructor(
    readonly params: NetworkRoomParams,
    demo: DemoRoom,
    peer: RoomPeer
  ) {
    this.demo = demo;
    this.peer = peer;
  }

  /** Builds the room and the seat's peer (crypto must be ready). */
  static create(p: NetworkRoomParams, onSync?: (s: SyncProgress) => void): NetworkRoom {
    const demo = demoRoom(p);
    const seat = demo.seats[p.seat];
    if (!seat) throw new RangeError(`seat ${p.seat}: this room has seats 0..${demo.seats.length - 1}`);
    const transports = (room: string): Transport[] => p.transports.map((t) => (t === 'bc' ? new BroadcastTransport({ room }) : new WebRtcTransport({ room })));
    // Each seat of each room keeps its final chain in a database of its own.
    const store = new DexieChainStore(`medchain-room-${demo.room}-seat${p.seat}`);
    const blobStore = new DexieBlobStore(`room-${demo.room}-seat${p.seat}`);
    const blobs = new Map<string, BlobRow>();
    const onBlobEvent = (e: BlobEvent) => trackBlobEvent(blobs, e);
    const peer = new RoomPeer({ genesis: demo.genesis, keys: seat.keys, role: seat.role, transports, store, blobStore, onBlobEvent, onSync });
    const room = new NetworkRoom(p, demo, peer);
    room.blobRows = blobs;
    room.blobStore = blobStore;
    return room;
  }

  /** Replays what this seat stored earlier, then joins the room. */
  async start(onPrefill?: (done: number) => void, onRestore?: (height: number, of: number) => void): Promise<void> {
    await this.peer.restore(onRestore);
    await this.peer.start();
    if (this.params.prefill > 0 && this.params.seat === 0 && this.peer.consensus.tree.head().height === 0) fastForward(this.peer.consensus, this.demo.seats[0].keys, this.params.prefill, onPrefill);
  }

  stop(): void {
    this.peer.stop();
  }

  /**
   * Publishes `mib` MiB of deterministic test bytes (a ChaCha20 keystream
   * keyed by SHA-256 of `seed`): every seat that publishes the same seed
   * holds the same blob, which is how a demo gets a second holder.
   */
  async publishTestBlob(seed: string, mib: number): Promise<{ id: string; sha256: string }> {
    const blobs = this.peer.blobs;
    if (!blobs) throw new Error('this seat keeps no blobs');
    const bytes = chacha20(sha256(new TextEncoder().encode(seed)), new Uint8Array(12), new Uint8Array(Math.round(mib * (1 << 20))));
    const id = await blobs.publish(bytes, { mime: 'application/octet-stream' });
    this.blobRows.set(id, { id, state: 'done', received: 1, total: 1, bytes: bytes.length, size: bytes.length, peers: 0, resumed: 0, lost: 0 });
    return { id, sha256: hex(sha256(bytes)) };
  }

  /** Fetches a blob from whichever peers hold it (progress in the snapshot). */
  fetchBlob(id: string): Promise<void> {
    const blobs = this.peer.blobs;
    if (!blobs) return Promise.reject(new Error('this seat keeps no blobs'));
    this.blobRows.set(id, { id, state: 'finding', received: 0, total: 0, bytes: 0, size: 0, peers: 0, resumed: 0, lost: 0 });
    return blobs.fetch(id);
  }

  /** SHA-256 hex of a complete stored blob (null when not complete). */
  async blobSha256(id: string): Promise<string | null> {
    const bytes = this.blobStore && (await this.blobStore.read(id));
    return bytes ? hex(sha256(bytes)) : null;
  }

  snapshot(tailLength = 12): RoomSnapshot {
    const seat = this.demo.seats[this.params.seat];
    return snapshotOf(this.peer, { seat: this.params.seat, role: seat.role, validator: seat.validator }, this.blobRows, tailLength);
  }
}
