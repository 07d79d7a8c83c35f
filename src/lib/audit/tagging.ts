/**
 * sw-priv tagging in a worker pool: the long job of the admin (about 2 s per
 * MiB per thread at s = 64). The file's blocks are cut into jobs of a few
 * dozen blocks, spread over the pool's workers; progress is reported in
 * [0, 1] and an AbortSignal cancels every job of the file.
 *
 * Each worker computes σ_i = H(name‖i)^x · Π_j (u_j^x)^{m_ij} with the bases
 * u_j^x computed once here (constant-time g1.mul by x) and sent to the
 * workers; x goes to the workers too, for H(name‖i)^x (constant-time).
 */
import { g1, WorkerPool, type G1 } from '$lib/crypto';
import { defaultPoolSize, spawnNodeTsWorker, webWorkerEndpoint } from '$lib/crypto';
import { SECTOR_BYTES } from './sectors';
import { tagBases, type SwFileInfo } from './swpriv';
import type { TagJobArgs } from './worker';

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
  /** Overall progress in [0, 1] (monotone). */
  onProgress?: (value: number) => void;
  /** Blocks per job (default: enough jobs for ~8 per worker, at least 1 block). */
  blocksPerJob?: number;
}

/** All n tags of `data` computed by `pool`; rejects with JobCancelled when aborted. */
export async function tagFileParallel(pool: WorkerPool, file: SwFileInfo, data: Uint8Array, x: bigint, opts: TagOptions = {}): Promise<G1[]> {
  if (data.length !== file.length) throw new RangeError(`data: ${data.length} bytes, file says ${file.length}`);
  const { n, s, name } = file;
  const bases = new Uint8Array(96 * s);
  tagBases(name, s, x).forEach((b, j) => bases.set(g1.toBytes(b, false), 96 * j));
  const per = opts.blocksPerJob ?? Math.max(1, Math.ceil(n / (pool.size * 8)));
  const blockBytes = s * SECTOR_BYTES;
  const jobs: Promise<Uint8Array>[] = [];
  const done = new Array<number>(Math.ceil(n / per)).fill(0);
  let reported = 0;
  const report = () => {
    let sum = 0;
    for (const d of done) sum += d;
    const v = sum / n;
    if (v > reported) {
      reported = v;
      opts.onProgress?.(v);
    }
  };
  // One controller per job (one listener each), all aborted together.
  const controllers: AbortController[] = [];
  const abortAll = () => controllers.forEach((c) => c.abort());
  opts.signal?.addEventListener('abort', abortAll, { once: true });
  try {
    for (let from = 0, k = 0; from < n; from += per, k++) {
      const to = Math.min(n, from + per);
      const args: TagJobArgs = { name, s, x, bases, from, to, data: data.slice(from * blockBytes, to * blockBytes) };
      const ctl = new AbortController();
      if (opts.signal?.aborted) ctl.abort();
      controllers.push(ctl);
      jobs.push(
        pool.run<Uint8Array>('audit.tag', args, {
          signal: ctl.signal,
          onProgress: (v) => {
            done[k] = v * (to - from);
            report();
          }
        })
      );
    }
    const parts = await Promise.all(jobs);
    const tags: G1[] = [];
    for (const part of parts) for (let o = 0; o < part.length; o += 96) tags.push(g1.fromBytesUnchecked(part.subarray(o, o + 96)));
    return tags;
  } catch (e) {
    abortAll(); // one failed job cancels the rest
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', abortAll);
  }
}
