/**
 * A diagnostic for the ledger store in a real browser (the route
 * /ledger-check, driven by tests/e2e/ledger-persistence.e2e.ts): a
 * DexieChainStore of its own that a loop fills with valid, really signed
 * blocks as fast as it can, and that is checked on every open with
 * `checkStoredState` (replay every stored block from genesis, signatures
 * verified, and compare with the stored state byte for byte). Killing the tab
 * in the middle of a commit and opening the page again shows whether a
 * commit is indeed one IndexedDB transaction.
 *
 * The ledger is a toy: a PKG, ONE tier-3A hospital (the only validator, V =
 * 1, so it produces every block and its finality vote alone is a
 * certificate) and one patient. Each block carries the parent's certificate
 * (consecutive slots: Streamlet finalises as it goes, `unfinalized` stays
 * short), EMR_PER_BLOCK EMR entries for the patient and one vote by the
 * hospital. Keys come from fixed seeds, so a reopened page can continue the
 * chain it finds. Nothing here is a real member or record.
 */
import { bls } from '$lib/crypto';
import {
  blockId,
  genesisState,
  hex,
  makeCertificate,
  makeGenesis,
  makeMember,
  produceBlock,
  signFinality,
  signTx,
  txId,
  type Block,
  type ChainParams,
  type ChainState,
  type FinalityCertificate,
  type Transaction
} from '$lib/chain';
import { DexieChainStore, checkStoredState } from '$lib/store';

/** IndexedDB database of the diagnostic (never the database of a real role). */
export const LEDGER_CHECK_DB = 'medchain-ledger-check';

/** EMR entries per block (plus one vote). */
export const EMR_PER_BLOCK = 3;

const PARAMS: ChainParams = { validators: 1, slotMs: 1000, genesisTime: 1_700_000_000_000, initialCredit: 100, creditThreshold: 50, roundSlots: 10 };

/** A deterministic key: the same on every open, so the stored chain can be continued. */
function key(name: string): { sk: Uint8Array; pk: Uint8Array } {
  const sk = bls.keygen(new TextEncoder().encode(`medchain ledger-check key ${name} ------------------------`));
  return { sk, pk: bls.publicKey(sk) };
}

/** What opening the database found. */
export interface StoredCheck {
  /** True when the database held no genesis and one was committed now. */
  created: boolean;
  /** checkStoredState: the state rebuilt from the blocks encodes like the stored state. */
  ok: boolean;
  detail: string;
  /** Height of the last stored block, and of the stored state (equal when consistent). */
  headHeight: number | null;
  stateHeight: number | null;
  /** How long the check took (replay with signature verification). */
  ms: number;
}

/** Progress of the block loop, reported after every commit. */
export interface LoopProgress {
  height: number;
  /** Mean time of one `commitBlock` over this run, ms. */
  commitMs: number;
  /** Mean time to build and sign one block over this run, ms. */
  buildMs: number;
}

export class LedgerCheck {
  private readonly pkg = key('pkg');
  private readonly hospital = key('hospital');
  private readonly patient = key('patient');
  private readonly pid = new Uint8Array(64).fill(0x5a);
  /** 'build' while a block is made, 'commit' while its transaction is open. */
  phase: 'idle' | 'build' | 'commit' = 'idle';

  private constructor(private readonly store: DexieChainStore) {}

  /**
   * Opens (or creates) the database `name`. On an empty one, commits a new
   * genesis; otherwise checks the stored state against the stored blocks.
   * Call `await ready()` from '$lib/crypto' first.
   */
  static async open(name = LEDGER_CHECK_DB): Promise<{ check: LedgerCheck; result: StoredCheck }> {
    const check = new LedgerCheck(new DexieChainStore(name));
    const result = await check.inspect();
    return { check, result };
  }

  private async inspect(): Promise<StoredCheck> {
    const t0 = performance.now();
    let created = false;
    if (!(await this.store.head())) {
      const genesis = this.genesis();
      const r = genesisState(genesis);
      if (!r.ok) throw r.error;
      await this.store.commitBlock(genesis, r.state);
      created = true;
    }
    const { ok, detail } = await checkStoredState(this.store);
    const head = await this.store.head();
    const state = await this.store.getState();
    return { created, ok, detail, headHeight: head?.height ?? null, stateHeight: state?.height ?? null, ms: Math.round(performance.now() - t0) };
  }

