/**
 * An in-process transport for tests and the simulator-style benchmarks: every
 * transport started on one `MemoryHub` links to every other one, frames are
 * copied and delivered asynchronously in order, and a test can cut a link
 * (`hub.cut(a, b)`, as if a peer vanished) or stop a transport.
 *
 * `bufferBytes` models a data channel's send buffer: `bufferedAmount` grows
 * by each frame's size and drains at `drainBytesPerTick` per macrotask, so
 * flow control that waits for `drained()` is exercised.
 */
import { LinkClosedError, MAX_FRAME_BYTES, type Link, type LinkDropReason, type Transport } from './transport';

export interface MemoryHubOptions {
  /** Frames per macrotask a link hands over (default: unlimited, bufferedAmount stays 0). */
  drainBytesPerTick?: number;
  maxFrameBytes?: number;
}

class MemoryLink implements Link {
  readonly kind = 'memory' as const;
  open = true;
  bufferedAmount = 0;
  onFrame: ((frame: Uint8Array) => void) | null = null;
  onDrop: ((reason: LinkDropReason, bytes: number) => void) | null = null;
  onClose: ((reason: string) => void) | null = null;
  other: MemoryLink | null = null;
  /** @internal the owning transport's bookkeeping */
  forget: () => void = () => {};
  private queue: Uint8Array[] = [];
  private pumping = false;
  private waiters: { threshold: number; resolve: () => void }[] = [];

  constructor(
    readonly remote: string,
    private readonly hub: { opts: MemoryHubOptions }
  ) {}

  send(frame: Uint8Array): void {
    if (!this.open) throw new LinkClosedError(this.remote);
    this.queue.push(frame.slice());
    this.bufferedAmount += frame.length;
    this.pump();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    setTimeout(() => {
      this.pumping = false;
      const budget = this.hub.opts.drainBytesPerTick ?? Infinity;
      let sent = 0;
      while (this.queue.length && this.open && sent < budget) {
        const f = this.queue.shift() as Uint8Array;
        sent += f.length;
        this.bufferedAmount -= f.length;
        const to = this.other;
        if (to && to.open) to.receive(f);
      }
      this.wake();
      if (this.queue.length && this.open) this.pump();
    }, 0);
  }

  private receive(f: Uint8Array): void {
    const max = this.hub.opts.maxFrameBytes ?? MAX_FRAME_BYTES;
    if (f.length > max) this.onDrop?.('oversized', f.length);
    else this.onFrame?.(f);
  }

  drained(threshold: number): Promise<void> {
    if (!this.open || this.bufferedAmount <= threshold) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ threshold, resolve }));
  }

  private wake(): void {
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) (!this.open || this.bufferedAmount <= w.threshold ? w.resolve() : keep.push(w));
    this.waiters = keep;
  }

  close(reason = 'closed'): void {
    if (!this.open) return;
    this.open = false;
    this.queue = [];
    this.bufferedAmount = 0;
    this.wake();
    this.forget();
    this.onClose?.(reason);
    const o = this.other;
    if (o && o.open) setTimeout(() => o.close('remote closed'), 0);
  }
}

export class MemoryTransport implements Transport {
  readonly kind = 'memory' as const;
  onLink: ((link: Link) => void) | null = null;
  readonly links = new Map<string, MemoryLink>();
  started = false;

  constructor(
    private readonly hub: MemoryHub,
    readonly address: string
  ) {}

  async start(): Promise<void> {
    this.started = true;
    this.hub.join(this);
  }

  stop(): void {
    this.started = false;
    this.hub.leave(this);
    for (const l of [...this.links.values()]) l.close('stopped');
    this.links.clear();
  }

  connect(address: string): void {
    this.hub.link(this.address, address);
  }

  /** @internal */
  adopt(link: MemoryLink): void {
    this.links.set(link.remote, link);
    link.forget = () => {
      if (this.links.get(link.remote) === link) this.links.delete(link.remote);
    };
    this.onLink?.(link);
  }
}

export class MemoryHub {
  private readonly transports = new Map<string, MemoryTransport>();
  constructor(readonly opts: MemoryHubOptions = {}) {}

  transport(address: string): MemoryTransport {
    return new MemoryTransport(this, address);
  }

  /** @internal */
  join(t: MemoryTransport): void {
    if (this.transports.has(t.address)) throw new RangeError(`address ${t.address} already on this hub`);
    this.transports.set(t.address, t);
    for (const other of this.transports.keys()) if (other !== t.address) this.link(t.address, other);
  }

  /** @internal */
  leave(t: MemoryTransport): void {
    if (this.transports.get(t.address) === t) this.transports.delete(t.address);
  }

  /** Opens a link pair between two started transports (no-op if one exists or either is absent). */
  link(a: string, b: string): void {
    const ta = this.transports.get(a);
    const tb = this.transports.get(b);
    if (!ta || !tb || ta.links.get(b)?.open) return;
    const la = new MemoryLink(b, this);
    const lb = new MemoryLink(a, this);
    la.other = lb;
    lb.other = la;
    ta.adopt(la);
    tb.adopt(lb);
  }

  /** Closes the link between a and b on both ends (a peer vanishing). */
  cut(a: string, b: string): void {
    this.transports.get(a)?.links.get(b)?.close('cut');
  }
}
