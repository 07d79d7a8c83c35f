/**
 * The simulator's network: one MessageBus endpoint per node over a SimClock,
 * with seeded per-message delay (uniform in [delayMin, delayMax] ms), loss
 * (probability `drop`) and a partition window in which messages between the
 * two groups are lost (except to and from `bridges`: byzantine nodes, which
 * the adversary keeps connected to both halves). Messages are passed as objects (no encoding: nodes
 * treat them as immutable).
 */
import type { ConsensusMessage, Handler, MessageBus, PeerId } from '../consensus/bus';
import type { SimClock } from '../consensus/clock';
import type { Rng } from './rng';

export interface NetworkOptions {
  delayMin: number;
  delayMax: number;
  drop: number;
  /** During [start, end) messages between group 0 and group 1 are lost. */
  partition?: { start: number; end: number; group: ReadonlyMap<PeerId, 0 | 1>; bridges?: ReadonlySet<PeerId> };
}

export class SimNetwork {
  private readonly handlers = new Map<PeerId, Set<Handler>>();
  delivered = 0;
  dropped = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly rng: Rng,
    private readonly opts: NetworkOptions
  ) {
    if (opts.delayMin < 0 || opts.delayMax < opts.delayMin) throw new RangeError('delay: need 0 <= MIN <= MAX');
    if (opts.drop < 0 || opts.drop >= 1) throw new RangeError('drop: a probability in [0, 1)');
  }

  endpoint(id: PeerId): MessageBus {
    const hs = new Set<Handler>();
    this.handlers.set(id, hs);
    return {
      id,
      publish: (msg) => {
        for (const to of this.handlers.keys()) if (to !== id) this.deliver(id, to, msg);
      },
      send: (to, msg) => this.deliver(id, to, msg),
      subscribe: (h) => {
        hs.add(h);
        return () => hs.delete(h);
      }
    };
  }

  private cut(from: PeerId, to: PeerId): boolean {
    const p = this.opts.partition;
    if (!p) return false;
    const t = this.clock.now();
    if (t < p.start || t >= p.end) return false;
    if (p.bridges && (p.bridges.has(from) || p.bridges.has(to))) return false;
    return (p.group.get(from) ?? 0) !== (p.group.get(to) ?? 0);
  }

  private deliver(from: PeerId, to: PeerId, msg: ConsensusMessage): void {
    const hs = this.handlers.get(to);
    if (!hs) return;
    if (this.cut(from, to) || (this.opts.drop > 0 && this.rng.float() < this.opts.drop)) {
      this.dropped++;
      return;
    }
    const delay = this.opts.delayMin === this.opts.delayMax ? this.opts.delayMin : this.rng.int(this.opts.delayMin, this.opts.delayMax);
    this.clock.at(this.clock.now() + delay, () => {
      this.delivered++;
      for (const h of hs) h(msg, from);
    });
  }
}
