/**
 * Where a node keeps the ledger: the canonical chain of blocks (by id and by
 * height), the state after the head, certificates, the per-patient chain
 * index, validator sets and hand-offs, and the mempool. Two implementations
 * pass the same acceptance suite (tests/unit/store/store-suite.ts):
 * `MemoryChainStore` and `DexieChainStore` (IndexedDB).
 *
 * Atomicity: `commitBlock` and `revertTo` are each ONE transaction: after a
 * crash (or a throw) in the middle, the store holds exactly what it held
 * before. The state is stored as its canonical encoding (chain/state-codec),
 * so `rebuildState` (replaying the blocks from genesis) can be compared byte
 * for byte with the stored one.
 */
import type { Block, ChainState, FinalityCertificate, Hash, Pid, PublicKey, Transaction } from '$lib/chain';
import type { EntryLocation, PatientChainName, PatientChainSource } from '$lib/chain';

export type { EntryLocation, PatientChainName };

export interface ChainStore extends PatientChainSource {
  /** Last committed block, or undefined when the store is empty. */
  head(): Promise<{ height: number; id: Hash } | undefined>;
  /** The state after the head block. */
  getState(): Promise<ChainState | undefined>;
  getBlock(id: Hash): Promise<Block | undefined>;
  getBlockAt(height: number): Promise<Block | undefined>;
  /**
   * Appends `block` (height = head + 1, or 0 on an empty store, prev = head id)
   * with `state` = the state after it (state.head must be the block's id), in
   * one transaction: block, certificates it carries, patient-chain entries,
   * validator set(s), hand-off, state; the block's transactions leave the
   * mempool. Throws RangeError on a block that does not extend the head.
   */
  commitBlock(block: Block, state: ChainState): Promise<void>;
  /**
   * Drops the blocks above `height` (to switch to a fork) and sets `state`,
   * which must be the state after block `height`, in one transaction. The
   * dropped blocks' transactions are NOT put back in the mempool (the caller
   * re-submits what it wants).
   */
  revertTo(height: number, state: ChainState): Promise<void>;
  /** Stores a certificate (from a block or from the network); keeps the first one per block. */
  putCertificate(cert: FinalityCertificate): Promise<void>;
  getCertificate(blockId: Hash): Promise<FinalityCertificate | undefined>;
  patientEntries(pid: Pid, chain: PatientChainName): Promise<EntryLocation[]>;
  validatorHandoffs(): Promise<number[]>;
  getValidatorSet(id: Hash): Promise<readonly PublicKey[] | undefined>;
  /** Adds a transaction to the mempool; false if it is already there. */
  addToMempool(tx: Transaction): Promise<boolean>;
  /** Mempool transactions in arrival order. */
  mempool(): Promise<Transaction[]>;
  removeFromMempool(ids: readonly Hash[]): Promise<void>;
  close(): Promise<void>;
}
