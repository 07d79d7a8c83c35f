/** sw-priv tagging in the worker pool: same tags as single-threaded, progress, cancellation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready, g1, JobCancelled, type WorkerPool } from '$lib/crypto';
import { createAuditPool, prepareFile, swKeyGen, tagFile, tagFileParallel, prove, verify } from '$lib/audit';

let pool: WorkerPool;
const rand = (n: number) => crypto.getRandomValues(new Uint8Array(n));

beforeAll(async () => {
  await ready();
  pool = await createAuditPool(2);
});
afterAll(() => pool?.close());

describe('tagFileParallel', () => {
  it('computes the same tags as tagFile, with monotone progress up to 1', async () => {
    const key = swKeyGen();
    const data = rand(31 * 8 * 30 + 11);
    const file = prepareFile(data.length, 8);
    const seen: number[] = [];
    const tags = await tagFileParallel(pool, file, data, key.x, { onProgress: (v) => seen.push(v), blocksPerJob: 4 });
    const single = tagFile(file, data, key.x);
    expect(tags.length).toBe(file.n);
    expect(tags.every((t, i) => g1.equals(t, single[i]))).toBe(true);
    expect(seen.at(-1)).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    const chal = { seed: rand(32), c: 10 };
    expect(verify(file, key.v, chal, prove(file, key.v, data, tags, chal)).ok).toBe(true);
  });

  it('cancels through an AbortSignal, and the pool stays usable', async () => {
    const key = swKeyGen();
    const data = rand(31 * 1 * 400);
    const file = prepareFile(data.length, 1);
    const ac = new AbortController();
    let last = 0;
    const job = tagFileParallel(pool, file, data, key.x, {
      signal: ac.signal,
      blocksPerJob: 50,
      onProgress: (v) => {
        last = v;
        if (v > 0.05) ac.abort();
      }
    });
    await expect(job).rejects.toBeInstanceOf(JobCancelled);
    expect(last).toBeLessThan(0.9);
    const small = rand(31 * 3);
    const f2 = prepareFile(small.length, 1);
    const t2 = await tagFileParallel(pool, f2, small, key.x);
    expect(t2.every((t, i) => g1.equals(t, tagFile(f2, small, key.x)[i]))).toBe(true);
  });
});
