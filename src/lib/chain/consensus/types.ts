/**
 * Consensus data types (SPEC §6): the consensus view of a block, finality
 * votes, certificates, evidence and the configuration of a DPoS network.
 *
 * These mirror helper-11's ledger types in `../types.ts` (same key, hash and
 * signature sizes, members identified by their BLS key, the certificate
 * bitmap convention) but are kept local to consensus/ so that the protocol
 * can be tested and simulated without the transaction state machine. The
 * mapping onto the ledger block is in docs/consensus.md ("Integration").
 *
 * Differences from `../types.ts`, requested in the report:
 * - a vote and a certificate name the `slot` as well as the height: honest
 *   validators vote at most once per SLOT (Streamlet), so two votes for one
 *   height are not misbehaviour, two votes for one slot are;
 * - evidence also has the kind 'invalid-block' (a signed header with its
 *   payload that fails validation against its parent);
 * - a single certificate makes a block *certified* (notarised); a block is
 *   *final* by the three-consecutive-slots rule (see finality.ts).
 */
import type { Value } from '../../codec';
import type { Hash, Hex, PublicKey, Signature, Tier } from '../types';

export type { Hash, Hex, PublicKey, Signature, Tier };

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

/**
 * The signed part of a block. `payloadRoot` commits to the transactions
 * (whatever the Executor puts there), `parentCert` is the certificate of the
 * parent (null when the parent is genesis): every block carries the
 * certificate of the block it extends.
 */
export interface Header {
  v: typeof CONSENSUS_VERSION;
  chain: Hash;
  height: number;
  slot: number;
  prev: Hash;
  payloadRoot: Hash;
  parentCert: Certificate | null;
  evidence: Evidence[];
  producer: PublicKey;
  sig: Signature;
}

export interface Block {
  header: Header;
  /** Opaque to consensus; checked by the Executor. */
  payload: Value[];
}

/** One validator's finality vote: a BLS signature over voteMessage(chain, block, height, slot). */
export interface Vote {
  chain: Hash;
  block: Hash;
  height: number;
  slot: number;
  validator: PublicKey;
  sig: Signature;
}

/**
 * floor(2n/3)+1 of the n validators of the certified block's round signed
 * voteMessage(chain, block, height, slot); `sig` is their aggregate. Bit i of
 * `signers` (byte i >> 3, bit i & 7, least significant first) is validator i
 * of that round's ordered set; length ceil(n/8), unused bits zero.
 */
export interface Certificate {
  block: Hash;
  height: number;
  slot: number;
  signers: Uint8Array;
  sig: Signature;
}

export type Evidence =
  /** Two different headers signed by one producer for one slot. */
  | { kind: 'double-block'; a: Header; b: Header }
  /** Two votes by one validator for one slot naming different blocks. */
  | { kind: 'double-vote'; a: Vote; b: Vote }
  /** A signed header whose payload (matching payloadRoot) or fields fail validation on top of its parent. */
  | { kind: 'invalid-block'; header: Header; payload: Value[] };

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
  | 'conflicts-with-final'
  | 'not-validator'
  | 'duplicate'
  | 'unknown-block';

export function reject(reason: RejectReason, detail: string): Reject {
  return { ok: false, reason, detail };
}
export const OK: Check = { ok: true };
