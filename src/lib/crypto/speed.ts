/**
 * A quick in-browser measurement of the core's speed (system check page and
 * the e2e run that records the browser figure for docs/BENCHMARKS.md).
 */
import { g1 } from './g1';
import { g2 } from './g2';
import { pairing } from './pairing';
import * as fr from './fr';
import { ready } from './wasm';

export interface SpeedResult {
  op: string;
  median_us: number;
  min_us: number;
  max_us: number;
  runs: number;
}

/** Median time of `runs` pairings of random points (after one warm-up). */
export async function measurePairing(runs = 15): Promise<SpeedResult> {
  await ready();
  const P = g1.mul(g1.generator(), fr.random());
  const Q = g2.mul(g2.generator(), fr.random());
  pairing(P, Q);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    pairing(P, Q);
    times.push((performance.now() - t0) * 1000);
    // Let the page breathe between runs.
    await new Promise((r) => setTimeout(r, 0));
  }
  times.sort((a, b) => a - b);
  return { op: 'pairing', median_us: Math.round(times[runs >> 1]), min_us: Math.round(times[0]), max_us: Math.round(times[runs - 1]), runs };
}

export interface PoolCheckResult {
  workers: number;
  points: number;
  agrees: boolean;
  median_us: number;
}

/** Runs one G1 MSM across a worker pool and checks it against the in-thread result. */
export async function checkWorkerPool(points = 512): Promise<PoolCheckResult> {
  await ready();
  const { createCryptoPool } = await import('./async');
  const pool = await createCryptoPool();
  try {
    const pts = Array.from({ length: points }, () => g1.mulPublic(g1.generator(), fr.random()));
    const scs = pts.map(() => fr.random());
    const t0 = performance.now();
    const viaPool = await pool.g1.msm(pts, scs);
    const elapsed = (performance.now() - t0) * 1000;
    return { workers: pool.size, points, agrees: g1.equals(viaPool, g1.msm(pts, scs)), median_us: Math.round(elapsed) };
  } finally {
    pool.close();
  }
}
