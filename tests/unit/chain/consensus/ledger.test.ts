/**
 * End to end, one block format: 4 validator nodes (real BLS) over the
 * InMemoryHub (messages through their bytes) run consensus over the LEDGER's
 * blocks; a PKG, a patient, a hospital, a data user and a TPA submit real
 * ledger transactions through the mempool; the final chain and its states go
 * into a MemoryChainStore and a DexieChainStore (fake-indexeddb); the sharing
 * contract fires on ledger (Streamlet) finality; patient chains exported
 * from the stores verify alone; replaying the stored blocks gives the stored
 * state byte for byte.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../../src/lib/crypto';
import {
  blockId,
  decodeBundle,
  defaultContracts,
  encodeBundle,
  encodeState,
  exportPatientChains,
  hex,
  makeGenesis,
  makeMember,
  signTx,
  txId,
  verifyPatientChains,
  type Block,
  type ChainState,
  type SharingInput,
  type Transaction,
  type TxBody
} from '../../../../src/lib/chain';
import { ConsensusNode, InMemoryHub, LedgerExecutor, LedgerSink, Mempool, SimClock, blsScheme, consensusConfigFromGenesis, consensusHooks } from '../../../../src/lib/chain/consensus';
import { DexieChainStore, MemoryChainStore, checkStoredState, rebuildState, type ChainStore } from '../../../../src/lib/store';
import { party, pidOf, type Party } from '../fixture';

interface Run {
  nodes: ConsensusNode[];
  executors: LedgerExecutor[];
  stores: ChainStore[];
  genesis: Block;
  delivered: SharingInput[];
  outcomes: { node: number; status: string }[];
  ids: { emr: Uint8Array; request: Uint8Array; record: Uint8Array; audit: Uint8Array };
  hospitals: Party[];
  pid: Uint8Array;
}

let run: Run;

beforeAll(async () => {
  await ready();
  const pkg = party('e2e-pkg', 'pkg');
  const hospitals = [0, 1, 2, 3].map((i) => party(`e2e-h${i}`, 'hospital'));
  const patient = party('e2e-patient', 'patient');
  const user = party('e2e-user', 'data-user');
  const tpa = party('e2e-tpa', 'tpa');
  const pid = pidOf(7);
  const enc = (n: number) => new Uint8Array(48).fill(n);
  const genesis = makeGenesis(pkg.sk, {
    name: 'e2e ledger',
    params: { validators: 4, slotMs: 1000, genesisTime: 0, initialCredit: 100, creditThreshold: 50, roundSlots: 4 },
    members: [
      makeMember(pkg.sk, { role: 'pkg', enc: enc(1), name: 'PKG' }),
      ...hospitals.map((h, i) => makeMember(h.sk, { role: 'hospital', enc: enc(2 + i), name: h.name, rating: 900 - 100 * i, tier: '3A' })),
      makeMember(patient.sk, { role: 'patient', enc: enc(8), name: 'patient', pid }),
      makeMember(user.sk, { role: 'data-user', enc: enc(9), name: 'user' }),
      makeMember(tpa.sk, { role: 'tpa', enc: enc(10), name: 'tpa' })
    ]
  });
  const config = consensusConfigFromGenesis(genesis);
  const chain = config.chain;
  const clock = new SimClock(0);
  const hub = new InMemoryHub({ bytes: true, schedule: (f) => clock.at(clock.now(), f) });
  const mempool = new Mempool();
  const registry = defaultContracts();
  const delivered: SharingInput[] = [];
  const outcomes: Run['outcomes'] = [];
  const executors: LedgerExecutor[] = [];
  const stores: ChainStore[] = [new MemoryChainStore(), new DexieChainStore(`e2e-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange }), new MemoryChainStore(), new MemoryChainStore()];
  const sinks: LedgerSink[] = [];
  const nodes = hospitals.map((h, i) => {
    const executor = new LedgerExecutor({ genesis, mempool: () => mempool.list() });
    executors.push(executor);
    // Contracts run when the ledger state proves blocks final (Streamlet), on every node; only the executor hospital acts.
    const onFinal = async (state: ChainState, blocks: Block[]) => {
      for (const block of blocks) {
        const out = await registry.runFinalized(state, block, {
          self: h.pk,
          sharing: {
            async deliver(input) {
              delivered.push(input);
              return { ok: true, payload: new TextEncoder().encode(`rewrapped key for ${hex(input.recordId).slice(0, 8)}`) };
            },
            async send() {}
          }
        });
        for (const o of out) {
          outcomes.push({ node: i, status: o.outcome.status });
          if (o.outcome.status !== 'done') continue;
          for (const body of o.outcome.submit) {
            const d = signTx(h.sk, { chain, seq: state.nonces.get(hex(h.pk)) ?? 0, time: clock.now(), body });
            const err = mempool.submit(d, state);
            if (err) throw err;
            await stores[i].addToMempool(d);
          }
        }
      }
    };
    const sink = new LedgerSink(stores[i], executor, onFinal);
    sinks.push(sink);
    const node = new ConsensusNode({ config, keys: { sk: h.sk, pk: h.pk }, bus: hub.endpoint(`n${i}`), clock, scheme: blsScheme, executor, store: sink });
    sink.attach(node.tree);
    return node;
  });

  // What the parties submit, each checked against node 0's current head state.
  const head = (): ChainState => executors[0].stateOf(nodes[0].tree.head())!;
  const submit = (who: Party, body: TxBody): Transaction => {
    const s = head();
    const t = signTx(who.sk, { chain, seq: s.nonces.get(hex(who.pk)) ?? 0, time: clock.now(), body });
    const err = mempool.submit(t, s);
    if (err) throw err;
    return t;
  };
  const ids = {} as Run['ids'];
  const h0 = hospitals[0];
  const plan: [number, () => void][] = [
    [
      1_500,
      () => {
        const emr = submit(h0, { type: 'emr', pid, prev: null, info: { h3c: new Uint8Array(32).fill(4), index: 'blob-1', description: 'first visit', time: 1 }, audit: { scheme: 'sw-priv', name: new Uint8Array(32).fill(5), n: 4, s: 2, v: h0.pk }, sealedKey: null });
        ids.emr = txId(emr);
        submit(patient, { type: 'consent-grant', pid, records: 'any', requesters: [user.pk], purposes: ['treatment'], expires: null });
        submit(pkg, { type: 'trace', pid, requester: user.pk, reason: 'routine check', time: 1 });
      }
    ],
    [
      4_500,
      () => {
        ids.request = txId(submit(user, { type: 'access-request', pid, emr: ids.emr, purpose: 'treatment' }));
        ids.audit = txId(submit(tpa, { type: 'audit-request', pid, emr: ids.emr, tpa: tpa.pk, c: 2 }));
      }
    ],
    [
      7_500,
      () => {
        ids.record = txId(submit(h0, { type: 'access-record', request: ids.request, pid, emr: ids.emr, requester: user.pk, purpose: 'treatment', prev: null, decision: 'granted', reason: 'consent', mode: 'rewrap' }));
      }
    ]
  ];
  for (const [t, f] of plan) clock.at(t, f);

  nodes.forEach((n) => n.start());
  for (let t = 250; t <= 22_000; t += 250) {
    clock.runUntil(t);
    await Promise.all(sinks.map((s) => s.flush()));
  }
  nodes.forEach((n) => n.stop());
  await Promise.all(sinks.map((s) => s.flush()));
  run = { nodes, executors, stores, genesis, delivered, outcomes, ids, hospitals, pid };
}, 120_000);

describe('consensus over the ledger (one block format)', () => {
  it('finalises one chain of ledger blocks on every node, with the transactions validated by applyBlock', () => {
    const finals = run.nodes.map((n) => n.tree.final);
    const low = finals.reduce((a, b) => (b.height < a.height ? b : a));
    expect(low.height).toBeGreaterThanOrEqual(15);
    for (const n of run.nodes) {
      expect(n.tree.safetyViolations).toBe(0);
      expect(n.tree.get(low.hex)?.final).toBe(true);
    }
    const chain = run.nodes[0].tree.finalChain();
    const txTypes = chain.flatMap((e) => (e.block ? e.block.txs.map((t) => t.body.type) : []));
    for (const t of ['emr', 'consent-grant', 'trace', 'access-request', 'audit-request', 'access-record', 'delivery']) expect(txTypes).toContain(t);
    // every non-genesis block carries exactly its parent's certificate (none on a child of genesis)
    for (const e of chain.slice(1)) {
      const b = e.block as Block;
      if (e.height === 1) expect(b.certs).toEqual([]);
      else expect(b.certs.map((c) => hex(c.block))).toEqual([e.parent!.hex]);
      expect(hex(blockId(b))).toBe(e.hex);
    }
  });

  it('ledger state follows consensus: Streamlet finality, credits, validator sets', () => {
    const n = run.nodes[0];
    const s = run.executors[0].stateOf(n.tree.final)!;
    // the chain proves finality one block behind the node's view (the last certificate is not yet carried)
    expect(s.finalized.height).toBeGreaterThanOrEqual(n.tree.final.height - 2);
    expect(s.finalized.height).toBeLessThan(n.tree.final.height);
    expect(n.tree.get(s.finalized.id)?.final).toBe(true);
    const cs = n.tree.creditStateAt(n.tree.final);
    for (const h of run.hospitals) expect(s.credits.get(hex(h.pk))).toBe(cs.credits.get(hex(h.pk)));
    expect(Math.max(...[...cs.credits.values()])).toBeGreaterThan(100);
    const block = n.tree.final.block as Block;
    expect(hex(block.header.validators)).toBe(hex(n.tree.setIdOf(n.tree.scheduleOf(n.tree.final))));
  });

  it('fires the sharing contract once per finalised granted access record, and its delivery is final', () => {
    const done = run.outcomes.filter((o) => o.status === 'done');
    expect(done).toHaveLength(1);
    expect(done[0].node).toBe(0); // the EMR's hospital
    expect(run.delivered).toHaveLength(1);
    expect(hex(run.delivered[0].recordId)).toBe(hex(run.ids.record));
    // the other nodes skipped it (not the executor)
    expect(run.outcomes.filter((o) => o.status === 'skipped').length).toBeGreaterThanOrEqual(3);
    const s = run.executors[0].stateOf(run.nodes[0].tree.final)!;
    expect(s.granted.get(hex(run.ids.record))?.delivery).not.toBeNull();
  });

  it('stores the final chain and state in MemoryChainStore and DexieChainStore alike; rebuildState equals the stored state', async () => {
    const [mem, dexie] = run.stores;
    const hm = await mem.head();
    const hd = await dexie.head();
    expect(hm).toBeDefined();
    expect(hd!.height).toBe(run.nodes[1].tree.final.height);
    expect(hm!.height).toBe(run.nodes[0].tree.final.height);
    const common = Math.min(hm!.height, hd!.height);
    expect(hex(blockId((await mem.getBlockAt(common))!))).toBe(hex(blockId((await dexie.getBlockAt(common))!)));
    for (const [i, store] of [mem, dexie].entries()) {
      const stored = await store.getState();
      expect(hex(encodeState(stored!))).toBe(hex(encodeState(run.executors[i].stateOf(run.nodes[i].tree.final)!)));
      const hooks = consensusHooks(run.nodes[i].tree);
      const rebuilt = await rebuildState(store, hooks);
      expect(rebuilt.ok).toBe(true);
      if (rebuilt.ok) expect(hex(encodeState(rebuilt.state))).toBe(hex(encodeState(stored!)));
      expect(await checkStoredState(store, hooks)).toMatchObject({ ok: true });
      // the delivery left the store's mempool when its block was committed
      expect((await store.mempool()).filter((t) => t.body.type === 'delivery')).toHaveLength(0);
    }
  });

  it('exports patient chains from either store that verify alone, with Streamlet finality evidence', async () => {
    const chain = blockId(run.genesis);
    for (const store of run.stores.slice(0, 2)) {
      const bundle = await exportPatientChains(store, run.pid);
      expect(bundle.emr.map((e) => hex(txId(e.tx)))).toEqual([hex(run.ids.emr)]);
      expect(bundle.access.map((e) => e.tx.body.type)).toEqual(['access-record', 'delivery']);
      expect(verifyPatientChains(bundle, chain)).toEqual({ ok: true, emr: 1, access: 2 });
      expect(verifyPatientChains(decodeBundle(encodeBundle(bundle)), chain)).toEqual({ ok: true, emr: 1, access: 2 });
      // the proof for the newest entry: three certified headers in consecutive slots at or above it
      const newest = bundle.headers.find((h) => hex(blockId(h)) === hex(bundle.access[1].block))!;
      const slots = new Set(bundle.certificates.map((c) => c.slot));
      expect([...slots].some((a) => a + 1 >= newest.slot && slots.has(a + 1) && slots.has(a + 2))).toBe(true);
      // without the top certificate the newest entry is not proven final
      const top = Math.max(...bundle.certificates.map((c) => c.height));
      const cut = { ...bundle, certificates: bundle.certificates.filter((c) => c.height !== top) };
      expect(verifyPatientChains(cut, chain)).toMatchObject({ ok: false, error: { kind: 'not-final' } });
    }
    await run.stores[1].close();
  });
});
