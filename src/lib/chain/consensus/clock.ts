/**
 * Injectable time: real time in a tab, simulated time in the simulator and
 * tests. All consensus timing (slot boundaries) goes through a Clock.
 */
export interface Clock {
  /** Milliseconds (same origin as ConsensusConfig.genesisTime). */
  now(): number;
  /** Runs `fn` at time `at` (or at once if past); returns a cancel function. */
  at(at: number, fn: () => void): () => void;
}

/** Wall-clock time (Date.now, setTimeout). */
export const realClock: Clock = {
  now: () => Date.now(),
  at(at, fn) {
    const h = setTimeout(fn, Math.max(0, at - Date.now()));
    return () => clearTimeout(h);
  }
};

/**
 * Discrete-event simulated time: events run in (time, insertion) order when
 * `run`/`runUntil` is called; nothing depends on wall-clock time, so a run is
 * a deterministic function of its inputs.
 */
export class SimClock implements Clock {
  private t: number;
  private seq = 0;
  private heap: { at: number; seq: number; fn: () => void; dead: boolean }[] = [];
  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  at(at: number, fn: () => void): () => void {
    const ev = { at: Math.max(at, this.t), seq: this.seq++, fn, dead: false };
    this.push(ev);
    return () => {
      ev.dead = true;
    };
  }
  get pending(): number {
    return this.heap.length;
  }
  /** Runs events with time <= `end`, then sets the time to `end`. */
  runUntil(end: number): void {
    while (this.heap.length && this.heap[0].at <= end) {
      const ev = this.pop();
      this.t = ev.at;
      if (!ev.dead) ev.fn();
    }
    this.t = Math.max(this.t, end);
  }

  private less(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
  private push(ev: SimClock['heap'][number]): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  private pop(): SimClock['heap'][number] {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as (typeof h)[number];
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
