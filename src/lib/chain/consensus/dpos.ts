/**
 * Delegated proof of stake (SPEC §6): standing, the validator set, producers,
 * rounds, the shuffled producer order and the credit-point ledger.
 *
 * - standing(m) = rating(m) + sum over member hospitals h approving m of
 *   floor(rating(h) / |approvals(h)|): each hospital's approval weight is its
 *   rating, split evenly among the delegates it approves.
 * - qualified: a member whose credit is >= the threshold (a member without
 *   credit events yet, e.g. registered after genesis, has `initial`).
 * - members, ratings, tiers and approvals: those of the ledger state at the
 *   round's anchor (tree.ts `schedule`, `Executor.membership`).
 * - validators: the top V qualified members by standing (ties by key hex);
 *   a round's set is ordered by key hex (the ledger's order: validatorSetId
 *   and the certificate bitmap).
 * - producers: the validators of tier 3A, shuffled each round with
 *   SHA-256({t: medchain/shuffle, chain, anchor, round}) where `anchor` is the
 *   last finalised block the round is computed from (see tree.ts).
 * - slot s belongs to round floor(s / roundSlots); its producer is
 *   order[(s - round * roundSlots) mod |producers|]. A slot without a block is
 *   skipped and its producer loses `missedSlot` points.
 * - quorum(n) = floor(2n/3) + 1.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { encode } from '../../codec';
import { T_SHUFFLE } from './encoding';
import { CONSENSUS_VERSION, type ConsensusConfig, type CreditRules, type Hash, type Hex, type Member } from './types';

const hexCache = new WeakMap<Uint8Array, Hex>();
/** Lower-case hex, cached per byte array (keys and ids are never mutated once made). */
export function hexOf(b: Uint8Array): Hex {
  let h = hexCache.get(b);
  if (h === undefined) {
    h = bytesToHex(b);
    hexCache.set(b, h);
  }
  return h;
}

