/**
 * Consensus data types (SPEC §6): the configuration of a DPoS network, credit
 * rules and check results. Blocks, headers, finality votes, certificates and
 * evidence are the LEDGER's types (`../types.ts`), the one stored, gossiped
 * and exported format:
 *
 * - `Block = {header, txs, certs}`: consensus reads the parent's certificate
 *   from `certs` (exactly `[parent's certificate]`, none on a child of
 *   genesis) and evidence from the block's `evidence` transactions;
 * - `FinalityVote` / `FinalityCertificate` name the `slot` as well as the
 *   height (validators vote at most once per SLOT: two votes for one slot are
 *   misbehaviour, two for one height are not); the signed message is
 *   `finalityMessage(chain, block, height, slot)`;
 * - `Evidence` has the kinds double-block, double-vote and invalid-block;
 * - one certificate makes a block *certified*; a block is *final* by the
 *   three-consecutive-slots rule (tree.ts), as is `ChainState.finalized`.
 */
import type { Block, BlockHeader, Evidence, FinalityCertificate, FinalityVote, Hash, Hex, PublicKey, Signature, Tier, Transaction } from '../types';

export type { Block, BlockHeader, Evidence, FinalityCertificate, FinalityVote, Hash, Hex, PublicKey, Signature, Tier, Transaction };

export const CONSENSUS_VERSION = 1;

/** A hospital as consensus sees it: key, proof of possession, rating, tier. */
export interface Member {
  key: PublicKey;
  /** bls.popProve(sk): checked once when the member set is loaded. */
  pop: Signature;
  /** Rating score, integer points (0..1_000_000). */
  rating: number;
  tier: Tier;
  name?: string;
}

/** Credit-point rules (SPEC §6 "credit points"). All integers. */
export interface CreditRules {
  /** Every member starts with this many points. */
  initial: number;
  /** Below this a member is not qualified: it loses its role at the next round. */
  threshold: number;
  /** Awarded to the producer of a block when its certificate is carried by a later block. */
  produce: number;
  /** Awarded to each signer of a certificate carried in a block. */
  vote: number;
  /** Deducted from the scheduled producer of a slot that the chain skips. */
  missedSlot: number;
  /** Deducted for a proven invalid block. */
  invalidBlock: number;
  /** Deducted for proven equivocation (two blocks or two votes for one slot). */
  equivocation: number;
}

export const DEFAULT_CREDITS: CreditRules = {
  initial: 100,
  threshold: 50,
  produce: 1,
  vote: 1,
  missedSlot: 5,
  invalidBlock: 60,
  equivocation: 100
};

/** Everything the nodes of one network must agree on (the consensus part of genesis). */
export interface ConsensusConfig {
  /** Genesis block id: names the chain, signed into every header and vote. */
  chain: Hash;
  /** V: how many validators (top V qualified hospitals by standing). */
  validators: number;
  /** Slot length in ms. */
  slotMs: number;
  /** Start of slot 0 in the clock's ms. Slot 0 is genesis; blocks have slot >= 1. */
  genesisTime: number;
  /** Slots per round: validator set and producer order are fixed within a round. */
  roundSlots: number;
  credits: CreditRules;
  members: readonly Member[];
  /** Approval votes: voter key hex -> delegate key hexes (SPEC §6 delegation). */
  approvals: ReadonlyMap<Hex, readonly Hex[]>;
  /** At most this many evidence items in one block. */
  maxEvidencePerBlock?: number;
}

/** A failed check is an outcome: which rule, and a sentence a person can act on. */
export type Reject = { ok: false; reason: RejectReason; detail: string };
export type Check = { ok: true } | Reject;

export type RejectReason =
  | 'malformed'
  | 'wrong-chain'
  | 'unknown-parent'
  | 'bad-height'
  | 'bad-slot'
  | 'future-slot'
  | 'not-producer'
  | 'bad-signature'
  | 'missing-certificate'
  | 'bad-certificate'
  | 'bad-evidence'
  | 'bad-payload'
  | 'bad-root'
  | 'bad-validators'
  | 'conflicts-with-final'
  | 'not-validator'
  | 'duplicate'
  | 'unknown-block';

export function reject(reason: RejectReason, detail: string): Reject {
  return { ok: false, reason, detail };
}
export const OK: Check = { ok: true };
