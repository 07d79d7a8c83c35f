/**
 * The ledger under consensus: one block format (the ledger's `Block`), the
 * ledger's state machine (`applyBlock`) as consensus's Executor, the ledger's
 * ConsensusHooks computed by the block tree, and a ConsensusStore that writes
 * the FINAL chain and its states into a ledger store (src/lib/store's
 * `ChainStore`, by structure: chain/ does not import store/).
 *
 * | ledger hook | computed by consensus (tree.ts, dpos.ts) |
 * | --- | --- |
 * | validatorsFor(state, header) | the validator set of the header's round (from the round's anchor on this chain) |
 * | checkProducer | the producer scheduled for the header's slot |
 * | creditDeltas | `applyCredits` of the block's credit events (produce, votes of the carried certificate, missed slots, evidence): ChainState.credits = the consensus credit ledger |
 * | nextValidators | the validator set of the round after the block's round |
 * | finalize | `streamletFinalize` (three certified blocks in consecutive slots) |
 *
 * Validator sets change only at round boundaries: `header.validators` is the
 * set of the block's round, `header.nextValidators` the set of the next
 * round (both computed from anchors on the block's own chain), so a light
 * verifier follows hand-offs through certified headers.
 *
 * Membership: each round's validators are selected from the members,
 * ratings, tiers and approval votes of the LEDGER state at the round's
 * anchor (`LedgerExecutor.membership`), so final `register`,
 * `regulator-update` and `vote` transactions move the set at the next round
 * boundary whose anchor includes them.
 *
 * Limit (documented in docs/consensus.md): a round with no block at all
 * breaks the header hand-off chain for bundle verification.
 */
import { hex } from '../bytes';
import { streamletFinalize } from '../hooks';
import { applyBlock, checkTransaction, genesisState, selectTransactions } from '../state';
import { txId } from '../encoding';
import { ChainError, type Block, type BlockHeader, type ChainState, type ConsensusHooks, type FinalityCertificate, type Hash, type Hex, type PublicKey, type Transaction } from '../types';
import { applyCredits, hexOf, producerAt, roundOf } from './dpos';
import { headerId } from './encoding';
import type { ConsensusStore } from './store';
import { OK, reject, DEFAULT_CREDITS, type Check, type ConsensusConfig, type CreditRules, type Member } from './types';
import type { BlockTree, Entry, Executor, Membership } from './tree';

/**
 * The consensus configuration a ledger genesis block describes: chain id =
 * genesis id; V, slot length, genesis time, round length from its params;
 * credits start at `initialCredit` and qualify at `creditThreshold`;
 * members = the genesis hospitals (key, PoP, rating, tier, name).
 */
export function consensusConfigFromGenesis(genesis: Block, credits: Partial<CreditRules> = {}): ConsensusConfig {
  const tx = genesis.txs[0];
  if (genesis.header.height !== 0 || !tx || tx.body.type !== 'genesis') throw new RangeError('genesis: not a genesis block');
  const g = tx.body;
  const members: Member[] = g.members.filter((m) => m.role === 'hospital').map((m) => ({ key: m.key, pop: m.pop, rating: m.rating ?? 0, tier: m.tier ?? '1C', name: m.name }));
  return {
    chain: headerId(genesis.header),
    validators: g.params.validators,
    slotMs: g.params.slotMs,
    genesisTime: g.params.genesisTime,
    roundSlots: g.params.roundSlots,
    credits: { ...DEFAULT_CREDITS, ...credits, initial: g.params.initialCredit, threshold: g.params.creditThreshold },
    members,
    approvals: new Map()
  };
}

const hooksCache = new WeakMap<BlockTree, ConsensusHooks>();
const membershipCache = new WeakMap<ChainState, Membership>();

/**
 * The ledger hooks of the chain held by `tree` (see the module header). A
 * block's parent is found in the tree by `header.prev` (ChainError
 * 'not-found' if absent): replaying a stored chain (`rebuildState`) needs a
 * tree that holds it, e.g. the node's.
 */
export function consensusHooks(tree: BlockTree): ConsensusHooks {
  let h = hooksCache.get(tree);
  if (h) return h;
  const L = tree.config.roundSlots;
  const parentOf = (header: BlockHeader): Entry => {
    const p = tree.get(header.prev);
    if (!p) throw new ChainError('not-found', 'parent not in the consensus block tree', `block ${header.height}`);
    return p;
  };
  const keys = (ms: readonly Member[]): PublicKey[] => ms.map((m) => m.key);
  h = {
    checkProducer(_state, header) {
      const prod = producerAt(tree.schedule(parentOf(header), roundOf(header.slot, L)), header.slot, L);
      return prod && hexOf(prod.key) === hex(header.producer) ? null : new ChainError('not-producer', `not the producer scheduled for slot ${header.slot}`, `block ${header.height}`);
    },
    validatorsFor(_state, header) {
      return keys(tree.headerSets(parentOf(header), header.slot).current.validators);
    },
    creditDeltas(_before, _after, block) {
      const p = parentOf(block.header);
      const base = tree.creditStateAt(p);
      const next = applyCredits(base, tree.config.credits, tree.creditEventsFor(p, block));
      const out = new Map<Hex, number>();
      for (const [k, v] of next.credits) {
        const d = v - (base.credits.get(k) ?? tree.config.credits.initial);
        if (d !== 0) out.set(k, d);
      }
      return out;
    },
    nextValidators(_state, block) {
      if (block.header.height === 0) return keys(tree.schedule(tree.genesis, 1).validators);
      return keys(tree.headerSets(parentOf(block.header), block.header.slot).next.validators);
    },
    finalize: streamletFinalize
  };
  hooksCache.set(tree, h);
  return h;
}

