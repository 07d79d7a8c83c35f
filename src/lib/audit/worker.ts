/**
 * The audit worker: a pool worker (src/lib/crypto/pool.ts) that offers the
 * two jobs of sw-priv tagging (tagging.ts runs them in two phases):
 *
 * - `audit.bases`: u_j^x for a range of j (hash to G1, constant-time g1.mul by x);
 * - `audit.tag`: the tags of a range of blocks, given all s bases.
 *
 * Spawned by tagging.ts (Web Worker in browsers, worker_threads through tsx in Node).
 */
import { ready, serveJobs, JobCancelled, g1, type JobContext } from '$lib/crypto';
import { parentEndpoint } from '$lib/crypto';
import { sectorBase } from '$lib/hashes';
import { blockSectors } from './sectors';
import { tagBlock } from './swpriv';

/** Arguments of `audit.bases`: u_j^x for j in [from, to). */
export interface BasesJobArgs {
  name: Uint8Array;
  /** The hospital's secret key (only ever used with constant-time g1.mul). */
  x: bigint;
  from: number;
  to: number;
}

/** Arguments of `audit.tag`: tag blocks [from, to) of a file. */
export interface TagJobArgs {
  name: Uint8Array;
  s: number;
  /** The hospital's secret key (only ever used with constant-time g1.mul). */
  x: bigint;
  /** u_j^x for all j < s, uncompressed (96 bytes each), produced by `audit.bases`: decoded unchecked. */
  bases: Uint8Array;
  from: number;
  to: number;
  /** The ciphertext bytes of blocks [from, to) (the block `from` starts at offset 0). */
  data: Uint8Array;
}

/**
 * Progress, yield and cancellation check at most every ~YIELD_MS of work: the
 * pool's yield is a setTimeout(0), which costs ~1 ms of idle time in Node, so
 * yielding after every few blocks (a block is 1.5-15 ms) would waste 5-10 %.
 */
const YIELD_MS = 40;
const now = () => performance.now();

async function checkpoint(ctx: JobContext, value: number): Promise<void> {
  ctx.progress(value);
  await ctx.yield();
  if (ctx.cancelled()) throw new JobCancelled();
}

/** u_j^x for j in [from, to), 96-byte uncompressed each, concatenated. */
export async function basesJob(args: BasesJobArgs, ctx: JobContext): Promise<Uint8Array> {
  await ready();
  const { name, x, from, to } = args;
  const out = new Uint8Array((to - from) * 96);
  let last = now();
  for (let j = from; j < to; j++) {
    out.set(g1.toBytes(g1.mul(sectorBase(name, j), x), false), (j - from) * 96);
    if (j + 1 < to && now() - last >= YIELD_MS) {
      await checkpoint(ctx, (j + 1 - from) / (to - from));
      last = now();
    }
  }
  ctx.progress(1);
  return out;
}

/** Tags of the range, 96-byte uncompressed each, concatenated. */
export async function tagJob(args: TagJobArgs, ctx: JobContext): Promise<Uint8Array> {
  await ready();
  const { name, s, x, from, to, data } = args;
  if (args.bases.length !== 96 * s) throw new RangeError(`bases: expected ${96 * s} bytes, got ${args.bases.length}`);
  const bases = Array.from({ length: s }, (_, j) => g1.fromBytesUnchecked(args.bases.subarray(96 * j, 96 * (j + 1))));
  const out = new Uint8Array((to - from) * 96);
  let last = now();
  for (let i = from; i < to; i++) {
    out.set(g1.toBytes(tagBlock(name, i, blockSectors(data, i - from, s), x, bases), false), (i - from) * 96);
    if (i + 1 < to && now() - last >= YIELD_MS) {
      await checkpoint(ctx, (i + 1 - from) / (to - from));
      last = now();
    }
  }
  ctx.progress(1);
  return out;
}

await ready();
serveJobs({ 'audit.bases': basesJob, 'audit.tag': tagJob }, await parentEndpoint());
