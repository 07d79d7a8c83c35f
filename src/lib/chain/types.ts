/**
 * The consortium ledger's data types (SPEC §5, §6, §7): blocks, transactions,
 * finality certificates, the replicated state and the typed rejection.
 * Everything here is plain data; encodings live in `encoding.ts`, rules in
 * `validate.ts` / `state.ts`. STABLE: consensus/ and sim/ build on these
 * shapes; change them only together with their owners.
 *
 * Conventions
 * - Bytes are `Uint8Array`. `Hash` is 32 bytes (SHA-256 of a canonical
 *   DAG-CBOR encoding, see encoding.ts). Keys are hex (lower case) where a
 *   string is needed (map keys in ChainState): `hex(bytes)`.
 * - `PublicKey` is a BLS signing key in G2 (96 bytes compressed), `Signature`
 *   a BLS signature in G1 (48 bytes), ciphersuite
 *   BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_ (SPEC §2). `EncKey` is a
 *   participant's encryption key in G1 (48 bytes, SPEC §5; never used to sign).
 * - Integers are safe JS integers (DAG-CBOR has no floats): ratings are integer
 *   points, times are milliseconds since the Unix epoch.
 * - Ids: a transaction id is SHA-256 of the encoded signed transaction; a block
 *   id is SHA-256 of the encoded signed header (the header commits to the
 *   transactions and certificates by Merkle root / hash).
 *
 * Signing (what each signature covers; see encoding.ts for the bytes):
 * - transaction: `txSigningBytes(tx)` = encoding of the transaction without
 *   `sig`, tagged `t: 'medchain/tx'`, bound to the chain by `chain`.
 * - block: `headerSigningBytes(h)` = header without `sig`, `t: 'medchain/block'`.
 * - finality vote: `finalityMessage(chain, blockId, height, slot)` =
 *   encode({t:'medchain/finality', v:1, chain, block, height, slot}) (the same
 *   bytes as consensus/encoding.ts `voteMessage`); the certificate's aggregate
 *   signature is over this one message.
 */

export const CHAIN_VERSION = 1;

export const HASH_BYTES = 32;
export const PUBLIC_KEY_BYTES = 96;
export const SIGNATURE_BYTES = 48;
export const ENC_KEY_BYTES = 48;
/** A pseudonym (SPEC §3, identity layer): ID_BYTES = 64. */
export const PID_BYTES = 64;

export type Hash = Uint8Array;
export type PublicKey = Uint8Array;
export type Signature = Uint8Array;
export type EncKey = Uint8Array;
export type Pid = Uint8Array;
/** Lower-case hex of some bytes, used as a map key. */
export type Hex = string;

// ---------------------------------------------------------------- members

export const ROLES = ['pkg', 'hospital', 'patient', 'data-user', 'tpa', 'cloud'] as const;
export type Role = (typeof ROLES)[number];

/** Chinese hospital grades; only '3A' (三级甲等) hospitals produce blocks. */
export const TIERS = ['3A', '3B', '3C', '2A', '2B', '2C', '1A', '1B', '1C'] as const;
export type Tier = (typeof TIERS)[number];

/** Largest rating score (integer points, higher is better). */
export const MAX_RATING = 1_000_000;

/** A member as registered (genesis or `register`): key with its proof of possession. */
export interface MemberRecord {
  role: Role;
  /** BLS signing key (G2). */
  key: PublicKey;
  /** Proof of possession of `key` (bls.popProve); verified on registration. */
  pop: Signature;
  /** Encryption key (G1) for deliveries (SPEC §5), not verified on chain. */
  enc: EncKey;
  /** Display name, <= 128 UTF-16 units. */
  name: string;
  /** Hospitals only: rating score (0..MAX_RATING). */
  rating?: number;
  /** Hospitals only. */
  tier?: Tier;
  /** Patients only: their pseudonym. */
  pid?: Pid;
}

// ---------------------------------------------------------------- parameters

