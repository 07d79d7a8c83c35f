/**
 * Member cards: how a participant hands its public member record to the PKG
 * before the consortium exists (SPEC §6 "members ... from genesis"). A
 * hospital, TPA, cloud or data user exports a card; the PKG pastes, scans or
 * imports it and lists the member in the genesis block.
 *
 * A card is canonical DAG-CBOR, signed by the participant's BLS signing key:
 *
 * | key | value | bytes |
 * | --- | --- | --- |
 * | `t`, `v` | "medchain/member-card", 1 | |
 * | `role` | the ledger role: `hospital`, `data-user`, `tpa`, `cloud`, `pkg` | |
 * | `name` | display name, 1..128 characters | |
 * | `key` | BLS signing public key (G2) | 96 |
 * | `pop` | its proof of possession (`bls.popProve`, as `makeMember` makes it) | 48 |
 * | `enc` | encryption public key (G1), for deliveries | 48 |
 * | `time` | when the card was made, ms since the epoch | |
 * | `sig` | BLS signature by `key` over the card without `sig` | 48 |
 *
 * About 300 bytes plus the name; shown as `medchain-card:` + base64url (≈ 420
 * characters, one QR code) and saved as a `.mccard` file with the raw bytes.
 *
 * Why a signature besides the PoP: the PoP shows that someone holds the
 * signing key, but it does not cover the name, the role or the encryption
 * key. Without `sig`, anyone who relays a card could swap in their own
 * encryption key (and receive records meant for the member) or rename it.
 * The `t` header keeps the card's signing domain apart from every other
 * signed object.
 *
 * Patients have no card: they join after genesis, registered by the PKG
 * under a pseudonym (their member record carries a PID the PKG issues).
 *
 * | operation | cost |
 * | --- | --- |
 * | memberCard | 1 PoP + 1 signature (2 hash-to-G1, 2 G1 mul) |
 * | readMemberCard | G1 + G2 decode with subgroup checks, 2 pairing checks |
 */
import { bls, EncryptionPublicKey } from '$lib/crypto';
import { decode, encode, expectBytes, expectHeader, expectMap, expectString, expectUint, FormatError, type Value } from '$lib/codec';
import { makeMember, type MemberRecord, type Role as LedgerRole } from '$lib/chain';
import type { KeyRing, Role as IdentityRole } from '$lib/identity';

export const CARD_TYPE = 'medchain/member-card';
export const CARD_VERSION = 1;
/** Upper bound of an encoded card (a 128-character name in 4-byte UTF-8 included). */
export const MAX_CARD_BYTES = 1024;
/** Text form prefix. */
export const CARD_PREFIX = 'medchain-card:';
/** Roles that have a card (everyone but patients). */
export const CARD_ROLES = ['hospital', 'data-user', 'tpa', 'cloud', 'pkg'] as const satisfies readonly LedgerRole[];
export type CardRole = (typeof CARD_ROLES)[number];

export type MemberCardErrorKind = 'not-a-card' | 'bad-signature' | 'wrong-role';

/** A card that cannot be used; `kind` says why, the message what to do. */
export class MemberCardError extends Error {
  constructor(
    readonly kind: MemberCardErrorKind,
    message: string,
    options?: ErrorOptions
  ) {
    super(message, options);
    this.name = 'MemberCardError';
  }
}

/** A card read back: the member record (no rating or tier: the PKG sets those) and when it was made. */
export interface MemberCard {
  member: MemberRecord;
  time: number;
  /** The card's canonical bytes. */
  bytes: Uint8Array;
}

/** The ledger role of an app (identity) role; null for patients, who have no card. */
export function ledgerRoleOf(role: IdentityRole): CardRole | null {
  return role === 'user' ? 'data-user' : role === 'patient' ? null : role;
}

/** The app role (route) of a ledger role. */
export function appRoleOf(role: LedgerRole): IdentityRole {
  return role === 'data-user' ? 'user' : role;
}

function unsigned(m: MemberRecord, time: number): Record<string, Value> {
  return { t: CARD_TYPE, v: CARD_VERSION, role: m.role, name: m.name, key: m.key, pop: m.pop, enc: m.enc, time };
}

