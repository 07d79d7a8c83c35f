/**
 * The PKG's consortium set-up (src/lib/roles/pkg.ts): a genesis made from
 * member cards lists the PKG and every member with the ratings and tiers
 * chosen, passes the ledger's genesisState, and gives consensus the chosen
 * V and validator set; a draft with problems is explained, not signed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../src/lib/crypto';
import { genesisState, hex, type MemberRecord } from '../../../src/lib/chain';
import { consensusConfigFromGenesis, initialCredits, selectValidators } from '../../../src/lib/chain/consensus';
import { createParticipant, type KeyRing, type Role } from '../../../src/lib/identity';
import { roomIdOf } from '../../../src/lib/net/room';
import { cardText, MemberCardError, memberCard } from '../../../src/lib/roles/member-card';
import { addCard, checkDraft, createConsortium, DEFAULT_SETTINGS, DraftError, draftNotes, emptyDraft, initialValidators, roomLinks } from '../../../src/lib/roles/pkg';

let pkg: KeyRing;
const ring = (role: Role, name: string): KeyRing => ({ participant: createParticipant(role, name) });
const card = (k: KeyRing) => cardText(memberCard(k));

beforeAll(async () => {
  await ready();
  pkg = ring('pkg', 'Shanghai Health Commission');
});

describe('PKG consortium genesis', () => {
  it('lists the PKG and the members with their ratings and tiers; the ledger and consensus accept it', () => {
    const h = [ring('hospital', 'A'), ring('hospital', 'B'), ring('hospital', 'C')];
    const others = [ring('tpa', 'T'), ring('cloud', 'S'), ring('user', 'U')];
    const d = emptyDraft();
    d.name = '  Shanghai Consortium  ';
    d.settings = { ...d.settings, validators: 2, slotMs: 1000, roundSlots: 4 };
    for (const k of [...h, ...others]) addCard(d, card(k), pkg.participant.signing.pk);
    d.members[0].rating = 700; // A: 3A, lowest rating of the 3A hospitals
    d.members[1].rating = 950; // B: 3A
    d.members[2].rating = 990; // C: highest, but tier 2A
    d.members[2].tier = '2A';
    expect(checkDraft(d)).toEqual([]);
    expect(initialValidators(d).map((m) => m.card.member.name).sort()).toEqual(['B', 'C']);

    const now = 1_800_000_000_000;
    const { genesis, room } = createConsortium(pkg, d, now);
    const g = genesis.txs[0].body;
    if (g.type !== 'genesis') throw new Error('not a genesis');
    expect(g.name).toBe('Shanghai Consortium');
    expect(g.params).toEqual({ validators: 2, slotMs: 1000, genesisTime: now + DEFAULT_SETTINGS.startDelayMs, initialCredit: 100, creditThreshold: 50, roundSlots: 4 });
    expect(hex(g.pkg)).toBe(hex(pkg.participant.signing.pk));
    const byName = new Map<string, MemberRecord>(g.members.map((m) => [m.name, m]));
    expect(byName.get('Shanghai Health Commission')?.role).toBe('pkg');
    expect(byName.get('Shanghai Health Commission')?.enc).toEqual(pkg.participant.identity.encryptionPk.toBytes());
    expect([byName.get('A')?.rating, byName.get('A')?.tier]).toEqual([700, '3A']);
    expect([byName.get('C')?.rating, byName.get('C')?.tier]).toEqual([990, '2A']);
    expect(byName.get('U')?.role).toBe('data-user');
    expect(byName.get('T')).toMatchObject({ role: 'tpa' });
    expect(byName.get('T')?.rating).toBeUndefined();
    expect(g.members).toHaveLength(7);

    const st = genesisState(genesis);
    expect(st.ok).toBe(true);
    if (!st.ok) return;
    const key = (k: KeyRing) => hex(k.participant.signing.pk);
    expect(st.state.validators.map(hex).sort()).toEqual([key(h[1]), key(h[2])].sort());

    const config = consensusConfigFromGenesis(genesis);
    expect(config.validators).toBe(2);
    expect(config.slotMs).toBe(1000);
    expect(roomIdOf(config.chain)).toBe(room);
    expect(config.members.map((m) => m.name).sort()).toEqual(['A', 'B', 'C']);
    expect(selectValidators(config, initialCredits(config)).map((m) => hex(m.key)).sort()).toEqual([key(h[1]), key(h[2])].sort());
  });

  it('explains what is missing and refuses to sign', () => {
    const d = emptyDraft();
    expect(checkDraft(d).map((p) => p.key)).toEqual(['name-empty', 'no-hospital']);
    expect(() => createConsortium(pkg, d)).toThrow(DraftError);
    d.name = 'X';
    d.settings.validators = 0;
    d.settings.slotMs = 1.5;
    d.settings.creditThreshold = 500;
    addCard(d, card(ring('hospital', 'H')));
    d.members[0].tier = '3B';
    expect(checkDraft(d).map((p) => p.key)).toEqual(['range.validators', 'range.slotMs', 'credit', 'no-3a']);
    d.settings = { ...DEFAULT_SETTINGS, validators: 1 };
    addCard(d, card(ring('hospital', 'I')));
    d.members[0].rating = 999; // the only validator would be the 3B hospital
    d.members[1].rating = 100;
    expect(checkDraft(d).map((p) => p.key)).toEqual(['no-3a-validator']);
    d.members[0].rating = -1;
    expect(checkDraft(d).map((p) => p.key)).toEqual(['rating']);
    d.members[0].rating = 10;
    expect(checkDraft(d)).toEqual([]);
    d.settings.validators = 5;
    expect(draftNotes(d)).toEqual([{ key: 'fewer-hospitals', values: { n: 2, v: 5 } }]);
  });

  it('refuses duplicate cards, its own card, patients and PKGs, and bad cards, leaving the draft unchanged', () => {
    const d = emptyDraft();
    const h = ring('hospital', 'Dup');
    addCard(d, card(h));
    const kind = (f: () => unknown) => {
      try {
        f();
        return 'none';
      } catch (e) {
        if (e instanceof DraftError) return e.problem.key;
        if (e instanceof MemberCardError) return e.kind;
        throw e;
      }
    };
    expect(kind(() => addCard(d, card(h)))).toBe('duplicate');
    expect(kind(() => addCard(d, card(ring('pkg', 'Other PKG'))))).toBe('wrong-role');
    expect(kind(() => addCard(d, 'medchain-card:AAAA'))).toBe('not-a-card');
    expect(d.members).toHaveLength(1);
  });

  it('makes one link per role and a /join link', () => {
    const links = roomLinks('http://10.0.0.5:4173', '0123456789abcdef0123');
    expect(links.map((l) => l.role)).toEqual(['patient', 'hospital', 'user', 'tpa', 'pkg', 'cloud', 'join']);
    expect(links.find((l) => l.role === 'hospital')?.url).toBe('http://10.0.0.5:4173/hospital?room=0123456789abcdef0123');
    expect(links.at(-1)?.url).toBe('http://10.0.0.5:4173/join?room=0123456789abcdef0123');
  });
});
