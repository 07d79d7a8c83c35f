/** sw-priv tagging in the worker pool: same tags as single-threaded, progress, cancellation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready, g1, JobCancelled, type G1, type WorkerPool } from '$lib/crypto';
import { createAuditPool, prepareFile, swKeyGen, tagFile, tagFileParallel, prove, verify } from '$lib/audit';

let pool: WorkerPool;
let pool1: WorkerPool;
const rand = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const hex = (tags: G1[]) => tags.map((t) => Buffer.from(g1.toBytes(t)).toString('hex'));

beforeAll(async () => {
  await ready();
  [pool, pool1] = await Promise.all([createAuditPool(2), createAuditPool(1)]);
});
afterAll(() => {
  pool?.close();
  pool1?.close();
});

describe('tagFileParallel', () => {
  it('computes the same tags as tagFile, with monotone progress up to 1', async () => {
    const key = swKeyGen();
    const data = rand(31 * 8 * 30 + 11);
    const file = prepareFile(data.length, 8);
    const seen: number[] = [];
    const tags = await tagFileParallel(pool, file, data, key.x, { onProgress: (v) => seen.push(v), blocksPerJob: 4 });
    const single = tagFile(file, data, key.x);
    expect(tags.length).toBe(file.n);
    expect(hex(tags)).toEqual(hex(single));
    expect(seen.at(-1)).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen.every((v) => v > 0 && v <= 1)).toBe(true);
    const chal = { seed: rand(32), c: 10 };
    expect(verify(file, key.v, chal, prove(file, key.v, data, tags, chal)).ok).toBe(true);
  });

  it('matches tagFile byte for byte with one worker, on tiny files, with s not a multiple of the pool size', async () => {
    const key = swKeyGen();
    const cases: [number, number][] = [
      [0, 1], // empty file: one block of zeros
      [5, 64], // one short block, more bases than blocks
      [31 * 3 * 7 + 1, 3], // s = 3 over 2 workers: ranges of 1 and 2 bases
      [31 * 17, 1] // s = 1: one worker gets no base range
    ];
    for (const [len, s] of cases) {
      const data = rand(len);
      const file = prepareFile(len, s);
      const single = hex(tagFile(file, data, key.x));
      for (const p of [pool, pool1]) {
        const seen: number[] = [];
        const tags = await tagFileParallel(p, file, data, key.x, { onProgress: (v) => seen.push(v) });
        expect(hex(tags), `len ${len}, s ${s}, pool ${p.size}`).toEqual(single);
        expect(seen.at(-1)).toBe(1);
        expect([...seen].sort((a, b) => a - b)).toEqual(seen);
      }
    }
  });

  it('reports progress during the base phase before any tag', async () => {
    const key = swKeyGen();
    const data = rand(31 * 128 * 2);
    const file = prepareFile(data.length, 128);
    const seen: number[] = [];
    const tags = await tagFileParallel(pool, file, data, key.x, { onProgress: (v) => seen.push(v), blocksPerJob: 1 });
    expect(hex(tags)).toEqual(hex(tagFile(file, data, key.x)));
    // The bases are 128 of 128 + 2 · (1 + 128/12) work units: progress stops near 0.85 after phase 1.
    expect(seen.some((v) => v > 0.3 && v < 0.9)).toBe(true);
    expect(seen.at(-1)).toBe(1);
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
    expect(hex(t2)).toEqual(hex(tagFile(f2, small, key.x)));
  });

  it('cancels during the base phase, and before starting', async () => {
    const key = swKeyGen();
    const data = rand(31 * 256 * 4);
    const file = prepareFile(data.length, 256);
    const ac = new AbortController();
    let tagPhase = false;
    const job = tagFileParallel(pool1, file, data, key.x, {
      signal: ac.signal,
      onProgress: (v) => {
        if (v >= 256 / (256 + 4 * (1 + 256 / 12))) tagPhase = true;
        ac.abort();
      }
    });
    await expect(job).rejects.toBeInstanceOf(JobCancelled);
    expect(tagPhase).toBe(false);
    await expect(tagFileParallel(pool, file, data, key.x, { signal: ac.signal })).rejects.toBeInstanceOf(JobCancelled);
    const small = rand(40);
    const f2 = prepareFile(small.length, 2);
    expect(hex(await tagFileParallel(pool1, f2, small, key.x))).toEqual(hex(tagFile(f2, small, key.x)));
  });
});
