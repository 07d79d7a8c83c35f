/**
 * The ledger's state machine: `genesisState(block)` and
 * `applyBlock(state, block, hooks)` -> new state or a typed rejection. Pure
 * and deterministic: the same state and block give the same result on every
 * node (no clocks, no randomness except the weights inside BLS batch
 * verification, which only affect the probability 2^-64 of accepting a
 * forgery). A rejected block leaves the input state untouched (copy-on-write).
 *
 * Order of checks for a block (each failure is a ChainError):
 *  1. header: version, chain, height = state.height + 1, prev = state.head,
 *     slot > state.slot ('out-of-order'); txRoot, certRoot, validators =
 *     validatorSetId(hooks.validatorsFor(state, header)) ('bad-root');
 *  2. producer: a member hospital of tier 3A in that set, then
 *     hooks.checkProducer ('not-producer');
 *  3. signatures: header + every transaction + evidence signatures in one
 *     bls.batchVerify; on failure each is checked alone to name the culprit
 *     ('bad-signature');
 *  4. certificates carried: ascending, each for a block in state.unfinalized
 *     (same height and id), verified against that block's validator set;
 *     they make blocks certified; hooks.finalize (Streamlet by default)
 *     moves `finalized` ('bad-certificate');
 *  5. transactions in order (rules in validate.ts; replay protection by
 *     per-author seq: 'replay' if already used, 'out-of-order' if ahead);
 *  6. hooks.creditDeltas, then hooks.nextValidators; its validatorSetId must be
 *     header.nextValidators ('bad-root'); pending audits at height - 1 get
 *     their seed (this block's id).
 */
import { bls } from '$lib/crypto';
import { equalBytes, hex, isZero, ZERO_HASH } from './bytes';
import { verifyCertificate } from './certificate';
import { CowMap, CowSet } from './cow';
import { FormatError } from '$lib/codec';
import { blockId, certRoot, decodeBlock, encodeBlock, finalityMessage, headerSigningBytes, merkleRoot, txId, txSigningBytes, validatorSetId } from './encoding';
import { defaultHooks } from './hooks';
import {
  CHAIN_VERSION,
  ChainError,
  type ApplyResult,
  type Block,
  type BlockHeader,
  type ChainParams,
  type ChainState,
  type ConsensusHooks,
  type ConsentState,
  type EmrIndexEntry,
  type GrantedAccess,
  type Hash,
  type Hex,
  type MemberState,
  type PatientChainHeads,
  type PendingAccess,
  type PendingAudit,
  type PublicKey,
  type Transaction
} from './types';
import { applyTx } from './validate';

/** A block's time: genesisTime + slot * slotMs. */
export function blockTime(params: ChainParams, slot: number): number {
  return params.genesisTime + slot * params.slotMs;
}

/** The mutable working copy a block is applied to. */
export interface Draft {
  readonly base: ChainState;
  readonly height: number;
  readonly time: number;
  members: CowMap<Hex, MemberState>;
  patients: CowMap<Hex, Hex>;
  nonces: CowMap<Hex, number>;
  votes: CowMap<Hex, readonly Hex[]>;
  patientChains: CowMap<Hex, PatientChainHeads>;
  emrs: CowMap<Hex, EmrIndexEntry>;
  consents: CowMap<Hex, ConsentState>;
  pending: CowMap<Hex, PendingAccess>;
  granted: CowMap<Hex, GrantedAccess>;
  audits: CowMap<Hex, PendingAudit>;
  credits: CowMap<Hex, number>;
  punished: CowSet<string>;
  finalized: { height: number; id: Hash };
}

export function draftOf(state: ChainState, height: number, slot: number): Draft {
  return {
    base: state,
    height,
    time: blockTime(state.params, slot),
    members: new CowMap(state.members),
    patients: new CowMap(state.patients),
    nonces: new CowMap(state.nonces),
    votes: new CowMap(state.votes),
    patientChains: new CowMap(state.patientChains),
    emrs: new CowMap(state.emrs),
    consents: new CowMap(state.consents),
    pending: new CowMap(state.pending),
    granted: new CowMap(state.granted),
    audits: new CowMap(state.audits),
    credits: new CowMap(state.credits),
    punished: new CowSet(state.punished),
    finalized: state.finalized
  };
}

