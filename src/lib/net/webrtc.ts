/**
 * The transport between browsers (issue 7): WebRTC data channels set up by
 * PeerJS through the PeerServer that served the app (`npm start`, /peerjs).
 *
 * Addresses and discovery. A PeerJS id is `mc-<roomTag>-<16 hex>`, where
 * roomTag is 12 hex digits of SHA-256 of the room id (PeerJS ids allow only
 * letters, digits and single `-`/`_`/` ` separators). Every `discoveryMs`
 * the transport reads the server's list of connected ids
 * (`GET <path>/peerjs/peers`, the `peer` package's discovery route, on with
 * `allow_discovery`) and dials the ids of its room that sort after its own:
 * only the lower id dials, so a pair gets one connection. Inbound
 * connections from other rooms, or not `raw`+`reliable`, are closed. The
 * room tag only sorts peers; the node's signed hello checks the room.
 *
 * Frames. A DataConnection with `serialization: 'raw'` hands bytes straight
 * to the RTCDataChannel (binaryType 'arraybuffer'; PeerJS sets it). Frames
 * are split by fragment.ts into messages of at most `fragmentBytes` (Chromium
 * refuses messages over 256 KiB) and joined again; a frame whose declared
 * size exceeds `maxFrameBytes` is refused before it is buffered. The link
 * keeps its own send queue and feeds the channel only while the channel's
 * `bufferedAmount` is under `highWaterBytes`, so `bufferedAmount` (queue +
 * channel) is in bytes and the browser's send queue never overflows
 * (PeerJS's own queue counts messages, and Chromium closes a channel whose
 * queue passes 16 MiB).
 *
 * Closing. A link closes on the DataConnection's close or error, when ICE
 * fails or stays `disconnected` for `iceGraceMs` (a vanished peer: consent
 * checks stop), on `close()` and on `stop()`. When the signalling socket
 * drops, the Peer reconnects with the same id after `reconnectMs`; open
 * links are not affected.
 */
import type { DataConnection, Peer, PeerError } from 'peerjs';
import { sha256 } from '@noble/hashes/sha2.js';
import { checkFragmentBytes, fragment, FRAGMENT_BYTES, Reassembler } from './fragment';
import { signallingOptions, type SignallingOptions } from './signalling';
import { LinkClosedError, MAX_FRAME_BYTES, type Link, type LinkDropReason, type Transport } from './transport';

type PeerJs = typeof import('peerjs');

export interface WebRtcTransportOptions {
  /** Endpoints link only within the same room. */
  room: string;
  /** PeerServer and RTCPeerConnection options (default: `signallingOptions(location, iceServers)`). */
  signalling?: SignallingOptions;
  /** ICE servers when `signalling` is not given (default none: LAN host candidates). */
  iceServers?: RTCIceServer[];
  /** This endpoint's PeerJS id; must start with `roomPrefix(room)` (default: that prefix and 16 random hex digits). */
  id?: string;
  /** Largest frame delivered; bigger ones are reported with `onDrop('oversized')` (default MAX_FRAME_BYTES). */
  maxFrameBytes?: number;
  /** Largest data-channel message, header included (default 64 KiB, at most 256 KiB). */
  fragmentBytes?: number;
  /** Interval between reads of the server's peer list (default 3000 ms). */
  discoveryMs?: number;
  /** A dial that has not opened by then is abandoned (default 20000 ms). */
  dialTimeoutMs?: number;
  /** How long ICE may stay `disconnected` before the link closes (default 5000 ms). */
  iceGraceMs?: number;
  /** Delay before reconnecting to the PeerServer after losing it (default 2000 ms). */
  reconnectMs?: number;
  /** Bytes kept in the data channel's own buffer; more wait in the link's queue (default 1 MiB). */
  highWaterBytes?: number;
  /** Diagnostics (`medchain:net:webrtc ...` lines). */
  log?: (line: string) => void;
  /** Loads PeerJS (default `import('peerjs')`); tests may substitute it. */
  peerjs?: () => Promise<PeerJs>;
  /** Used for discovery (default `globalThis.fetch`). */
  fetch?: typeof fetch;
}

/** 12 lowercase hex digits naming a room in PeerJS ids. */
export function roomTag(room: string): string {
  const h = sha256(new TextEncoder().encode(`medchain-room:${room}`));
  return Array.from(h.subarray(0, 6), (x) => x.toString(16).padStart(2, '0')).join('');
}

/** The prefix every PeerJS id of `room` starts with. */
export function roomPrefix(room: string): string {
  return `mc-${roomTag(room)}-`;
}

