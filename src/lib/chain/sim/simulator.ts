/**
 * Deterministic DPoS simulator: V validator nodes (plus spare hospitals that
 * can take a demoted validator's place) in one process, over a SimClock and a
 * SimNetwork with seeded delays, loss and a partition window; some validators
 * byzantine (equivocating, withholding, invalid blocks), some crashed. The
 * result is a function of the options alone (the seed included).
 *
 * Signature modes (`sig`):
 * - 'bls': real BLS, every node verifies everything itself (slow: V^2
 *   verifications per block);
 * - 'bls-memo' (default): real BLS; one verification cache shared by all nodes
 *   (results are identical, each distinct signature is checked once);
 * - 'insecure-fast': INSECURE_HASH_SCHEME (no cryptographic security at all),
 *   for throughput runs at V = 50..200. Byzantine nodes never forge here.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { encode } from '../../codec';
import { ready } from '../../crypto';
import { hex } from '../bytes';
import { makeGenesis, makeMember, signTx } from '../build';
import { txId } from '../encoding';
import type { Block, ChainState, Hex, PublicKey, Transaction } from '../types';
import { SimClock } from '../consensus/clock';
import { hexOf, roundOf } from '../consensus/dpos';
import { consensusConfigFromGenesis, LedgerExecutor } from '../consensus/ledger';
import { ConsensusNode, type Behaviour } from '../consensus/node';
import { blsScheme, identityMemo, INSECURE_HASH_SCHEME, memoised, type SignatureScheme } from '../consensus/signature';
import { emptyExecutor, type CreditCache, type Entry, type Executor } from '../consensus/tree';
import { DEFAULT_CREDITS, type ConsensusConfig, type Member, type Tier } from '../consensus/types';
import { SimNetwork } from './network';
import { Rng } from './rng';

export type SigMode = 'bls' | 'bls-memo' | 'insecure-fast';
export type ByzantineKind = 'mixed' | Exclude<Behaviour, 'honest'>;

export interface SimOptions {
  validators: number;
  byzantine?: number;
  crash?: number;
  /** Length of the partition window in simulated ms (0: none). */
  partitionMs?: number;
  /** Start of the partition window (default: after 3 slots). */
  partitionAt?: number;
  drop?: number;
  delayMin?: number;
  delayMax?: number;
  /** Slots to run. */
  blocks: number;
  seed: string | number;
  sig?: SigMode;
  slotMs?: number;
  roundSlots?: number;
  /** Hospitals beyond V (default max(2, byzantine + crash)); they run nodes and replace demoted validators. */
  spare?: number;
  byzantineKind?: ByzantineKind;
  /** When crashed nodes stop (simulated ms; default 0: never started). */
  crashAt?: number;
  /** Every k-th validator is tier 3B (votes, does not produce); 0: all 3A. */
  tier3bEvery?: number;
  /** Synthetic EMR transactions each producer puts in its block (real ledger payloads; default 2; bls modes only). */
  emrPerBlock?: number;
}

export interface SimSummary {
  finalised_height: number;
  forks_finalised: number;
  safety_violations: number;
  blocks_per_s: number;
  mean_finality_ms: number;
  credits: Record<string, number>;
  /** 'live' if some block was finalised in the last quarter of the run, else 'stopped'. */
  finality: 'live' | 'stopped';
  finalised_height_min: number;
  last_final_slot: number;
  validators: number;
  byzantine: Record<string, string>;
  crashed: string[];
  demoted: string[];
  validators_now: string[];
  evidence_submitted: number;
  messages_delivered: number;
  messages_dropped: number;
  sig: SigMode;
  /** Ledger: transactions in the best honest node's final chain, EMR entries in its final state, the height that state proves final. */
  ledger_txs_final: number;
  ledger_emr_entries: number;
  ledger_finalized_height: number;
  sim_ms: number;
  wall_ms: number;
}

