/**
 * ChainStore on IndexedDB through Dexie 4. One database per ledger node
 * (name chosen by the caller, e.g. `medchain-chain-<role>-<id>`).
 *
 * Schema v1 (every object stored as its canonical chain encoding, so what is
 * read back is exactly what was committed):
 *
 * | table | primary key | indexes | value |
 * | --- | --- | --- | --- |
 * | blocks | height | &id | { height, id (hex), bytes } |
 * | meta | key | – | 'state' -> { key, bytes } |
 * | certs | block (hex) | – | { block, bytes } |
 * | entries | ++seq | [pid+chain], height | { pid, chain, txId, block, height, index } |
 * | handoffs | height | – | { height } |
 * | vsets | id (hex) | – | { id, keys } |
 * | mempool | ++seq | &id | { id (hex), bytes } |
 *
 * `commitBlock` and `revertTo` run in ONE readwrite transaction over all
 * tables: if anything throws inside (or the tab dies), IndexedDB aborts it and
 * the previous block, indexes and state remain.
 */
import Dexie, { type Table } from 'dexie';
import { decodeBlock, decodeCert, decodeState, decodeTx, encodeBlock, encodeCert, encodeState, encodeTx, hex, txId, unhex, type Block, type ChainState, type FinalityCertificate, type Hash, type Pid, type PublicKey, type Transaction } from '$lib/chain';
import { checkExtends, indexesOf } from './entries';
import type { ChainStore, EntryLocation, PatientChainName } from './types';

interface BlockRow {
  height: number;
  id: string;
  bytes: Uint8Array;
}
interface MetaRow {
  key: string;
  bytes: Uint8Array;
}
interface CertRow {
  block: string;
  bytes: Uint8Array;
}
interface EntryRow {
  seq?: number;
  pid: string;
  chain: PatientChainName;
  txId: Uint8Array;
  block: Uint8Array;
  height: number;
  index: number;
}
interface HandoffRow {
  height: number;
}
interface VsetRow {
  id: string;
  keys: Uint8Array[];
}
interface PoolRow {
  seq?: number;
  id: string;
  bytes: Uint8Array;
}

class ChainDb extends Dexie {
  blocks!: Table<BlockRow, number>;
  meta!: Table<MetaRow, string>;
  certs!: Table<CertRow, string>;
  entries!: Table<EntryRow, number>;
  handoffs!: Table<HandoffRow, number>;
  vsets!: Table<VsetRow, string>;
  mempool!: Table<PoolRow, number>;
  constructor(name: string, options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    this.version(1).stores({
      blocks: 'height, &id',
      meta: 'key',
      certs: 'block',
      entries: '++seq, [pid+chain], height',
      handoffs: 'height',
      vsets: 'id',
      mempool: '++seq, &id'
    });
  }
}

export class DexieChainStore implements ChainStore {
  private readonly db: ChainDb;

  /** `options` is passed to Dexie (e.g. `{ indexedDB, IDBKeyRange }` from fake-indexeddb in Node). */
  constructor(name: string, options?: ConstructorParameters<typeof Dexie>[1]) {
    this.db = new ChainDb(name, options);
  }

  async head(): Promise<{ height: number; id: Hash } | undefined> {
    const last = await this.db.blocks.orderBy('height').last();
    return last && { height: last.height, id: unhex(last.id) };
  }
  async getState(): Promise<ChainState | undefined> {
    const row = await this.db.meta.get('state');
    return row && decodeState(row.bytes);
  }
  async getBlock(id: Hash): Promise<Block | undefined> {
    const row = await this.db.blocks.where('id').equals(hex(id)).first();
    return row && decodeBlock(row.bytes);
  }
  async getBlockAt(height: number): Promise<Block | undefined> {
    const row = await this.db.blocks.get(height);
    return row && decodeBlock(row.bytes);
  }

