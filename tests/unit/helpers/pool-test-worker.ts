// A worker for the pool tests: a few jobs with known answers.
import { parentEndpoint } from '../../../src/lib/crypto/endpoints';
import { JobCancelled, serveJobs } from '../../../src/lib/crypto/pool';

serveJobs(
  {
    sum: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
    bytes: (n: number) => new Uint8Array(n).fill(7),
    fail: () => {
      throw new RangeError('bad input on purpose');
    },
    threadId: async () => (await import('node:worker_threads')).threadId,
    slow: async (steps: number, ctx) => {
      for (let i = 0; i < steps; i++) {
        if (ctx.cancelled()) throw new JobCancelled();
        const t = Date.now();
        while (Date.now() - t < 5); // busy work
        ctx.progress((i + 1) / steps);
        await ctx.yield();
      }
      return steps;
    }
  },
  await parentEndpoint()
);