export interface ChainParams {
  /** V: validator count (the top V qualified hospitals), 1..1024. */
  validators: number;
  /** Slot duration in ms. */
  slotMs: number;
  /** Start of slot 0, ms since the epoch; a block's time is genesisTime + slot * slotMs. */
  genesisTime: number;
  /** Credit points every member hospital starts with. */
  initialCredit: number;
  /** A hospital whose credit is below this is not qualified (loses its role next round). */
  creditThreshold: number;
  /** Slots per round (producer order reshuffled each round; helper-12's schedule). */
  roundSlots: number;
}

// ---------------------------------------------------------------- transactions

export type Scheme = 'sw-priv' | 'yang2019';
export type DeliveryMode = 'rewrap' | 'reencrypt';

/** What an EMR entry records about the file (SPEC §3 `info = {H3(c), index, M, t}`). */
export interface EmrInfo {
  /** H3(c) as a 32-byte big-endian scalar. */
  h3c: Uint8Array;
  /** The cloud's storage index for {c, tags}. */
  index: string;
  /** M: description, <= 4096 chars. */
  description: string;
  /** t: time the record was made (ms). */
  time: number;
}

/** Audit metadata (SPEC §4: name, n, s, v; §3 for yang2019: R1, R2, IDm, pk_p). */
export type AuditMeta =
  | { scheme: 'sw-priv'; name: Uint8Array /* 32 */; n: number; s: number; v: PublicKey /* must equal the author (hospital) key */ }
  | { scheme: 'yang2019'; n: number; r1: Uint8Array /* G1 48 */; r2: Uint8Array /* G2 96 */; idm: Uint8Array /* IDm bytes, <= 256 */; pkP: PublicKey /* patient key pk_p, G2 */; v: PublicKey /* = author */ };

export type ConsentScope<T> = 'any' | T[];

/** Transaction bodies, discriminated by `type`. Authors and rules: validate.ts. */
export type TxBody =
  /** Block 0's only transaction, authored by the PKG. */
  | { type: 'genesis'; name: string; params: ChainParams; pkg: PublicKey; regulator: PublicKey; members: MemberRecord[] }
  /** The PKG (registration authority) adds a member. */
  | { type: 'register'; member: MemberRecord }
  /** The regulator (named in genesis) sets a hospital's rating and tier. */
  | { type: 'regulator-update'; hospital: PublicKey; rating: number; tier: Tier }
  /** A member hospital's approval votes (replaces its previous set; [] withdraws). */
  | { type: 'vote'; delegates: PublicKey[] }
  /** A hospital appends to the patient's medical-record chain. `prev` = previous EMR entry id or null. */
  | { type: 'emr'; pid: Pid; prev: Hash | null; info: EmrInfo; audit: AuditMeta; sealedKey: Uint8Array | null }
  /** A data user (or any member) asks to read one EMR. */
  | { type: 'access-request'; pid: Pid; emr: Hash; purpose: string }
  /** The EMR's hospital answers a pending request; appends to the access-record chain. */
  | { type: 'access-record'; request: Hash; pid: Pid; emr: Hash; requester: PublicKey; purpose: string; prev: Hash | null; decision: 'granted' | 'refused'; reason: string; mode: DeliveryMode }
  /** The patient allows requesters / purposes to read records (all fields conjunctive). */
  | { type: 'consent-grant'; pid: Pid; records: ConsentScope<Hash>; requesters: ConsentScope<PublicKey>; purposes: ConsentScope<string>; expires: number | null }
  /** The patient withdraws a grant (by the grant's transaction id). */
  | { type: 'consent-revoke'; pid: Pid; grant: Hash }
  /** The patient (or a TPA) asks for an audit of one EMR; `tpa` is who may answer. */
  | { type: 'audit-request'; pid: Pid; emr: Hash; tpa: PublicKey; c: number }
  /** The named TPA reports; `seed` = id of the block at the request's height + 1 (must be finalised). */
  | { type: 'audit-result'; request: Hash; seed: Hash; passed: boolean; proof: Hash; detail: string }
  /** The PKG records that it traced a pseudonym (SPEC §7). */
  | { type: 'trace'; pid: Pid; requester: PublicKey; reason: string; time: number }
  /** Anyone: two signed headers for one slot, or two finality votes for one slot. */
  | { type: 'evidence'; evidence: Evidence }
  /** The executor hospital records what the sharing contract delivered; appends to the access-record chain. */
  | { type: 'delivery'; record: Hash; pid: Pid; requester: PublicKey; mode: DeliveryMode; digest: Hash; prev: Hash | null };

