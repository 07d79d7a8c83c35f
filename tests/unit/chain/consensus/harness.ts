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
  voteMessage,
  type Block,
  type Certificate,
  type ConsensusConfig,
  type Entry,
  type Header,
  type Member,
  type SignatureScheme,
  type Tier,
  type Vote
} from '../../../../src/lib/chain/consensus';
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

export function signHeader(k: Keyed, unsigned: Omit<Header, 'sig'>): Header {
  return { ...unsigned, sig: blsScheme.sign(k.sk, headerSigningBytes(unsigned)) };
}

/** A valid block on `parent` at `slot` (by the scheduled producer), with `over` applied before signing. */
export function makeBlock(tree: BlockTree, ks: Keyed[], parent: Entry, slot: number, over: Partial<Omit<Header, 'sig'>> = {}, signer?: Keyed, payload: Block['payload'] = []): Block {
  const k = signer ?? producerFor(tree, ks, parent, slot);
  const unsigned: Omit<Header, 'sig'> = {
    v: 1,
    chain: tree.config.chain,
    height: parent.height + 1,
    slot,
    prev: parent.id,
    payloadRoot: tree.executor.payloadRoot(payload),
    parentCert: parent.parent ? parent.cert : null,
    evidence: [],
    producer: k.pk,
    ...over
  };
  return { header: signHeader(k, unsigned), payload };
}

export function makeVote(tree: BlockTree, k: Keyed, e: { id: Uint8Array; height: number; slot: number }): Vote {
  return { chain: tree.config.chain, block: e.id, height: e.height, slot: e.slot, validator: k.pk, sig: blsScheme.sign(k.sk, voteMessage(tree.config.chain, e.id, e.height, e.slot)) };
}

/** A certificate for `e` signed by the validators at `indices` of its round. */
export function makeCert(tree: BlockTree, ks: Keyed[], e: Entry, indices?: number[]): Certificate {
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
