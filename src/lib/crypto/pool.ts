/**
 * A pool of workers, each with its own WASM instance, running named jobs.
 * The pool is generic: a worker entry file calls `serveJobs(handlers)` with
 * the handlers it offers (crypto's, plus a scheme's), and the pool sends
 * each job to the least busy worker. Jobs may report progress and are
 * cancelled through an AbortSignal (the handler sees `ctx.cancelled()`
 * between its chunks).
 *
 * Runs in browsers (Web Workers) and in Node (worker_threads) through the
 * small `Endpoint` interface.
 */

/** One side of a message channel (a Worker, a worker_threads Worker, or the worker's own scope). */
export interface Endpoint {
  post(msg: unknown, transfer?: Transferable[]): void;
  onMessage(cb: (msg: unknown) => void): void;
  onError(cb: (err: Error) => void): void;
  terminate(): void;
}

type JobRequest = { t: 'job'; id: number; op: string; args: unknown };
type JobCancel = { t: 'cancel'; id: number };
type JobReply =
  | { t: 'ready' }
  | { t: 'done'; id: number; result: unknown }
  | { t: 'fail'; id: number; error: string; name: string }
  | { t: 'progress'; id: number; value: number };

export interface JobContext {
  /** Report progress in [0, 1]. */
  progress(value: number): void;
  /** True once the caller aborted; handlers check it between chunks and throw JobCancelled. */
  cancelled(): boolean;
  /** Yields to the worker's event loop so that a cancel message can arrive. */
  yield(): Promise<void>;
}

export type JobHandler = (args: any, ctx: JobContext) => unknown | Promise<unknown>;

/** Thrown (and rejected with) when a job was cancelled. */
export class JobCancelled extends Error {
  constructor() {
    super('job cancelled');
    this.name = 'JobCancelled';
  }
}

/** A job failed in a worker; `message` and `workerErrorName` come from the worker's error. */
export class JobError extends Error {
  readonly workerErrorName: string;
  constructor(message: string, workerErrorName: string) {
    super(message);
    this.name = 'JobError';
    this.workerErrorName = workerErrorName;
  }
}

/** Called in a worker: answers job requests with `handlers`. */
export function serveJobs(handlers: Record<string, JobHandler>, ep: Endpoint): void {
  const cancelled = new Set<number>();
  ep.onMessage(async (raw) => {
    const msg = raw as JobRequest | JobCancel;
    if (msg.t === 'cancel') {
      cancelled.add(msg.id);
      return;
    }
    const { id, op, args } = msg;
    const ctx: JobContext = {
      progress: (value) => ep.post({ t: 'progress', id, value } satisfies JobReply),
      cancelled: () => cancelled.has(id),
      yield: () => new Promise((r) => setTimeout(r, 0))
    };
    try {
      const handler = handlers[op];
      if (!handler) throw new Error(`no job handler for ${op}`);
      const result = await handler(args, ctx);
      ep.post({ t: 'done', id, result } satisfies JobReply, transferablesOf(result));
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      ep.post({ t: 'fail', id, error: err.message, name: err.name } satisfies JobReply);
    } finally {
      cancelled.delete(id);
    }
  });
  // A Web Worker drops messages that arrive before its listener exists (the
  // entry module may await WASM first), so the pool waits for this.
  ep.post({ t: 'ready' } satisfies JobReply);
}

/** ArrayBuffers inside a result, so that replies move instead of copying. */
function transferablesOf(x: unknown): Transferable[] {
  const out: Transferable[] = [];
  const seen = new Set<ArrayBufferLike>();
  const visit = (v: unknown) => {
    if (v instanceof Uint8Array) {
      if (v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.buffer instanceof ArrayBuffer && !seen.has(v.buffer)) {
        seen.add(v.buffer);
        out.push(v.buffer);
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(x);
  return out;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (v: number) => void;
  worker: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (value: number) => void;
  transfer?: Transferable[];
}

export class WorkerPool {
  readonly size: number;
  private readonly workers: Endpoint[];
  private readonly load: number[];
  private readonly started: Promise<void>[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(size: number, spawn: (index: number) => Endpoint) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('size: expected a positive integer');
    this.size = size;
    this.load = new Array(size).fill(0);
    const starts: ((ok: boolean) => void)[] = [];
    this.started = Array.from({ length: size }, (_, i) => new Promise<void>((resolve, reject) => (starts[i] = (ok) => (ok ? resolve() : reject(new JobError(`worker ${i} failed to start`, 'Error'))))));
    // A worker that never starts must not leave an unhandled rejection behind.
    for (const p of this.started) p.catch(() => {});
    this.workers = Array.from({ length: size }, (_, i) => {
      const ep = spawn(i);
      ep.onMessage((m) => ((m as JobReply).t === 'ready' ? starts[i](true) : this.onReply(m as JobReply)));
      ep.onError((err) => {
        starts[i](false);
        this.failWorker(i, err);
      });
      return ep;
    });
  }

  /** Runs `op` on the least busy worker. */
  run<T>(op: string, args: unknown, opts: RunOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    if (opts.signal?.aborted) return Promise.reject(new JobCancelled());
    const id = this.nextId++;
    let w = 0;
    for (let i = 1; i < this.size; i++) if (this.load[i] < this.load[w]) w = i;
    this.load[w]++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress, worker: w });
      opts.signal?.addEventListener(
        'abort',
        () => {
          if (!this.pending.has(id)) return;
          this.workers[w].post({ t: 'cancel', id } satisfies JobCancel);
          this.settle(id)?.reject(new JobCancelled());
        },
        { once: true }
      );
      this.started[w].then(
        () => {
          if (this.pending.has(id)) this.workers[w].post({ t: 'job', id, op, args } satisfies JobRequest, opts.transfer);
        },
        (err: Error) => this.settle(id)?.reject(err)
      );
    });
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    this.load[p.worker]--;
    return p;
  }

  private onReply(m: JobReply): void {
    if (m.t === 'ready') return;
    if (m.t === 'progress') {
      this.pending.get(m.id)?.onProgress?.(m.value);
      return;
    }
    const p = this.settle(m.id);
    if (!p) return; // cancelled already
    if (m.t === 'done') p.resolve(m.result);
    else p.reject(m.name === 'JobCancelled' ? new JobCancelled() : new JobError(m.error, m.name));
  }

  private failWorker(index: number, err: Error): void {
    for (const [id, p] of [...this.pending]) if (p.worker === index) this.settle(id)?.reject(new JobError(`worker ${index} failed: ${err.message}`, err.name));
  }

  /** Terminates every worker; pending jobs reject. */
  close(): void {
    this.closed = true;
    for (const [id] of [...this.pending]) this.settle(id)?.reject(new Error('worker pool closed'));
    for (const w of this.workers) w.terminate();
  }
}

/** Splits `n` items into at most `parts` contiguous ranges of near-equal size. */
export function splitRanges(n: number, parts: number): [number, number][] {
  const k = Math.max(1, Math.min(parts, n));
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) {
    const a = Math.floor((i * n) / k);
    const b = Math.floor(((i + 1) * n) / k);
    if (b > a) out.push([a, b]);
  }
  return out;
}
