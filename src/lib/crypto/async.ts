/**
 * The crypto API in async form over a worker pool: the same operations,
 * split across workers (one WASM instance each), for MSMs, pairing checks
 * and signature batches large enough to be worth a thread.
 *
 * In a browser the workers are module Web Workers (bundled by Vite); in Node
 * (tests, benchmarks) worker_threads running the same TypeScript through tsx.
 */
import { CurvePoint, type GroupName } from './curve';
import { defaultPoolSize, spawnNodeTsWorker, webWorkerEndpoint } from './endpoints';
import { g1, type G1 } from './g1';
import { g2, type G2 } from './g2';
import { splitRanges, WorkerPool, type Endpoint } from './pool';
import type { MsmJob } from './jobs';

export interface CryptoPool {
  readonly size: number;
  g1: { msm(points: readonly G1[], scalars: readonly bigint[], signal?: AbortSignal): Promise<G1> };
  g2: { msm(points: readonly G2[], scalars: readonly bigint[], signal?: AbortSignal): Promise<G2> };
  /** True when prod e(p_i, q_i) == 1; one worker (a pairing check does not split). */
  pairingCheck(pairs: readonly (readonly [G1, G2])[], signal?: AbortSignal): Promise<boolean>;
  /** Verifies each (pk, msg, sig) independently, spread over the workers. */
  blsVerifyEach(items: readonly { pk: Uint8Array; msg: Uint8Array; sig: Uint8Array }[], signal?: AbortSignal): Promise<boolean[]>;
  close(): void;
}

/** Below this many points an MSM is not split (thread hand-off costs more). */
const MSM_SPLIT_MIN = 256;

async function spawner(): Promise<(i: number) => Endpoint> {
  if (typeof Worker !== 'undefined' && typeof window !== 'undefined') {
    return () => webWorkerEndpoint(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'medchain-crypto' }));
  }
  return spawnNodeTsWorker(new URL('./worker.ts', import.meta.url));
}

/** Starts a pool of `size` workers (default: one per hardware thread). */
export async function createCryptoPool(size?: number): Promise<CryptoPool> {
  const n = size ?? (await defaultPoolSize());
  const pool = new WorkerPool(n, await spawner());

  async function msm<G extends GroupName>(name: G, points: readonly CurvePoint<G>[], scalars: readonly bigint[], signal?: AbortSignal): Promise<CurvePoint<G>> {
    if (points.length !== scalars.length) throw new RangeError(`msm: ${points.length} points but ${scalars.length} scalars`);
    const g = (name === 'G1' ? g1 : g2) as unknown as typeof g1;
    for (const [i, p] of points.entries()) if (!(p instanceof CurvePoint) || p.group !== name) throw new TypeError(`points[${i}]: expected a ${name} point`);
    const parts = points.length < MSM_SPLIT_MIN ? [[0, points.length] as [number, number]] : splitRanges(points.length, pool.size);
    const partials = await Promise.all(
      parts.map(([a, b]) =>
        pool.run<Uint8Array>('msm', { group: name, points: points.slice(a, b).map((p) => p.raw), scalars: scalars.slice(a, b) } satisfies MsmJob, { signal })
      )
    );
    return g.sum(partials.map((raw) => new CurvePoint(name, raw) as unknown as G1)) as unknown as CurvePoint<G>;
  }

  return {
    size: n,
    g1: { msm: (p, s, signal) => msm('G1', p, s, signal) },
    g2: { msm: (p, s, signal) => msm('G2', p, s, signal) },
    pairingCheck: (pairs, signal) => pool.run<boolean>('pairingCheck', { pairs: pairs.map(([p, q]) => [p.raw, q.raw]) }, { signal }),
    async blsVerifyEach(items, signal) {
      const parts = splitRanges(items.length, pool.size);
      const results = await Promise.all(parts.map(([a, b]) => pool.run<boolean[]>('bls.verifyEach', { items: items.slice(a, b) }, { signal })));
      return results.flat();
    },
    close: () => pool.close()
  };
}
