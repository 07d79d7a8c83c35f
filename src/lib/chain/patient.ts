/**
 * Per-patient chains (SPEC §6): inside the one ledger each patient has a
 * medical-record chain (EMR entries) and an access-record chain (access
 * records and delivery acknowledgements); each entry names the previous entry
 * of its chain (`prev`, null for the first). `exportPatientChains` gathers a
 * self-contained bundle that `verifyPatientChains` checks with nothing else:
 *
 * 1. the genesis block is valid (signatures, PoPs) and, if the caller pins a
 *    chain id, is that chain; its validator set is trusted;
 * 2. trust in headers grows to a fixpoint: a header with a certificate in the
 *    bundle whose `validators` set is trusted and whose certificate verifies
 *    (fastAggregateVerify over the set named in the bundle) is *certified*,
 *    and its `nextValidators` set becomes trusted (validator hand-off: a
 *    quorum of a trusted set signed the header naming it);
 *    a certified header M is *final* (Streamlet, docs/consensus.md) when its
 *    parent is certified with slot M.slot - 1 (or is genesis and M.slot = 1)
 *    and its child in the bundle is certified with slot M.slot + 1; M and
 *    every ancestor reachable by `prev` inside the bundle are anchored. So
 *    for each entry the bundle carries the headers from the entry's parent up
 *    to such a triple (P, M, C) at or above it and the certificates of P, M
 *    and C (certificates are those carried by later blocks or gathered from
 *    votes: `ChainStore.getCertificate`);
 * 3. every entry's block is anchored, its transaction is in the block
 *    (Merkle proof against txRoot), its signature verifies (one batch), it is
 *    for this pid and chain, and the `prev` links run unbroken from null;
 *    access records name EMRs of this chain, deliveries name earlier records.
 *
 * Limits: the bundle proves that what it holds is intact and final; it cannot
 * prove that no later entry exists (dropping the newest entries is not
 * detectable without a state commitment in headers, which blocks do not carry).
 */
import { decode, encode, expectArray, expectBytes, expectHeader, expectMap, expectUint, type Value } from '$lib/codec';
import { bls } from '$lib/crypto';
import { equalBytes, hex } from './bytes';
import { verifyCertificate } from './certificate';
import { blockId, certFromValue, certValue, decodeBlock, decodeHeader, decodeTx, encodeBlock, encodeHeader, encodeTx, merkleProof, txId, txSigningBytes, validatorSetId, verifyMerkleProof } from './encoding';
import { defaultHooks } from './hooks';
import { genesisState } from './state';
import { ChainError, PID_BYTES, type Block, type BlockHeader, type ConsensusHooks, type FinalityCertificate, type Hash, type Hex, type Pid, type PublicKey, type Transaction } from './types';

export type PatientChainName = 'emr' | 'access';

/** Where an entry of a patient chain sits (what a store indexes). */
export interface EntryLocation {
  txId: Hash;
  block: Hash;
  height: number;
  /** Position of the transaction in the block. */
  index: number;
}

export interface BundleEntry {
  tx: Transaction;
  block: Hash;
  /** Position in the block and number of transactions in it, and the Merkle path. */
  index: number;
  count: number;
  path: Hash[];
}

export interface PatientChainBundle {
  v: 1;
  pid: Pid;
  genesis: Block;
  /** Every validator set the bundle relies on (the genesis set included). */
  validatorSets: PublicKey[][];
  /** Headers (not genesis) of the entries' blocks, of validator hand-offs, and of descendants that carry trust. */
  headers: BlockHeader[];
  certificates: FinalityCertificate[];
  emr: BundleEntry[];
  access: BundleEntry[];
}

/** What exportPatientChains reads; the stores in src/lib/store implement it. */
export interface PatientChainSource {
  getBlock(id: Hash): Promise<Block | undefined>;
  getBlockAt(height: number): Promise<Block | undefined>;
  /** A certificate for the block, if one is known. */
  getCertificate(blockId: Hash): Promise<FinalityCertificate | undefined>;
  /** Entries of one patient chain, oldest first. */
  patientEntries(pid: Pid, chain: PatientChainName): Promise<EntryLocation[]>;
  /** Heights of blocks whose nextValidators differs from validators, ascending. */
  validatorHandoffs(): Promise<number[]>;
  /** The ordered keys of a validator set by its validatorSetId. */
  getValidatorSet(id: Hash): Promise<readonly PublicKey[] | undefined>;
}

export type BundleVerdict = { ok: true; emr: number; access: number } | { ok: false; error: ChainError };

/** How far above an uncertified block the exporter looks for a certified descendant. */
export const MAX_ANCHOR_WALK = 256;