function stateOf(d: Draft, over: Partial<ChainState>): ChainState {
  return {
    ...d.base,
    members: d.members.result(),
    patients: d.patients.result(),
    nonces: d.nonces.result(),
    votes: d.votes.result(),
    patientChains: d.patientChains.result(),
    emrs: d.emrs.result(),
    consents: d.consents.result(),
    pending: d.pending.result(),
    granted: d.granted.result(),
    audits: d.audits.result(),
    credits: d.credits.result(),
    punished: d.punished.result(),
    finalized: d.finalized,
    ...over
  };
}

/** What one signature check in a block covers (for batch verification). */
interface SigItem {
  pk: Uint8Array;
  msg: Uint8Array;
  sig: Uint8Array;
  where: string;
}

function txSigItems(tx: Transaction, where: string): SigItem[] {
  const items: SigItem[] = [{ pk: tx.author, msg: txSigningBytes(tx), sig: tx.sig, where }];
  if (tx.body.type === 'evidence') {
    const e = tx.body.evidence;
    if (e.kind === 'double-block') {
      items.push({ pk: e.a.producer, msg: headerSigningBytes(e.a), sig: e.a.sig, where: `${where} evidence.a` });
      items.push({ pk: e.b.producer, msg: headerSigningBytes(e.b), sig: e.b.sig, where: `${where} evidence.b` });
    } else if (e.kind === 'invalid-block') {
      const h = e.block.header;
      items.push({ pk: h.producer, msg: headerSigningBytes(h), sig: h.sig, where: `${where} evidence.block` });
    } else {
      items.push({ pk: e.a.validator, msg: finalityMessage(e.a.chain, e.a.block, e.a.height, e.a.slot), sig: e.a.sig, where: `${where} evidence.a` });
      items.push({ pk: e.b.validator, msg: finalityMessage(e.b.chain, e.b.block, e.b.height, e.b.slot), sig: e.b.sig, where: `${where} evidence.b` });
    }
  }
  return items;
}

/** Verifies all items at once; on failure names the first bad one. */
function checkSignatures(items: SigItem[]): ChainError | null {
  if (items.length === 0) return null;
  const ok = items.length === 1 ? bls.verify(items[0].pk, items[0].msg, items[0].sig) : bls.batchVerify(items);
  if (ok) return null;
  for (const it of items) if (!bls.verify(it.pk, it.msg, it.sig)) return new ChainError('bad-signature', 'signature does not verify', it.where);
  return new ChainError('bad-signature', 'batch signature check failed');
}

/** Checks one transaction against the state (signature included) without applying it: for mempool admission. */
export function checkTransaction(state: ChainState, tx: Transaction, slot = state.slot + 1): ChainError | null {
  const err = checkSignatures(txSigItems(tx, 'transaction'));
  if (err) return err;
  const d = draftOf(state, state.height + 1, slot);
  return applyTx(d, tx, txId(tx), 'transaction');
}

function checkHeaderShape(state: ChainState, h: BlockHeader, where: string): ChainError | null {
  if (h.v !== CHAIN_VERSION) return new ChainError('malformed', `version ${h.v}`, where);
  if (!equalBytes(h.chain, state.chain)) return new ChainError('wrong-chain', 'header names another chain', where);
  if (h.height !== state.height + 1) return new ChainError('out-of-order', `height ${h.height}, expected ${state.height + 1}`, where);
  if (!equalBytes(h.prev, state.head)) return new ChainError('out-of-order', 'prev is not the current head', where);
  if (h.slot <= state.slot) return new ChainError('out-of-order', `slot ${h.slot} not after ${state.slot}`, where);
  return null;
}

/**
 * Applies a block to a state. Returns the new state or the first rule the
 * block breaks; never throws for bad input (only for programmer misuse).
 */
export function applyBlock(state: ChainState, block: Block, hooks: ConsensusHooks = defaultHooks, opts: ApplyOptions = {}): ApplyResult {
  try {
    return applyBlockInner(state, block, hooks, { verifySignatures: opts.verifySignatures ?? true, checkNext: true }).result;
  } catch (e) {
    if (e instanceof ChainError) return { ok: false, error: e };
    throw e;
  }
}

/** Options of applyBlock. */
export interface ApplyOptions {
  /**
   * false skips step 3 (all signature checks except proofs of possession):
   * only for blocks this node produced itself or re-reads from its own store
   * after having verified them once. Default true.
   */
  verifySignatures?: boolean;
}

