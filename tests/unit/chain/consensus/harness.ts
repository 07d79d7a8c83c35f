/** Shared fixtures for the consensus tests: real BLS keys, a small network config, block/cert builders. */
import { sha256 } from '@noble/hashes/sha2.js';
import { ready } from '../../../../src/lib/crypto';
import {
  BlockTree,
  DEFAULT_CREDITS,
  bitmapOf,
  blsScheme,
  headerSigningBytes,
  memoised,
  txRootOf,
  voteMessage,
  type Block,
  type BlockHeader,
  type ConsensusConfig,
  type Entry,
  type FinalityCertificate,
  type FinalityVote,
  type Member,
  type SignatureScheme,
  type Tier,
  type Transaction
} from '../../../../src/lib/chain/consensus';
import { certRoot, txSigningBytes } from '../../../../src/lib/chain/encoding';
import { hexOf, producerAt, roundOf } from '../../../../src/lib/chain/consensus/dpos';

export interface Keyed {
  sk: Uint8Array;
  pk: Uint8Array;
  pop: Uint8Array;
}

let cachedKeys: Keyed[] | null = null;
/** Deterministic real BLS keys (made once per test file). */
export async function keys(n: number): Promise<Keyed[]> {
  await ready();
  if (!cachedKeys || cachedKeys.length < n) cachedKeys = Array.from({ length: Math.max(n, 8) }, (_, i) => blsScheme.keygen(sha256(new TextEncoder().encode(`consensus-test-${i}`))));
  return cachedKeys.slice(0, n);
}

export const scheme: SignatureScheme = memoised(blsScheme);

export function makeConfig(ks: Keyed[], over: Partial<ConsensusConfig> = {}, tiers: Tier[] = []): ConsensusConfig {
  const members: Member[] = ks.map((k, i) => ({ key: k.pk, pop: k.pop, rating: 1000 - i, tier: tiers[i] ?? '3A' }));
  return {
    chain: sha256(new TextEncoder().encode('test-chain')),
    validators: ks.length,
    slotMs: 1000,
    genesisTime: 0,
    roundSlots: 4,
    credits: DEFAULT_CREDITS,
    members,
    approvals: new Map(),
    ...over
  };
}

export function keyOf(ks: Keyed[], pk: Uint8Array): Keyed {
  const k = ks.find((x) => hexOf(x.pk) === hexOf(pk));
  if (!k) throw new Error('no such key');
  return k;
}

/** The member scheduled to produce `slot` on top of `parent`. */
export function producerFor(tree: BlockTree, ks: Keyed[], parent: Entry, slot: number): Keyed {
  const p = producerAt(tree.schedule(parent, roundOf(slot, tree.config.roundSlots)), slot, tree.config.roundSlots);
  if (!p) throw new Error('no producer');
  return keyOf(ks, p.key);
}

export function signHeader(k: Keyed, unsigned: Omit<BlockHeader, 'sig'>): BlockHeader {
  return { ...unsigned, sig: blsScheme.sign(k.sk, headerSigningBytes(unsigned)) };
}

const txCache = new Map<string, Transaction>();
/**
 * A well-formed signed ledger transaction standing for the label `s` (a
 * `trace` by a fixed test key with reason `s`): the protocol tests tell blocks
 * apart by their transactions; the executors they use read the reason.
 */
export function labelTx(chain: Uint8Array, s: string): Transaction {
  const k = `${hexOf(chain)}:${s}`;
  let tx = txCache.get(k);
  if (!tx) {
    const sk = (cachedKeys as Keyed[])[0].sk;
    const unsigned = { v: 1, chain, author: (cachedKeys as Keyed[])[0].pk, seq: 0, time: 0, body: { type: 'trace', pid: new Uint8Array(64), requester: (cachedKeys as Keyed[])[0].pk, reason: s, time: 0 } } as const;
    tx = { ...unsigned, sig: blsScheme.sign(sk, txSigningBytes(unsigned)) } as Transaction;
    txCache.set(k, tx);
  }
  return tx;
}
/** An evidence transaction by a fixed test key (protocol tests: the tree does not check seq). */
export function evidenceTx(chain: Uint8Array, evidence: import('../../../../src/lib/chain/consensus').Evidence, seq = 0): Transaction {
  const k = (cachedKeys as Keyed[])[1];
  const unsigned = { v: 1, chain, author: k.pk, seq, time: 0, body: { type: 'evidence', evidence } } as const;
  return { ...unsigned, sig: blsScheme.sign(k.sk, txSigningBytes(unsigned)) } as Transaction;
}