/**
 * Builds the bundle for `pid` from `source`. Throws ChainError('not-final') if
 * an entry's block (or a validator hand-off) has no Streamlet finality proof
 * in the source yet (the newest blocks become provable two slots later).
 */
export async function exportPatientChains(source: PatientChainSource, pid: Pid): Promise<PatientChainBundle> {
  const genesis = await source.getBlockAt(0);
  if (!genesis) throw new ChainError('not-found', 'no genesis block');
  const headers = new Map<Hex, BlockHeader>();
  const certs = new Map<Hex, FinalityCertificate>();
  const sets = new Map<Hex, PublicKey[]>();
  const gs = genesisState(genesis);
  if (!gs.ok) throw gs.error;
  sets.set(hex(validatorSetId(gs.state.validators)), [...gs.state.validators]);

  /**
   * Adds the block's header and, walking up its chain, headers and
   * certificates until a Streamlet proof that it is final: a block M at or
   * above it whose parent, M and child are certified in consecutive slots
   * (genesis counts as certified at slot 0).
   */
  async function anchor(block: Block): Promise<void> {
    type Item = { id: Hash; slot: number; cert: FinalityCertificate | undefined | 'genesis' };
    const items: Item[] = [];
    const parent = block.header.height === 0 ? undefined : await source.getBlock(block.header.prev);
    if (parent) {
      const pid = blockId(parent);
      if (parent.header.height > 0) headers.set(hex(pid), parent.header);
      items.push({ id: pid, slot: parent.header.slot, cert: parent.header.height === 0 ? 'genesis' : certs.get(hex(pid)) ?? (await source.getCertificate(pid)) });
    }
    let b: Block | undefined = block;
    for (let step = 0; b && step <= MAX_ANCHOR_WALK; step++) {
      const id = blockId(b);
      if (b.header.height > 0) headers.set(hex(id), b.header);
      items.push({ id, slot: b.header.slot, cert: b.header.height === 0 ? 'genesis' : certs.get(hex(id)) ?? (await source.getCertificate(id)) });
      const n = items.length;
      if (n >= 3) {
        const [p, m, c] = items.slice(n - 3);
        if (p.cert && m.cert && c.cert && p.slot + 1 === m.slot && m.slot + 1 === c.slot) {
          for (const it of items) if (it.cert && it.cert !== 'genesis') certs.set(hex(it.id), it.cert);
          return;
        }
      }
      b = await source.getBlockAt(b.header.height + 1);
      if (b && !equalBytes(b.header.prev, id)) b = undefined;
    }
    throw new ChainError('not-final', `block ${block.header.height} has no Streamlet finality proof yet (three certified blocks in consecutive slots at or above it)`);
  }

  const entries = async (chain: PatientChainName): Promise<BundleEntry[]> => {
    const out: BundleEntry[] = [];
    for (const loc of await source.patientEntries(pid, chain)) {
      const block = await source.getBlock(loc.block);
      if (!block) throw new ChainError('not-found', `block of entry ${hex(loc.txId)} missing`);
      const ids = block.txs.map(txId);
      await anchor(block);
      out.push({ tx: block.txs[loc.index], block: loc.block, index: loc.index, count: ids.length, path: merkleProof(ids, loc.index) });
    }
    return out;
  };
  const emr = await entries('emr');
  const access = await entries('access');
  const top = Math.max(0, ...[...headers.values()].map((h) => h.height));
  for (const height of await source.validatorHandoffs()) {
    if (height >= top) break;
    const b = await source.getBlockAt(height);
    if (!b) throw new ChainError('not-found', `hand-off block ${height} missing`);
    await anchor(b);
  }
  for (const h of headers.values()) {
    for (const vid of [h.validators, h.nextValidators]) {
      if (sets.has(hex(vid))) continue;
      const ks = await source.getValidatorSet(vid);
      if (!ks) throw new ChainError('not-found', `validator set named by block ${h.height} unknown to the store`);
      sets.set(hex(vid), [...ks]);
    }
  }
  return { v: 1, pid, genesis, validatorSets: [...sets.values()], headers: [...headers.values()].sort((a, b) => a.height - b.height), certificates: [...certs.values()], emr, access };
}

export const T_BUNDLE = 'medchain/patient-bundle';
export const MAX_BUNDLE_BYTES = 64 << 20;

function entryValue(e: BundleEntry): Value {
  return { tx: encodeTx(e.tx), block: e.block, index: e.index, count: e.count, path: e.path };
}

