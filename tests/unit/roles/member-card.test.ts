/**
 * Member cards (src/lib/roles/member-card.ts): the round trip through text,
 * bytes and whitespace; the record matches what makeMember makes and what
 * the ledger accepts; and the typed rejections: not a card, a tampered
 * PoP, an altered name or encryption key (card signature), a wrong role.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bls, ready } from '../../../src/lib/crypto';
import { decode, encode } from '../../../src/lib/codec';
import { makeMember } from '../../../src/lib/chain';
import { createParticipant, generatePatientKey, type KeyRing } from '../../../src/lib/identity';
import { CARD_PREFIX, cardFileName, cardText, MemberCardError, memberCard, readMemberCard, toBase64Url, type MemberCardErrorKind } from '../../../src/lib/roles/member-card';

let hospital: KeyRing;
let user: KeyRing;
let other: KeyRing;

beforeAll(async () => {
  await ready();
  hospital = { participant: createParticipant('hospital', 'Ruijin Hospital 瑞金医院') };
  user = { participant: createParticipant('user', 'Dr. Data') };
  other = { participant: createParticipant('tpa', 'Mallory Audits') };
});

function kindOf(f: () => unknown): MemberCardErrorKind | 'none' {
  try {
    f();
    return 'none';
  } catch (e) {
    if (e instanceof MemberCardError) return e.kind;
    throw e;
  }
}

/** Re-signs nothing: decodes a card, changes fields, re-encodes (canonically). */
function alter(bytes: Uint8Array, patch: Record<string, unknown>): Uint8Array {
  const m = decode(bytes, 4096) as Record<string, unknown>;
  return encode({ ...m, ...patch } as Parameters<typeof encode>[0]);
}

describe('member cards', () => {
  it('round-trips through text, text with white space and bytes, and matches makeMember', () => {
    const bytes = memberCard(hospital, 1_700_000_000_000);
    const text = cardText(bytes);
    expect(text.startsWith(CARD_PREFIX)).toBe(true);
    expect(text).toMatch(/^medchain-card:[A-Za-z0-9_-]+$/);
    const id = hospital.participant.identity;
    const expected = makeMember(hospital.participant.signing.sk, { role: 'hospital', enc: id.encryptionPk.toBytes(), name: id.name });
    for (const input of [text, `  ${text.slice(0, 40)}\n${text.slice(40)}  `, text.slice(CARD_PREFIX.length), bytes]) {
      const card = readMemberCard(input);
      expect(card.member).toEqual(expected);
      expect(card.time).toBe(1_700_000_000_000);
      expect(card.bytes).toEqual(bytes);
    }
  });

  it('maps the app role "user" to the ledger role "data-user", and patients have no card', () => {
    expect(readMemberCard(cardText(memberCard(user))).member.role).toBe('data-user');
    const patient: KeyRing = { participant: createParticipant('patient', 'P'), patient: { key: generatePatientKey() } };
    expect(() => memberCard(patient)).toThrow(RangeError);
  });

  it('rejects garbage, other objects and truncated cards as not-a-card', () => {
    const bytes = memberCard(hospital);
    expect(kindOf(() => readMemberCard('hello world'))).toBe('not-a-card');
    expect(kindOf(() => readMemberCard(''))).toBe('not-a-card');
    expect(kindOf(() => readMemberCard(CARD_PREFIX + '!!!'))).toBe('not-a-card');
    expect(kindOf(() => readMemberCard(bytes.subarray(0, bytes.length - 3)))).toBe('not-a-card');
    expect(kindOf(() => readMemberCard(CARD_PREFIX + toBase64Url(encode({ t: 'medchain/participant', v: 1 }))))).toBe('not-a-card');
    expect(kindOf(() => readMemberCard(alter(bytes, { v: 2 })))).toBe('not-a-card');
    expect(kindOf(() => readMemberCard(alter(bytes, { extra: 1 })))).toBe('not-a-card');
    expect(kindOf(() => readMemberCard(alter(bytes, { enc: new Uint8Array(48) })))).toBe('not-a-card');
    expect(kindOf(() => readMemberCard(alter(bytes, { role: 'patient' })))).toBe('not-a-card');
  });

  it('rejects a tampered PoP and altered fields as bad-signature', () => {
    const bytes = memberCard(hospital);
    const m = decode(bytes, 4096) as { pop: Uint8Array; name: string };
    // Another key's PoP (a valid G1 point, the wrong proof).
    expect(kindOf(() => readMemberCard(alter(bytes, { pop: other.participant.signing.pop })))).toBe('bad-signature');
    // A bit flipped in the PoP.
    const pop = Uint8Array.from(m.pop);
    pop[20] ^= 1;
    expect(kindOf(() => readMemberCard(alter(bytes, { pop })))).toBe('bad-signature');
    // The PoP verifies, but the name or the encryption key was swapped in transit.
    expect(kindOf(() => readMemberCard(alter(bytes, { name: 'Evil Clinic' })))).toBe('bad-signature');
    expect(kindOf(() => readMemberCard(alter(bytes, { enc: other.participant.identity.encryptionPk.toBytes() })))).toBe('bad-signature');
    expect(kindOf(() => readMemberCard(alter(bytes, { time: 5 })))).toBe('bad-signature');
    // Someone else's key with this card's PoP and signature.
    expect(kindOf(() => readMemberCard(alter(bytes, { key: other.participant.signing.pk })))).toBe('bad-signature');
    // Sanity: the untouched card verifies with the same checks.
    expect(bls.popVerify(hospital.participant.signing.pk, m.pop)).toBe(true);
  });

  it('rejects a card of a role the caller does not accept as wrong-role', () => {
    const text = cardText(memberCard(user));
    expect(kindOf(() => readMemberCard(text, { roles: ['hospital'] }))).toBe('wrong-role');
    expect(readMemberCard(text, { roles: ['hospital', 'data-user'] }).member.name).toBe('Dr. Data');
  });

  it('names files after the role and name', () => {
    expect(cardFileName('hospital', 'Ruijin Hospital 瑞金医院')).toBe('medchain-hospital-Ruijin-Hospital-瑞金医院.mccard');
    expect(cardFileName('tpa', '///')).toBe('medchain-tpa-member.mccard');
  });
});