  private genesis(): Block {
    const enc = (n: number) => new Uint8Array(48).fill(n);
    const members = [
      makeMember(this.pkg.sk, { role: 'pkg', enc: enc(1), name: 'PKG (ledger check)' }),
      makeMember(this.hospital.sk, { role: 'hospital', enc: enc(2), name: 'Hospital (ledger check)', rating: 900, tier: '3A' }),
      makeMember(this.patient.sk, { role: 'patient', enc: enc(3), name: 'Patient (ledger check)', pid: this.pid })
    ];
    return makeGenesis(this.pkg.sk, { name: 'ledger check', params: PARAMS, members });
  }

  /**
   * Makes and commits blocks on the stored head until `signal` aborts, one
   * commit at a time; `onCommitStart(height)` just before a block's
   * transaction opens, `onCommit` once it has completed. Throws if the stored state is
   * missing or a block cannot be made (e.g. a database from other keys).
   */
  async run(signal: AbortSignal, onCommit: (p: LoopProgress) => void, onCommitStart?: (height: number) => void): Promise<void> {
    let state = await this.store.getState();
    let parent = state && (await this.store.getBlockAt(state.height));
    if (!state || !parent) throw new Error('no stored state to continue from');
    let blocks = 0;
    let buildMs = 0;
    let commitMs = 0;
    try {
      while (!signal.aborted) {
        this.phase = 'build';
        const t0 = performance.now();
        const certs = state.height === 0 ? [] : [this.certify(state, parent)];
        const p = produceBlock(state, this.hospital.sk, state.slot + 1, this.transactions(state), certs);
        if (p.rejected.length > 0) throw p.rejected[0].error;
        const t1 = performance.now();
        this.phase = 'commit';
        onCommitStart?.(p.state.height);
        await this.store.commitBlock(p.block, p.state);
        this.phase = 'build';
        blocks++;
        buildMs += t1 - t0;
        commitMs += performance.now() - t1;
        state = p.state;
        parent = p.block;
        onCommit({ height: state.height, buildMs: buildMs / blocks, commitMs: commitMs / blocks });
        // Let the page paint and events (stop, a crash request) through.
        await new Promise((r) => setTimeout(r, 0));
      }
    } finally {
      this.phase = 'idle';
    }
  }

  /** The certificate of `block` (the hospital is the whole validator set). */
  private certify(state: ChainState, block: Block): FinalityCertificate {
    const set = state.validatorSets.get(hex(block.header.validators));
    if (!set) throw new Error(`validator set of block ${block.header.height} unknown`);
    const i = set.findIndex((k) => hex(k) === hex(this.hospital.pk));
    if (i < 0) throw new Error('the hospital is not in the validator set');
    const id = blockId(block);
    const vote = signFinality(this.hospital.sk, state.chain, id, block.header.height, block.header.slot);
    return makeCertificate(set, id, block.header.height, block.header.slot, new Map([[i, vote]]));
  }

  /** EMR_PER_BLOCK EMR entries chained on the patient's head, then a vote. */
  private transactions(state: ChainState): Transaction[] {
    const h = this.hospital;
    let seq = state.nonces.get(hex(h.pk)) ?? 0;
    let prev = state.patientChains.get(hex(this.pid))?.emrHead ?? null;
    const time = PARAMS.genesisTime + (state.slot + 1) * PARAMS.slotMs;
    const txs: Transaction[] = [];
    for (let i = 0; i < EMR_PER_BLOCK; i++) {
      const h3c = crypto.getRandomValues(new Uint8Array(32));
      h3c[0] = 0; // below the group order, as H3(c) would be
      const info = { h3c, index: `ledger-check/${state.height + 1}/${i}`, description: `diagnostic entry ${i} of block ${state.height + 1}`, time };
      const audit = { scheme: 'sw-priv' as const, name: new Uint8Array(32).fill(i), n: 4, s: 2, v: h.pk };
      const tx = signTx(h.sk, { chain: state.chain, seq: seq++, time, body: { type: 'emr', pid: this.pid, prev, info, audit, sealedKey: null } });
      txs.push(tx);
      prev = txId(tx);
    }
    txs.push(signTx(h.sk, { chain: state.chain, seq: seq++, time, body: { type: 'vote', delegates: [h.pk] } }));
    return txs;
  }

  /** Deletes the database (the page's reset button). */
  async destroy(): Promise<void> {
    await this.store.destroy();
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