/** Serialises a bundle (DAG-CBOR; transactions, headers and genesis as their own encodings). */
export function encodeBundle(b: PatientChainBundle): Uint8Array {
  return encode({
    t: T_BUNDLE,
    v: 1,
    pid: b.pid,
    genesis: encodeBlock(b.genesis),
    validatorSets: b.validatorSets,
    headers: b.headers.map(encodeHeader),
    certificates: b.certificates.map(certValue),
    emr: b.emr.map(entryValue),
    access: b.access.map(entryValue)
  });
}

/** Parses a bundle; throws FormatError. Run verifyPatientChains on the result. */
export function decodeBundle(bytes: Uint8Array): PatientChainBundle {
  const m = expectMap(decode(bytes, MAX_BUNDLE_BYTES), 'bundle');
  expectHeader(m, T_BUNDLE, 1);
  const entry = (x: unknown, w: string): BundleEntry => {
    const e = expectMap(x, w);
    return {
      tx: decodeTx(expectBytes(e.tx, `${w}.tx`)),
      block: expectBytes(e.block, `${w}.block`, 32),
      index: expectUint(e.index, `${w}.index`),
      count: expectUint(e.count, `${w}.count`),
      path: expectArray(e.path, `${w}.path`, 64).map((p, i) => expectBytes(p, `${w}.path[${i}]`, 32))
    };
  };
  return {
    v: 1,
    pid: expectBytes(m.pid, 'bundle.pid', PID_BYTES),
    genesis: decodeBlock(expectBytes(m.genesis, 'bundle.genesis')),
    validatorSets: expectArray(m.validatorSets, 'bundle.validatorSets', 1 << 16).map((ks, i) => expectArray(ks, `validatorSets[${i}]`, 4096).map((k, j) => expectBytes(k, `validatorSets[${i}][${j}]`, 96))),
    headers: expectArray(m.headers, 'bundle.headers', 1 << 20).map((h, i) => decodeHeader(expectBytes(h, `headers[${i}]`))),
    certificates: expectArray(m.certificates, 'bundle.certificates', 1 << 20).map((c, i) => certFromValue(c, `certificates[${i}]`)),
    emr: expectArray(m.emr, 'bundle.emr', 1 << 20).map((e, i) => entry(e, `emr[${i}]`)),
    access: expectArray(m.access, 'bundle.access', 1 << 20).map((e, i) => entry(e, `access[${i}]`))
  };
}

/**
 * Checks a bundle alone (see the module header). `expectedChain` pins the
 * genesis id when the caller knows which ledger it trusts.
 */
export function verifyPatientChains(bundle: PatientChainBundle, expectedChain?: Hash, hooks: ConsensusHooks = defaultHooks): BundleVerdict {
  try {
    return verifyInner(bundle, expectedChain, hooks);
  } catch (e) {
    if (e instanceof ChainError) return { ok: false, error: e };
    throw e;
  }
}

