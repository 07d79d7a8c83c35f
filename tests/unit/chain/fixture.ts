/**
 * A small consortium for ledger tests: a PKG (also the regulator), three
 * hospitals (two tier 3A, one 3B; all three validators), one patient, one
 * data user, one TPA. Keys are deterministic; building blocks skips the
 * producer's own signature check (produceBlock), applying them in tests does
 * the full check.
 */
import { bls } from '../../../src/lib/crypto';
import { encode } from '../../../src/lib/codec';
import {
  applyBlock,
  blockId,
  certRoot,
  encodeState,
  genesisState,
  hex,
  makeCertificate,
  makeGenesis,
  makeMember,
  merkleRoot,
  produceBlock,
  signFinality,
  signHeader,
  signTx,
  txId,
  validatorSetId,
  type Block,
  type ChainParams,
  type ChainState,
  type FinalityCertificate,
  type Role,
  type Tier,
  type Transaction,
  type TxBody
} from '../../../src/lib/chain';

export interface Party {
  name: string;
  sk: Uint8Array;
  pk: Uint8Array;
  role: Role;
}

export function party(name: string, role: Role): Party {
  const ikm = new TextEncoder().encode(`medchain test key ${name} ----------------------------`);
  const sk = bls.keygen(ikm);
  return { name, sk, pk: bls.publicKey(sk), role };
}

export const PARAMS: ChainParams = { validators: 3, slotMs: 1000, genesisTime: 1_700_000_000_000, initialCredit: 100, creditThreshold: 50, roundSlots: 10 };

export function pidOf(n: number): Uint8Array {
  const p = new Uint8Array(64);
  p[0] = n;
  p[63] = 0xaa;
  return p;
}

export interface World {
  pkg: Party;
  h1: Party;
  h2: Party;
  h3: Party;
  patient: Party;
  user: Party;
  tpa: Party;
  pid: Uint8Array;
  genesis: Block;
  state0: ChainState;
  all: Party[];
}

function enc(n: number): Uint8Array {
  // Any 48 bytes: the chain does not check encryption keys (the sharing layer does).
  const e = new Uint8Array(48);
  e[0] = n;
  return e;
}

export function makeWorld(): World {
  const pkg = party('pkg', 'pkg');
  const h1 = party('h1', 'hospital');
  const h2 = party('h2', 'hospital');
  const h3 = party('h3', 'hospital');
  const patient = party('patient', 'patient');
  const user = party('user', 'data-user');
  const tpa = party('tpa', 'tpa');
  const pid = pidOf(1);
  const hosp = (p: Party, rating: number, tier: Tier, i: number) => makeMember(p.sk, { role: 'hospital', enc: enc(i), name: p.name, rating, tier });
  const members = [
    makeMember(pkg.sk, { role: 'pkg', enc: enc(1), name: 'PKG' }),
    hosp(h1, 900, '3A', 2),
    hosp(h2, 800, '3A', 3),
    hosp(h3, 500, '3B', 4),
    makeMember(patient.sk, { role: 'patient', enc: enc(5), name: 'patient', pid }),
    makeMember(user.sk, { role: 'data-user', enc: enc(6), name: 'user' }),
    makeMember(tpa.sk, { role: 'tpa', enc: enc(7), name: 'tpa' })
  ];
  const genesis = makeGenesis(pkg.sk, { name: 'test ledger', params: PARAMS, members });
  const r = genesisState(genesis);
  if (!r.ok) throw r.error;
  return { pkg, h1, h2, h3, patient, user, tpa, pid, genesis, state0: r.state, all: [pkg, h1, h2, h3, patient, user, tpa] };
}

/** A signed transaction by `who` with sequence number `seq` (the PKG's first free one is 1: genesis used 0). */
export function tx(w: World, who: Party, body: TxBody, seq = 0): Transaction {
  return signTx(who.sk, { chain: w.state0.chain, seq, time: PARAMS.genesisTime, body });
}

/** The producer scheduled by nobody in particular: the first tier-3A validator. */
export function producerOf(w: World, state: ChainState): Party {
  const p = [w.h1, w.h2].find((h) => state.validators.some((v) => hex(v) === hex(h.pk)));
  if (!p) throw new Error('no producer');
  return p;
}

