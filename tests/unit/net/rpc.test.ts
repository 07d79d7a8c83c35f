/** Requests between roles over NetNodes: answers, typed errors, unknown methods, timeouts, unsolicited answers, in-flight limit. */
import { beforeAll, describe, expect, it } from 'vitest';
import { bls, ready } from '../../../src/lib/crypto';
import { hex } from '../../../src/lib/chain';
import type { ChainStatus } from '../../../src/lib/net/hello';
import { MemoryHub } from '../../../src/lib/net/memory';
import { NetNode } from '../../../src/lib/net/node';
import { Rpc, RpcError } from '../../../src/lib/net/rpc';
import { frame } from '../../../src/lib/net/wire';

const chain = new Uint8Array(32).fill(3);
const status: ChainStatus = { head: { height: 0, id: chain }, final: { height: 0, id: chain } };
let keys: { sk: Uint8Array; pk: Uint8Array }[];

beforeAll(async () => {
  await ready();
  keys = [0, 1].map((i) => {
    const sk = bls.keygen(new TextEncoder().encode(`rpc test key ${i} ....................................`));
    return { sk, pk: bls.publicKey(sk) };
  });
});

async function pair(opts: { maxInFlight?: number } = {}) {
  const hub = new MemoryHub();
  const nodes = keys.map(
    (k, i) => new NetNode({ room: 'rpc', chain, keys: k, role: 'tpa', signer: bls, isMember: () => true, status: () => status, transports: [hub.transport(`n${i}`)] })
  );
  const rpcs = nodes.map((n) => new Rpc(n, { maxInFlight: opts.maxInFlight }));
  for (const n of nodes) await n.start();
  for (let t = 0; nodes.some((n) => n.peers().length === 0); t++) {
    if (t > 200) throw new Error('no link');
    await new Promise((r) => setTimeout(r, 10));
  }
  return { nodes, rpcs, b: hex(keys[1].pk) };
}

describe('Rpc', () => {
  it('answers, reports typed errors and unknown methods, and times out', async () => {
    const { nodes, rpcs, b } = await pair();
    rpcs[1].register('echo', (body) => ({ got: body as string }));
    rpcs[1].register('refuse', () => {
      throw new RpcError('consent-denied', 'the patient did not consent');
    });
    rpcs[1].register('crash', () => {
      throw new Error('secret internals');
    });
    rpcs[1].register('slow', () => new Promise((r) => setTimeout(() => r(1), 500)));
    expect(await rpcs[0].call(b, 'echo', 'hi')).toEqual({ got: 'hi' });
    await expect(rpcs[0].call(b, 'refuse', null)).rejects.toMatchObject({ code: 'consent-denied' });
    await expect(rpcs[0].call(b, 'crash', null)).rejects.toMatchObject({ code: 'internal', message: 'the peer failed to answer' });
    await expect(rpcs[0].call(b, 'nothing', null)).rejects.toMatchObject({ code: 'unknown-method' });
    await expect(rpcs[0].call(b, 'slow', null, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'timeout' });
    await expect(rpcs[0].call('00', 'echo', null)).rejects.toMatchObject({ code: 'unreachable' });
    expect(nodes[0].stats().drops).toEqual({});
    // The late answer to the timed-out call is unsolicited.
    await new Promise((r) => setTimeout(r, 600));
    expect(nodes[0].stats().drops.unsolicited).toBe(1);
    nodes.forEach((n) => n.stop());
  });

  it('drops requests beyond the in-flight limit and answers to nothing', async () => {
    const { nodes, rpcs, b } = await pair({ maxInFlight: 2 });
    rpcs[1].register('slow', () => new Promise((r) => setTimeout(() => r(1), 200)));
    const calls = [0, 1, 2].map(() => rpcs[0].call(b, 'slow', null, { timeoutMs: 1000 }).then(() => 'ok', (e: RpcError) => e.code));
    expect(await Promise.all(calls)).toEqual(['ok', 'ok', 'timeout']);
    expect(nodes[1].stats().drops['rate-limit']).toBe(1);
    nodes[1].peers()[0].sendFrame(frame('response', { id: 999, ok: true, body: null }));
    await new Promise((r) => setTimeout(r, 50));
    expect(nodes[0].stats().drops.unsolicited).toBe(1);
    nodes.forEach((n) => n.stop());
  });
});