interface InnerResult {
  result: ApplyResult;
  /** The validator set after the block (set when the block got that far). */
  next?: readonly PublicKey[];
}

/** Steps 1-6; `checkNext: false` (block production) skips comparing header.nextValidators. */
export function applyBlockInner(state: ChainState, block: Block, hooks: ConsensusHooks, opts: { verifySignatures: boolean; checkNext: boolean }): InnerResult {
  const h = block.header;
  const where = `block ${h.height}`;
  const fail = (error: ChainError): InnerResult => ({ result: { ok: false, error } });
  try {
    decodeBlock(encodeBlock(block));
  } catch (e) {
    if (e instanceof FormatError) return fail(new ChainError('malformed', e.message, where));
    throw e;
  }

  // 1. header and roots
  let err = checkHeaderShape(state, h, where);
  if (err) return fail(err);
  const ids = block.txs.map(txId);
  if (!equalBytes(merkleRoot(ids), h.txRoot)) return fail(new ChainError('bad-root', 'txRoot does not match the transactions', where));
  if (!equalBytes(certRoot(block.certs), h.certRoot)) return fail(new ChainError('bad-root', 'certRoot does not match the certificates', where));
  const current = hooks.validatorsFor(state, h);
  if (!equalBytes(validatorSetId(current), h.validators)) return fail(new ChainError('bad-root', 'validators is not the validator set of this block', where));
  for (const tx of block.txs) if (tx.body.type === 'genesis') return fail(new ChainError('not-authorised', 'genesis only in block 0', where));

  // 2. producer
  const pk = hex(h.producer);
  const prod = state.members.get(pk);
  if (!prod || prod.role !== 'hospital' || prod.tier !== '3A' || !current.some((v) => equalBytes(v, h.producer))) {
    return fail(new ChainError('not-producer', 'producer is not a tier-3A validator', where));
  }
  err = hooks.checkProducer(state, h);
  if (err) return fail(err);

  // 3. signatures (header, transactions, evidence) in one batch
  const items: SigItem[] = [{ pk: h.producer, msg: headerSigningBytes(h), sig: h.sig, where: `${where} header` }];
  block.txs.forEach((tx, i) => items.push(...txSigItems(tx, `${where} tx ${i}`)));
  if (opts.verifySignatures) {
    err = checkSignatures(items);
    if (err) return fail(err);
  }

  // 4. certificates for earlier blocks, then the finality rule
  let unfinalized = state.unfinalized;
  let lastHeight = state.finalized.height;
  for (const [i, cert] of block.certs.entries()) {
    const w = `${where} cert ${i}`;
    if (cert.height <= lastHeight) return fail(new ChainError('bad-certificate', `height ${cert.height} is not above ${lastHeight}`, w));
    const target = unfinalized.find((u) => u.height === cert.height);
    if (!target || !equalBytes(target.id, cert.block) || target.slot !== cert.slot) return fail(new ChainError('bad-certificate', 'certifies no unfinalised block of this chain', w));
    if (target.certified) return fail(new ChainError('bad-certificate', 'block already certified', w));
    const set = state.validatorSets.get(hex(target.validators));
    if (!set) return fail(new ChainError('bad-certificate', 'validator set of the block is unknown', w));
    err = verifyCertificate(cert, set, state.chain, w);
    if (err) return fail(err);
    lastHeight = cert.height;
    unfinalized = unfinalized.map((u) => (u.height === cert.height ? { ...u, certified: true } : u));
  }
  let finalized = state.finalized;
  const fh = hooks.finalize(finalized.height, unfinalized);
  if (fh > finalized.height) {
    const f = unfinalized.find((u) => u.height === fh);
    if (!f) throw new RangeError(`finalize: height ${fh} is not an unfinalised block`);
    finalized = { height: fh, id: f.id };
    unfinalized = unfinalized.filter((u) => u.height > fh);
  }

  // 5. transactions
  const d = draftOf(state, h.height, h.slot);
  d.finalized = finalized;
  for (const [i, tx] of block.txs.entries()) {
    err = applyTx(d, tx, ids[i], `${where} tx ${i}`);
    if (err) return fail(err);
  }

  // 6. consensus hooks, validator set, audit seeds
  const id = blockId(h);
  for (const [k, a] of d.audits.entries()) if (a.seed === null && a.height + 1 === h.height) d.audits.set(k, { ...a, seed: id });
  const mid = stateOf(d, { height: h.height, head: id, slot: h.slot });
  const deltas = hooks.creditDeltas(state, mid, block);
  if (deltas.size > 0) {
    for (const [k, delta] of [...deltas.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (!Number.isSafeInteger(delta)) throw new TypeError(`creditDeltas: ${delta} is not an integer`);
      d.credits.set(k, (d.credits.get(k) ?? 0) + delta);
    }
  }
  const afterCredits = stateOf(d, { height: h.height, head: id, slot: h.slot });
  const next = hooks.nextValidators(afterCredits, block);
  const nextId = validatorSetId(next);
  if (opts.checkNext && !equalBytes(nextId, h.nextValidators)) return fail(new ChainError('bad-root', 'nextValidators does not match the validator set after this block', where));
  unfinalized = [...unfinalized, { height: h.height, slot: h.slot, id, validators: h.validators, certified: false }];
  const sets = new Map<Hex, readonly PublicKey[]>();
  for (const u of unfinalized) sets.set(hex(u.validators), state.validatorSets.get(hex(u.validators)) ?? current);
  sets.set(hex(h.validators), current);
  sets.set(hex(nextId), next);
  return { result: { ok: true, state: { ...afterCredits, validators: next, validatorSets: sets, finalized, unfinalized } }, next };
}

/**
 * The transactions a producer can put in its next block on `state` at `slot`
 * carrying `certs` (assumed valid: consensus checked them): candidates are
 * tried in order against the evolving state, with finality as the
 * certificates will make it (so deliveries and audit results that wait for
 * it are admitted); their signatures are assumed checked at mempool admission
 * (checkTransaction). Those that break a rule are left out and reported.
 */
export function selectTransactions(
  state: ChainState,
  slot: number,
  candidates: readonly Transaction[],
  certs: readonly { height: number }[] = [],
  hooks: ConsensusHooks = defaultHooks
): { txs: Transaction[]; rejected: { tx: Transaction; error: ChainError }[] } {
  const d = draftOf(state, state.height + 1, slot);
  const heights = new Set(certs.map((c) => c.height));
  const unfinalized = state.unfinalized.map((u) => (heights.has(u.height) ? { ...u, certified: true } : u));
  const fh = hooks.finalize(state.finalized.height, unfinalized);
  const f = unfinalized.find((u) => u.height === fh);
  if (fh > state.finalized.height && f) d.finalized = { height: fh, id: f.id };
  const txs: Transaction[] = [];
  const rejected: { tx: Transaction; error: ChainError }[] = [];
  for (const tx of candidates) {
    if (tx.body.type === 'genesis') {
      rejected.push({ tx, error: new ChainError('not-authorised', 'genesis only in block 0', 'candidate') });
      continue;
    }
    const err = applyTx(d, tx, txId(tx), `candidate ${txs.length + rejected.length}`);
    if (err) rejected.push({ tx, error: err });
    else txs.push(tx);
  }
  return { txs, rejected };
}

/**
 * What a payload carries when consensus (src/lib/chain/consensus/) owns the
 * block header: the consensus block's id, height, slot, parent id and
 * producer, the transactions, and the last block that consensus has proven
 * final on this chain (deterministic per chain: carried certificates only).
 */
export interface PayloadContext {
  id: Hash;
  height: number;
  slot: number;
  prev: Hash;
  producer: PublicKey;
  txs: readonly Transaction[];
  /** Last final block as consensus proves it on this chain; must not go backwards. Omit to keep the state's. */
  finalized?: { height: number; id: Hash };
}

/**
 * applyBlock for a payload inside a consensus block (Executor.check /
 * propose): the header, its roots, certificates and finality were checked by
 * consensus, so steps 1 (roots), 4 and the nextValidators comparison are
 * skipped; continuity (height, prev, slot), the producer rule, transaction
 * signatures (one batch), every transaction rule and the hooks are applied as
 * in applyBlock. The hooks receive a Block whose header carries only
 * height/slot/prev/producer (roots and signature zero).
 */
export function applyPayload(state: ChainState, p: PayloadContext, hooks: ConsensusHooks = defaultHooks, opts: ApplyOptions = {}): ApplyResult {
  const where = `block ${p.height}`;
  const fail = (error: ChainError): ApplyResult => ({ ok: false, error });
  try {
    if (p.height !== state.height + 1) return fail(new ChainError('out-of-order', `height ${p.height}, expected ${state.height + 1}`, where));
    if (!equalBytes(p.prev, state.head)) return fail(new ChainError('out-of-order', 'prev is not the current head', where));
    if (p.slot <= state.slot) return fail(new ChainError('out-of-order', `slot ${p.slot} not after ${state.slot}`, where));
    const prod = state.members.get(hex(p.producer));
    if (!prod || prod.role !== 'hospital' || prod.tier !== '3A' || !state.validators.some((v) => equalBytes(v, p.producer))) {
      return fail(new ChainError('not-producer', 'producer is not a tier-3A validator', where));
    }
    for (const tx of p.txs) if (tx.body.type === 'genesis') return fail(new ChainError('not-authorised', 'genesis only in block 0', where));
    const ids = p.txs.map(txId);
    if (opts.verifySignatures ?? true) {
      const items: SigItem[] = [];
      p.txs.forEach((tx, i) => items.push(...txSigItems(tx, `${where} tx ${i}`)));
      const err = checkSignatures(items);
      if (err) return fail(err);
    }
    let finalized = state.finalized;
    let unfinalized = state.unfinalized;
    if (p.finalized && p.finalized.height !== finalized.height) {
      if (p.finalized.height < finalized.height || p.finalized.height >= p.height) return fail(new ChainError('out-of-order', 'finalized went backwards or past the block', where));
      finalized = p.finalized;
      unfinalized = unfinalized.filter((u) => u.height > finalized.height);
    }
    const d = draftOf(state, p.height, p.slot);
    d.finalized = finalized;
    for (const [i, tx] of p.txs.entries()) {
      const err = applyTx(d, tx, ids[i], `${where} tx ${i}`);
      if (err) return fail(err);
    }
    for (const [k, a] of d.audits.entries()) if (a.seed === null && a.height + 1 === p.height) d.audits.set(k, { ...a, seed: p.id });
    const pseudo: Block = {
      header: { v: CHAIN_VERSION, chain: state.chain, height: p.height, slot: p.slot, prev: p.prev, txRoot: ZERO_HASH, certRoot: ZERO_HASH, validators: validatorSetId(state.validators), nextValidators: ZERO_HASH, producer: p.producer, sig: new Uint8Array(48) },
      txs: [...p.txs],
      certs: []
    };
    const over = { height: p.height, head: p.id, slot: p.slot };
    const deltas = hooks.creditDeltas(state, stateOf(d, over), pseudo);
    for (const [k, delta] of [...deltas.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (!Number.isSafeInteger(delta)) throw new TypeError(`creditDeltas: ${delta} is not an integer`);
      d.credits.set(k, (d.credits.get(k) ?? 0) + delta);
    }
    const after = stateOf(d, over);
    const next = hooks.nextValidators(after, pseudo);
    const vid = validatorSetId(state.validators);
    unfinalized = [...unfinalized, { height: p.height, slot: p.slot, id: p.id, validators: vid, certified: false }];
    const sets = new Map<Hex, readonly PublicKey[]>();
    for (const u of unfinalized) sets.set(hex(u.validators), state.validatorSets.get(hex(u.validators)) ?? state.validators);
    sets.set(hex(validatorSetId(next)), next);
    return { ok: true, state: { ...after, validators: next, validatorSets: sets, finalized, unfinalized } };
  } catch (e) {
    if (e instanceof ChainError) return fail(e);
    throw e;
  }
}

/**
 * Builds the state from a genesis block (height 0, one genesis transaction by
 * the PKG, producer = PKG). The genesis block is final by definition.
 */
export function genesisState(block: Block, hooks: ConsensusHooks = defaultHooks): ApplyResult {
  try {
    return genesisInner(block, hooks);
  } catch (e) {
    if (e instanceof ChainError) return { ok: false, error: e };
    throw e;
  }
}

function genesisInner(block: Block, hooks: ConsensusHooks): ApplyResult {
  const h = block.header;
  const where = 'genesis';
  const fail = (kind: ConstructorParameters<typeof ChainError>[0], msg: string): ApplyResult => ({ ok: false, error: new ChainError(kind, msg, where) });
  try {
    decodeBlock(encodeBlock(block));
  } catch (e) {
    if (e instanceof FormatError) return fail('malformed', e.message);
    throw e;
  }
  if (h.v !== CHAIN_VERSION) return fail('malformed', `version ${h.v}`);
  if (h.height !== 0 || h.slot !== 0 || !isZero(h.prev) || !isZero(h.chain)) return fail('malformed', 'genesis header must have height 0, slot 0, zero prev and chain');
  if (block.txs.length !== 1 || block.certs.length !== 0) return fail('malformed', 'genesis carries exactly one transaction and no certificates');
  const tx = block.txs[0];
  const g = tx.body;
  if (g.type !== 'genesis') return fail('malformed', 'the transaction is not a genesis transaction');
  if (!isZero(tx.chain) || tx.seq !== 0) return fail('malformed', 'genesis transaction must have zero chain and seq 0');
  if (!equalBytes(tx.author, g.pkg) || !equalBytes(h.producer, g.pkg)) return fail('not-authorised', 'genesis must be authored and produced by the PKG');
  if (!equalBytes(merkleRoot([txId(tx)]), h.txRoot) || !equalBytes(certRoot([]), h.certRoot)) return fail('bad-root', 'roots do not match');
  const sigErr = checkSignatures([
    { pk: h.producer, msg: headerSigningBytes(h), sig: h.sig, where: 'genesis header' },
    { pk: tx.author, msg: txSigningBytes(tx), sig: tx.sig, where: 'genesis tx' }
  ]);
  if (sigErr) return { ok: false, error: sigErr };

  const base = baseFromGenesis(g, blockId(h));
  if (base instanceof ChainError) return { ok: false, error: base };
  const members = base.members;
  const vals = hooks.nextValidators(base, block);
  if (vals.length === 0) return fail('not-producer', 'no qualified hospital: the validator set is empty');
  if (!vals.some((v) => members.get(hex(v))?.tier === '3A')) return fail('not-producer', 'no tier-3A hospital among the validators: nobody could produce');
  const vid = validatorSetId(vals);
  if (!equalBytes(vid, h.validators) || !equalBytes(vid, h.nextValidators)) return fail('bad-root', 'validators / nextValidators must be the initial validator set');
  return { ok: true, state: { ...base, validators: vals, validatorSets: new Map([[hex(vid), vals]]) } };
}

/**
 * The state a genesis transaction describes before its validator set is
 * chosen (validators empty): members with PoPs checked, patients, credits.
 */
export function baseFromGenesis(g: Extract<Transaction['body'], { type: 'genesis' }>, id: Hash, checkPops = true): ChainState | ChainError {
  const E = (kind: ConstructorParameters<typeof ChainError>[0], msg: string) => new ChainError(kind, msg, 'genesis');
  const members = new Map<Hex, MemberState>();
  const patients = new Map<Hex, Hex>();
  const credits = new Map<Hex, number>();
  for (const [i, m] of g.members.entries()) {
    const k = hex(m.key);
    if (members.has(k)) return E('duplicate', `member ${i}: key listed twice`);
    if (checkPops && !bls.popVerify(m.key, m.pop)) return E('bad-signature', `member ${i}: proof of possession does not verify`);
    if (m.role === 'patient') {
      const p = hex(m.pid!);
      if (patients.has(p)) return E('duplicate', `member ${i}: pid listed twice`);
      patients.set(p, k);
    }
    if (m.role === 'hospital') credits.set(k, g.params.initialCredit);
    members.set(k, { ...m, since: 0 });
  }
  if (members.get(hex(g.pkg))?.role !== 'pkg') return E('unknown-member', 'the PKG must be a member with role pkg');
  if (!members.has(hex(g.regulator))) return E('unknown-member', 'the regulator must be a member');
  return {
    v: CHAIN_VERSION,
    chain: id,
    name: g.name,
    params: g.params,
    pkg: g.pkg,
    regulator: g.regulator,
    height: 0,
    head: id,
    slot: 0,
    members,
    patients,
    nonces: new Map([[hex(g.pkg), 1]]),
    votes: new Map(),
    patientChains: new Map(),
    emrs: new Map(),
    consents: new Map(),
    pending: new Map(),
    granted: new Map(),
    audits: new Map(),
    credits,
    punished: new Set(),
    validators: [],
    validatorSets: new Map(),
    finalized: { height: 0, id },
    unfinalized: []
  };
}