/** Pending transactions (arrival order), admitted with `checkTransaction`. */
export class Mempool {
  private readonly txs = new Map<Hex, Transaction>();
  /** Checks `tx` against `state` (signature included) and keeps it; returns the rejection if any. */
  submit(tx: Transaction, state: ChainState): ChainError | null {
    const err = checkTransaction(state, tx);
    if (err) return err;
    this.txs.set(hex(txId(tx)), tx);
    return null;
  }
  /** Adds without checking (a transaction already checked by a peer or a test). */
  add(tx: Transaction): void {
    this.txs.set(hex(txId(tx)), tx);
  }
  list(): Transaction[] {
    return [...this.txs.values()];
  }
  /** Drops transactions whose author's sequence number is used in `state` (included, or replaced). */
  prune(state: ChainState): void {
    for (const [k, tx] of this.txs) if (tx.seq < (state.nonces.get(hex(tx.author)) ?? 0)) this.txs.delete(k);
  }
  get size(): number {
    return this.txs.size;
  }
}

export interface LedgerExecutorOptions {
  genesis: Block;
  /** Candidate transactions for a producer (e.g. a Mempool's list). */
  mempool?: () => readonly Transaction[];
  /** Extra transactions a producer adds (the simulator's synthetic EMR entries); `seq` is the producer's next free one. */
  synthetic?: (state: ChainState, producer: PublicKey, slot: number, seq: number) => Transaction[];
  /** false: skip ledger signature checks (the insecure simulator mode, whose keys are not BLS keys). */
  verifySignatures?: boolean;
  /** State after each block, by block hex; may be shared by the nodes of one process (deterministic). */
  states?: Map<Hex, ChainState>;
}

/**
 * Consensus's Executor over the ledger: `check` = `applyBlock` on the parent's
 * state with `consensusHooks(tree)` (a rejection is 'bad-payload', which
 * makes invalid-block evidence); `propose` = the node's evidence
 * transactions, then mempool and synthetic candidates selected by
 * `selectTransactions`. Keeps the state after every block it accepted.
 */
export class LedgerExecutor implements Executor {
  readonly genesis: Block;
  readonly genesisState: ChainState;
  private readonly o: LedgerExecutorOptions;
  private readonly states: Map<Hex, ChainState>;
  private readonly rejected = new Map<Hex, Check>();

  constructor(o: LedgerExecutorOptions) {
    this.o = o;
    this.genesis = o.genesis;
    const g = genesisState(o.genesis);
    if (!g.ok) throw g.error;
    this.genesisState = g.state;
    this.states = o.states ?? new Map();
    this.states.set(hex(g.state.chain), g.state);
  }

  /** The ledger state after the block of `e` (undefined if this executor never accepted it). */
  stateOf(e: Entry | Hash | Hex): ChainState | undefined {
    const k = typeof e === 'string' ? e : e instanceof Uint8Array ? hex(e) : e.hex;
    return this.states.get(k);
  }

  nextSeq(parent: Entry, author: PublicKey): number {
    return this.stateOf(parent)?.nonces.get(hex(author)) ?? 0;
  }

  propose(parent: Entry, slot: number, producer: PublicKey, evidence: Transaction[], tree: BlockTree): Transaction[] {
    const state = this.stateOf(parent);
    if (!state) return evidence;
    const seq = this.nextSeq(parent, producer) + evidence.length;
    const candidates = [...evidence, ...(this.o.mempool?.() ?? []), ...(this.o.synthetic?.(state, producer, slot, seq) ?? [])];
    const certs: FinalityCertificate[] = parent.parent && parent.cert ? [parent.cert] : [];
    return selectTransactions(state, slot, candidates, certs, consensusHooks(tree)).txs;
  }

  /**
   * Members and approvals of the ledger state after the final block
   * `anchor`: the member hospitals with their current rating and tier
   * (genesis, `register`, `regulator-update`) and the `vote` transactions'
   * approvals. Deterministic: the state is a function of the chain.
   */
  membership(anchor: Entry): Membership {
    const state = this.stateOf(anchor);
    if (!state) throw new RangeError(`LedgerExecutor: no ledger state for anchor ${anchor.hex.slice(0, 12)} (height ${anchor.height})`);
    let m = membershipCache.get(state);
    if (!m) {
      const members: Member[] = [];
      for (const x of state.members.values()) if (x.role === 'hospital') members.push({ key: x.key, pop: x.pop, rating: x.rating ?? 0, tier: x.tier ?? '1C', name: x.name });
      m = { members, approvals: state.votes };
      membershipCache.set(state, m);
    }
    return m;
  }