/** The PeerServer's discovery route for these options (`/peerjs/peerjs/peers` for the bundled server). */
export function discoveryUrl(s: Pick<SignallingOptions, 'host' | 'port' | 'path' | 'secure'>, key = 'peerjs'): string {
  const path = s.path.endsWith('/') ? s.path : `${s.path}/`;
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  return `${s.secure ? 'https' : 'http'}://${host}:${s.port}${path}${key}/peers`;
}

const PEER_ID = /^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/;

function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function positive(n: number, name: string): number {
  if (!(n > 0) || !Number.isFinite(n)) throw new RangeError(`${name}: ${n}, expected a positive number`);
  return n;
}

interface LinkSettings {
  maxFrameBytes: number;
  fragmentBytes: number;
  highWaterBytes: number;
  iceGraceMs: number;
}

/** Fallback for a missed `bufferedamountlow` event. */
const POLL_MS = 100;

/** One open DataConnection; created by WebRtcTransport once the channel is open. */
class WebRtcLink implements Link {
  readonly kind = 'webrtc' as const;
  readonly remote: string;
  open = true;
  onFrame: ((frame: Uint8Array) => void) | null = null;
  onDrop: ((reason: LinkDropReason, bytes: number) => void) | null = null;
  onClose: ((reason: string) => void) | null = null;

  private readonly dc: RTCDataChannel;
  private readonly rx: Reassembler;
  /** Fragments not yet handed to the channel, from `head` on. */
  private queue: (Uint8Array<ArrayBuffer> | undefined)[] = [];
  private head = 0;
  private queued = 0;
  private waiters: { threshold: number; resolve: () => void }[] = [];
  private poll: ReturnType<typeof setTimeout> | null = null;
  private iceTimer: ReturnType<typeof setTimeout> | null = null;
  /** Set while a Blob message is being read, so later messages wait their turn. */
  private rxTail: Promise<void> | null = null;

  constructor(
    private readonly conn: DataConnection,
    private readonly s: LinkSettings,
    private readonly forget: (link: WebRtcLink) => void
  ) {
    this.remote = conn.peer;
    this.dc = conn.dataChannel;
    this.rx = new Reassembler(s.maxFrameBytes);
    this.dc.binaryType = 'arraybuffer';
    this.dc.bufferedAmountLowThreshold = s.highWaterBytes / 4;
    this.dc.addEventListener('bufferedamountlow', this.pump);
    conn.on('data', (d) => this.receive(d));
    conn.on('close', () => this.finish('remote closed'));
    conn.on('error', (e) => this.finish(`error: ${e.type}`));
    conn.on('iceStateChanged', (state) => this.ice(state));
  }

  get bufferedAmount(): number {
    return this.open ? this.queued + this.dc.bufferedAmount : 0;
  }

  send(frame: Uint8Array): void {
    if (!this.open) throw new LinkClosedError(this.remote);
    if (!(frame instanceof Uint8Array)) throw new TypeError('frame: expected a Uint8Array');
    for (const f of fragment(frame, this.s.fragmentBytes)) {
      this.queue.push(f);
      this.queued += f.length;
    }
    this.pump();
  }

