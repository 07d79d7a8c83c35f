/**
 * The rooms this browser knows: IndexedDB database `medchain-rooms`, one row
 * per room (consortium) with its genesis block, so a role page reopens a
 * room without asking peers for the genesis again and can list the rooms
 * it has been in.
 *
 * Table `rooms` (schema v1), primary key `room`, index `opened`:
 *
 * | field | type | |
 * | --- | --- | --- |
 * | `room` | 20 hex digits | `roomIdOf(genesis id)` |
 * | `name` | string | the consortium's name from the genesis transaction |
 * | `genesis` | bytes | `encodeBlock(genesis)` (canonical DAG-CBOR) |
 * | `created` | ms since the epoch | first stored here |
 * | `opened` | ms since the epoch | last `put` or `touch` |
 *
 * The genesis is decoded (`decodeBlock`, shape and canonical form) on every
 * read; whoever puts one has checked it (`genesisState`), as `fetchGenesis`
 * does. Nothing here is secret: a genesis is public.
 */
import Dexie, { type Table } from 'dexie';
import { blockId, decodeBlock, encodeBlock, MAX_BLOCK_BYTES, type Block } from '$lib/chain';
import { roomIdOf } from '$lib/net/room';

interface RoomRow {
  room: string;
  name: string;
  genesis: Uint8Array;
  created: number;
  opened: number;
}

/** A stored room. */
export interface StoredRoom {
  room: string;
  name: string;
  genesis: Block;
  /** PKG signing key of the consortium (from the genesis). */
  pkg: Uint8Array;
  created: number;
  opened: number;
}

/** A room in the list (without decoding its genesis). */
export interface RoomInfo {
  room: string;
  name: string;
  created: number;
  opened: number;
}

class RoomsDb extends Dexie {
  rooms!: Table<RoomRow, string>;
  constructor(name: string, options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    this.version(1).stores({ rooms: 'room, opened' });
  }
}

function genesisName(genesis: Block): { name: string; pkg: Uint8Array } {
  const body = genesis.txs[0]?.body;
  if (genesis.header.height !== 0 || body?.type !== 'genesis') throw new RangeError('genesis: not a genesis block');
  return { name: body.name, pkg: body.pkg };
}

export class RoomsStore {
  private readonly db: RoomsDb;

  /** `options.dexie` is passed to Dexie (e.g. `{ indexedDB, IDBKeyRange }` from fake-indexeddb in Node). */
  constructor(options: { name?: string; dexie?: ConstructorParameters<typeof Dexie>[1]; now?: () => number } = {}) {
    this.db = new RoomsDb(options.name ?? 'medchain-rooms', options.dexie);
    this.now = options.now ?? Date.now;
  }
  private readonly now: () => number;

  /** Rooms, most recently opened first. */
  async list(): Promise<RoomInfo[]> {
    const rows = await this.db.rooms.orderBy('opened').reverse().toArray();
    return rows.map(({ room, name, created, opened }) => ({ room, name, created, opened }));
  }

  /** The room `room` (undefined if unknown). Throws FormatError if the stored genesis is damaged. */
  async get(room: string): Promise<StoredRoom | undefined> {
    const row = await this.db.rooms.get(room);
    if (!row) return undefined;
    const genesis = decodeBlock(row.genesis);
    if (roomIdOf(blockId(genesis)) !== room) throw new RangeError(`room ${room}: the stored genesis names another room`);
    return { room, name: row.name, genesis, pkg: genesisName(genesis).pkg, created: row.created, opened: row.opened };
  }

  /**
   * Stores a (checked) genesis block; again for a known room only updates
   * `opened`. Returns the room id. RangeError for a block that is not a
   * genesis block.
   */
  async put(genesis: Block): Promise<string> {
    const { name } = genesisName(genesis);
    const bytes = encodeBlock(genesis);
    if (bytes.length > MAX_BLOCK_BYTES) throw new RangeError('genesis: larger than a block may be');
    const room = roomIdOf(blockId(genesis));
    const now = this.now();
    await this.db.transaction('rw', this.db.rooms, async () => {
      const old = await this.db.rooms.get(room);
      await this.db.rooms.put({ room, name, genesis: bytes, created: old?.created ?? now, opened: now });
    });
    return room;
  }

  /** Marks `room` as opened now (no-op for an unknown room). */
  async touch(room: string): Promise<void> {
    await this.db.rooms.update(room, { opened: this.now() });
  }

  async remove(room: string): Promise<void> {
    await this.db.rooms.delete(room);
  }

  close(): void {
    this.db.close();
  }
}

let shared: RoomsStore | undefined;

/** This browser's rooms store, opened on first use. */
export function defaultRooms(): RoomsStore {
  return (shared ??= new RoomsStore());
}
