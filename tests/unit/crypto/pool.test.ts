import { afterAll, describe, expect, it } from 'vitest';
import { spawnNodeTsWorker } from '../../../src/lib/crypto/endpoints';
import { JobCancelled, JobError, splitRanges, WorkerPool } from '../../../src/lib/crypto/pool';

const spawn = await spawnNodeTsWorker(new URL('../helpers/pool-test-worker.ts', import.meta.url));
const pool = new WorkerPool(2, spawn);
afterAll(() => pool.close());

describe('WorkerPool', () => {
  it('runs jobs in workers and returns their results', async () => {
    expect(await pool.run('sum', [1, 2, 3, 4])).toBe(10);
    const b = await pool.run<Uint8Array>('bytes', 5);
    expect(Array.from(b)).toEqual([7, 7, 7, 7, 7]);
  });

  it('spreads concurrent jobs over the workers', async () => {
    const ids = await Promise.all([pool.run<number>('threadId', null), pool.run<number>('threadId', null)]);
    expect(new Set(ids).size).toBe(2);
  });

  it('rejects with the worker error, typed', async () => {
    const err = (await pool.run('fail', null).catch((e: unknown) => e)) as JobError;
    expect(err).toBeInstanceOf(JobError);
    expect(err.message).toBe('bad input on purpose');
    expect(err.workerErrorName).toBe('RangeError');
    await expect(pool.run('nope', null)).rejects.toThrow(/no job handler for nope/);
  });

  it('reports progress up to 1', async () => {
    const seen: number[] = [];
    expect(await pool.run('slow', 10, { onProgress: (v) => seen.push(v) })).toBe(10);
    expect(seen.length).toBe(10);
    expect(seen.at(-1)).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('cancels a running job through an AbortSignal, and the worker stays usable', async () => {
    const ac = new AbortController();
    let last = 0;
    const job = pool.run('slow', 1000, {
      signal: ac.signal,
      onProgress: (v) => {
        last = v;
        if (v >= 0.05) ac.abort();
      }
    });
    await expect(job).rejects.toBeInstanceOf(JobCancelled);
    expect(last).toBeLessThan(0.5);
    expect(await pool.run('sum', [5, 5])).toBe(10);
  });

  it('splitRanges covers every index once', () => {
    for (const [n, k] of [[0, 3], [1, 4], [10, 3], [460, 2], [7, 7], [5, 9]]) {
      const r = splitRanges(n, k);
      const covered = r.flatMap(([a, b]) => Array.from({ length: b - a }, (_, i) => a + i));
      expect(covered).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(r.length).toBeLessThanOrEqual(k);
    }
  });
});
