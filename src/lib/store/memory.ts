/**
 * In-memory ChainStore, for tests, the simulator and tabs that need no
 * persistence. Holds encodings, not objects, so callers can never alias
 * stored data (it behaves like IndexedDB's structured clone). A commit
 * prepares every change first and swaps them in at the end: a throw midway
 * leaves the store as it was.
 */
import { decodeBlock, decodeCert, decodeState, decodeTx, encodeBlock, encodeCert, encodeState, encodeTx, hex, txId, unhex, type Block, type ChainState, type FinalityCertificate, type Hash, type Pid, type PublicKey, type Transaction } from '$lib/chain';
import { checkExtends, indexesOf, type IndexedEntry } from './entries';
import type { ChainStore, EntryLocation, PatientChainName } from './types';

export class MemoryChainStore implements ChainStore {
  private blocks: Uint8Array[] = [];
  private ids: string[] = [];
  private byId = new Map<string, number>();
  private state: Uint8Array | undefined;
  private certs = new Map<string, Uint8Array>();
  private entries: IndexedEntry[] = [];
  private handoffs: number[] = [];
  private sets = new Map<string, readonly PublicKey[]>();
  private pool = new Map<string, Uint8Array>();

  async head(): Promise<{ height: number; id: Hash } | undefined> {
    const n = this.blocks.length;
    return n === 0 ? undefined : { height: n - 1, id: unhex(this.ids[n - 1]) };
  }
  async getState(): Promise<ChainState | undefined> {
    return this.state && decodeState(this.state);
  }
  async getBlock(id: Hash): Promise<Block | undefined> {
    const i = this.byId.get(hex(id));
    return i === undefined ? undefined : decodeBlock(this.blocks[i]);
  }
  async getBlockAt(height: number): Promise<Block | undefined> {
    const b = this.blocks[height];
    return b && decodeBlock(b);
  }

  async commitBlock(block: Block, state: ChainState): Promise<void> {
    checkExtends(await this.head(), block, state);
    const ix = indexesOf(block, state);
    const blockBytes = encodeBlock(block);
    const certBytes = ix.certs.map((c) => [hex(c.block), encodeCert(c)] as const);
    const stateBytes = encodeState(state); // may throw: nothing has changed yet
    // commit point
    const idHex = hex(ix.id);
    this.blocks.push(blockBytes);
    this.ids.push(idHex);
    this.byId.set(idHex, block.header.height);
    for (const [k, c] of certBytes) if (!this.certs.has(k)) this.certs.set(k, c);
    this.entries.push(...ix.entries);
    if (ix.handoff) this.handoffs.push(block.header.height);
    for (const [k, ks] of ix.validatorSets) if (!this.sets.has(k)) this.sets.set(k, [...ks]);
    for (const id of ix.txIds) this.pool.delete(hex(id));
    this.state = stateBytes;
  }

  async revertTo(height: number, state: ChainState): Promise<void> {
    if (!Number.isInteger(height) || height < 0 || height >= this.blocks.length) throw new RangeError(`height: ${height} not in the chain`);
    if (hex(state.head) !== this.ids[height]) throw new RangeError('state: not the state after block `height`');
    const stateBytes = encodeState(state);
    for (const id of this.ids.slice(height + 1)) this.byId.delete(id);
    this.blocks = this.blocks.slice(0, height + 1);
    this.ids = this.ids.slice(0, height + 1);
    this.entries = this.entries.filter((e) => e.height <= height);
    this.handoffs = this.handoffs.filter((h) => h <= height);
    this.state = stateBytes;
  }

  async putCertificate(cert: FinalityCertificate): Promise<void> {
    const k = hex(cert.block);
    if (!this.certs.has(k)) this.certs.set(k, encodeCert(cert));
  }
  async getCertificate(blockId: Hash): Promise<FinalityCertificate | undefined> {
    const c = this.certs.get(hex(blockId));
    return c && decodeCert(c);
  }
  async patientEntries(pid: Pid, chain: PatientChainName): Promise<EntryLocation[]> {
    const p = hex(pid);
    return this.entries.filter((e) => e.pid === p && e.chain === chain).map((e) => ({ txId: e.txId.slice(), block: e.block.slice(), height: e.height, index: e.index }));
  }
  async validatorHandoffs(): Promise<number[]> {
    return [...this.handoffs];
  }
  async getValidatorSet(id: Hash): Promise<readonly PublicKey[] | undefined> {
    const s = this.sets.get(hex(id));
    return s && s.map((k) => k.slice());
  }
  async addToMempool(tx: Transaction): Promise<boolean> {
    const k = hex(txId(tx));
    if (this.pool.has(k)) return false;
    this.pool.set(k, encodeTx(tx));
    return true;
  }
  async mempool(): Promise<Transaction[]> {
    return [...this.pool.values()].map(decodeTx);
  }
  async removeFromMempool(ids: readonly Hash[]): Promise<void> {
    for (const id of ids) this.pool.delete(hex(id));
  }
  async close(): Promise<void> {}
}
