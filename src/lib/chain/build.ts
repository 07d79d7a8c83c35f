/**
 * Making signed ledger objects: members with proofs of possession,
 * transactions, the genesis block, and a producer's next block (select the
 * valid transactions from a candidate list, attach certificates, compute the
 * roots and the next validator set, sign).
 */
import { bls } from '$lib/crypto';
import { ZERO_HASH } from './bytes';
import { certRoot, headerSigningBytes, merkleRoot, txId, txSigningBytes, validatorSetId } from './encoding';
import { defaultHooks } from './hooks';
import { applyBlockInner, baseFromGenesis, draftOf, type ApplyOptions } from './state';
import { applyTx } from './validate';
import {
  CHAIN_VERSION,
  ChainError,
  type Block,
  type BlockHeader,
  type ChainParams,
  type ChainState,
  type ConsensusHooks,
  type FinalityCertificate,
  type Hash,
  type MemberRecord,
  type Transaction,
  type TxBody
} from './types';

/** A member record for `sk` with its proof of possession. */
export function makeMember(sk: Uint8Array, fields: Omit<MemberRecord, 'key' | 'pop'>): MemberRecord {
  return { ...fields, key: bls.publicKey(sk), pop: bls.popProve(sk) };
}

/** Signs a transaction by `sk` (author = its public key). */
export function signTx<B extends TxBody>(sk: Uint8Array, fields: { chain: Hash; seq: number; time: number; body: B }): Transaction<B> {
  const unsigned = { v: CHAIN_VERSION, chain: fields.chain, author: bls.publicKey(sk), seq: fields.seq, time: fields.time, body: fields.body } as const;
  return { ...unsigned, sig: bls.sign(sk, txSigningBytes(unsigned)) };
}

export function signHeader(sk: Uint8Array, h: Omit<BlockHeader, 'sig' | 'producer'>): BlockHeader {
  const unsigned = { ...h, producer: bls.publicKey(sk) };
  return { ...unsigned, sig: bls.sign(sk, headerSigningBytes(unsigned)) };
}

/**
 * The genesis block: one genesis transaction by the PKG, produced by the PKG.
 * `regulator` defaults to the PKG. The PKG must be among `members` with role
 * 'pkg'. Throws ChainError if the members give no usable validator set.
 */
export function makeGenesis(
  pkgSk: Uint8Array,
  opts: { name: string; params: ChainParams; members: MemberRecord[]; regulator?: Uint8Array; time?: number },
  hooks: ConsensusHooks = defaultHooks
): Block {
  const pkg = bls.publicKey(pkgSk);
  const body: TxBody = { type: 'genesis', name: opts.name, params: opts.params, pkg, regulator: opts.regulator ?? pkg, members: opts.members };
  const tx = signTx(pkgSk, { chain: ZERO_HASH, seq: 0, time: opts.time ?? opts.params.genesisTime, body });
  const base = baseFromGenesis(body, ZERO_HASH, false);
  if (base instanceof ChainError) throw base;
  const provisional: Block = { header: { v: CHAIN_VERSION, chain: ZERO_HASH, height: 0, slot: 0, prev: ZERO_HASH, txRoot: ZERO_HASH, certRoot: ZERO_HASH, validators: ZERO_HASH, nextValidators: ZERO_HASH, producer: pkg, sig: new Uint8Array(48) }, txs: [tx], certs: [] };
  const vid = validatorSetId(hooks.nextValidators(base, provisional));
  const header = signHeader(pkgSk, { v: CHAIN_VERSION, chain: ZERO_HASH, height: 0, slot: 0, prev: ZERO_HASH, txRoot: merkleRoot([txId(tx)]), certRoot: certRoot([]), validators: vid, nextValidators: vid });
  return { header, txs: [tx], certs: [] };
}

export interface Produced {
  block: Block;
  state: ChainState;
  /** Candidates left out, with the rule each broke at its place in the order. */
  rejected: { tx: Transaction; error: ChainError }[];
}

/**
 * Builds and signs the next block on `state` at `slot`. Candidates are tried
 * in order against the state as it evolves (their signatures are assumed
 * checked at mempool admission, see checkTransaction); those that break a
 * rule are left out and reported. Throws ChainError if the block itself is
 * not valid (producer not allowed, a bad certificate).
 */
export function produceBlock(
  state: ChainState,
  producerSk: Uint8Array,
  slot: number,
  candidates: readonly Transaction[],
  certs: readonly FinalityCertificate[] = [],
  hooks: ConsensusHooks = defaultHooks,
  opts: ApplyOptions = {}
): Produced {
  const height = state.height + 1;
  const draft = draftOf(state, height, slot);
  // Finality as the certificates will make it, so that e.g. deliveries see it.
  const header0 = { v: CHAIN_VERSION, chain: state.chain, height, slot, prev: state.head, txRoot: merkleRoot([]), certRoot: certRoot(certs), validators: validatorSetId(state.validators), nextValidators: ZERO_HASH } as const;
  const probe = applyBlockInner(state, { header: signHeader(producerSk, header0), txs: [], certs: [...certs] }, hooks, { verifySignatures: false, checkNext: false });
  if (!probe.result.ok) throw probe.result.error;
  draft.finalized = probe.result.state.finalized;
  const txs: Transaction[] = [];
  const rejected: Produced['rejected'] = [];
  for (const tx of candidates) {
    const err = applyTx(draft, tx, txId(tx), `candidate ${txs.length + rejected.length}`);
    if (err) rejected.push({ tx, error: err });
    else txs.push(tx);
  }
  const fields = { ...header0, txRoot: merkleRoot(txs.map(txId)) };
  const trial = applyBlockInner(state, { header: signHeader(producerSk, fields), txs, certs: [...certs] }, hooks, { verifySignatures: false, checkNext: false });
  if (!trial.result.ok) throw trial.result.error;
  const header = signHeader(producerSk, { ...fields, nextValidators: validatorSetId(trial.next!) });
  const block: Block = { header, txs, certs: [...certs] };
  const final = applyBlockInner(state, block, hooks, { verifySignatures: opts.verifySignatures ?? false, checkNext: true });
  if (!final.result.ok) throw final.result.error;
  return { block, state: final.result.state, rejected };
}
