/**
 * The transport between tabs of one browser (issue 7): BroadcastChannel, one
 * link per pair of endpoints in a room.
 *
 * Channels (all names start with `medchain/<room>/`):
 *
 * | channel | carries |
 * | --- | --- |
 * | `announce` | `announce` when an endpoint starts, and again every `announceMs` |
 * | `to/<address>` | everything addressed to one endpoint: handshake, frames, keepalive, leave |
 *
 * Handshake: the endpoint with the smaller address dials. On an announce
 * from B, A (A < B) posts `hello{link}` to B's inbox and B answers
 * `accept{link}`; if instead A > B, A posts `here` so that B dials. A hello
 * from the smaller address wins over our own pending dial, so two endpoints
 * that start together end with exactly one link. Every message of a link
 * carries its random id, so messages of an older link are ignored (and
 * answered with `leave`).
 *
 * Liveness: each end pings every `keepaliveMs` and answers pings at once
 * (answering is event-driven, so a background tab whose timers are throttled
 * still looks alive); a link that hears nothing for `keepaliveMs *
 * keepaliveMisses` closes. `stop()`, and `pagehide`, post `leave` so the
 * other ends close at once.
 *
 * Frames travel by structured clone, so the receiver gets a copy; there is
 * no send buffer (`bufferedAmount` is 0). BroadcastChannel is same-origin
 * only and unauthenticated: addresses are claims, and the node's signed
 * hello is what identifies a peer.
 */
import { LinkClosedError, MAX_FRAME_BYTES, type Link, type LinkDropReason, type Transport } from './transport';

/** The part of BroadcastChannel this transport uses (tests may wrap it). */
export interface ChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((ev: MessageEvent) => void) | null;
}

/** Opens a channel by name; the default is `new BroadcastChannel(name)`. */
export type ChannelFactory = (name: string) => ChannelLike;

export interface BroadcastTransportOptions {
  /** Endpoints link only within the same room. */
  room: string;
  /** This endpoint's address (default: 16 random hex digits). */
  address?: string;
  /** Default: `globalThis.BroadcastChannel` (browsers, and Node 20+). */
  channel?: ChannelFactory;
  /** Largest frame delivered; bigger ones are reported with `onDrop('oversized')` (default MAX_FRAME_BYTES). */
  maxFrameBytes?: number;
  /** Interval between pings on each link (default 2000 ms). */
  keepaliveMs?: number;
  /** Intervals without a message after which a link closes (default 3). */
  keepaliveMisses?: number;
  /** Interval between repeated announcements, which re-link endpoints that timed out (default 10000 ms). */
  announceMs?: number;
}

const VERSION = 1;
const ADDRESS = /^[A-Za-z0-9_-]{1,64}$/;

/** Messages of protocol version 1 (`v`), by type `t`. */
type Msg =
  | { v: 1; t: 'announce' | 'here'; from: string }
  | { v: 1; t: 'hello' | 'accept' | 'ping' | 'pong'; from: string; link: string }
  | { v: 1; t: 'frame'; from: string; link: string; frame: unknown }
  | { v: 1; t: 'leave'; from: string; link?: string };

/** The message if it has the shape of a version-1 message, else null (foreign or newer traffic is ignored). */
function parse(data: unknown): Msg | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  if (m.v !== VERSION || typeof m.t !== 'string' || typeof m.from !== 'string') return null;
  switch (m.t) {
    case 'announce':
    case 'here':
      return m as Msg;
    case 'hello':
    case 'accept':
    case 'ping':
    case 'pong':
    case 'frame':
      return typeof m.link === 'string' ? (m as Msg) : null;
    case 'leave':
      return m.link === undefined || typeof m.link === 'string' ? (m as Msg) : null;
    default:
      return null;
  }
}

function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

const defaultChannel: ChannelFactory = (name) => new BroadcastChannel(name) as unknown as ChannelLike;

/** One link between two tabs; created by BroadcastTransport. */
class BroadcastLink implements Link {
  readonly kind = 'broadcast' as const;
  readonly bufferedAmount = 0;
  open = true;
  onFrame: ((frame: Uint8Array) => void) | null = null;
  onDrop: ((reason: LinkDropReason, bytes: number) => void) | null = null;
  onClose: ((reason: string) => void) | null = null;
  /** @internal when the remote was last heard on this link */
  lastSeen = Date.now();

  constructor(
    readonly remote: string,
    /** @internal random id shared by both ends */
    readonly id: string,
    private readonly owner: BroadcastTransport,
    private readonly out: ChannelLike
  ) {}

