/** The rooms store (src/lib/store/rooms.ts) on fake-indexeddb: put, get, list order, touch, reopen, damage. */
import { beforeAll, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { ready } from '../../../src/lib/crypto';
import { blockId, encodeBlock, genesisState, hex } from '../../../src/lib/chain';
import { roomIdOf } from '../../../src/lib/net/room';
import { demoRoom } from '../../../src/lib/roles/demo-room';
import { RoomsStore } from '../../../src/lib/store/rooms';

beforeAll(async () => {
  await ready();
});

function setup() {
  const indexedDB = new IDBFactory();
  let t = 1000;
  const open = () => new RoomsStore({ name: 'medchain-rooms-test', dexie: { indexedDB, IDBKeyRange }, now: () => t });
  return { open, indexedDB, tick: (ms: number) => (t += ms) };
}

const room = (seed: string) => demoRoom({ seed, validators: 1, observers: 0, genesisTime: 0, slotMs: 1000 });

describe('RoomsStore', () => {
  it('stores genesis blocks by room id and gives them back byte for byte', async () => {
    const { open } = setup();
    const s = open();
    const a = room('a');
    const id = await s.put(a.genesis);
    expect(id).toBe(a.room);
    expect(id).toBe(roomIdOf(blockId(a.genesis)));
    const got = await s.get(id);
    expect(got).toBeDefined();
    expect(encodeBlock(got!.genesis)).toEqual(encodeBlock(a.genesis));
    expect(genesisState(got!.genesis).ok).toBe(true);
    expect(got!.name).toBe('demo room a');
    expect(hex(got!.pkg)).toBe(hex((a.genesis.txs[0].body as { pkg: Uint8Array }).pkg));
    expect(got!.created).toBe(1000);
    expect(await s.get('0'.repeat(20))).toBeUndefined();
  });

  it('lists rooms most recently opened first; put again and touch keep created and move opened', async () => {
    const { open, tick } = setup();
    const s = open();
    const [a, b, c] = [room('a'), room('b'), room('c')];
    await s.put(a.genesis);
    tick(10);
    await s.put(b.genesis);
    tick(10);
    await s.put(c.genesis);
    expect((await s.list()).map((r) => r.name)).toEqual(['demo room c', 'demo room b', 'demo room a']);
    tick(10);
    await s.touch(a.room);
    tick(10);
    await s.put(b.genesis);
    const list = await s.list();
    expect(list.map((r) => r.name)).toEqual(['demo room b', 'demo room a', 'demo room c']);
    expect(list[0]).toEqual({ room: b.room, name: 'demo room b', created: 1010, opened: 1040 });
    expect(list).toHaveLength(3);
    await s.touch('f'.repeat(20));
    expect(await s.list()).toHaveLength(3);
  });

  it('keeps rooms across reopening the database', async () => {
    const { open } = setup();
    const s = open();
    const a = room('persist');
    await s.put(a.genesis);
    s.close();
    const again = open();
    expect((await again.get(a.room))?.name).toBe('demo room persist');
  });

  it('refuses a non-genesis block and reports a damaged stored genesis', async () => {
    const { open, indexedDB } = setup();
    const s = open();
    const a = room('dmg');
    const notGenesis = { ...a.genesis, header: { ...a.genesis.header, height: 1 } };
    await expect(s.put(notGenesis)).rejects.toThrow(RangeError);
    await s.put(a.genesis);
    s.close();
    const raw = new Dexie('medchain-rooms-test', { indexedDB, IDBKeyRange });
    raw.version(1).stores({ rooms: 'room, opened' });
    await raw.table('rooms').update(a.room, { genesis: new Uint8Array([1, 2, 3]) });
    raw.close();
    await expect(open().get(a.room)).rejects.toThrow();
  });
});
