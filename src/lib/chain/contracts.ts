/**
 * Contracts: handlers that a node runs when a FINALISED block contains a
 * transaction of a given type. A contract's trigger and inputs are functions
 * of the finalised chain (the block, the transaction, the state after the
 * block) and of the node's own key; what it does off chain (fetching,
 * re-wrapping, sending) is done through the environment it is given, and what
 * it achieved is recorded on chain by the transactions it returns for the node
 * to sign and submit.
 *
 * The sharing contract (SPEC §5, paper Algorithm 1) is the first:
 * - trigger: an `access-record` with decision 'granted', in a finalised block;
 * - executor: the hospital that wrote the EMR (`state.emrs[emr].hospital`);
 *   every other node skips it (a key held by a contract on a shared ledger
 *   would be readable by every node, so only the executor holds `k`);
 * - inputs: the access record (id, requester, mode), the EMR entry (index,
 *   H3(c)), the requester's encryption key from the member registry;
 * - effect: `SharingBackend.deliver` (rewrap: k re-wrapped to the requester;
 *   reencrypt: c fetched by index, rejected unless H3(c) equals the on-chain
 *   value, re-encrypted to the requester), `SharingBackend.send` hands the
 *   payload to the requester, and a `delivery` transaction acknowledging
 *   SHA-256(payload) is returned; the ledger accepts it only from the executor,
 *   once, and only when the access record's block is final;
 * - skipped when the record already has a delivery in the state (restart
 *   safety) or the node is not the executor.
 *
 * `SharingBackend` is the small interface the contract calls; the app
 * implements it with $lib/sharing (`rewrap` / `reencrypt` with
 * `accessGrant(recordId, requesterEnc, mode)`, `checkCiphertext`) and the
 * net layer's blob fetch and messaging.
 */
import { equalBytes, hex, sha256 } from './bytes';
import { txId } from './encoding';
import type { Block, BodyOf, ChainState, DeliveryMode, EmrIndexEntry, EncKey, Hash, Pid, PublicKey, Transaction, TxBody, TxType } from './types';

export interface ContractEvent<T extends TxType = TxType> {
  /** State after the finalised block. */
  state: ChainState;
  block: Block;
  tx: Transaction<BodyOf<T>>;
  txId: Hash;
}

export type ContractOutcome =
  | { status: 'skipped'; reason: string }
  | { status: 'done'; submit: TxBody[]; detail?: string }
  | { status: 'failed'; reason: string };

export interface Contract<T extends TxType = TxType, Env = unknown> {
  readonly name: string;
  readonly trigger: T;
  run(event: ContractEvent<T>, env: Env): Promise<ContractOutcome>;
}

/** Contracts by trigger type; runs them over newly finalised blocks in order. */
export class ContractRegistry<Env = unknown> {
  private readonly byType = new Map<TxType, Contract<TxType, Env>[]>();

  register<T extends TxType>(c: Contract<T, Env>): this {
    const list = this.byType.get(c.trigger) ?? [];
    list.push(c as unknown as Contract<TxType, Env>);
    this.byType.set(c.trigger, list);
    return this;
  }

  contractsFor(type: TxType): readonly Contract<TxType, Env>[] {
    return this.byType.get(type) ?? [];
  }

  /**
   * Runs every matching contract for the transactions of `block`, which must be
   * final in `state` (height <= state.finalized.height: final by the
   * Streamlet rule the chain itself proves, not merely certified by one
   * carried certificate); throws RangeError otherwise — nothing runs on an
   * unfinalised block. Under consensus, `LedgerSink`'s `onLedgerFinal`
   * (consensus/ledger.ts) calls this once per newly final block.
   */
  async runFinalized(state: ChainState, block: Block, env: Env): Promise<{ contract: string; txId: Hash; outcome: ContractOutcome }[]> {
    if (block.header.height > state.finalized.height) throw new RangeError(`block ${block.header.height} is not final (final through ${state.finalized.height})`);
    const out: { contract: string; txId: Hash; outcome: ContractOutcome }[] = [];
    for (const tx of block.txs) {
      for (const c of this.contractsFor(tx.body.type)) {
        const id = txId(tx);
        let outcome: ContractOutcome;
        try {
          outcome = await c.run({ state, block, tx, txId: id }, env);
        } catch (e) {
          outcome = { status: 'failed', reason: e instanceof Error ? e.message : String(e) };
        }
        out.push({ contract: c.name, txId: id, outcome });
      }
    }
    return out;
  }
}

// ---------------------------------------------------------------- sharing

export interface SharingInput {
  /** The access record's transaction id (the sharing layer's recordId). */
  recordId: Hash;
  emr: EmrIndexEntry;
  pid: Pid;
  requester: PublicKey;
  requesterEnc: EncKey;
  mode: DeliveryMode;
}

export interface SharingBackend {
  /**
   * Produces what the requester receives. In 'reencrypt' mode it fetches c by
   * `emr.info.index` and must refuse (ok: false) unless H3(c) = `emr.info.h3c`.
   */
  deliver(input: SharingInput): Promise<{ ok: true; payload: Uint8Array } | { ok: false; reason: string }>;
  /** Hands the payload to the requester (message bus / blob store). */
  send(requester: PublicKey, recordId: Hash, payload: Uint8Array): Promise<void>;
}

export interface SharingEnv {
  /** This node's signing key: the contract runs only if it is the executor. */
  self: PublicKey;
  sharing: SharingBackend;
}

export const sharingContract: Contract<'access-record', SharingEnv> = {
  name: 'sharing',
  trigger: 'access-record',
  async run(ev, env) {
    const b = ev.tx.body;
    if (b.decision !== 'granted') return { status: 'skipped', reason: 'access refused' };
    const emr = ev.state.emrs.get(hex(b.emr));
    if (!emr) return { status: 'failed', reason: 'EMR entry not in state' };
    if (!equalBytes(emr.hospital, env.self)) return { status: 'skipped', reason: 'this node is not the executor' };
    const g = ev.state.granted.get(hex(ev.txId));
    if (!g) return { status: 'failed', reason: 'granted record not in state' };
    if (g.delivery !== null) return { status: 'skipped', reason: 'already delivered' };
    const requester = ev.state.members.get(hex(b.requester));
    if (!requester) return { status: 'failed', reason: 'requester not a member' };
    const r = await env.sharing.deliver({ recordId: ev.txId, emr, pid: b.pid, requester: b.requester, requesterEnc: requester.enc, mode: b.mode, });
    if (!r.ok) return { status: 'failed', reason: r.reason };
    await env.sharing.send(b.requester, ev.txId, r.payload);
    const heads = ev.state.patientChains.get(hex(b.pid));
    const body: BodyOf<'delivery'> = { type: 'delivery', record: ev.txId, pid: b.pid, requester: b.requester, mode: b.mode, digest: sha256(r.payload), prev: heads?.accessHead ?? null };
    return { status: 'done', submit: [body], detail: `delivered ${r.payload.length} bytes` };
  }
};

/** A registry with the sharing contract. */
export function defaultContracts(): ContractRegistry<SharingEnv> {
  return new ContractRegistry<SharingEnv>().register(sharingContract);
}