  check(parent: Entry, block: Block, tree: BlockTree): Check {
    const id = hexOf(headerId(block.header));
    if (this.states.has(id)) return OK;
    const known = this.rejected.get(id);
    if (known) return known;
    const state = this.stateOf(parent);
    if (!state) return reject('unknown-parent', 'no ledger state for the parent');
    const r = applyBlock(state, block, consensusHooks(tree), { verifySignatures: this.o.verifySignatures ?? true });
    if (!r.ok) {
      // Deterministic: the same block on the same parent fails the same way.
      const out = reject('bad-payload', `ledger: ${r.error.kind}: ${r.error.message}`);
      if (this.rejected.size > 4096) this.rejected.clear();
      this.rejected.set(id, out);
      return out;
    }
    this.states.set(id, r.state);
    return OK;
  }
}

/** What LedgerSink needs of a ledger store (src/lib/store `ChainStore` has it). */
export interface LedgerStoreLike {
  head(): Promise<{ height: number; id: Hash } | undefined>;
  getState(): Promise<ChainState | undefined>;
  commitBlock(block: Block, state: ChainState): Promise<void>;
  putCertificate(cert: FinalityCertificate): Promise<void>;
  removeFromMempool(ids: readonly Hash[]): Promise<void>;
}

/** Called after blocks are committed, with the blocks that became final BY THE LEDGER STATE (Streamlet, carried certificates) and that state. */
export type LedgerFinalHandler = (state: ChainState, blocks: Block[]) => void | Promise<void>;

/**
 * A ConsensusStore that commits the node's FINAL chain (with the ledger state
 * after each block) into a ledger store, and keeps every certificate the node
 * learns (so patient-chain bundles can prove Streamlet finality). Writes are
 * queued in order; `flush()` waits for them. `onLedgerFinal` runs after each
 * commit for the blocks that the committed state proves final (this is when
 * contracts run: `ContractRegistry.runFinalized(state, block, env)`).
 */
export class LedgerSink implements ConsensusStore {
  private queue: Promise<void> = Promise.resolve();
  private tree: BlockTree | null = null;
  private ledgerFinal = 0;
  /** The first error a write hit (then writing stops). */
  error: unknown = null;

  constructor(
    private readonly store: LedgerStoreLike,
    private readonly executor: LedgerExecutor,
    private readonly onLedgerFinal?: LedgerFinalHandler
  ) {
    this.enqueue(async () => {
      const head = await store.head();
      if (!head) await store.commitBlock(executor.genesis, executor.genesisState);
      this.ledgerFinal = (await store.getState())?.finalized.height ?? 0;
    });
  }

  /** The tree whose final chain is written (the node's: `sink.attach(node.tree)`). */
  attach(tree: BlockTree): this {
    this.tree = tree;
    return this;
  }

  putBlock(): void {}

  putCertificate(cert: FinalityCertificate): void {
    this.enqueue(() => this.store.putCertificate(cert));
  }

  putFinal(id: Hash): void {
    this.enqueue(async () => {
      const tree = this.tree;
      if (!tree) throw new RangeError('LedgerSink: attach(tree) first');
      const last = tree.get(id);
      if (!last) return;
      const head = await this.store.head();
      const from = head ? head.height : -1;
      const path: Entry[] = [];
      for (let x: Entry | null = last; x && x.height > from; x = x.parent) path.push(x);
      path.reverse();
      let state: ChainState | undefined;
      for (const e of path) {
        if (!e.block) continue;
        state = this.executor.stateOf(e);
        if (!state) throw new Error(`LedgerSink: no ledger state for block ${e.height}`);
        await this.store.commitBlock(e.block, state);
        await this.store.removeFromMempool(e.block.txs.map(txId));
      }
      if (state && state.finalized.height > this.ledgerFinal && this.onLedgerFinal) {
        const blocks: Block[] = [];
        for (let x: Entry | null = last; x && x.height > this.ledgerFinal; x = x.parent) if (x.block && x.height <= state.finalized.height) blocks.push(x.block);
        this.ledgerFinal = state.finalized.height;
        await this.onLedgerFinal(state, blocks.reverse());
      } else if (state) this.ledgerFinal = Math.max(this.ledgerFinal, state.finalized.height);
    });
  }

  /** Resolves when every queued write is done; rejects with the first write error. */
  async flush(): Promise<void> {
    await this.queue;
    if (this.error) throw this.error;
  }

  private enqueue(f: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (this.error) return;
      try {
        await f();
      } catch (e) {
        this.error = e;
      }
    });
  }
}

/** The state a node's executor holds for its current final block. */
export function finalState(tree: BlockTree, executor: LedgerExecutor): ChainState | undefined {
  return executor.stateOf(tree.final);
}