export async function runSimulation(o: SimOptions): Promise<SimSummary> {
  const wall0 = performance.now();
  const V = o.validators;
  const B = o.byzantine ?? 0;
  const C = o.crash ?? 0;
  if (!Number.isInteger(V) || V < 1) throw new RangeError('validators: a positive integer');
  if (B + C > V) throw new RangeError('byzantine + crash: more than the validators');
  const sigMode: SigMode = o.sig ?? 'bls-memo';
  const slotMs = o.slotMs ?? 1000;
  const spare = o.spare ?? Math.max(2, B + C);
  const seed = String(o.seed);
  const rng = new Rng(seed);
  let scheme: SignatureScheme;
  if (sigMode === 'insecure-fast') scheme = identityMemo(INSECURE_HASH_SCHEME);
  else {
    await ready();
    scheme = sigMode === 'bls-memo' ? identityMemo(memoised(blsScheme)) : blsScheme;
  }

  // Members: hospital i has rating 1000 - i, so the first V are the validators
  // at genesis and the spares follow in order.
  const M = V + spare;
  const names = Array.from({ length: M }, (_, i) => `h${String(i).padStart(3, '0')}`);
  const keys = names.map((n) => scheme.keygen(sha256(new TextEncoder().encode(`medchain-sim-key:${seed}:${n}`))));
  const every = o.tier3bEvery ?? 0;
  const tierOf = (i: number): Tier => (every > 0 && i % every === every - 1 ? '3B' : '3A');
  const members: Member[] = keys.map((k, i) => ({ key: k.pk, pop: k.pop, rating: 1000 - i, tier: tierOf(i), name: names[i] }));
  const nameOf = new Map(keys.map((k, i) => [hexOf(k.pk), names[i]]));
  const skOf = new Map(keys.map((k) => [hexOf(k.pk), k.sk]));
  const roundSlots = o.roundSlots ?? 8;
  let config: ConsensusConfig;
  let makeExecutor: () => Executor;
  let ledgerOf: ((e: Entry) => ChainState | undefined) | null = null;
  let corrupt: ((producer: number) => (txs: Transaction[], parent: Entry) => Transaction[]) | undefined;
  if (sigMode === 'insecure-fast') {
    // Not BLS keys: no ledger (its signatures are BLS); empty blocks.
    config = {
      chain: sha256(encode({ t: 'medchain/sim-genesis', seed, validators: V, members: members.map((m) => m.key) })),
      validators: V,
      slotMs,
      genesisTime: 0,
      roundSlots,
      credits: DEFAULT_CREDITS,
      members,
      approvals: new Map()
    };
    makeExecutor = () => emptyExecutor;
  } else {
    // A real ledger: a PKG, one patient, the hospitals; producers add
    // synthetic EMR entries for the patient, validated by applyBlock.
    const pkgSk = blsScheme.keygen(sha256(new TextEncoder().encode(`medchain-sim-key:${seed}:pkg`))).sk;
    const patientSk = blsScheme.keygen(sha256(new TextEncoder().encode(`medchain-sim-key:${seed}:patient`))).sk;
    const pid = sha256(new TextEncoder().encode(`sim patient ${seed}`));
    const pid64 = new Uint8Array(64);
    pid64.set(pid);
    const enc = new Uint8Array(48);
    const genesis: Block = makeGenesis(pkgSk, {
      name: `sim ${seed}`,
      params: { validators: V, slotMs, genesisTime: 0, initialCredit: DEFAULT_CREDITS.initial, creditThreshold: DEFAULT_CREDITS.threshold, roundSlots },
      members: [
        makeMember(pkgSk, { role: 'pkg', enc, name: 'pkg' }),
        makeMember(patientSk, { role: 'patient', enc, name: 'patient', pid: pid64 }),
        ...keys.map((k, i) => makeMember(k.sk, { role: 'hospital', enc, name: names[i], rating: 1000 - i, tier: tierOf(i) }))
      ]
    });
    config = consensusConfigFromGenesis(genesis);
    const perBlock = o.emrPerBlock ?? 2;
    const synthetic = (state: ChainState, producer: PublicKey, slot: number, seq: number): Transaction[] => {
      const sk = skOf.get(hexOf(producer));
      if (!sk) return [];
      let prev = state.patientChains.get(hex(pid64))?.emrHead ?? null;
      const out: Transaction[] = [];
      for (let i = 0; i < perBlock; i++) {
        const tx = signTx(sk, {
          chain: config.chain,
          seq: seq + i,
          time: slot * slotMs,
          body: {
            type: 'emr',
            pid: pid64,
            prev,
            info: { h3c: sha256(encode({ slot, i })), index: `sim/${slot}/${i}`, description: `synthetic record ${slot}.${i}`, time: slot * slotMs },
            audit: { scheme: 'sw-priv', name: sha256(encode({ name: slot, i })), n: 1, s: 1, v: producer },
            sealedKey: null
          }
        });
        out.push(tx);
        prev = txId(tx);
      }
      return out;
    };
    // One state map for all nodes: the ledger state after a block is a pure
    // function of its chain, so each block is applied (and its signatures
    // checked) once per process, like the shared signature cache.
    const states = new Map<Hex, ChainState>();
    const shared = new LedgerExecutor({ genesis, synthetic, states });
    makeExecutor = () => shared;
    ledgerOf = (e) => shared.stateOf(e);
    corrupt = (i) => (txs, parent) => {
      // A transaction by the producer that the ledger refuses (only the PKG records traces).
      const { sk, pk } = keys[i];
      const seq = (shared.stateOf(parent)?.nonces.get(hex(pk)) ?? 0) + txs.filter((t) => hex(t.author) === hex(pk)).length;
      return [...txs, signTx(sk, { chain: config.chain, seq, time: 0, body: { type: 'trace', pid: pid64, requester: pk, reason: 'byzantine', time: 0 } })];
    };
  }

  // Roles: byzantine and crashed nodes drawn among the genesis validators
  // that produce (3A), then the rest.
  const order = rng.shuffle(Array.from({ length: V }, (_, i) => i));
  const producersFirst = [...order.filter((i) => members[i].tier === '3A'), ...order.filter((i) => members[i].tier !== '3A')];
  const kinds: Exclude<Behaviour, 'honest'>[] = o.byzantineKind && o.byzantineKind !== 'mixed' ? [o.byzantineKind] : ['equivocate', 'withhold', 'invalid'];
  const behaviour = new Map<number, Behaviour>();
  producersFirst.slice(0, B).forEach((i, k) => behaviour.set(i, kinds[k % kinds.length]));
  const crashed = new Set(producersFirst.slice(B, B + C));

  const clock = new SimClock(0);
  const partitionMs = o.partitionMs ?? 0;
  const group = new Map<string, 0 | 1>();
  rng.shuffle(names).forEach((n, i) => group.set(n, i % 2 === 0 ? 0 : 1));
  const partitionAt = o.partitionAt ?? 3 * slotMs;
  const net = new SimNetwork(clock, rng, {
    delayMin: o.delayMin ?? 20,
    delayMax: o.delayMax ?? 100,
    drop: o.drop ?? 0,
    partition: partitionMs > 0 ? { start: partitionAt, end: partitionAt + partitionMs, group, bridges: new Set([...behaviour.keys()].map((i) => names[i])) } : undefined
  });

  const creditCache: CreditCache = new Map();
  // The genesis proofs of possession are checked once here, not by every node.
  for (const m of members) if (!scheme.popVerify(m.key, m.pop)) throw new Error('simulator: bad proof of possession');
  const nodes = names.map(
    (n, i) =>
      new ConsensusNode({
        config,
        keys: { sk: keys[i].sk, pk: keys[i].pk },
        bus: net.endpoint(n),
        clock,
        scheme,
        executor: makeExecutor(),
        creditCache,
        trustGenesis: true,
        behaviour: behaviour.get(i) ?? 'honest',
        corruptPayload: corrupt?.(i)
      })
  );
  const crashAt = o.crashAt ?? 0;
  nodes.forEach((node, i) => {
    if (!crashed.has(i)) node.start();
    else if (crashAt > 0) {
      node.start();
      clock.at(crashAt, () => node.stop());
    }
  });

  const end = config.genesisTime + (o.blocks + 1) * slotMs;
  clock.runUntil(end);
  for (const n of nodes) n.stop();

  // ---------------------------------------------------------------- summary
  const honest = nodes.filter((_, i) => !behaviour.has(i) && !crashed.has(i));
  const byHeight = new Map<number, Set<string>>();
  let violations = 0;
  let latencySum = 0;
  let latencyCount = 0;
  let lastFinalSlot = 0;
  for (const n of honest) {
    violations += n.tree.safetyViolations;
    for (const e of n.tree.finalChain()) {
      if (!e.block) continue;
      const s = byHeight.get(e.height) ?? new Set();
      s.add(e.hex);
      byHeight.set(e.height, s);
    }
    for (const [hex, t] of n.finalisedAt) {
      const e = n.tree.get(hex);
      if (!e) continue;
      latencySum += t - (config.genesisTime + e.slot * slotMs);
      latencyCount++;
      lastFinalSlot = Math.max(lastFinalSlot, n.slotAt(t));
    }
  }
  const forks = [...byHeight.values()].filter((s) => s.size > 1).length;
  const heights = honest.map((n) => n.tree.final.height);
  const top = honest.reduce((a, b) => (b.tree.final.height > a.tree.final.height ? b : a), honest[0] ?? nodes[0]);
  const credits: Record<string, number> = {};
  const cs = top.tree.creditStateAt(top.tree.final);
  for (const [k, v] of cs.credits) credits[nameOf.get(k) ?? k.slice(0, 8)] = v;
  const nowSched = top.tree.schedule(top.tree.head(), roundOf(o.blocks + 1, config.roundSlots));
  const validatorsNow = nowSched.validators.map((m) => nameOf.get(hexOf(m.key)) ?? '?');
  const genesisVals = names.slice(0, V);
  const simMs = end - config.genesisTime;
  const finalisedHeight = heights.length ? Math.max(...heights) : 0;
  const ledgerState = ledgerOf?.(top.tree.final);
  const ledgerTxs = top.tree.finalChain().reduce((a, e) => a + (e.block?.txs.length ?? 0), 0);
  return {
    finalised_height: finalisedHeight,
    forks_finalised: forks,
    safety_violations: violations + forks,
    blocks_per_s: round3(finalisedHeight / (simMs / 1000)),
    mean_finality_ms: latencyCount ? Math.round(latencySum / latencyCount) : 0,
    credits,
    finality: lastFinalSlot > o.blocks - Math.max(4, Math.floor(o.blocks / 4)) ? 'live' : 'stopped',
    finalised_height_min: heights.length ? Math.min(...heights) : 0,
    last_final_slot: lastFinalSlot,
    validators: V,
    byzantine: Object.fromEntries([...behaviour].map(([i, b]) => [names[i], b])),
    crashed: [...crashed].map((i) => names[i]),
    demoted: genesisVals.filter((n) => !validatorsNow.includes(n)),
    validators_now: validatorsNow,
    evidence_submitted: nodes.reduce((a, n) => a + n.stats.evidence, 0),
    messages_delivered: net.delivered,
    messages_dropped: net.dropped,
    sig: sigMode,
    ledger_txs_final: ledgerTxs,
    ledger_emr_entries: ledgerState?.emrs.size ?? 0,
    ledger_finalized_height: ledgerState?.finalized.height ?? 0,
    sim_ms: simMs,
    wall_ms: Math.round(performance.now() - wall0)
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
