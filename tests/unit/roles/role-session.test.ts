/**
 * A consortium end to end in Node (src/lib/roles/role-session.ts): a PKG
 * makes the genesis from two hospitals' member cards and runs its node;
 * the hospitals know only the room id, fetch the genesis from a peer over
 * the in-memory transport (and store it), run their nodes with their own
 * keys and reach a common final height as the two validators; the PKG is a
 * member but no validator; a stranger is a guest. Stores on fake-indexeddb.
 */
import 'fake-indexeddb/auto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../src/lib/crypto';
import { createParticipant, type Role } from '../../../src/lib/identity';
import { MemoryHub } from '../../../src/lib/net/memory';
import type { UnlockedIdentity } from '../../../src/lib/roles/identity-session';
import { cardText, memberCard } from '../../../src/lib/roles/member-card';
import { addCard, createConsortium, emptyDraft } from '../../../src/lib/roles/pkg';
import { findGenesis, RoleSession, RoomError } from '../../../src/lib/roles/role-session';
import { RoomsStore } from '../../../src/lib/store/rooms';

const sessions: RoleSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.stop();
});
beforeAll(async () => {
  await ready();
});

const who = (role: Role, name: string): UnlockedIdentity => ({ entryId: name, label: name, role, keys: { participant: createParticipant(role, name) } });
const rooms = (name: string) => new RoomsStore({ name, dexie: { indexedDB: new IDBFactory(), IDBKeyRange } });

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('role sessions in a PKG-made consortium', () => {
  it('two hospitals join from the room id alone and finalise blocks as the validators', async () => {
    const pkg = who('pkg', 'PKG');
    const ha = who('hospital', 'Hospital A');
    const hb = who('hospital', 'Hospital B');
    const d = emptyDraft();
    d.name = 'Test consortium';
    d.settings = { ...d.settings, validators: 2, slotMs: 400, roundSlots: 4, startDelayMs: 500 };
    addCard(d, cardText(memberCard(ha.keys)));
    addCard(d, cardText(memberCard(hb.keys)));
    const { genesis, room } = createConsortium(pkg.keys, d);

    const hub = new MemoryHub();
    let n = 0;
    const transports = () => [hub.transport(`t${++n}`)];
    const p = await RoleSession.start({ genesis, identity: pkg, transports });
    sessions.push(p);

    const store = rooms('rooms-a');
    const found = await findGenesis(room, { rooms: store, transports, timeoutMs: 5000 });
    expect(found.source).toBe('peers');
    expect(found.genesis.header).toEqual(genesis.header);
    expect((await store.get(room))?.name).toBe('Test consortium');
    expect((await findGenesis(room, { rooms: store, transports, timeoutMs: 5000 })).source).toBe('stored');

    const a = await RoleSession.start({ genesis: found.genesis, identity: ha, transports });
    const b = await RoleSession.start({ genesis, identity: hb, transports });
    sessions.push(a, b);
    await until(() => [p, a, b].every((s) => s.peer.consensus.tree.final.height >= 2), 30_000, 'final height 2 everywhere');
    for (const s of [a, b]) expect(s.status()).toEqual({ member: true, ledgerRole: 'hospital', validator: true, pkg: false });
    expect(p.status()).toEqual({ member: true, ledgerRole: 'pkg', validator: false, pkg: true });
    const snap = a.snapshot();
    expect(snap.room).toBe(room);
    expect(snap.validator).toBe(true);
    expect(snap.role).toBe('hospital');
    expect(snap.final.height).toBeGreaterThanOrEqual(2);
    expect(snap.net.peers.length).toBe(2);

    const guest = await RoleSession.start({ genesis, identity: who('tpa', 'Stranger'), transports });
    sessions.push(guest);
    expect(guest.status()).toEqual({ member: false, ledgerRole: null, validator: false, pkg: false });
  }, 45_000);

  it('says no-peers when nobody of the room answers, and bad-room for a malformed id', async () => {
    const hub = new MemoryHub();
    await expect(findGenesis('0123456789abcdef0123', { rooms: rooms('rooms-b'), transports: () => [hub.transport('alone')], timeoutMs: 200 })).rejects.toMatchObject({ kind: 'no-peers' });
    await expect(findGenesis('not a room', { rooms: rooms('rooms-c') })).rejects.toBeInstanceOf(RoomError);
  });

  it('wipes its copy of the signing key when stopped, not the identity\'s', async () => {
    const pkg = who('pkg', 'PKG2');
    const h = who('hospital', 'H');
    const d = emptyDraft();
    d.name = 'Wipe';
    addCard(d, cardText(memberCard(h.keys)));
    const { genesis } = createConsortium(pkg.keys, d);
    const hub = new MemoryHub();
    const s = await RoleSession.start({ genesis, identity: h, transports: () => [hub.transport('w')] });
    const copy = (s as unknown as { sk: Uint8Array }).sk;
    expect(copy.some((x) => x !== 0)).toBe(true);
    s.stop();
    expect(copy.every((x) => x === 0)).toBe(true);
    expect(h.keys.participant.signing.sk.some((x) => x !== 0)).toBe(true);
  });
});
