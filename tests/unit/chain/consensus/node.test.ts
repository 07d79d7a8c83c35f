/** ConsensusNode over a simulated network with real BLS (V = 4). */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConsensusNode, InMemoryHub, SimClock, headerId, type ConsensusMessage } from '../../../../src/lib/chain/consensus';
import { SimNetwork, Rng } from '../../../../src/lib/chain/sim';
import { keys, makeBlock, makeConfig, makeVote, producerFor, scheme, type Keyed } from './harness';

let ks: Keyed[];
beforeAll(async () => {
  ks = await keys(4);
});

function network(opts: { partition?: { start: number; end: number; group: Map<string, 0 | 1> } } = {}) {
  const clock = new SimClock(0);
  const net = new SimNetwork(clock, new Rng('node-test'), { delayMin: 10, delayMax: 60, drop: 0, ...opts });
  const config = makeConfig(ks);
  const published: ConsensusMessage[] = [];
  const nodes = ks.map((k, i) => {
    const bus = net.endpoint(`n${i}`);
    if (i === 0) bus.subscribe((m) => published.push(m));
    return new ConsensusNode({ config, keys: k, bus, clock, scheme, trustGenesis: true });
  });
  return { clock, net, nodes, config, published };
}

describe('ConsensusNode', () => {
  it('four honest nodes produce in their slots, certify and finalise the same chain', () => {
    const { clock, nodes } = network();
    nodes.forEach((n) => n.start());
    clock.runUntil(12_500);
    const finals = nodes.map((n) => n.tree.final);
    expect(finals[0].height).toBeGreaterThanOrEqual(9);
    for (const f of finals) expect(f.hex === finals[0].hex || nodes[0].tree.get(f.hex)?.final || f.height < finals[0].height).toBe(true);
    const chain = nodes[0].tree.finalChain();
    // One block per slot, each by the scheduled producer (validated on insert), heights consecutive.
    chain.forEach((e, i) => expect(e.height).toBe(i));
    // Honest validators vote at most once per slot.
    for (const n of nodes) expect(n.stats.votes).toBeLessThanOrEqual(12);
    expect(nodes.reduce((a, n) => a + n.stats.produced, 0)).toBeGreaterThanOrEqual(11);
    expect(nodes.every((n) => n.tree.safetyViolations === 0)).toBe(true);
  });

  it('a node cut off for a while catches up by fetching missing ancestors (out-of-order blocks)', () => {
    const group = new Map<string, 0 | 1>([['n0', 0], ['n1', 0], ['n2', 0], ['n3', 1]]);
    const { clock, nodes } = network({ partition: { start: 0, end: 6_500, group } });
    nodes.forEach((n) => n.start());
    clock.runUntil(12_500);
    const lagging = nodes[3];
    expect(lagging.stats.rejected['unknown-parent']).toBeGreaterThan(0);
    expect(lagging.tree.final.height).toBeGreaterThanOrEqual(nodes[0].tree.final.height - 1);
    expect(nodes[0].tree.get(lagging.tree.final.hex)?.final).toBe(true);
  });

  it('votes once for the first block of an equivocating producer and submits double-block evidence', () => {
    const clock = new SimClock(1_000);
    const hub = new InMemoryHub({ schedule: (f) => clock.at(clock.now(), f) });
    const config = makeConfig(ks);
    const bus = hub.endpoint('me');
    const out: ConsensusMessage[] = [];
    hub.endpoint('watcher').subscribe((m) => out.push(m));
    const me = ks[0];
    const node = new ConsensusNode({ config, keys: me, bus, clock, scheme, trustGenesis: true });
    node.start();
    const prod = producerFor(node.tree, ks, node.tree.genesis, 1);
    const a = makeBlock(node.tree, ks, node.tree.genesis, 1, {}, prod, ['a']);
    const b = makeBlock(node.tree, ks, node.tree.genesis, 1, {}, prod, ['b']);
    node.handle({ t: 'block', v: 1, block: a }, 'x');
    node.handle({ t: 'block', v: 1, block: b }, 'x');
    clock.runUntil(1_001);
    const votes = out.filter((m) => m.t === 'vote');
    const ev = out.filter((m) => m.t === 'evidence');
    expect(votes.length).toBe(1);
    expect(ev.length).toBe(1);
    expect(ev[0].t === 'evidence' && ev[0].evidence.kind).toBe('double-block');
    expect(node.evidencePool.size).toBe(1);
    // Replaying the same evidence is not new.
    expect(node.submitEvidence((ev[0] as Extract<ConsensusMessage, { t: 'evidence' }>).evidence)).toBe(false);
  });

  it('parks a vote for an unknown block, counts it when the block arrives, and catches a double vote', () => {
    const clock = new SimClock(1_000);
    const hub = new InMemoryHub({ schedule: (f) => clock.at(clock.now(), f) });
    const config = makeConfig(ks);
    const out: ConsensusMessage[] = [];
    hub.endpoint('watcher').subscribe((m) => out.push(m));
    const node = new ConsensusNode({ config, keys: ks[0], bus: hub.endpoint('me'), clock, scheme, trustGenesis: true });
    node.start();
    const prod = producerFor(node.tree, ks, node.tree.genesis, 1);
    const a = makeBlock(node.tree, ks, node.tree.genesis, 1, {}, prod, ['a']);
    const b = makeBlock(node.tree, ks, node.tree.genesis, 1, {}, prod, ['b']);
    const aEntry = { id: headerIdOf(a), height: 1, slot: 1 };
    const bEntry = { id: headerIdOf(b), height: 1, slot: 1 };
    // Votes before the block (out of order).
    node.handle({ t: 'vote', v: 1, vote: makeVote(node.tree, ks[1], aEntry) }, 'x');
    node.handle({ t: 'vote', v: 1, vote: makeVote(node.tree, ks[2], aEntry) }, 'x');
    expect(node.tree.get(aEntry.id)).toBeUndefined();
    node.handle({ t: 'block', v: 1, block: a }, 'x');
    // Own vote + two parked = quorum 3: certified.
    expect(node.tree.get(aEntry.id)?.certified).toBe(true);
    node.handle({ t: 'block', v: 1, block: b }, 'x');
    node.handle({ t: 'vote', v: 1, vote: makeVote(node.tree, ks[1], bEntry) }, 'x');
    clock.runUntil(1_001);
    const kinds = out.filter((m) => m.t === 'evidence').map((m) => (m as Extract<ConsensusMessage, { t: 'evidence' }>).evidence.kind);
    expect(kinds).toContain('double-vote');
    expect(kinds).toContain('double-block');
    // A forged vote is rejected and counted.
    node.handle({ t: 'vote', v: 1, vote: { ...makeVote(node.tree, ks[3], aEntry), sig: makeVote(node.tree, ks[2], aEntry).sig } }, 'x');
    expect(node.stats.rejected['bad-signature']).toBe(1);
  });

  it('never reverts a final block: a valid block conflicting with it is refused', () => {
    const { clock, nodes } = network();
    nodes.forEach((n) => n.start());
    clock.runUntil(6_500);
    const n = nodes[0];
    expect(n.tree.final.height).toBeGreaterThanOrEqual(2);
    const finalBefore = n.tree.final;
    // A fresh, correctly signed child of genesis at a later slot conflicts with the final chain.
    const slot = n.currentSlot();
    const block = makeBlock(n.tree, ks, n.tree.genesis, slot);
    n.handle({ t: 'block', v: 1, block }, 'x');
    expect(n.stats.rejected['conflicts-with-final']).toBe(1);
    expect(n.tree.final).toBe(finalBefore);
  });
});

function headerIdOf(b: { header: Parameters<typeof headerId>[0] }): Uint8Array {
  return headerId(b.header);
}