function verifyInner(bundle: PatientChainBundle, expectedChain: Hash | undefined, hooks: ConsensusHooks): BundleVerdict {
  const fail = (kind: ConstructorParameters<typeof ChainError>[0], msg: string, where = 'bundle'): BundleVerdict => ({ ok: false, error: new ChainError(kind, msg, where) });
  const gs = genesisState(bundle.genesis, hooks);
  if (!gs.ok) return { ok: false, error: gs.error };
  const chain = gs.state.chain;
  if (expectedChain && !equalBytes(expectedChain, chain)) return fail('wrong-chain', 'the genesis is not the expected chain');

  const sets = new Map<Hex, readonly PublicKey[]>();
  for (const ks of bundle.validatorSets) sets.set(hex(validatorSetId(ks)), ks);
  const trusted = new Set<Hex>([hex(validatorSetId(gs.state.validators))]);
  sets.set([...trusted][0], gs.state.validators);

  const byId = new Map<Hex, BlockHeader>();
  const childOf = new Map<Hex, Hex>();
  byId.set(hex(chain), bundle.genesis.header);
  for (const h of bundle.headers) {
    if (!equalBytes(h.chain, chain)) return fail('wrong-chain', `header ${h.height} is for another chain`);
    const id = hex(blockId(h));
    byId.set(id, h);
    const p = hex(h.prev);
    if (childOf.has(p) && childOf.get(p) !== id) return fail('malformed', `two children of one block at height ${h.height}`);
    childOf.set(p, id);
  }
  const certFor = new Map<Hex, FinalityCertificate>();
  for (const c of bundle.certificates) certFor.set(hex(c.block), c);

  // Certified headers: a certificate that verifies under a trusted set. A
  // certified header's nextValidators becomes trusted (a quorum of a trusted
  // set signed the header that names it: validator hand-off).
  const certified = new Set<Hex>();
  const checked = new Set<Hex>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [id, cert] of certFor) {
      if (checked.has(id)) continue;
      const h = byId.get(id);
      if (!h) return fail('malformed', 'a certificate for a header not in the bundle');
      if (!trusted.has(hex(h.validators))) continue;
      const set = sets.get(hex(h.validators));
      if (!set) return fail('bad-certificate', `validator set of block ${h.height} missing`);
      if (cert.height !== h.height || cert.slot !== h.slot) return fail('bad-certificate', `certificate does not match block ${h.height}`);
      const err = verifyCertificate(cert, set, chain, `certificate of block ${h.height}`);
      if (err) return { ok: false, error: err };
      checked.add(id);
      certified.add(id);
      trusted.add(hex(h.nextValidators));
      changed = true;
    }
  }
  // Final (Streamlet): M certified, its parent certified (or genesis) with
  // slot M.slot - 1, its child certified with slot M.slot + 1; M's ancestors
  // inside the bundle are final with it.
  const anchored = new Set<Hex>([hex(chain)]);
  for (const id of certified) {
    const m = byId.get(id)!;
    const p = hex(m.prev);
    const ph = byId.get(p);
    const parentOk = p === hex(chain) ? m.slot === 1 : ph !== undefined && certified.has(p) && ph.slot + 1 === m.slot;
    const c = childOf.get(id);
    const childOk = c !== undefined && certified.has(c) && byId.get(c)!.slot === m.slot + 1;
    if (!parentOk || !childOk) continue;
    for (let cur: BlockHeader | undefined = m, cid = id; cur && !anchored.has(cid); ) {
      anchored.add(cid);
      cid = hex(cur.prev);
      cur = byId.get(cid);
    }
  }

  // Entries.
  const items: { pk: Uint8Array; msg: Uint8Array; sig: Uint8Array }[] = [];
  const emrIds = new Set<Hex>();
  const recordIds = new Set<Hex>();
  const walk = (entries: BundleEntry[], name: PatientChainName): BundleVerdict | null => {
    let prev: Hash | null = null;
    for (const [i, e] of entries.entries()) {
      const where = `${name} entry ${i}`;
      const h = byId.get(hex(e.block));
      if (!h || h.height === 0) return fail('not-found', 'its block header is not in the bundle', where);
      if (!anchored.has(hex(e.block))) return fail('not-final', `block ${h.height} is not proven final (no three certified blocks in consecutive slots at or above it)`, where);
      const id = txId(e.tx);
      if (!verifyMerkleProof(h.txRoot, id, e.index, e.count, e.path)) return fail('bad-root', `not included in block ${h.height}`, where);
      if (!equalBytes(e.tx.chain, chain)) return fail('wrong-chain', 'transaction for another chain', where);
      const b = e.tx.body;
      const ok = name === 'emr' ? b.type === 'emr' : b.type === 'access-record' || b.type === 'delivery';
      if (!ok || !('pid' in b) || !equalBytes(b.pid, bundle.pid)) return fail('malformed', `not an ${name} entry of this patient`, where);
      const bp = (b as { prev: Hash | null }).prev;
      if (!(bp === null ? prev === null : prev !== null && equalBytes(bp, prev))) return fail('out-of-order', 'prev does not name the previous entry', where);
      if (b.type === 'access-record' && !emrIds.has(hex(b.emr))) return fail('not-found', 'names an EMR that is not in the medical-record chain', where);
      if (b.type === 'delivery' && !recordIds.has(hex(b.record))) return fail('not-found', 'names an access record not earlier in the chain', where);
      if (b.type === 'emr') emrIds.add(hex(id));
      if (b.type === 'access-record' && b.decision === 'granted') recordIds.add(hex(id));
      items.push({ pk: e.tx.author, msg: txSigningBytes(e.tx), sig: e.tx.sig });
      prev = id;
    }
    return null;
  };
  const r = walk(bundle.emr, 'emr') ?? walk(bundle.access, 'access');
  if (r) return r;
  if (items.length > 0 && !bls.batchVerify(items)) {
    const all = [...bundle.emr.map((e) => ['emr', e] as const), ...bundle.access.map((e) => ['access', e] as const)];
    for (const [name, e] of all) if (!bls.verify(e.tx.author, txSigningBytes(e.tx), e.tx.sig)) return fail('bad-signature', 'transaction signature does not verify', `${name} entry ${hex(txId(e.tx)).slice(0, 16)}`);
    return fail('bad-signature', 'batch signature check failed');
  }
  return { ok: true, emr: bundle.emr.length, access: bundle.access.length };
}