/** The label of a labelTx (or null). */
export function labelOf(tx: Transaction): string | null {
  return tx.body.type === 'trace' ? tx.body.reason : null;
}

type HeaderOver = Partial<Omit<BlockHeader, 'sig'>> & { certs?: FinalityCertificate[] };

/**
 * A valid block on `parent` at `slot` (by the scheduled producer), carrying
 * the parent's certificate, with `over` applied before signing (`over.certs`
 * replaces the carried certificates; certRoot follows unless `over.certRoot`).
 * `payload` strings become labelled transactions (labelTx), other items are
 * taken as transactions.
 */
export function makeBlock(tree: BlockTree, ks: Keyed[], parent: Entry, slot: number, over: HeaderOver = {}, signer?: Keyed, payload: (string | Transaction)[] = []): Block {
  const k = signer ?? producerFor(tree, ks, parent, slot);
  const txs = payload.map((p) => (typeof p === 'string' ? labelTx(tree.config.chain, p) : p));
  const { certs: overCerts, ...h } = over;
  const certs = overCerts ?? (parent.parent && parent.cert ? [parent.cert] : []);
  const sets = tree.headerSets(parent, slot);
  const unsigned: Omit<BlockHeader, 'sig'> = {
    v: 1,
    chain: tree.config.chain,
    height: parent.height + 1,
    slot,
    prev: parent.id,
    txRoot: txRootOf(txs),
    certRoot: certRoot(certs),
    validators: sets.validators,
    nextValidators: sets.nextValidators,
    producer: k.pk,
    ...h
  };
  return { header: signHeader(k, unsigned), txs, certs };
}

export function makeVote(tree: BlockTree, k: Keyed, e: { id: Uint8Array; height: number; slot: number }): FinalityVote {
  return { chain: tree.config.chain, block: e.id, height: e.height, slot: e.slot, validator: k.pk, sig: blsScheme.sign(k.sk, voteMessage(tree.config.chain, e.id, e.height, e.slot)) };
}

/** A certificate for `e` signed by the validators at `indices` of its round. */
export function makeCert(tree: BlockTree, ks: Keyed[], e: Entry, indices?: number[]): FinalityCertificate {
  const sched = tree.scheduleOf(e);
  const idx = indices ?? sched.validators.map((_, i) => i).slice(0, sched.quorum);
  const sigs = idx.map((i) => makeVote(tree, keyOf(ks, sched.validators[i].key), e).sig);
  return { block: e.id, height: e.height, slot: e.slot, signers: bitmapOf(sched.validators.length, idx), sig: blsScheme.aggregate(sigs) };
}

/** Validates and inserts; throws with the reason if invalid. */
export function add(tree: BlockTree, b: Block, nowSlot?: number): Entry {
  const r = tree.validateBlock(b, nowSlot);
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
  return tree.insert(b, r.parent as Entry).entry;
}

/** Builds a certified chain at the given slots on top of genesis; returns the entries (last one certified too). */
export function chainAt(tree: BlockTree, ks: Keyed[], slots: number[]): Entry[] {
  const out: Entry[] = [];
  let parent = tree.genesis;
  for (const s of slots) {
    const e = add(tree, makeBlock(tree, ks, parent, s));
    tree.certify(e, makeCert(tree, ks, e));
    out.push(e);
    parent = e;
  }
  return out;
}
