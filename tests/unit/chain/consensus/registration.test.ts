/**
 * A hospital registered mid-run (SPEC §6 registration): five genesis
 * hospitals run consensus (real BLS, V = 4, rounds of 4 slots) with a sixth
 * node whose key is not in the genesis. The PKG registers it as a tier-3A
 * hospital rated above every validator; once the registration is final and a
 * round's anchor includes it, the sixth hospital is in the validator set,
 * produces and votes, every node (the newcomer included) agrees on the
 * final chain, and finality continues.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../../src/lib/crypto';
import { hex, makeGenesis, makeMember, signTx, txId, validatorSetId, type Block, type ChainState, type TxBody } from '../../../../src/lib/chain';
import { ConsensusNode, InMemoryHub, LedgerExecutor, Mempool, SimClock, blsScheme, consensusConfigFromGenesis, roundOf, type Entry } from '../../../../src/lib/chain/consensus';
import { party, type Party } from '../fixture';

const ROUND = 4;
let nodes: ConsensusNode[];
let executors: LedgerExecutor[];
let hospitals: Party[];
let registerId: string;

beforeAll(async () => {
  await ready();
  const pkg = party('rg-pkg', 'pkg');
  hospitals = [0, 1, 2, 3, 4, 5].map((i) => party(`rg-h${i}`, 'hospital'));
  const enc = (n: number) => new Uint8Array(48).fill(n);
  const genesis = makeGenesis(pkg.sk, {
    name: 'registration ledger',
    params: { validators: 4, slotMs: 1000, genesisTime: 0, initialCredit: 100, creditThreshold: 50, roundSlots: ROUND },
    members: [
      makeMember(pkg.sk, { role: 'pkg', enc: enc(1), name: 'PKG' }),
      ...hospitals.slice(0, 5).map((h, i) => makeMember(h.sk, { role: 'hospital', enc: enc(2 + i), name: h.name, rating: 900 - 100 * i, tier: '3A' }))
    ]
  });
  const config = consensusConfigFromGenesis(genesis);
  const clock = new SimClock(0);
  const hub = new InMemoryHub({ bytes: true, schedule: (f) => clock.at(clock.now(), f) });
  const mempool = new Mempool();
  executors = [];
  nodes = hospitals.map((h, i) => {
    const executor = new LedgerExecutor({ genesis, mempool: () => mempool.list() });
    executors.push(executor);
    return new ConsensusNode({ config, keys: { sk: h.sk, pk: h.pk }, bus: hub.endpoint(`n${i}`), clock, scheme: blsScheme, executor });
  });
  const head = (): ChainState => executors[0].stateOf(nodes[0].tree.head())!;
  clock.at(1_500, () => {
    const s = head();
    const body: TxBody = { type: 'register', member: makeMember(hospitals[5].sk, { role: 'hospital', enc: enc(9), name: hospitals[5].name, rating: 950, tier: '3A' }) };
    const t = signTx(pkg.sk, { chain: config.chain, seq: s.nonces.get(hex(pkg.pk)) ?? 0, time: clock.now(), body });
    const err = mempool.submit(t, s);
    if (err) throw err;
    registerId = hex(txId(t));
  });
  nodes.forEach((n) => n.start());
  for (let t = 250; t <= 36_000; t += 250) clock.runUntil(t);
  nodes.forEach((n) => n.stop());
}, 180_000);

const setOf = (...is: number[]) => hex(validatorSetId(is.map((i) => hospitals[i].pk).sort((a, b) => (hex(a) < hex(b) ? -1 : 1))));

describe('a hospital registered mid-run', () => {
  it('joins the validator set at a round boundary after its registration is final, produces, and everyone agrees', () => {
    const low = nodes.map((n) => n.tree.final).reduce((a, b) => (b.height < a.height ? b : a));
    for (const n of nodes) {
      expect(n.tree.safetyViolations).toBe(0);
      expect(n.tree.get(low.hex)?.final).toBe(true);
    }
    const chain = nodes[0].tree.finalChain().filter((e) => e.height <= low.height);
    const registered = chain.find((e) => e.block?.txs.some((t) => hex(txId(t)) === registerId)) as Entry;
    expect(registered).toBeDefined();
    const blocks = chain.slice(1);
    const seq: string[] = [];
    for (const e of blocks) {
      const v = hex((e.block as Block).header.validators);
      if (seq[seq.length - 1] !== v) seq.push(v);
    }
    expect(seq).toEqual([setOf(0, 1, 2, 3), setOf(0, 1, 2, 5)]);
    const first = blocks.find((e) => hex((e.block as Block).header.validators) === setOf(0, 1, 2, 5)) as Entry;
    expect(roundOf(first.slot, ROUND)).toBeGreaterThan(roundOf(first.parent!.slot, ROUND));
    expect(nodes[0].tree.anchorFor(first.parent!, roundOf(first.slot, ROUND)).height).toBeGreaterThanOrEqual(registered.height);
    // The newcomer produced final blocks, and its votes are in certificates.
    const newcomer = hex(hospitals[5].pk);
    expect(blocks.some((e) => hex((e.block as Block).header.producer) === newcomer)).toBe(true);
    expect(nodes[5].stats.votes).toBeGreaterThan(0);
    // The newcomer's node holds the same ledger state at the common final block.
    const states = executors.map((x) => x.stateOf(low)!);
    for (const s of states) expect(hex(validatorSetId(s.validators))).toBe(setOf(0, 1, 2, 5));
    expect(states[5].members.get(newcomer)).toMatchObject({ rating: 950, tier: '3A' });
  });
});