export function quorum(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n: ${n} not a count`);
  return Math.floor((2 * n) / 3) + 1;
}

export function roundOf(slot: number, roundSlots: number): number {
  return Math.floor(slot / roundSlots);
}

/** Standing of every member: rating plus rating-weighted approvals. */
export function standings(members: readonly Member[], approvals: ReadonlyMap<Hex, readonly Hex[]>): Map<Hex, number> {
  const byKey = new Map(members.map((m) => [hexOf(m.key), m]));
  const s = new Map<Hex, number>();
  for (const [k, m] of byKey) s.set(k, m.rating);
  for (const [voter, delegates] of approvals) {
    const v = byKey.get(voter);
    const distinct = [...new Set(delegates)].filter((d) => byKey.has(d));
    if (!v || distinct.length === 0) continue;
    const w = Math.floor(v.rating / distinct.length);
    for (const d of distinct) s.set(d, (s.get(d) ?? 0) + w);
  }
  return s;
}

/** The credit ledger derived from a finalised chain prefix. Immutable. */
export interface CreditState {
  readonly credits: ReadonlyMap<Hex, number>;
  /** Evidence keys already punished (`${kind}:${offender}:${slot}`). */
  readonly punished: ReadonlySet<string>;
}

export function initialCredits(config: ConsensusConfig): CreditState {
  return { credits: new Map(config.members.map((m) => [hexOf(m.key), config.credits.initial])), punished: new Set() };
}

/** What one block changes in the credit ledger (computed by the block tree). */
export interface CreditEvents {
  /** Producers of slots the chain skipped before this block. */
  missed: Hex[];
  /** Producer of the parent, whose certificate this block carries. */
  certifiedProducer: Hex | null;
  /** Signers of the carried certificate. */
  voters: Hex[];
  /** Evidence carried: key for de-duplication, offender, kind. */
  evidence: { key: string; offender: Hex; kind: 'equivocation' | 'invalid' }[];
}

export function applyCredits(s: CreditState, rules: CreditRules, ev: CreditEvents): CreditState {
  const credits = new Map(s.credits);
  let punished: Set<string> | ReadonlySet<string> = s.punished;
  // A member registered after genesis is not in the ledger yet: it starts at `initial` (as the ledger's `register`).
  const add = (k: Hex, d: number) => credits.set(k, (credits.get(k) ?? rules.initial) + d);
  for (const k of ev.missed) add(k, -rules.missedSlot);
  if (ev.certifiedProducer) add(ev.certifiedProducer, rules.produce);
  for (const k of ev.voters) add(k, rules.vote);
  for (const e of ev.evidence) {
    if (punished.has(e.key)) continue;
    if (punished === s.punished) punished = new Set(s.punished);
    (punished as Set<string>).add(e.key);
    add(e.offender, -(e.kind === 'equivocation' ? rules.equivocation : rules.invalidBlock));
  }
  return { credits, punished };
}

/** Top V qualified members by standing, ties by key hex. */
export function selectValidators(config: ConsensusConfig, state: CreditState): Member[] {
  const st = standings(config.members, config.approvals);
  return config.members
    .filter((m) => (state.credits.get(hexOf(m.key)) ?? config.credits.initial) >= config.credits.threshold)
    .map((m) => ({ m, k: hexOf(m.key), s: st.get(hexOf(m.key)) ?? 0 }))
    .sort((a, b) => b.s - a.s || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .slice(0, config.validators)
    .map((x) => x.m);
}

export function shuffleSeed(chain: Hash, anchor: Hash, round: number): Hash {
  return sha256(encode({ t: T_SHUFFLE, v: CONSENSUS_VERSION, chain, anchor, round }));
}

/** Fisher-Yates with a SHA-256 counter stream and rejection sampling (no modulo bias). */
export function shuffle<T>(items: readonly T[], seed: Hash): T[] {
  const out = [...items];
  let counter = 0;
  let pool = new Uint8Array(0);
  let pos = 0;
  const next32 = (): number => {
    if (pos + 4 > pool.length) {
      const c = new Uint8Array(seed.length + 4);
      c.set(seed);
      new DataView(c.buffer).setUint32(seed.length, counter++);
      pool = sha256(c);
      pos = 0;
    }
    const x = new DataView(pool.buffer, pool.byteOffset + pos, 4).getUint32(0);
    pos += 4;
    return x;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const n = i + 1;
    const limit = Math.floor(0x100000000 / n) * n;
    let x: number;
    do x = next32();
    while (x >= limit);
    const j = x % n;
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Who does what in one round on one chain. */
export interface RoundSchedule {
  round: number;
  /** The finalised block this round was computed from. */
  anchor: Hash;
  validators: Member[];
  /** key hex -> index in `validators` (the bitmap position). */
  index: Map<Hex, number>;
  /** Tier-3A validators in this round's shuffled order. */
  order: Member[];
  quorum: number;
}

export function makeSchedule(config: ConsensusConfig, state: CreditState, anchor: Hash, round: number): RoundSchedule {
  // Chosen by standing, ordered by key hex: the ledger's validator-set order
  // (validatorSetId, certificate bitmap), as hooks.ts `topValidators`.
  const validators = selectValidators(config, state).sort((a, b) => (hexOf(a.key) < hexOf(b.key) ? -1 : hexOf(a.key) > hexOf(b.key) ? 1 : 0));
  const producers = validators.filter((m) => m.tier === '3A');
  const order = shuffle(producers, shuffleSeed(config.chain, anchor, round));
  return { round, anchor, validators, index: new Map(validators.map((m, i) => [hexOf(m.key), i])), order, quorum: quorum(validators.length) };
}

/** The producer scheduled for `slot` (null if the round has no producer). */
export function producerAt(s: RoundSchedule, slot: number, roundSlots: number): Member | null {
  if (s.order.length === 0) return null;
  return s.order[(slot - s.round * roundSlots) % s.order.length];
}