export type TxType = TxBody['type'];
export type BodyOf<T extends TxType> = Extract<TxBody, { type: T }>;

export interface Transaction<B extends TxBody = TxBody> {
  v: typeof CHAIN_VERSION;
  /** Genesis block id; 32 zero bytes in the genesis transaction. */
  chain: Hash;
  author: PublicKey;
  /** Per-author sequence number: must equal the author's next nonce (0, 1, 2, ...). */
  seq: number;
  /** Author's claimed time (ms), informational. */
  time: number;
  body: B;
  sig: Signature;
}

/** A finality vote by one validator (also the unit of double-vote evidence). */
export interface FinalityVote {
  chain: Hash;
  block: Hash;
  height: number;
  slot: number;
  validator: PublicKey;
  sig: Signature;
}

/**
 * Proof of misbehaviour (SPEC §6; anyone may submit it in an `evidence`
 * transaction). Punished once per (kind, offender, slot): the key
 * `${kind}:${offender hex}:${slot}` (consensus/tree.ts `evidenceKey`).
 * - double-block: two different headers signed by one producer for one slot;
 * - double-vote: two finality votes by one validator for one slot naming different blocks;
 * - invalid-block: a signed block (its txs and certs match the signed roots)
 *   that fails validation on top of its parent. The ledger checks the
 *   signature, chain and roots only (it has no state of the accused block's
 *   parent); consensus (`BlockTree.verifyEvidence`) re-validates the block
 *   before a producer may include it, and a block carrying evidence consensus
 *   cannot verify is invalid. Its block's transactions may not themselves
 *   carry invalid-block evidence (nesting depth 1).
 */
export type Evidence =
  | { kind: 'double-block'; a: BlockHeader; b: BlockHeader }
  | { kind: 'double-vote'; a: FinalityVote; b: FinalityVote }
  | { kind: 'invalid-block'; block: Block };

// ---------------------------------------------------------------- blocks

export interface BlockHeader {
  v: typeof CHAIN_VERSION;
  /** Genesis block id; zero bytes in the genesis header. */
  chain: Hash;
  height: number;
  slot: number;
  /** Previous block id; zero bytes at height 0. */
  prev: Hash;
  /** Merkle root of the transaction ids (encoding.ts `merkleRoot`). */
  txRoot: Hash;
  /** SHA-256 of the encoded certificate list. */
  certRoot: Hash;
  /** `validatorSetId` of the set that certifies this block (the state's `validators` before it). */
  validators: Hash;
  /** `validatorSetId` of the set after this block (certifies the next block). */
  nextValidators: Hash;
  producer: PublicKey;
  sig: Signature;
}

/**
 * Finality certificate: floor(2n/3)+1 of the n validators named by the
 * certified header's `validators` signed `finalityMessage(chain, block, height, slot)`.
 * Bit i of `signers` (byte i >> 3, bit i & 7, least significant first) is
 * validator i of that set; length ceil(n / 8), unused bits zero.
 */
export interface FinalityCertificate {
  block: Hash;
  height: number;
  /** The certified block's slot. */
  slot: number;
  signers: Uint8Array;
  sig: Signature;
}

export interface Block {
  header: BlockHeader;
  txs: Transaction[];
  /** Certificates for earlier blocks of this chain, ascending height. */
  certs: FinalityCertificate[];
}