  async commitBlock(block: Block, state: ChainState): Promise<void> {
    const db = this.db;
    await db.transaction('rw', [db.blocks, db.meta, db.certs, db.entries, db.handoffs, db.vsets, db.mempool], async () => {
      const last = await db.blocks.orderBy('height').last();
      checkExtends(last && { height: last.height, id: unhex(last.id) }, block, state);
      const ix = indexesOf(block, state);
      await db.blocks.add({ height: block.header.height, id: hex(ix.id), bytes: encodeBlock(block) });
      for (const c of ix.certs) {
        if (!(await db.certs.get(hex(c.block)))) await db.certs.put({ block: hex(c.block), bytes: encodeCert(c) });
      }
      if (ix.entries.length > 0) await db.entries.bulkAdd(ix.entries.map((e) => ({ ...e })));
      if (ix.handoff) await db.handoffs.put({ height: block.header.height });
      for (const [k, ks] of ix.validatorSets) if (!(await db.vsets.get(k))) await db.vsets.put({ id: k, keys: ks.map((x) => x.slice()) });
      if (ix.txIds.length > 0) await db.mempool.where('id').anyOf(ix.txIds.map(hex)).delete();
      // Last: if encoding the state throws, everything above is rolled back.
      await db.meta.put({ key: 'state', bytes: encodeState(state) });
    });
  }

  async revertTo(height: number, state: ChainState): Promise<void> {
    const db = this.db;
    await db.transaction('rw', [db.blocks, db.meta, db.entries, db.handoffs], async () => {
      const row = await db.blocks.get(height);
      if (!row) throw new RangeError(`height: ${height} not in the chain`);
      if (hex(state.head) !== row.id) throw new RangeError('state: not the state after block `height`');
      await db.blocks.where('height').above(height).delete();
      await db.entries.where('height').above(height).delete();
      await db.handoffs.where('height').above(height).delete();
      await db.meta.put({ key: 'state', bytes: encodeState(state) });
    });
  }

  async putCertificate(cert: FinalityCertificate): Promise<void> {
    const k = hex(cert.block);
    await this.db.transaction('rw', this.db.certs, async () => {
      if (!(await this.db.certs.get(k))) await this.db.certs.put({ block: k, bytes: encodeCert(cert) });
    });
  }
  async getCertificate(blockId: Hash): Promise<FinalityCertificate | undefined> {
    const row = await this.db.certs.get(hex(blockId));
    return row && decodeCert(row.bytes);
  }
  async patientEntries(pid: Pid, chain: PatientChainName): Promise<EntryLocation[]> {
    const rows = await this.db.entries.where('[pid+chain]').equals([hex(pid), chain]).toArray();
    rows.sort((a, b) => a.height - b.height || a.index - b.index);
    return rows.map((e) => ({ txId: e.txId, block: e.block, height: e.height, index: e.index }));
  }
  async validatorHandoffs(): Promise<number[]> {
    return (await this.db.handoffs.orderBy('height').toArray()).map((r) => r.height);
  }
  async getValidatorSet(id: Hash): Promise<readonly PublicKey[] | undefined> {
    return (await this.db.vsets.get(hex(id)))?.keys;
  }
  async addToMempool(tx: Transaction): Promise<boolean> {
    const id = hex(txId(tx));
    return this.db.transaction('rw', this.db.mempool, async () => {
      if (await this.db.mempool.where('id').equals(id).first()) return false;
      await this.db.mempool.add({ id, bytes: encodeTx(tx) });
      return true;
    });
  }
  async mempool(): Promise<Transaction[]> {
    return (await this.db.mempool.orderBy('seq').toArray()).map((r) => decodeTx(r.bytes));
  }
  async removeFromMempool(ids: readonly Hash[]): Promise<void> {
    if (ids.length > 0) await this.db.mempool.where('id').anyOf(ids.map(hex)).delete();
  }
  async close(): Promise<void> {
    this.db.close();
  }
  /** Deletes the database (tests, "reset this node"). */
  async destroy(): Promise<void> {
    await this.db.delete();
  }
}
