/**
 * The crypto layer's worker jobs: what a pool worker computes on its own
 * WASM instance. Points travel as the core's projective images (bytes),
 * scalars as bigints (structured clone keeps them).
 */
import { CurvePoint, type GroupName } from './curve';
import { g1 } from './g1';
import { g2 } from './g2';
import { pairingCheck } from './pairing';
import { bls } from './bls';
import type { JobHandler } from './pool';
import { ready } from './wasm';

export interface MsmJob {
  group: GroupName;
  points: Uint8Array[];
  scalars: bigint[];
}

export interface PairingCheckJob {
  pairs: [Uint8Array, Uint8Array][];
}

export interface BlsVerifyJob {
  items: { pk: Uint8Array; msg: Uint8Array; sig: Uint8Array }[];
}

const group = (name: GroupName) => (name === 'G1' ? g1 : g2) as unknown as typeof g1;

export const cryptoJobs: Record<string, JobHandler> = {
  async 'msm'(job: MsmJob) {
    await ready();
    const g = group(job.group);
    const pts = job.points.map((raw) => new CurvePoint(job.group, raw) as unknown as ReturnType<typeof g1.generator>);
    return g.msm(pts, job.scalars).raw;
  },
  async 'pairingCheck'(job: PairingCheckJob) {
    await ready();
    return pairingCheck(job.pairs.map(([p, q]) => [new CurvePoint('G1', p), new CurvePoint('G2', q)] as const));
  },
  /** One boolean per item: each signature verified on its own. */
  async 'bls.verifyEach'(job: BlsVerifyJob, ctx) {
    await ready();
    const out: boolean[] = [];
    for (const it of job.items) {
      if (ctx.cancelled()) break;
      out.push(bls.verify(it.pk, it.msg, it.sig));
    }
    return out;
  }
};
