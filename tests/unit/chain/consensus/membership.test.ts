/**
 * Validator membership from the LEDGER state (SPEC §6): six hospital nodes
 * (real BLS, V = 4, rounds of 4 slots) run consensus over ledger blocks. A
 * `regulator-update` demotes a validator (rating and tier), later two
 * validators' approval `vote`s lift an outsider's standing above another
 * validator's; each changes the validator set at a round boundary whose
 * anchor (a final block) includes the transaction, identically on every
 * node, and finality continues with the new sets.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../../src/lib/crypto';
import { hex, makeGenesis, makeMember, signTx, txId, validatorSetId, type Block, type ChainState, type Transaction, type TxBody } from '../../../../src/lib/chain';
import { ConsensusNode, InMemoryHub, LedgerExecutor, LedgerSink, Mempool, SimClock, blsScheme, consensusConfigFromGenesis, roundOf, type Entry } from '../../../../src/lib/chain/consensus';
import { MemoryChainStore } from '../../../../src/lib/store';
import { party, type Party } from '../fixture';

const ROUND = 4;
let nodes: ConsensusNode[];
let executors: LedgerExecutor[];
let hospitals: Party[];
let ids: { demote: string; vote0: string; vote2: string };

beforeAll(async () => {
  await ready();
  const pkg = party('mb-pkg', 'pkg');
  hospitals = [0, 1, 2, 3, 4, 5].map((i) => party(`mb-h${i}`, 'hospital'));
  const enc = (n: number) => new Uint8Array(48).fill(n);
  const genesis = makeGenesis(pkg.sk, {
    name: 'membership ledger',
    params: { validators: 4, slotMs: 1000, genesisTime: 0, initialCredit: 100, creditThreshold: 50, roundSlots: ROUND },
    members: [
      makeMember(pkg.sk, { role: 'pkg', enc: enc(1), name: 'PKG' }),
      ...hospitals.map((h, i) => makeMember(h.sk, { role: 'hospital', enc: enc(2 + i), name: h.name, rating: 900 - 100 * i, tier: '3A' }))
    ]
  });
  const config = consensusConfigFromGenesis(genesis);
  const clock = new SimClock(0);
  const hub = new InMemoryHub({ bytes: true, schedule: (f) => clock.at(clock.now(), f) });
  const mempool = new Mempool();
  executors = [];
  const sinks: LedgerSink[] = [];
  nodes = hospitals.map((h, i) => {
    const executor = new LedgerExecutor({ genesis, mempool: () => mempool.list() });
    executors.push(executor);
    const sink = new LedgerSink(new MemoryChainStore(), executor);
    sinks.push(sink);
    const node = new ConsensusNode({ config, keys: { sk: h.sk, pk: h.pk }, bus: hub.endpoint(`n${i}`), clock, scheme: blsScheme, executor, store: sink });
    sink.attach(node.tree);
    return node;
  });
  const head = (): ChainState => executors[0].stateOf(nodes[0].tree.head())!;
  const submit = (who: Party, body: TxBody): Transaction => {
    const s = head();
    const t = signTx(who.sk, { chain: config.chain, seq: s.nonces.get(hex(who.pk)) ?? 0, time: clock.now(), body });
    const err = mempool.submit(t, s);
    if (err) throw err;
    return t;
  };
  ids = {} as typeof ids;
  // the regulator (the PKG by default) demotes h1: out of the top 4 -> h4 joins
  clock.at(1_500, () => {
    ids.demote = hex(txId(submit(pkg, { type: 'regulator-update', hospital: hospitals[1].pk, rating: 100, tier: '2A' })));
  });
  // h0 and h2 approve h5: standing 400 + 900 + 700 = 2000 -> h5 joins, h4 (500) leaves
  clock.at(16_500, () => {
    ids.vote0 = hex(txId(submit(hospitals[0], { type: 'vote', delegates: [hospitals[5].pk] })));
    ids.vote2 = hex(txId(submit(hospitals[2], { type: 'vote', delegates: [hospitals[5].pk] })));
  });
  nodes.forEach((n) => n.start());
  for (let t = 250; t <= 44_000; t += 250) {
    clock.runUntil(t);
    await Promise.all(sinks.map((s) => s.flush()));
  }
  nodes.forEach((n) => n.stop());
  await Promise.all(sinks.map((s) => s.flush()));
}, 180_000);

const setOf = (...is: number[]) => hex(validatorSetId(is.map((i) => hospitals[i].pk).sort((a, b) => (hex(a) < hex(b) ? -1 : 1))));
const blockWith = (chain: Entry[], id: string): Entry => chain.find((e) => e.block?.txs.some((t) => hex(txId(t)) === id))!;

describe('validator membership from the ledger state', () => {
  it('a regulator update and approval votes change the validator set at the next round boundaries, identically on every node', () => {
    const finals = nodes.map((n) => n.tree.final);
    const low = finals.reduce((a, b) => (b.height < a.height ? b : a));
    for (const n of nodes) {
      expect(n.tree.safetyViolations).toBe(0);
      expect(n.tree.get(low.hex)?.final).toBe(true);
    }
    const chain = nodes[0].tree.finalChain().filter((e) => e.height <= low.height);
    const demoted = blockWith(chain, ids.demote);
    const voted = blockWith(chain, ids.vote2);
    expect(demoted).toBeDefined();
    expect(voted).toBeDefined();
    expect(blockWith(chain, ids.vote0)).toBeDefined();

    // the distinct header.validators along the final chain: S0 -> S1 -> S2
    const S0 = setOf(0, 1, 2, 3);
    const S1 = setOf(0, 2, 3, 4);
    const S2 = setOf(0, 2, 3, 5);
    const blocks = chain.slice(1);
    const seq: string[] = [];
    for (const e of blocks) {
      const v = hex((e.block as Block).header.validators);
      if (seq[seq.length - 1] !== v) seq.push(v);
    }
    expect(seq).toEqual([S0, S1, S2]);

    for (const [set, cause] of [
      [S1, demoted],
      [S2, voted]
    ] as const) {
      const first = blocks.find((e) => hex((e.block as Block).header.validators) === set)!;
      const prev = first.parent!;
      // only at a round boundary (quorum overlap rule)
      expect(roundOf(first.slot, ROUND)).toBeGreaterThan(roundOf(prev.slot, ROUND));
      // computed from an anchor (a final block) that includes the transaction
      const anchor = nodes[0].tree.anchorFor(prev, roundOf(first.slot, ROUND));
      expect(anchor.height).toBeGreaterThanOrEqual(cause.height);
      expect(nodes[0].tree.get(anchor.hex)?.final).toBe(true);
      // the previous round's anchor did not include it: the change is at the next boundary
      const before = nodes[0].tree.anchorFor(prev, roundOf(prev.slot, ROUND));
      expect(before.height).toBeLessThan(cause.height);
      // the header before announced it as nextValidators (light-client hand-off)
      if (roundOf(first.slot, ROUND) === roundOf(prev.slot, ROUND) + 1) expect(hex((prev.block as Block).header.nextValidators)).toBe(set);
    }

    // finality continues under S2: several final blocks produced by its members, with certificates of S2
    const underS2 = blocks.filter((e) => hex((e.block as Block).header.validators) === S2);
    expect(underS2.length).toBeGreaterThanOrEqual(4);
    const s2Keys = new Set([0, 2, 3, 5].map((i) => hex(hospitals[i].pk)));
    for (const e of underS2) expect(s2Keys.has(hex((e.block as Block).header.producer))).toBe(true);
    // h4 (in S1 only) produced while it was a validator
    const underS1 = blocks.filter((e) => hex((e.block as Block).header.validators) === S1);
    expect(underS1.some((e) => hex((e.block as Block).header.producer) === hex(hospitals[4].pk))).toBe(true);
    expect(underS1.every((e) => hex((e.block as Block).header.producer) !== hex(hospitals[1].pk))).toBe(true);
  });

  it('every node holds the same ledger state at the common final block, its validators the new set', () => {
    const low = nodes.map((n) => n.tree.final).reduce((a, b) => (b.height < a.height ? b : a));
    const states = executors.map((x) => x.stateOf(low)!);
    for (const s of states) {
      expect(s).toBeDefined();
      expect(hex(validatorSetId(s.validators))).toBe(hex(validatorSetId(states[0].validators)));
      expect([...s.credits.entries()]).toEqual([...states[0].credits.entries()]);
    }
    expect(states[0].members.get(hex(hospitals[1].pk))).toMatchObject({ rating: 100, tier: '2A' });
    expect(hex(validatorSetId(states[0].validators))).toBe(setOf(0, 2, 3, 5));
    // consensus credit ledger = ledger credits
    const cs = nodes[0].tree.creditStateAt(low);
    for (const h of hospitals) expect(states[0].credits.get(hex(h.pk))).toBe(cs.credits.get(hex(h.pk)));
  });
});