/**
 * The member card of the participant whose keys are `keys` (its name and
 * role from its public record). Throws RangeError for a patient (no card).
 */
export function memberCard(keys: KeyRing, time = Date.now()): Uint8Array {
  const id = keys.participant.identity;
  const role = ledgerRoleOf(id.role);
  if (!role) throw new RangeError('keys: patients have no member card (the PKG registers them under a pseudonym)');
  if (!Number.isSafeInteger(time) || time < 0) throw new RangeError('time: expected ms since the epoch');
  const sk = keys.participant.signing.sk;
  const member = makeMember(sk, { role, enc: id.encryptionPk.toBytes(), name: id.name });
  const body = unsigned(member, time);
  return encode({ ...body, sig: bls.sign(sk, encode(body)) });
}

/** base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  try {
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** The card as text: `medchain-card:` + base64url of its bytes. */
export function cardText(bytes: Uint8Array): string {
  return CARD_PREFIX + toBase64Url(bytes);
}

/** `medchain-<role>-<name>.mccard`, the name reduced to letters, digits, `-` and `_`. */
export function cardFileName(role: string, name: string): string {
  const safe = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}_-]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return `medchain-${role}-${safe || 'member'}.mccard`;
}

function cardBytes(input: string | Uint8Array): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (typeof input !== 'string') throw new TypeError('input: expected the card text or its bytes');
  const t = input.replace(/\s+/g, '');
  const body = t.toLowerCase().startsWith(CARD_PREFIX) ? t.slice(CARD_PREFIX.length) : t;
  const bytes = body ? fromBase64Url(body) : null;
  if (!bytes) throw new MemberCardError('not-a-card', 'this text is not a member card (expected medchain-card: followed by base64url)');
  return bytes;
}

/**
 * Reads and checks a card (text as `cardText` makes it, with or without the
 * prefix and with any white space, or the raw bytes of a `.mccard` file).
 * `roles` limits which roles are accepted. Returns the member record.
 * Throws MemberCardError: `not-a-card` (not a card, damaged, a point off the
 * curve), `bad-signature` (the PoP or the card signature fails), `wrong-role`.
 */
export function readMemberCard(input: string | Uint8Array, opts: { roles?: readonly LedgerRole[] } = {}): MemberCard {
  const bytes = cardBytes(input);
  let m: Record<string, unknown>;
  let member: MemberRecord;
  let time: number;
  try {
    m = expectMap(decode(bytes, MAX_CARD_BYTES), 'member card');
    expectHeader(m, CARD_TYPE, CARD_VERSION);
    const extra = Object.keys(m).filter((k) => !['t', 'v', 'role', 'name', 'key', 'pop', 'enc', 'time', 'sig'].includes(k));
    if (extra.length) throw new FormatError('malformed', `member card: unknown field ${extra[0]}`);
    const role = expectString(m.role, 'role', 16);
    if (!(CARD_ROLES as readonly string[]).includes(role)) throw new FormatError('out-of-range', `role: ${role} has no member card`);
    const name = expectString(m.name, 'name', 128);
    if (name.trim() === '') throw new FormatError('out-of-range', 'name: empty');
    member = { role: role as CardRole, name, key: expectBytes(m.key, 'key', 96), pop: expectBytes(m.pop, 'pop', 48), enc: expectBytes(m.enc, 'enc', 48) };
    time = expectUint(m.time, 'time');
    expectBytes(m.sig, 'sig', 48);
    EncryptionPublicKey.fromBytes(member.enc);
  } catch (e) {
    throw new MemberCardError('not-a-card', `this is not a valid member card (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  // popVerify / verify return false (never throw) for keys off the curve.
  if (!bls.popVerify(member.key, member.pop)) throw new MemberCardError('bad-signature', `the card of ${member.name} carries a proof of possession that does not verify: it was altered or made wrongly`);
  if (!bls.verify(member.key, encode(unsigned(member, time)), m.sig as Uint8Array)) throw new MemberCardError('bad-signature', `the card of ${member.name} is not signed by its key: it was altered on the way`);
  if (opts.roles && !opts.roles.includes(member.role)) throw new MemberCardError('wrong-role', `the card is for a ${member.role}, expected ${opts.roles.join(' or ')}`);
  return { member, time, bytes };
}
