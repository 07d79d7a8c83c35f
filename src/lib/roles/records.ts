/**
 * What the patient, hospital and data-user roles share on the record path
 * (SPEC §3 storage, §5 sharing): the one `Rpc` of a room peer, the rpc
 * method names and body shapes, signing and gossiping a transaction, and a
 * demo consortium with a registered patient and a data user (tests, demos).
 *
 * RPC methods (bodies are canonical DAG-CBOR maps; bytes are Uint8Array):
 *
 * | method | served by | request | answer |
 * | --- | --- | --- | --- |
 * | `hospital.submit` | hospital | `{ pid (64 B), description (≤ 4096), mime, fhir: bool, data (≤ 3.5 MiB) }` | `{ emr (32 B tx id), index (blob id), h3c (32 B), patientKey (k wrapped to the patient, context emrKeyContext(h3c)) }` |
 * | `hospital.delivery` | hospital | `{ record (32 B access-record id) }` | `{ payload }` (only to the record's requester, only once delivered) |
 * | `user.deliver` | data user | `{ record, payload }` (payload = encodeRewrapDelivery) | `{ ok: true }` |
 *
 * The request frame limit is 4 MiB, so a record sent over `hospital.submit`
 * is at most MAX_SUBMIT_BYTES; larger files would go as a blob (not built).
 */
import { hex, makeGenesis, makeMember, signTx, txId, type Block, type ChainState, type Hash, type Transaction, type TxBody } from '$lib/chain';
import { bls, EncryptionSecretKey } from '$lib/crypto';
import { roomIdOf } from '$lib/net/room';
import { headerId } from '$lib/chain/consensus';
import type { RoomPeer } from './room-peer';

export const M_SUBMIT = 'hospital.submit';
export const M_DELIVERY = 'hospital.delivery';
export const M_DELIVER = 'user.deliver';

/** Largest record body sent in one `hospital.submit` request (frame limit 4 MiB minus headroom). */
export const MAX_SUBMIT_BYTES = 3.5 * 1024 * 1024;


/** The head state (what a new transaction is checked against). */
export function headState(peer: RoomPeer): ChainState {
  return peer.executor.stateOf(peer.consensus.tree.head()) ?? peer.executor.genesisState;
}

/** The final state (consensus final; `state.finalized` is what the ledger itself proves final). */
export function finalState(peer: RoomPeer): ChainState {
  return peer.finalState() ?? peer.executor.genesisState;
}

/** Next free sequence number of `pk`: the head state's nonce, past any of its transactions waiting in the mempool. */
export function nextSeq(peer: RoomPeer, pk: Uint8Array): number {
  const k = hex(pk);
  let seq = headState(peer).nonces.get(k) ?? 0;
  const mine = peer.mempool
    .list()
    .filter((t) => hex(t.author) === k)
    .map((t) => t.seq);
  while (mine.includes(seq)) seq++;
  return seq;
}

/** A transaction was refused by the local mempool (the ledger's rule is in `kind`). */
export class TxRefused extends Error {
  constructor(
    readonly kind: string,
    message: string
  ) {
    super(message);
    this.name = 'TxRefused';
  }
}

/**
 * Signs `body` with `keys`, admits it to the local mempool against the head
 * state (throws TxRefused with the ledger's reason) and gossips it. Returns
 * the transaction and its id.
 */
export function submitTx(peer: RoomPeer, keys: { sk: Uint8Array; pk: Uint8Array }, body: TxBody): { tx: Transaction; id: Hash } {
  const state = headState(peer);
  const tx = signTx(keys.sk, { chain: peer.chain, seq: nextSeq(peer, keys.pk), time: Date.now(), body });
  const err = peer.mempool.submit(tx, state);
  if (err) throw new TxRefused(err.kind, err.message);
  peer.gossip.publishTx(tx);
  return { tx, id: txId(tx) };
}

/** A placeholder pseudonym for a patient the PKG has not given one: derived from the signing key, marked as such. */
export function placeholderPseudonym(pk: Uint8Array): string {
  return `unregistered-${hex(pk).slice(0, 24)}`;
}