// ---------------------------------------------------------------- state

export interface MemberState extends MemberRecord {
  /** Height at which the member was registered. */
  since: number;
}

export interface PatientChainHeads {
  /** Last EMR entry id (medical-record chain) and its length. */
  emrHead: Hash | null;
  emrCount: number;
  /** Last access entry id (access-record chain: access records and deliveries) and its length. */
  accessHead: Hash | null;
  accessCount: number;
}

export interface EmrIndexEntry {
  id: Hash;
  pid: Pid;
  hospital: PublicKey;
  height: number;
  scheme: Scheme;
  info: EmrInfo;
  audit: AuditMeta;
}

export interface ConsentState {
  id: Hash;
  pid: Pid;
  records: ConsentScope<Hash>;
  requesters: ConsentScope<PublicKey>;
  purposes: ConsentScope<string>;
  expires: number | null;
  height: number;
}

export interface PendingAccess {
  id: Hash;
  requester: PublicKey;
  pid: Pid;
  emr: Hash;
  purpose: string;
  height: number;
}

/** A granted access record waiting for (or having) its delivery acknowledgement. */
export interface GrantedAccess {
  id: Hash;
  request: Hash;
  pid: Pid;
  emr: Hash;
  requester: PublicKey;
  mode: DeliveryMode;
  height: number;
  /** Delivery transaction id once acknowledged. */
  delivery: Hash | null;
}

export interface PendingAudit {
  id: Hash;
  pid: Pid;
  emr: Hash;
  tpa: PublicKey;
  c: number;
  height: number;
  /** Id of the block at height + 1, once applied. */
  seed: Hash | null;
}

/** A block applied but not yet final in this chain. */
export interface UnfinalizedBlock {
  height: number;
  slot: number;
  id: Hash;
  validators: Hash;
  /** A certificate for it has been carried by a block of this chain. */
  certified: boolean;
}

/**
 * The replicated state after some block. Immutable: `applyBlock` returns a new
 * object (unchanged maps are shared). Maps are keyed by hex of the id / key.
 * `encodeState` gives its one canonical encoding (maps sorted by key).
 */
export interface ChainState {
  v: typeof CHAIN_VERSION;
  /** Genesis block id. */
  chain: Hash;
  name: string;
  params: ChainParams;
  pkg: PublicKey;
  regulator: PublicKey;
  /** Last applied block. */
  height: number;
  head: Hash;
  slot: number;
  members: ReadonlyMap<Hex, MemberState>;
  /** pid hex -> patient key hex. */
  patients: ReadonlyMap<Hex, Hex>;
  /** author key hex -> next expected `seq`. */
  nonces: ReadonlyMap<Hex, number>;
  /** voter hospital key hex -> delegate key hexes (sorted, distinct). */
  votes: ReadonlyMap<Hex, readonly Hex[]>;
  /** pid hex -> heads of that patient's two chains. */
  patientChains: ReadonlyMap<Hex, PatientChainHeads>;
  /** EMR tx id hex -> entry. */
  emrs: ReadonlyMap<Hex, EmrIndexEntry>;
  /** consent-grant tx id hex -> active grant. */
  consents: ReadonlyMap<Hex, ConsentState>;
  /** access-request tx id hex -> not yet answered. */
  pending: ReadonlyMap<Hex, PendingAccess>;
  /** access-record tx id hex -> granted records (delivery outstanding or done). */
  granted: ReadonlyMap<Hex, GrantedAccess>;
  /** audit-request tx id hex -> unanswered audit. */
  audits: ReadonlyMap<Hex, PendingAudit>;
  /** hospital key hex -> credit points (helper-12's rules via ConsensusHooks). */
  credits: ReadonlyMap<Hex, number>;
  /** Evidence already punished: `${kind}:${offender hex}:${slot}`. */
  punished: ReadonlySet<string>;
  /** The ordered validator set that certifies the next block; its id is validatorSetId(validators). */
  validators: readonly PublicKey[];
  /** validatorSetId hex -> keys, for every set still referenced by `unfinalized` or current. */
  validatorSets: ReadonlyMap<Hex, readonly PublicKey[]>;
  /**
   * Last block proven FINAL by this chain itself (genesis is final): by the
   * Streamlet rule (hooks.ts `streamletFinalize`, the default) a block M is
   * final when M, its parent and its child are certified (their certificates
   * carried by blocks of this chain) in consecutive slots; genesis counts as
   * certified at slot 0. One certificate only makes a block *certified*
   * (`UnfinalizedBlock.certified`). Contracts and deliveries wait for this.
   */
  finalized: { height: number; id: Hash };
  /** Blocks above `finalized`, ascending. */
  unfinalized: readonly UnfinalizedBlock[];
}

