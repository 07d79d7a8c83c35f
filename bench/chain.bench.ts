/**
 * `node --import tsx bench/chain.bench.ts` (BENCH_QUICK=1 for a smoke run).
 *
 * - finality_verify_v50: checking a V = 50 finality certificate (all 50
 *   signers, the worst case) as one fastAggregateVerify (`medchain`) against
 *   50 single BLS verifications (`medchain-naive`).
 * - block_apply_100tx: helper-11's applyBlock on a block of 100 signed
 *   transactions, signatures verified (`medchain`) and skipped
 *   (`medchain-nosig`, what a node does for its own blocks).
 * - sim_v50 / sim_v200: the DPoS simulator in the 'insecure-fast' signature
 *   mode; median_us = wall time per simulated slot; extra fields give the
 *   simulated finalised blocks per second and mean finality latency.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bls, ready } from '../src/lib/crypto';
import { voteMessage } from '../src/lib/chain/consensus';
import { runSimulation } from '../src/lib/chain/sim';
import { benchOp, printTable, QUICK, writeResults, type Row } from './harness';

await ready();
const rows: Row[] = [];
const heavy = { runs: QUICK ? 3 : 15, warmup: QUICK ? 1 : 2, minSampleMs: QUICK ? 1 : 10 };

// ---------------------------------------------------------------- finality certificate, V = 50
{
  const V = 50;
  const sks = Array.from({ length: V }, (_, i) => bls.keygen(sha256(new TextEncoder().encode(`bench-validator-${i}`))));
  const pks = sks.map((s) => bls.publicKey(s));
  const msg = voteMessage(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), 1000, 1234);
  const sigs = sks.map((s) => bls.sign(s, msg));
  const agg = bls.aggregate(sigs);
  if (!bls.fastAggregateVerify(pks, msg, agg)) throw new Error('aggregate does not verify');
  const r = await benchOp(
    'finality_verify_v50',
    {
      medchain: () => bls.fastAggregateVerify(pks, msg, agg),
      'medchain-naive': () => sigs.every((s, i) => bls.verify(pks[i], msg, s))
    },
    { ...heavy, extra: { signers: V, bytes: 48 + Math.ceil(V / 8) } }
  );
  rows.push(...r);
  printTable(r);
}

// ---------------------------------------------------------------- applyBlock, 100 transactions
try {
  const chain = await import('../src/lib/chain');
  const party = (name: string) => {
    const sk = bls.keygen(new TextEncoder().encode(`medchain bench key ${name} -----------------------------`));
    return { sk, pk: bls.publicKey(sk) };
  };
  const enc = (n: number) => new Uint8Array(48).fill(n);
  const pkg = party('pkg');
  const hs = [party('h1'), party('h2'), party('h3')];
  const params = { validators: 3, slotMs: 1000, genesisTime: 1_700_000_000_000, initialCredit: 100, creditThreshold: 50, roundSlots: 10 };
  const members = [
    chain.makeMember(pkg.sk, { role: 'pkg', enc: enc(1), name: 'PKG' }),
    ...hs.map((h, i) => chain.makeMember(h.sk, { role: 'hospital', enc: enc(i + 2), name: `h${i}`, rating: 900 - i, tier: '3A' as const }))
  ];
  const genesis = chain.makeGenesis(pkg.sk, { name: 'bench', params, members });
  const g = chain.genesisState(genesis);
  if (!g.ok) throw g.error;
  const s0 = g.state;
  // 100 approval-vote transactions (each replaces its author's approvals).
  const txs = Array.from({ length: 100 }, (_, i) => {
    const h = hs[i % 3];
    return chain.signTx(h.sk, { chain: s0.chain, seq: Math.floor(i / 3), time: params.genesisTime, body: { type: 'vote', delegates: [hs[(i + 1) % 3].pk] } });
  });
  const producer = hs.find((h) => s0.validators.some((v) => chain.hex(v) === chain.hex(h.pk))) ?? hs[0];
  let produced: ReturnType<typeof chain.produceBlock> | null = null;
  for (let slot = 1; slot <= 12 && !produced; slot++) {
    for (const p of hs) {
      try {
        produced = chain.produceBlock(s0, p.sk, slot, txs);
        break;
      } catch {
        /* not this producer's slot */
      }
    }
  }
  void producer;
  if (!produced || produced.block.txs.length !== 100) throw new Error(`could not build a 100-transaction block (${produced?.rejected[0]?.error.message ?? 'no producer'})`);
  const block = produced.block;
  const check = chain.applyBlock(s0, block);
  if (!check.ok) throw check.error;
  const r = await benchOp(
    'block_apply_100tx',
    {
      medchain: () => chain.applyBlock(s0, block),
      'medchain-nosig': () => chain.applyBlock(s0, block, undefined, { verifySignatures: false })
    },
    { ...heavy, extra: (_impl, us) => ({ txs: 100, blocks_per_s: Math.round((1e6 / us) * 100) / 100 }) }
  );
  rows.push(...r);
  printTable(r);
} catch (e) {
  console.log(`block_apply_100tx: skipped (${e instanceof Error ? e.message : String(e)})`);
}

// ---------------------------------------------------------------- simulator throughput
for (const [V, blocks] of [
  [50, QUICK ? 8 : 60],
  [200, QUICK ? 4 : 30]
] as const) {
  const s = await runSimulation({ validators: V, blocks, seed: 'bench', sig: 'insecure-fast', delayMin: 20, delayMax: 100 });
  const perSlotUs = (s.wall_ms * 1000) / blocks;
  const row: Row = {
    op: `sim_v${V}`,
    impl: 'medchain',
    median_us: Math.round(perSlotUs),
    min_us: Math.round(perSlotUs),
    max_us: Math.round(perSlotUs),
    runs: 1,
    slots: blocks,
    sim_blocks_per_s: s.blocks_per_s,
    mean_finality_ms: s.mean_finality_ms,
    wall_slots_per_s: Math.round((blocks / (s.wall_ms / 1000)) * 100) / 100,
    messages: s.messages_delivered,
    sig: s.sig
  };
  rows.push(row);
  printTable([row]);
}

writeResults('chain', rows);
