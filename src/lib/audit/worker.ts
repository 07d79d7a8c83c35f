/**
 * The audit worker: a pool worker (src/lib/crypto/pool.ts) that offers the
 * `audit.tag` job, sw-priv tagging of a range of blocks. Spawned by
 * tagging.ts (Web Worker in browsers, worker_threads through tsx in Node).
 */
import { ready, serveJobs, JobCancelled, g1, type JobContext } from '$lib/crypto';
import { parentEndpoint } from '$lib/crypto';
import { blockSectors } from './sectors';
import { tagBlock } from './swpriv';

/** Arguments of `audit.tag`: tag blocks [from, to) of a file. */
export interface TagJobArgs {
  name: Uint8Array;
  s: number;
  /** The hospital's secret key (only ever used with constant-time g1.mul). */
  x: bigint;
  /** u_j^x, uncompressed (96 bytes each), produced by this program: decoded unchecked. */
  bases: Uint8Array;
  from: number;
  to: number;
  /** The ciphertext bytes of blocks [from, to) (the block `from` starts at offset 0). */
  data: Uint8Array;
}

/** Tags of the range, 96-byte uncompressed each, concatenated. */
export async function tagJob(args: TagJobArgs, ctx: JobContext): Promise<Uint8Array> {
  await ready();
  const { name, s, x, from, to, data } = args;
  const bases = Array.from({ length: s }, (_, j) => g1.fromBytesUnchecked(args.bases.subarray(96 * j, 96 * (j + 1))));
  const out = new Uint8Array((to - from) * 96);
  const step = Math.max(1, Math.ceil(256 / s));
  for (let i = from; i < to; i++) {
    out.set(g1.toBytes(tagBlock(name, i, blockSectors(data, i - from, s), x, bases), false), (i - from) * 96);
    if ((i - from + 1) % step === 0 || i + 1 === to) {
      ctx.progress((i + 1 - from) / (to - from));
      await ctx.yield();
      if (ctx.cancelled()) throw new JobCancelled();
    }
  }
  return out;
}

await ready();
serveJobs({ 'audit.tag': tagJob }, await parentEndpoint());