/** The pseudonym text of a registered pid (the form written into FHIR identifiers). */
export function pseudonymText(pid: Uint8Array): string {
  return `pid-${hex(pid).slice(0, 32)}`;
}

/** A transaction on the final chain with where it sits. */
export interface ChainTx {
  tx: Transaction;
  id: Hash;
  height: number;
  /** Block time (genesisTime + slot * slotMs). */
  time: number;
}

/** Transactions of the peer's final chain that pass `pred` (on the body), oldest first. */
export function finalTxs(peer: RoomPeer, pred: (b: TxBody) => boolean): ChainTx[] {
  const out: ChainTx[] = [];
  const params = peer.executor.genesisState.params;
  type E = { height: number; slot: number; block?: Block; parent: E | null };
  for (let e: E | null = peer.consensus.tree.final as unknown as E; e && e.height > 0; e = e.parent) {
    const txs = e.block?.txs ?? [];
    for (let i = txs.length - 1; i >= 0; i--) if (pred(txs[i].body)) out.push({ tx: txs[i], id: txId(txs[i]), height: e.height, time: params.genesisTime + e.slot * params.slotMs });
  }
  return out.reverse();
}

// ---------------------------------------------------------------- demo consortium

export interface RecordsParty {
  name: string;
  keys: { sk: Uint8Array; pk: Uint8Array };
  enc: EncryptionSecretKey;
}

export interface RecordsRoom {
  genesis: Block;
  room: string;
  pid: Uint8Array;
  validator: RecordsParty;
  hospital: RecordsParty;
  patient: RecordsParty;
  user: RecordsParty;
  other: RecordsParty;
}

function party(seed: string, name: string): RecordsParty {
  const sk = bls.keygen(new TextEncoder().encode(`medchain records room | ${seed} | ${name} | not a real key`));
  return { name, keys: { sk, pk: bls.publicKey(sk) }, enc: EncryptionSecretKey.generate() };
}

/**
 * A consortium for the record path (NOT FOR REAL RECORDS: keys derive from
 * `seed`): one validator hospital (tier 3A), a records hospital (not a
 * validator), a patient with a pid, two data users. Call `await ready()` first.
 */
export function recordsRoom(p: { seed: string; genesisTime: number; slotMs: number; roundSlots?: number }): RecordsRoom {
  const pkg = party(p.seed, 'PKG');
  const validator = party(p.seed, 'Validator Hospital');
  const hospital = party(p.seed, 'Records Hospital');
  const patient = party(p.seed, 'Patient');
  const user = party(p.seed, 'Data User');
  const other = party(p.seed, 'Other User');
  const pid = new Uint8Array(64);
  pid.set(bls.keygen(new TextEncoder().encode(`pid | ${p.seed} | the patient ........`)).slice(0, 32));
  const genesis = makeGenesis(pkg.keys.sk, {
    name: `records room ${p.seed}`,
    params: { validators: 1, slotMs: p.slotMs, genesisTime: p.genesisTime, initialCredit: 100, creditThreshold: 50, roundSlots: p.roundSlots ?? 8 },
    members: [
      makeMember(pkg.keys.sk, { role: 'pkg', enc: pkg.enc.publicKey.toBytes(), name: pkg.name }),
      makeMember(validator.keys.sk, { role: 'hospital', enc: validator.enc.publicKey.toBytes(), name: validator.name, rating: 900, tier: '3A' }),
      makeMember(hospital.keys.sk, { role: 'hospital', enc: hospital.enc.publicKey.toBytes(), name: hospital.name, rating: 500, tier: '2A' }),
      makeMember(patient.keys.sk, { role: 'patient', enc: patient.enc.publicKey.toBytes(), name: patient.name, pid }),
      makeMember(user.keys.sk, { role: 'data-user', enc: user.enc.publicKey.toBytes(), name: user.name }),
      makeMember(other.keys.sk, { role: 'data-user', enc: other.enc.publicKey.toBytes(), name: other.name })
    ]
  });
  return { genesis, room: roomIdOf(headerId(genesis.header)), pid, validator, hospital, patient, user, other };
}
