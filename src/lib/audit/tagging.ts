/**
 * sw-priv tagging in a worker pool: the long job of the admin (about 2 s per
 * MiB per thread at s = 64). Progress is reported in [0, 1] and an
 * AbortSignal cancels every job of the file.
 *
 * Two phases, both spread over the pool:
 *
 * 1. bases: the s bases u_j^x (hash to G1 + constant-time g1.mul by x each)
 *    are cut into one range of j per worker (`audit.bases`); the caller
 *    collects them as point bytes;
 * 2. tags: the blocks are cut into jobs of a few dozen blocks (`audit.tag`),
 *    each sent with all s bases; a worker computes
 *    σ_i = H(name‖i)^x · MSM(u_j^x, m_ij) (H(name‖i)^x constant-time).
 *
 * x goes to the workers (structured clone) and only meets g1.mul there.
 * Jobs are handed out as workers free up (a few in flight per worker), so a
 * slower worker gets fewer blocks.
 */
import { g1, splitRanges, JobCancelled, WorkerPool, type G1 } from '$lib/crypto';
import { defaultPoolSize, spawnNodeTsWorker, webWorkerEndpoint } from '$lib/crypto';
import { SECTOR_BYTES } from './sectors';
import type { SwFileInfo } from './swpriv';
import type { BasesJobArgs, TagJobArgs } from './worker';

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string' && typeof (globalThis as { window?: unknown }).window === 'undefined';
}

/** A pool of `size` audit workers (default: one per core). Close it when done. */
export async function createAuditPool(size?: number): Promise<WorkerPool> {
  const k = size ?? (await defaultPoolSize());
  if (isNode()) {
    const spawn = await spawnNodeTsWorker(new URL('./worker.ts', import.meta.url));
    return new WorkerPool(k, spawn);
  }
  return new WorkerPool(k, () => webWorkerEndpoint(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })));
}

export interface TagOptions {
  signal?: AbortSignal;
  /** Overall progress in [0, 1] (monotone, both phases; reaches 1 when every tag is computed). */
  onProgress?: (value: number) => void;
  /** Blocks per tagging job (default: ~8 jobs per worker, at least 1 block). */
  blocksPerJob?: number;
}

/**
 * Relative cost of one base (hash to G1 + constant-time mul, ~0.6 ms) and of
 * one block (the same plus an MSM over s points, ~45 µs per point at s = 64):
 * weights of the two phases in the overall progress.
 */
const BASE_COST = 1;
const blockCost = (s: number) => 1 + s / 12;
/** Tagging jobs in flight per worker (the next job is already queued when one ends). */
const IN_FLIGHT = 2;

/** All n tags of `data` computed by `pool`; rejects with JobCancelled when aborted. */
export async function tagFileParallel(pool: WorkerPool, file: SwFileInfo, data: Uint8Array, x: bigint, opts: TagOptions = {}): Promise<G1[]> {
  if (data.length !== file.length) throw new RangeError(`data: ${data.length} bytes, file says ${file.length}`);
  const { n, s, name } = file;
  const per = opts.blocksPerJob ?? Math.max(1, Math.ceil(n / (pool.size * 8)));
  if (!Number.isInteger(per) || per < 1) throw new RangeError('blocksPerJob: expected a positive integer');
  const blockBytes = s * SECTOR_BYTES;

  // Progress: work units done per job of each phase, weighted.
  const total = s * BASE_COST + n * blockCost(s);
  const baseRanges = splitRanges(s, pool.size);
  const baseDone = new Array<number>(baseRanges.length).fill(0);
  const tagDone = new Array<number>(Math.ceil(n / per)).fill(0);
  let reported = 0;
  const report = () => {
    let b = 0;
    let t = 0;
    for (const d of baseDone) b += d;
    for (const d of tagDone) t += d;
    const v = Math.min(1, (b * BASE_COST + t * blockCost(s)) / total);
    if (v > reported) {
      reported = v;
      opts.onProgress?.(v);
    }
  };

  // One controller per job (one listener each), all aborted together.
  const controllers: AbortController[] = [];
  let aborted = false;
  const abortAll = () => {
    aborted = true;
    controllers.forEach((c) => c.abort());
  };
  const controller = () => {
    const ctl = new AbortController();
    if (aborted || opts.signal?.aborted) ctl.abort();
    controllers.push(ctl);
    return ctl.signal;
  };
  opts.signal?.addEventListener('abort', abortAll, { once: true });
  try {
    if (opts.signal?.aborted) throw new JobCancelled();

    // Phase 1: u_j^x, one range of j per worker.
    const baseParts = await Promise.all(
      baseRanges.map(([from, to], k) =>
        pool.run<Uint8Array>('audit.bases', { name, x, from, to } satisfies BasesJobArgs, {
          signal: controller(),
          onProgress: (v) => {
            baseDone[k] = v * (to - from);
            report();
          }
        })
      )
    );
    const bases = new Uint8Array(96 * s);
    for (let k = 0, o = 0; k < baseParts.length; o += baseParts[k].length, k++) bases.set(baseParts[k], o);
    if (aborted) throw new JobCancelled();

    // Phase 2: tags, jobs of `per` blocks handed out as workers free up.
    const parts = new Array<Uint8Array>(tagDone.length);
    let next = 0;
    const runOne = async (): Promise<void> => {
      while (next < tagDone.length) {
        const k = next++;
        const from = k * per;
        const to = Math.min(n, from + per);
        // A fresh copy of the slice: its buffer moves to the worker.
        const slice = data.slice(from * blockBytes, Math.min(data.length, to * blockBytes));
        const args: TagJobArgs = { name, s, x, bases, from, to, data: slice };
        parts[k] = await pool.run<Uint8Array>('audit.tag', args, {
          signal: controller(),
          transfer: [slice.buffer],
          onProgress: (v) => {
            tagDone[k] = v * (to - from);
            report();
          }
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(tagDone.length, pool.size * IN_FLIGHT) }, runOne));

    const tags: G1[] = [];
    for (const part of parts) for (let o = 0; o < part.length; o += 96) tags.push(g1.fromBytesUnchecked(part.subarray(o, o + 96)));
    if (reported < 1) {
      reported = 1;
      opts.onProgress?.(1);
    }
    return tags;
  } catch (e) {
    abortAll(); // one failed job cancels the rest
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', abortAll);
  }
}