// ---------------------------------------------------------------- errors

export type ChainErrorKind =
  | 'malformed' // bytes or fields of the wrong shape
  | 'bad-signature' // a transaction, header, PoP or certificate signature fails
  | 'wrong-chain' // chain id does not match
  | 'replay' // seq already used (the same or another transaction by this author)
  | 'out-of-order' // seq too high, wrong height/prev/slot, stale patient-chain prev
  | 'unknown-member' // author or named member not registered
  | 'not-authorised' // the author's role may not do this
  | 'not-producer' // block producer not a tier-3A validator / not scheduled
  | 'duplicate' // already registered / already answered / already delivered
  | 'not-found' // referenced EMR, request, grant, record, audit unknown
  | 'consent-denied' // an access grant that the patient's consent does not allow
  | 'not-final' // something needs a finalised block that is not yet final
  | 'bad-root' // txRoot / certRoot / validators mismatch
  | 'bad-certificate' // finality certificate invalid
  | 'bad-evidence'; // evidence does not prove misbehaviour

/** A typed rejection: `where` names the block height / tx index / field. */
export class ChainError extends Error {
  readonly kind: ChainErrorKind;
  readonly where: string;
  constructor(kind: ChainErrorKind, message: string, where = '') {
    super(where ? `${where}: ${message}` : message);
    this.name = 'ChainError';
    this.kind = kind;
    this.where = where;
  }
}

export type ApplyResult = { ok: true; state: ChainState } | { ok: false; error: ChainError };

/**
 * What consensus (helper-12, src/lib/chain/consensus/) plugs into applyBlock.
 * Deterministic functions of their arguments. Defaults in hooks.ts.
 */
export interface ConsensusHooks {
  /** Reject a header whose producer/slot is not allowed (called after the generic checks). */
  checkProducer(state: ChainState, header: BlockHeader): ChainError | null;
  /**
   * The ordered validator set that certifies the block with this header (its
   * `header.validators` must be this set's id, and its producer a member of
   * it). Default: `state.validators` (the set after the previous block).
   * Consensus: the set of the header's round, computed from the round anchor.
   */
  validatorsFor(state: ChainState, header: BlockHeader): readonly PublicKey[];
  /** Credit changes for this block (key hex -> delta), given the state before and after its transactions. */
  creditDeltas(before: ChainState, after: ChainState, block: Block): ReadonlyMap<Hex, number>;
  /**
   * The ordered validator set after this block (`header.nextValidators`).
   * Default: the set that certifies the next block. Consensus: the set of the
   * round after this block's round (validator sets change only at round
   * boundaries; a light verifier follows these hand-offs).
   */
  nextValidators(state: ChainState, block: Block): readonly PublicKey[];
  /**
   * Given the blocks above the last final one (ascending, `certified` marks
   * those whose certificate a block of this chain carried), the height of the
   * new last final block (>= the current one). Default (`streamletFinalize`,
   * the rule consensus/ runs): the highest M such that M, its parent and its
   * child are certified with consecutive slots (genesis: certified, slot 0).
   */
  finalize(finalizedHeight: number, unfinalized: readonly UnfinalizedBlock[]): number;
}
