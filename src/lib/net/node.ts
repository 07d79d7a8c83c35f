/**
 * NetNode: one browser's (or test's) presence in a room. It runs any number
 * of transports at once, sends a signed hello first on every link, binds a
 * link to a peer once the peer's hello checks out (a peer reachable over
 * BroadcastChannel and WebRTC is ONE peer with two links; sends use the
 * best open one), and hands typed, size-checked, decoded frames to the
 * protocol modules registered with `handle` (it is their `ProtocolHost`).
 *
 * Hostile input: every frame is checked (wire.ts) before decoding and
 * counted per peer; a frame before the hello, over the rate limit, or
 * refused by a protocol module is dropped with a reason. A peer whose
 * penalised drops reach `strikes` is sent a `bye`, disconnected and banned
 * (its node key and its transport addresses) for `banMs`.
 */
import type { Value } from '../codec';
import type { Block } from '../chain/types';
import { genesisAnswer } from './genesis';
import { hex } from '../chain/bytes';
import { checkHello, helloValue, makeHello, readHello, readStatus, statusValue, type ChainStatus, type HelloSigner } from './hello';
import type { FrameHandler, PeerKey, PeerPort, ProtocolHost } from './protocol';
import type { Link, Transport, TransportKind } from './transport';
import { frame, frameBody, frameType, UNPENALISED_DROPS, WireError, type DropReason, type WireType } from './wire';

export interface RateLimit {
  messagesPerSecond: number;
  messageBurst: number;
  bytesPerSecond: number;
  byteBurst: number;
}

export const DEFAULT_RATE: RateLimit = { messagesPerSecond: 500, messageBurst: 4000, bytesPerSecond: 256 << 20, byteBurst: 256 << 20 };

export interface NetNodeOptions {
  /** Room id (from the URL) and the chain it names (genesis id). */
  room: string;
  chain: Uint8Array;
  /** The node key (BLS): signs hellos; its hex is this node's PeerKey. */
  keys: { sk: Uint8Array; pk: Uint8Array };
  role: string;
  signer: HelloSigner;
  /** True for keys that may join (the room's ledger membership). */
  isMember(node: Uint8Array): boolean;
  /**
   * Admit non-members as guests (read-only in effect: the ledger refuses
   * their transactions, consensus their blocks and votes). A public ledger
   * lets anyone audit; a patient talks to the PKG before it is registered.
   */
  allowGuests?: boolean;
  /** The room's genesis: answered to newcomers' `genesis-want` before any hello. */
  genesis?: Block;
  /** This node's chain status, put into hellos and status messages. */
  status(): ChainStatus;
  transports: Transport[];
  maxPeers?: number;
  /** Penalised drops before a peer is cut off. */
  strikes?: number;
  banMs?: number;
  rate?: RateLimit;
  now?: () => number;
}

export type DropCounts = Partial<Record<DropReason, number>>;

export interface PeerStats {
  key: PeerKey;
  role: string;
  guest: boolean;
  transports: TransportKind[];
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
  drops: DropCounts;
  strikes: number;
  status: ChainStatus;
  since: number;
}

export interface NetStats {
  key: PeerKey;
  room: string;
  online: boolean;
  transports: { kind: TransportKind; address: string }[];
  peers: PeerStats[];
  /** Links without a verified hello yet. */
  pending: number;
  bytesIn: number;
  bytesOut: number;
  /** Every drop, by reason, including those of peers since cut off. */
  drops: DropCounts;
  /** Node keys and addresses cut off, with the reason. */
  banned: { who: string; reason: string; until: number }[];
}

export type NetEvent =
  | { kind: 'peer-up'; key: PeerKey; role: string; transport: TransportKind }
  | { kind: 'peer-down'; key: PeerKey }
  | { kind: 'cut-off'; who: string; reason: string }
  | { kind: 'status'; key: PeerKey; status: ChainStatus };

const TRANSPORT_PREFERENCE: Record<TransportKind, number> = { broadcast: 0, memory: 1, webrtc: 2 };
const MAX_NONCES = 4096;

class Bucket {
  private msgs: number;
  private bytes: number;
  private t: number;
  constructor(
    private readonly r: RateLimit,
    now: number
  ) {
    this.msgs = r.messageBurst;
    this.bytes = r.byteBurst;
    this.t = now;
  }
  take(msgs: number, bytes: number, now: number): boolean {
    const dt = Math.max(0, now - this.t) / 1000;
    this.t = now;
    this.msgs = Math.min(this.r.messageBurst, this.msgs + dt * this.r.messagesPerSecond);
    this.bytes = Math.min(this.r.byteBurst, this.bytes + dt * this.r.bytesPerSecond);
    if (this.msgs < msgs || this.bytes < bytes) return false;
    this.msgs -= msgs;
    this.bytes -= bytes;
    return true;
  }
}