  send(frame: Uint8Array): void {
    if (!this.open) throw new LinkClosedError(this.remote);
    if (!(frame instanceof Uint8Array)) throw new TypeError('frame: expected a Uint8Array');
    // Structured clone copies the whole buffer under a view (and refuses shared
    // memory): post a copy of just the view unless it is the whole buffer.
    const whole = frame.buffer instanceof ArrayBuffer && frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength;
    this.post({ v: VERSION, t: 'frame', from: this.owner.address, link: this.id, frame: whole ? frame : frame.slice() });
  }

  drained(_threshold: number): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    this.owner.drop(this, 'closed', true);
  }

  /** @internal */
  post(m: Msg): void {
    this.out.postMessage(m);
  }

  /** @internal a frame message's payload from the remote */
  deliver(frame: unknown): void {
    if (!(frame instanceof Uint8Array)) {
      const n = ArrayBuffer.isView(frame) || frame instanceof ArrayBuffer ? frame.byteLength : 0;
      this.onDrop?.('malformed', n);
    } else if (frame.length > this.owner.maxFrameBytes) {
      this.onDrop?.('oversized', frame.length);
    } else {
      this.onFrame?.(frame);
    }
  }

  /** @internal marks the link closed and tells the owner's user; idempotent. */
  finish(reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.out.close();
    this.onClose?.(reason);
  }
}

/**
 * Links the tabs of one browser that joined the same room. See the module
 * comment for the protocol.
 */
export class BroadcastTransport implements Transport {
  readonly kind = 'broadcast' as const;
  readonly address: string;
  readonly room: string;
  readonly maxFrameBytes: number;
  onLink: ((link: Link) => void) | null = null;

  private readonly channel: ChannelFactory;
  private readonly keepaliveMs: number;
  private readonly keepaliveMisses: number;
  private readonly announceMs: number;
  private readonly links = new Map<string, BroadcastLink>();
  /** Dials sent and not yet accepted: remote → link id and when. */
  private readonly pending = new Map<string, { link: string; at: number }>();
  private announce: ChannelLike | null = null;
  private inbox: ChannelLike | null = null;
  private timers: ReturnType<typeof setInterval>[] = [];
  private hiddenByPage = false;

  /** Throws TypeError/RangeError naming a bad option. */
  constructor(opts: BroadcastTransportOptions) {
    if (typeof opts.room !== 'string' || opts.room === '') throw new TypeError('room: expected a non-empty string');
    this.room = opts.room;
    this.address = opts.address ?? randomHex(8);
    if (!ADDRESS.test(this.address)) throw new RangeError(`address: ${JSON.stringify(this.address)} is not 1-64 of [A-Za-z0-9_-]`);
    this.channel = opts.channel ?? defaultChannel;
    this.maxFrameBytes = positive(opts.maxFrameBytes ?? MAX_FRAME_BYTES, 'maxFrameBytes');
    this.keepaliveMs = positive(opts.keepaliveMs ?? 2000, 'keepaliveMs');
    this.keepaliveMisses = positive(opts.keepaliveMisses ?? 3, 'keepaliveMisses');
    this.announceMs = positive(opts.announceMs ?? 10_000, 'announceMs');
  }

  /** True between `start` and `stop`. */
  get started(): boolean {
    return this.inbox !== null;
  }

  /** Open links by remote address. */
  openLinks(): Link[] {
    return [...this.links.values()];
  }

  async start(): Promise<void> {
    if (this.inbox) return;
    this.inbox = this.channel(this.inboxName(this.address));
    this.inbox.onmessage = (e) => this.onInbox(e.data);
    this.announce = this.channel(`medchain/${this.room}/announce`);
    this.announce.onmessage = (e) => this.onAnnounce(e.data);
    this.timers.push(setInterval(() => this.keepalive(), this.keepaliveMs));
    this.timers.push(setInterval(() => this.sayHere(), this.announceMs));
    if (typeof window !== 'undefined') {
      window.addEventListener('pagehide', this.onPageHide);
      window.addEventListener('pageshow', this.onPageShow);
    }
    this.sayHere();
  }

  stop(): void {
    this.hiddenByPage = false;
    this.halt();
    if (typeof window !== 'undefined') {
      window.removeEventListener('pagehide', this.onPageHide);
      window.removeEventListener('pageshow', this.onPageShow);
    }
  }

  /** Asks `address` for a link (the smaller address dials; the other is told to). */
  connect(address: string): void {
    if (!this.inbox || address === this.address || this.links.has(address) || this.pending.has(address)) return;
    if (this.address < address) this.dial(address);
    else this.postTo(address, { v: VERSION, t: 'here', from: this.address });
  }