  drained(threshold: number): Promise<void> {
    if (!this.open || this.bufferedAmount <= threshold) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ threshold, resolve });
      this.arm();
    });
  }

  close(): void {
    this.finish('closed');
  }

  /** @internal closes the link once, for `reason`. */
  finish(reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.dc.removeEventListener('bufferedamountlow', this.pump);
    if (this.poll) clearTimeout(this.poll);
    if (this.iceTimer) clearTimeout(this.iceTimer);
    this.queue = [];
    this.head = 0;
    this.queued = 0;
    this.rx.reset();
    this.wake();
    this.conn.close();
    this.forget(this);
    this.onClose?.(reason);
  }

  /** Moves queued fragments into the channel up to the high-water mark. */
  private readonly pump = (): void => {
    // Called by the event or the poll: either way one poll at most stays armed.
    if (this.poll) clearTimeout(this.poll);
    this.poll = null;
    if (!this.open) return;
    const dc = this.dc;
    try {
      while (this.head < this.queue.length && dc.bufferedAmount < this.s.highWaterBytes) {
        const f = this.queue[this.head] as Uint8Array<ArrayBuffer>;
        this.queue[this.head++] = undefined;
        this.queued -= f.length;
        dc.send(f);
      }
    } catch (e) {
      this.finish(`send failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.wake();
    this.arm();
  };

  /** Chooses the channel's low-water event threshold and keeps a poll running while anything waits. */
  private arm(): void {
    if (!this.open) return;
    const backlog = this.head < this.queue.length;
    if (!backlog && this.waiters.length === 0) return;
    const lowest = Math.min(...this.waiters.map((w) => w.threshold));
    this.dc.bufferedAmountLowThreshold = backlog ? this.s.highWaterBytes / 4 : Math.max(0, lowest);
    if (!this.poll) this.poll = setTimeout(this.pump, POLL_MS);
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) (!this.open || this.bufferedAmount <= w.threshold ? w.resolve() : keep.push(w));
    this.waiters = keep;
  }

  private ice(state: RTCIceConnectionState): void {
    if (state === 'failed' || state === 'closed') return this.finish(`ice ${state}`);
    if (state === 'disconnected') {
      this.iceTimer ??= setTimeout(() => this.finish('ice disconnected'), this.s.iceGraceMs);
    } else if (this.iceTimer) {
      clearTimeout(this.iceTimer);
      this.iceTimer = null;
    }
  }

  private receive(d: unknown): void {
    if (this.rxTail || d instanceof Blob) {
      // binaryType is 'arraybuffer', but a browser that hands over a Blob must not reorder frames.
      const next = (this.rxTail ?? Promise.resolve()).then(async () => this.take(d instanceof Blob ? await d.arrayBuffer() : d));
      this.rxTail = next;
      void next.finally(() => {
        if (this.rxTail === next) this.rxTail = null;
      });
    } else {
      this.take(d);
    }
  }

  private take(d: unknown): void {
    if (!this.open) return;
    let m: Uint8Array;
    if (d instanceof ArrayBuffer) m = new Uint8Array(d);
    else if (ArrayBuffer.isView(d)) m = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    else {
      // A text message: not our protocol. Whatever was half received goes with it.
      this.rx.reset();
      this.onDrop?.('malformed', typeof d === 'string' ? d.length : 0);
      return;
    }
    const r = this.rx.push(m);
    if (r.kind === 'frame') this.onFrame?.(r.frame);
    else if (r.kind === 'drop') this.onDrop?.(r.reason, r.bytes);
  }
}

/** A connection being set up: dialled by us (`outbound`) or by the remote. */
interface Pending {
  conn: DataConnection;
  outbound: boolean;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Links browsers of one room over WebRTC, found through the PeerServer's
 * peer list. See the module comment for ids, discovery, framing and closing.
 */
export class WebRtcTransport implements Transport {
  readonly kind = 'webrtc' as const;
  readonly address: string;
  readonly room: string;
  /** Every PeerJS id of this room starts with it. */
  readonly prefix: string;
  onLink: ((link: Link) => void) | null = null;
  /** The last signalling or discovery problem, for diagnostics pages ('' if none). */
  lastError = '';

  private readonly signalling: SignallingOptions | undefined;
  private readonly iceServers: RTCIceServer[];
  private readonly linkSettings: LinkSettings;
  private readonly discoveryMs: number;
  private readonly dialTimeoutMs: number;
  private readonly reconnectMs: number;
  private readonly log: (line: string) => void;
  private readonly loadPeerJs: () => Promise<PeerJs>;
  private readonly fetcher: typeof fetch | undefined;

  private peer: Peer | null = null;
  private starting: Promise<void> | null = null;
  /** Bumped by stop(), so a start() in flight knows it was cancelled. */
  private generation = 0;
  private readonly links = new Map<string, WebRtcLink>();
  private readonly pending = new Map<string, Pending>();
  private discoveryTimer: ReturnType<typeof setInterval> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private discovering: AbortController | null = null;
  private hiddenByPage = false;

  /** Throws TypeError/RangeError naming a bad option. Loads nothing: PeerJS is imported by `start`. */
  constructor(opts: WebRtcTransportOptions) {
    if (typeof opts.room !== 'string' || opts.room === '') throw new TypeError('room: expected a non-empty string');
    this.room = opts.room;
    this.prefix = roomPrefix(opts.room);
    this.address = opts.id ?? `${this.prefix}${randomHex(8)}`;
    if (!this.address.startsWith(this.prefix) || !PEER_ID.test(this.address)) {
      throw new RangeError(`id: ${JSON.stringify(this.address)} must be a PeerJS id starting with ${this.prefix}`);
    }
    this.signalling = opts.signalling;
    this.iceServers = opts.iceServers ?? [];
    const fragmentBytes = opts.fragmentBytes ?? FRAGMENT_BYTES;
    checkFragmentBytes(fragmentBytes);
    this.linkSettings = {
      maxFrameBytes: positive(opts.maxFrameBytes ?? MAX_FRAME_BYTES, 'maxFrameBytes'),
      fragmentBytes,
      highWaterBytes: positive(opts.highWaterBytes ?? 1 << 20, 'highWaterBytes'),
      iceGraceMs: positive(opts.iceGraceMs ?? 5000, 'iceGraceMs')
    };
    this.discoveryMs = positive(opts.discoveryMs ?? 3000, 'discoveryMs');
    this.dialTimeoutMs = positive(opts.dialTimeoutMs ?? 20_000, 'dialTimeoutMs');
    this.reconnectMs = positive(opts.reconnectMs ?? 2000, 'reconnectMs');
    const log = opts.log;
    this.log = log ? (line) => log(`medchain:net:webrtc ${line}`) : () => {};
    this.loadPeerJs = opts.peerjs ?? (() => import('peerjs'));
    this.fetcher = opts.fetch;
  }

  /** True between a successful `start` and `stop`. */
  get started(): boolean {
    return this.peer !== null && !this.peer.destroyed;
  }

  /** Open links. */
  openLinks(): Link[] {
    return [...this.links.values()];
  }

  /**
   * Registers with the PeerServer and starts discovery. Rejects (and leaves
   * the transport stopped, ready for another `start`) if the server cannot
   * be reached or refuses the id.
   */
  start(): Promise<void> {
    this.starting ??= this.open().finally(() => (this.starting = null));
    return this.starting;
  }

  stop(): void {
    this.hiddenByPage = false;
    this.halt();
    if (typeof window !== 'undefined') {
      window.removeEventListener('pagehide', this.onPageHide);
      window.removeEventListener('pageshow', this.onPageShow);
    }
  }

  /** Dials a PeerJS id of this room. Throws RangeError for an id of another room. */
  connect(address: string): void {
    if (!address.startsWith(this.prefix)) throw new RangeError(`address: ${address} is not in room ${this.room}`);
    if (!this.peer || this.peer.disconnected || address === this.address || this.links.has(address) || this.pending.has(address)) return;
    const conn = this.peer.connect(address, { serialization: 'raw', reliable: true });
    if (conn) this.watch(conn, true);
  }

  private async open(): Promise<void> {
    if (this.started) return;
    const generation = this.generation;
    const { Peer } = await this.loadPeerJs();
    if (generation !== this.generation) return;
    const options = this.signalling ?? signallingOptions(location, this.iceServers);
    const peer = new Peer(this.address, options);
    this.peer = peer;
    try {
      await new Promise<void>((resolve, reject) => {
        const fail = (e: PeerError<string>) => reject(new Error(`PeerJS server at ${options.host}:${options.port}${options.path}: ${e.type}: ${e.message}`));
        peer.once('error', fail);
        peer.once('open', () => {
          peer.off('error', fail);
          resolve();
        });
        // stop() during start destroys the Peer: end the wait quietly.
        peer.once('close', () => (generation !== this.generation ? resolve() : reject(new Error('PeerJS closed before registering'))));
      });
    } catch (e) {
      peer.destroy();
      if (this.peer === peer) this.peer = null;
      this.lastError = (e as Error).message;
      throw e;
    }
    if (generation !== this.generation) return void peer.destroy();
    this.log(`registered as ${this.address}`);
    peer.on('connection', (conn) => this.inbound(conn));
    peer.on('disconnected', () => this.lostServer());
    peer.on('error', (e) => this.peerError(e));
    const url = discoveryUrl(options);
    this.discoveryTimer = setInterval(() => void this.discover(url), this.discoveryMs);
    void this.discover(url);
    if (typeof window !== 'undefined') {
      window.addEventListener('pagehide', this.onPageHide);
      window.addEventListener('pageshow', this.onPageShow);
    }
  }

  private halt(): void {
    this.generation++;
    if (this.discoveryTimer) clearInterval(this.discoveryTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.discoveryTimer = this.reconnectTimer = null;
    this.discovering?.abort();
    this.discovering = null;
    for (const l of [...this.links.values()]) l.finish('stopped');
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.conn.close();
    }
    this.pending.clear();
    this.peer?.destroy();
    this.peer = null;
  }

  // Leaving the page (or entering the back/forward cache) closes every
  // connection at once, so the other ends need not wait for ICE to time out.
  private readonly onPageHide = (): void => {
    if (!this.peer) return;
    this.hiddenByPage = true;
    this.halt();
  };

  private readonly onPageShow = (e: PageTransitionEvent): void => {
    if (e.persisted && this.hiddenByPage) {
      this.hiddenByPage = false;
      this.start().catch((err: Error) => (this.lastError = err.message));
    }
  };

  /** Reads the server's peer list and dials this room's ids that sort after ours. */
  private async discover(url: string): Promise<void> {
    const peer = this.peer;
    if (this.discovering || !peer || peer.disconnected) return;
    const ctl = new AbortController();
    this.discovering = ctl;
    try {
      const res = await (this.fetcher ?? fetch)(url, { cache: 'no-store', signal: ctl.signal });
      if (!res.ok) throw new Error(`discovery: HTTP ${res.status} from ${url}${res.status === 401 ? ' (allow_discovery is off on the PeerServer)' : ''}`);
      const ids: unknown = await res.json();
      if (!Array.isArray(ids)) throw new Error(`discovery: ${url} did not return a list`);
      if (this.peer !== peer) return;
      for (const id of ids) {
        if (typeof id === 'string' && id.startsWith(this.prefix) && this.address < id && PEER_ID.test(id)) this.connect(id);
      }
    } catch (e) {
      if (!ctl.signal.aborted) {
        this.lastError = e instanceof Error ? e.message : String(e);
        this.log(this.lastError);
      }
    } finally {
      if (this.discovering === ctl) this.discovering = null;
    }
  }

  private inbound(conn: DataConnection): void {
    const remote = conn.peer;
    if (!remote.startsWith(this.prefix) || conn.serialization !== 'raw' || !conn.reliable) {
      this.log(`refused ${remote} (${conn.serialization}, reliable ${conn.reliable})`);
      conn.close();
      return;
    }
    const mine = this.pending.get(remote);
    if (mine?.outbound) {
      // Both dialled: the lower id's connection wins on both ends.
      if (this.address < remote) return void conn.close();
      clearTimeout(mine.timer);
      this.pending.delete(remote);
      mine.conn.close();
    }
    this.watch(conn, false);
  }

  /** Tracks a connection until it opens (then it becomes the link to its peer) or fails. */
  private watch(conn: DataConnection, outbound: boolean): void {
    const remote = conn.peer;
    const old = this.pending.get(remote);
    if (old) {
      clearTimeout(old.timer);
      old.conn.close();
    }
    const timer = setTimeout(() => {
      if (this.pending.get(remote)?.conn !== conn) return;
      this.pending.delete(remote);
      this.log(`dial to ${remote} timed out`);
      conn.close();
    }, this.dialTimeoutMs);
    this.pending.set(remote, { conn, outbound, timer });
    const abandon = () => {
      if (this.pending.get(remote)?.conn !== conn) return;
      clearTimeout(timer);
      this.pending.delete(remote);
    };
    conn.on('close', abandon);
    conn.on('error', abandon);
    conn.on('open', () => {
      if (this.pending.get(remote)?.conn !== conn) return void conn.close();
      clearTimeout(timer);
      this.pending.delete(remote);
      // A new connection from a peer replaces the one it gave up on.
      this.links.get(remote)?.finish('replaced');
      const link = new WebRtcLink(conn, this.linkSettings, (l) => {
        if (this.links.get(l.remote) === l) this.links.delete(l.remote);
      });
      this.links.set(remote, link);
      this.log(`link to ${remote} open (${outbound ? 'dialled' : 'accepted'})`);
      this.onLink?.(link);
    });
  }

  private lostServer(): void {
    this.log('lost the PeerServer; reconnecting');
    if (this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      const peer = this.peer;
      if (!peer || peer.destroyed || !peer.disconnected) return;
      try {
        peer.reconnect();
      } catch (e) {
        this.lastError = e instanceof Error ? e.message : String(e);
      }
    }, this.reconnectMs);
  }

  private peerError(e: PeerError<string>): void {
    this.lastError = `${e.type}: ${e.message}`;
    this.log(this.lastError);
    if (e.type === 'peer-unavailable') {
      // "Could not connect to peer <id>": the dial will never open.
      for (const [remote, p] of this.pending) {
        if (p.outbound && e.message.includes(remote)) {
          clearTimeout(p.timer);
          this.pending.delete(remote);
          p.conn.close();
        }
      }
    }
    // A failed reconnect leaves the Peer disconnected without a new event: try again.
    if (this.peer?.disconnected && !this.peer.destroyed) this.lostServer();
  }
}