/** Per-link state: the peer it belongs to once the hello checked out. */
interface LinkState {
  link: Link;
  peer: Peer | null;
  /** Drops before the hello (counted against the address). */
  strikes: number;
  /** genesis-want frames answered on this link (bounded). */
  genesisAsks: number;
}

const MAX_GENESIS_ASKS = 3;

class Peer implements PeerPort {
  readonly links = new Set<Link>();
  bytesIn = 0;
  bytesOut = 0;
  framesIn = 0;
  framesOut = 0;
  strikes = 0;
  readonly drops: DropCounts = {};
  readonly since: number;

  constructor(
    readonly key: PeerKey,
    readonly role: string,
    /** Re-decided at every hello: a guest registered since is a member on its next link. */
    public guest: boolean,
    public status: ChainStatus,
    readonly bucket: Bucket,
    now: number
  ) {
    this.since = now;
  }

  get open(): boolean {
    return this.best() !== null;
  }

  best(): Link | null {
    let out: Link | null = null;
    for (const l of this.links) if (l.open && (!out || TRANSPORT_PREFERENCE[l.kind] < TRANSPORT_PREFERENCE[out.kind])) out = l;
    return out;
  }

  send(type: WireType, body: Value): boolean {
    let f: Uint8Array;
    try {
      f = frame(type, body);
    } catch {
      return false;
    }
    return this.sendFrame(f);
  }

  sendFrame(f: Uint8Array): boolean {
    const l = this.best();
    if (!l) return false;
    try {
      l.send(f);
    } catch {
      return false;
    }
    this.bytesOut += f.length;
    this.framesOut++;
    return true;
  }

  get bufferedAmount(): number {
    return this.best()?.bufferedAmount ?? 0;
  }

  drained(threshold: number): Promise<void> {
    return this.best()?.drained(threshold) ?? Promise.resolve();
  }
}

export class NetNode implements ProtocolHost {
  readonly key: PeerKey;
  private readonly o: NetNodeOptions;
  private readonly handlers = new Map<WireType, FrameHandler>();
  private readonly peerMap = new Map<PeerKey, Peer>();
  private readonly linkStates = new Map<Link, LinkState>();
  private readonly peerListeners = new Set<(p: PeerPort, e: 'up' | 'down') => void>();
  private readonly eventListeners = new Set<(e: NetEvent) => void>();
  private readonly nonces = new Map<string, true>();
  private readonly bans = new Map<string, { reason: string; until: number }>();
  private readonly totals = { bytesIn: 0, bytesOut: 0, drops: {} as DropCounts };
  private running = false;
  online = false;

  constructor(o: NetNodeOptions) {
    this.o = o;
    this.key = hex(o.keys.pk);
    for (const t of o.transports) t.onLink = (l) => this.adopt(l);
    this.handle('hello', () => {
      // A second hello on a bound link: accepted by onFrame's hello path; never reaches here.
    });
    this.handle('status', (body, from) => {
      const p = from as Peer;
      p.status = readStatus(body);
      this.emit({ kind: 'status', key: p.key, status: p.status });
    });
    this.handle('bye', (_b, from) => this.disconnect(from as Peer));
  }