/** Every block made here, by id hex (so `finalise` can certify blocks a test did not keep). */
const made = new Map<string, Block>();

/** Builds a valid block (invalid candidates are dropped; throws if any was dropped unless `allowDrops`). */
export function next(w: World, state: ChainState, txs: Transaction[], certs: FinalityCertificate[] = [], allowDrops = false): { block: Block; state: ChainState } {
  const p = produceBlock(state, producerOf(w, state).sk, state.slot + 1, txs, certs);
  if (!allowDrops && p.rejected.length > 0) throw p.rejected[0].error;
  made.set(hex(blockId(p.block)), p.block);
  return { block: p.block, state: p.state };
}

/**
 * Makes every block of `state` final by the Streamlet rule: one empty block
 * carrying certificates of all uncertified blocks above the last final one,
 * then one carrying that block's certificate (consecutive slots, all
 * certified: the last block of `state` has a certified parent and child).
 * Returns the state after the two blocks.
 */
export function finalise(w: World, state: ChainState): ChainState {
  const certs = state.unfinalized.filter((u) => !u.certified).map((u) => certify(w, state, made.get(hex(u.id)) ?? missing(u.height)));
  const b1 = rawBlock(w, state, [], { certs });
  const s1 = apply(state, b1);
  const s2 = apply(s1, rawBlock(w, s1, [], { certs: [certify(w, s1, b1)] }));
  if (s2.finalized.height < state.height) throw new Error('finalise: not final');
  return s2;
}
function missing(height: number): never {
  throw new Error(`finalise: block ${height} was not made by the fixture`);
}

/**
 * A block with exactly these transactions and certificates, signed by
 * `producer`, with roots computed and nextValidators = the current set
 * (right whenever the transactions do not change the set). For testing
 * rejections of individual transactions.
 */
export function rawBlock(w: World, state: ChainState, txs: Transaction[], opts: { certs?: FinalityCertificate[]; producer?: Party; slot?: number; height?: number; prev?: Uint8Array } = {}): Block {
  const producer = opts.producer ?? producerOf(w, state);
  const header = signHeader(producer.sk, {
    v: 1,
    chain: state.chain,
    height: opts.height ?? state.height + 1,
    slot: opts.slot ?? state.slot + 1,
    prev: opts.prev ?? state.head,
    txRoot: merkleRoot(txs.map(txId)),
    certRoot: certRoot(opts.certs ?? []),
    validators: validatorSetId(state.validators),
    nextValidators: validatorSetId(state.validators)
  });
  const b = { header, txs, certs: opts.certs ?? [] };
  made.set(hex(blockId(b)), b);
  return b;
}

/** A certificate for `block` by `signers` (default: all) of the set that certifies it; `after` is any later state that still knows that set. */
export function certify(w: World, after: ChainState, block: Block, signers?: Party[]): FinalityCertificate {
  const set = after.validatorSets.get(hex(block.header.validators));
  if (!set) throw new Error('validator set unknown');
  const id = blockId(block);
  const votes = new Map<number, Uint8Array>();
  set.forEach((k, i) => {
    const p = w.all.find((x) => hex(x.pk) === hex(k))!;
    if (!signers || signers.includes(p)) votes.set(i, signFinality(p.sk, after.chain, id, block.header.height, block.header.slot));
  });
  return makeCertificate(set, id, block.header.height, block.header.slot, votes);
}

export function stateBytes(s: ChainState): string {
  return hex(encodeState(s));
}

/** Applies and returns the error kind, asserting that the input state is unchanged. */
export function rejectKind(state: ChainState, block: Block): string {
  const before = stateBytes(state);
  const r = applyBlock(state, block);
  const after = stateBytes(state);
  if (before !== after) throw new Error('the input state changed');
  return r.ok ? 'accepted' : r.error.kind;
}

export function apply(state: ChainState, block: Block): ChainState {
  const r = applyBlock(state, block);
  if (!r.ok) throw r.error;
  return r.state;
}

export { encode };