  /** @internal closes `link`, telling the remote if `notify`. */
  drop(link: BroadcastLink, reason: string, notify: boolean): void {
    if (!link.open) return;
    if (notify) link.post({ v: VERSION, t: 'leave', from: this.address, link: link.id });
    if (this.links.get(link.remote) === link) this.links.delete(link.remote);
    link.finish(reason);
  }

  private halt(): void {
    if (!this.inbox) return;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const l of [...this.links.values()]) this.drop(l, 'stopped', true);
    for (const remote of this.pending.keys()) this.postTo(remote, { v: VERSION, t: 'leave', from: this.address });
    this.pending.clear();
    this.inbox.close();
    this.announce?.close();
    this.inbox = null;
    this.announce = null;
  }

  // A page entering the back/forward cache leaves the room and rejoins when shown again.
  private readonly onPageHide = (): void => {
    if (!this.inbox) return;
    this.hiddenByPage = true;
    this.halt();
  };

  private readonly onPageShow = (e: PageTransitionEvent): void => {
    if (e.persisted && this.hiddenByPage) {
      this.hiddenByPage = false;
      void this.start();
    }
  };

  private inboxName(address: string): string {
    return `medchain/${this.room}/to/${address}`;
  }

  private sayHere(): void {
    this.announce?.postMessage({ v: VERSION, t: 'announce', from: this.address } satisfies Msg);
  }

  /** Posts one message to an endpoint that has no link with us (yet). */
  private postTo(address: string, m: Msg): void {
    const ch = this.channel(this.inboxName(address));
    ch.postMessage(m);
    ch.close();
  }

  private dial(remote: string): void {
    const link = randomHex(8);
    this.pending.set(remote, { link, at: Date.now() });
    this.postTo(remote, { v: VERSION, t: 'hello', from: this.address, link });
  }

  private adopt(remote: string, id: string): BroadcastLink {
    const link = new BroadcastLink(remote, id, this, this.channel(this.inboxName(remote)));
    this.links.set(remote, link);
    return link;
  }

  private onAnnounce(data: unknown): void {
    const m = parse(data);
    if (m?.t === 'announce' && ADDRESS.test(m.from)) this.connect(m.from);
  }

  private onInbox(data: unknown): void {
    const m = parse(data);
    if (!m || m.from === this.address || !ADDRESS.test(m.from)) return;
    const link = this.links.get(m.from);
    switch (m.t) {
      case 'announce':
      case 'here':
        this.connect(m.from);
        return;
      case 'hello': {
        if (link?.id === m.link) return link.post({ v: VERSION, t: 'accept', from: this.address, link: m.link });
        // Both dialled at once: the smaller address's dial wins.
        if (this.pending.has(m.from) && this.address < m.from) return;
        this.pending.delete(m.from);
        // A new hello means the remote has given up the old link.
        if (link) this.drop(link, 'replaced', false);
        const fresh = this.adopt(m.from, m.link);
        fresh.post({ v: VERSION, t: 'accept', from: this.address, link: m.link });
        this.onLink?.(fresh);
        return;
      }
      case 'accept': {
        if (this.pending.get(m.from)?.link !== m.link) {
          if (link?.id !== m.link) this.postTo(m.from, { v: VERSION, t: 'leave', from: this.address, link: m.link });
          return;
        }
        this.pending.delete(m.from);
        if (link) this.drop(link, 'replaced', true);
        this.onLink?.(this.adopt(m.from, m.link));
        return;
      }
      case 'leave':
        if (this.pending.get(m.from) && (m.link === undefined || this.pending.get(m.from)?.link === m.link)) this.pending.delete(m.from);
        if (link && (m.link === undefined || m.link === link.id)) this.drop(link, 'remote left', false);
        return;
      default: {
        if (!link || link.id !== m.link) {
          // Traffic of a link we no longer have: tell the remote to close it.
          this.postTo(m.from, { v: VERSION, t: 'leave', from: this.address, link: m.link });
          return;
        }
        link.lastSeen = Date.now();
        if (m.t === 'frame') link.deliver(m.frame);
        else if (m.t === 'ping') link.post({ v: VERSION, t: 'pong', from: this.address, link: link.id });
      }
    }
  }

  private keepalive(): void {
    const now = Date.now();
    const limit = this.keepaliveMs * this.keepaliveMisses;
    for (const l of [...this.links.values()]) {
      if (now - l.lastSeen > limit) this.drop(l, 'timeout', true);
      else l.post({ v: VERSION, t: 'ping', from: this.address, link: l.id });
    }
    for (const [remote, p] of this.pending) if (now - p.at > limit) this.pending.delete(remote);
  }
}

function positive(n: number, name: string): number {
  if (!(n > 0) || !Number.isFinite(n)) throw new RangeError(`${name}: ${n}, expected a positive number`);
  return n;
}