  get transports(): readonly Transport[] {
    return this.o.transports;
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /**
   * Starts every transport (joins the room). After `stop`, pass fresh
   * transports to join again: protocol handlers, counters and bans stay.
   */
  async start(transports?: Transport[]): Promise<void> {
    if (transports) {
      this.o.transports = transports;
      for (const t of transports) t.onLink = (l) => this.adopt(l);
    }
    this.running = true;
    this.online = true;
    await Promise.all(this.o.transports.map((t) => t.start()));
  }

  /** Leaves the room: stops every transport (links close, peers go down). */
  stop(): void {
    this.running = false;
    this.online = false;
    for (const t of this.o.transports) t.stop();
    for (const l of [...this.linkStates.keys()]) l.close();
  }

  // ------------------------------------------------------------ ProtocolHost

  peers(): PeerPort[] {
    return [...this.peerMap.values()].filter((p) => p.open);
  }

  peer(key: PeerKey): PeerPort | undefined {
    const p = this.peerMap.get(key);
    return p && p.open ? p : undefined;
  }

  handle(type: WireType, handler: FrameHandler): void {
    this.handlers.set(type, handler);
  }

  drop(from: PeerPort, reason: DropReason, detail?: string): void {
    const p = this.peerMap.get(from.key);
    if (!p) return;
    count(p.drops, reason);
    count(this.totals.drops, reason);
    if (UNPENALISED_DROPS.has(reason)) return;
    if (++p.strikes >= (this.o.strikes ?? 16)) this.cutOff(p, `${reason}${detail ? `: ${detail}` : ''}`);
  }

  onPeer(handler: (peer: PeerPort, event: 'up' | 'down') => void): () => void {
    this.peerListeners.add(handler);
    return () => this.peerListeners.delete(handler);
  }

  /** Network events for the UI and sync (peer up/down, cut-offs, status). */
  onEvent(handler: (e: NetEvent) => void): () => void {
    this.eventListeners.add(handler);
    return () => this.eventListeners.delete(handler);
  }

  /** Sends a frame to every peer except `except`; returns how many took it. */
  broadcast(f: Uint8Array, except?: ReadonlySet<PeerKey>): number {
    let n = 0;
    for (const p of this.peerMap.values()) if (!except?.has(p.key) && p.sendFrame(f)) n++;
    return n;
  }

  /** Tells every peer this node's chain status (after new blocks). */
  announceStatus(): void {
    this.broadcast(frame('status', statusValue(this.o.status())));
  }

  // ------------------------------------------------------------ links

  private adopt(link: Link): void {
    if (!this.running || this.banned(`addr:${link.remote}`)) {
      link.close();
      return;
    }
    const st: LinkState = { link, peer: null, strikes: 0, genesisAsks: 0 };
    this.linkStates.set(link, st);
    link.onFrame = (f) => this.onFrame(st, f);
    link.onDrop = (reason) => this.linkDrop(st, reason);
    link.onClose = () => this.onLinkClose(st);
    const hello = makeHello(
      { room: this.o.room, chain: this.o.chain, node: this.o.keys.pk, role: this.o.role, address: link.remote, status: this.o.status(), time: this.now() },
      this.o.keys.sk,
      this.o.signer
    );
    try {
      const f = frame('hello', helloValue(hello));
      link.send(f);
      this.totals.bytesOut += f.length;
    } catch {
      link.close();
    }
  }

  private onFrame(st: LinkState, f: Uint8Array): void {
    this.totals.bytesIn += f.length;
    const p = st.peer;
    if (p) {
      p.bytesIn += f.length;
      p.framesIn++;
    }
    let type: WireType;
    try {
      type = frameType(f);
    } catch (e) {
      return this.linkDrop(st, e instanceof WireError ? e.reason : 'malformed');
    }
    if (type === 'hello') return this.onHello(st, f);
    if (type === 'genesis-want' && this.o.genesis) return this.answerGenesis(st, f);
    if (!p) return this.linkDrop(st, 'no-hello');
    // Blob chunks come only as answers to our own requests (the blob service
    // counts unsolicited ones), so they spend the byte budget, not the message one.
    if (!p.bucket.take(type === 'blob-chunk' ? 0 : 1, f.length, this.now())) return this.drop(p, 'rate-limit');
    const h = this.handlers.get(type);
    if (!h) return this.drop(p, 'unknown-type', `no handler for ${type}`);
    try {
      h(frameBody(f, type), p, f);
    } catch (e) {
      if (e instanceof WireError) this.drop(p, e.reason, e.message);
      else this.drop(p, 'invalid', e instanceof Error ? e.message : String(e));
    }
  }

  private onHello(st: LinkState, f: Uint8Array): void {
    let hello;
    try {
      hello = readHello(frameBody(f, 'hello'));
      checkHello(hello, {
        room: this.o.room,
        chain: this.o.chain,
        now: this.now(),
        isMember: (k) => this.o.isMember(k) || !!this.o.allowGuests,
        signer: this.o.signer,
        seenNonce: (n) => {
          if (this.nonces.has(n)) return true;
          this.nonces.set(n, true);
          if (this.nonces.size > MAX_NONCES) this.nonces.delete(this.nonces.keys().next().value as string);
          return false;
        }
      });
    } catch (e) {
      return this.linkDrop(st, e instanceof WireError ? e.reason : 'malformed');
    }
    const key = hex(hello.node);
    if (key === this.key) return st.link.close();
    if (this.banned(key)) return st.link.close();
    if (st.peer) {
      // A fresh hello on a bound link only updates the status; a different key is not allowed.
      if (st.peer.key !== key) return this.linkDrop(st, 'invalid');
      st.peer.status = hello.status;
      return;
    }
    let p = this.peerMap.get(key);
    const isNew = !p;
    if (!p) {
      if (this.peerMap.size >= (this.o.maxPeers ?? 32)) {
        count(this.totals.drops, 'peer-limit');
        try {
          st.link.send(frame('bye', { reason: 'peer-limit' }));
        } catch {
          /* closing anyway */
        }
        return st.link.close();
      }
      p = new Peer(key, hello.role, !this.o.isMember(hello.node), hello.status, new Bucket(this.o.rate ?? DEFAULT_RATE, this.now()), this.now());
      this.peerMap.set(key, p);
    } else {
      p.status = hello.status;
      p.guest = !this.o.isMember(hello.node);
    }
    const wasOpen = p.open;
    p.links.add(st.link);
    st.peer = p;
    p.strikes += st.strikes;
    if (isNew || !wasOpen) {
      this.emit({ kind: 'peer-up', key, role: p.role, transport: st.link.kind });
      for (const h of this.peerListeners) h(p, 'up');
    }
  }

  /** Newcomers ask for the genesis before their hello; a few asks per link are answered. */
  private answerGenesis(st: LinkState, f: Uint8Array): void {
    if (++st.genesisAsks > MAX_GENESIS_ASKS) return this.linkDrop(st, 'rate-limit');
    let answer: Uint8Array | null;
    try {
      answer = genesisAnswer(frameBody(f, 'genesis-want'), this.o.genesis as Block);
    } catch (e) {
      return this.linkDrop(st, e instanceof WireError ? e.reason : 'malformed');
    }
    if (!answer) return this.linkDrop(st, 'wrong-room');
    try {
      st.link.send(answer);
      this.totals.bytesOut += answer.length;
    } catch {
      /* closed meanwhile */
    }
  }

  /** A drop on a link (before or after its hello). */
  private linkDrop(st: LinkState, reason: DropReason): void {
    if (st.peer) return this.drop(st.peer, reason);
    count(this.totals.drops, reason);
    if (UNPENALISED_DROPS.has(reason)) return;
    if (++st.strikes >= (this.o.strikes ?? 16)) {
      this.ban(`addr:${st.link.remote}`, reason);
      st.link.close();
    }
  }

  private onLinkClose(st: LinkState): void {
    this.linkStates.delete(st.link);
    const p = st.peer;
    if (!p) return;
    p.links.delete(st.link);
    if (!p.open) {
      this.emit({ kind: 'peer-down', key: p.key });
      for (const h of this.peerListeners) h(p, 'down');
    }
  }

  private disconnect(p: Peer): void {
    for (const l of [...p.links]) l.close();
  }

  private cutOff(p: Peer, reason: string): void {
    this.ban(p.key, reason);
    for (const l of p.links) {
      this.ban(`addr:${l.remote}`, reason);
      try {
        l.send(frame('bye', { reason: reason.slice(0, 200) }));
      } catch {
        /* closing anyway */
      }
    }
    this.disconnect(p);
    this.peerMap.delete(p.key);
    this.emit({ kind: 'cut-off', who: p.key, reason });
  }

  private ban(who: string, reason: string): void {
    this.bans.set(who, { reason, until: this.now() + (this.o.banMs ?? 10 * 60_000) });
  }

  private banned(who: string): boolean {
    const b = this.bans.get(who);
    if (!b) return false;
    if (b.until > this.now()) return true;
    this.bans.delete(who);
    return false;
  }

  private emit(e: NetEvent): void {
    for (const h of this.eventListeners) h(e);
  }

  // ------------------------------------------------------------ stats

  stats(): NetStats {
    const now = this.now();
    return {
      key: this.key,
      room: this.o.room,
      online: this.online,
      transports: this.o.transports.map((t) => ({ kind: t.kind, address: t.address })),
      peers: [...this.peerMap.values()]
        .filter((p) => p.open)
        .map((p) => ({
          key: p.key,
          role: p.role,
          guest: p.guest,
          transports: [...p.links].filter((l) => l.open).map((l) => l.kind),
          bytesIn: p.bytesIn,
          bytesOut: p.bytesOut,
          framesIn: p.framesIn,
          framesOut: p.framesOut,
          drops: { ...p.drops },
          strikes: p.strikes,
          status: p.status,
          since: p.since
        })),
      pending: [...this.linkStates.values()].filter((s) => !s.peer).length,
      bytesIn: this.totals.bytesIn,
      bytesOut: this.totals.bytesOut + [...this.peerMap.values()].reduce((n, p) => n + p.bytesOut, 0),
      drops: { ...this.totals.drops },
      banned: [...this.bans.entries()].filter(([, b]) => b.until > now).map(([who, b]) => ({ who, reason: b.reason, until: b.until }))
    };
  }
}

function count(c: DropCounts, reason: DropReason): void {
  c[reason] = (c[reason] ?? 0) + 1;
}
