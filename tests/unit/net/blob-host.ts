/**
 * A test-only ProtocolHost over one MemoryTransport (src/lib/net/memory.ts):
 * the transport address is the peer key, there is no hello (a link is a peer
 * as soon as it opens), frames go through wire.ts `frame`/`frameType`/
 * `frameBody` as on a real node. It counts drops per peer and reason, frames
 * sent per type, and the largest `bufferedAmount` right after each
 * blob-chunk send (flow control). Not a model of node.ts beyond that.
 */
import type { Value } from '../../../src/lib/codec';
import type { MemoryHub, MemoryTransport } from '../../../src/lib/net/memory';
import type { FrameHandler, PeerKey, PeerPort, ProtocolHost } from '../../../src/lib/net/protocol';
import type { Link } from '../../../src/lib/net/transport';
import { frame, frameBody, frameType, WireError, type DropReason, type WireType } from '../../../src/lib/net/wire';

export interface SentFrame {
  to: PeerKey;
  type: WireType;
  body: unknown;
}

class TestPeer implements PeerPort {
  readonly role = 'test';
  readonly status = { head: { height: 0, id: new Uint8Array(32) }, final: { height: 0, id: new Uint8Array(32) } };
  readonly guest = false;
  link: Link | null = null;
  constructor(
    readonly key: PeerKey,
    private readonly host: TestHost
  ) {}
  get open(): boolean {
    return this.link?.open === true;
  }
  get bufferedAmount(): number {
    return this.link?.bufferedAmount ?? 0;
  }
  send(type: WireType, body: Value): boolean {
    let f: Uint8Array;
    try {
      f = frame(type, body);
    } catch (e) {
      if (e instanceof RangeError) return false;
      throw e;
    }
    return this.sendFrame(f);
  }
  sendFrame(f: Uint8Array): boolean {
    const link = this.link;
    if (!link?.open) return false;
    link.send(f);
    this.host.recordSend(this, f, link.bufferedAmount);
    return true;
  }
  drained(threshold: number): Promise<void> {
    return this.link?.open ? this.link.drained(threshold) : Promise.resolve();
  }
}

export class TestHost implements ProtocolHost {
  readonly transport: MemoryTransport;
  private readonly byKey = new Map<PeerKey, TestPeer>();
  private readonly handlers = new Map<WireType, FrameHandler>();
  private readonly peerHandlers = new Set<(peer: PeerPort, event: 'up' | 'down') => void>();
  /** drops[peer][reason] = count (drops this host counted against `peer`). */
  readonly drops = new Map<PeerKey, Map<DropReason, number>>();
  /** Every drop, in order, with the detail the caller gave (for failure messages). */
  readonly dropLog: { peer: PeerKey; reason: DropReason; detail?: string }[] = [];
  /** Frames sent by this host, by type. */
  readonly sentCount = new Map<WireType, number>();
  /** Bodies of sent control frames (everything but blob-chunk). */
  readonly sent: SentFrame[] = [];
  /** Largest bufferedAmount seen right after sending a blob-chunk, per peer. */
  readonly maxBufferedAfterChunk = new Map<PeerKey, number>();
  /** Called for every frame this host sends (tests may tamper or count). */
  onSend: ((to: PeerKey, type: WireType, f: Uint8Array) => void) | null = null;

  constructor(
    hub: MemoryHub,
    readonly address: string
  ) {
    this.transport = hub.transport(address);
    this.transport.onLink = (link) => this.adopt(link);
  }

  start(): Promise<void> {
    return this.transport.start();
  }
  stop(): void {
    this.transport.stop();
  }

  private adopt(link: Link): void {
    let p = this.byKey.get(link.remote);
    if (!p) {
      p = new TestPeer(link.remote, this);
      this.byKey.set(link.remote, p);
    }
    const peer = p;
    const wasOpen = peer.open;
    peer.link = link;
    link.onFrame = (f) => this.receive(peer, f);
    link.onClose = () => {
      if (peer.link !== link) return;
      peer.link = null;
      for (const h of [...this.peerHandlers]) h(peer, 'down');
    };
    if (!wasOpen) for (const h of [...this.peerHandlers]) h(peer, 'up');
  }

  private receive(peer: TestPeer, f: Uint8Array): void {
    let type: WireType;
    let body: unknown;
    try {
      type = frameType(f);
      body = frameBody(f, type);
    } catch (e) {
      if (e instanceof WireError) return this.drop(peer, e.reason, e.message);
      throw e;
    }
    const h = this.handlers.get(type);
    if (h) h(body, peer, f);
  }

  /** @internal */
  recordSend(peer: TestPeer, f: Uint8Array, buffered: number): void {
    const type = frameType(f);
    this.sentCount.set(type, (this.sentCount.get(type) ?? 0) + 1);
    if (type === 'blob-chunk') this.maxBufferedAfterChunk.set(peer.key, Math.max(this.maxBufferedAfterChunk.get(peer.key) ?? 0, buffered));
    else this.sent.push({ to: peer.key, type, body: frameBody(f, type) });
    this.onSend?.(peer.key, type, f);
  }

  peers(): PeerPort[] {
    return [...this.byKey.values()].filter((p) => p.open);
  }
  peer(key: PeerKey): PeerPort | undefined {
    const p = this.byKey.get(key);
    return p?.open ? p : undefined;
  }
  handle(type: WireType, handler: FrameHandler): void {
    if (this.handlers.has(type)) throw new Error(`handler for ${type} already registered`);
    this.handlers.set(type, handler);
  }
  drop(from: PeerPort, reason: DropReason, detail?: string): void {
    this.dropLog.push({ peer: from.key, reason, detail });
    let m = this.drops.get(from.key);
    if (!m) this.drops.set(from.key, (m = new Map()));
    m.set(reason, (m.get(reason) ?? 0) + 1);
  }
  onPeer(handler: (peer: PeerPort, event: 'up' | 'down') => void): () => void {
    this.peerHandlers.add(handler);
    return () => this.peerHandlers.delete(handler);
  }

  /** Drops counted against `peer` for `reason`. */
  dropped(peer: PeerKey, reason: DropReason): number {
    return this.drops.get(peer)?.get(reason) ?? 0;
  }

  /** Chunk indices this host requested from `peer` with blob-get (one entry per index per request). */
  requestedFrom(peer: PeerKey): number[] {
    const out: number[] = [];
    for (const s of this.sent) {
      if (s.to !== peer || s.type !== 'blob-get') continue;
      const b = s.body as { from: number; count: number };
      for (let k = 0; k < b.count; k++) out.push(b.from + k);
    }
    return out;
  }
}
