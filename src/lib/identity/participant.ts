/**
 * Participants and their public records (SPEC §1, §5).
 *
 * Every participant (patient, hospital, data user, TPA, PKG, cloud) has a
 * signing key pair and an encryption key pair (keys.ts). Its public record:
 *
 * | field | CBOR key | type | bytes |
 * | --- | --- | --- | --- |
 * | header | `t`, `v` | "medchain/participant", 1 | |
 * | role | `role` | one of ROLES | |
 * | display name | `name` | UTF-8, 1..128 bytes, no control characters | |
 * | signing pk | `spk` | G2 | 96 |
 * | signing PoP | `spop` | BLS PoP (G1) | 48 |
 * | encryption pk | `epk` | G1 | 48 |
 * | encryption-key proof | `epok` | Schnorr PoK c || s, bound to (role, name, spk) | 64 |
 * | self-signature | `sig` | BLS by the signing key over the record without `sig` | 48 |
 *
 * Encoded as canonical DAG-CBOR: about 330 bytes plus the name, at most
 * MAX_PARTICIPANT_BYTES.
 *
 * Why two proofs for the encryption key. The Schnorr proof shows the owner of
 * the record knows the encryption secret, and its context includes the
 * signing key, so nobody can copy another participant's encryption key and
 * proof into their own record. But a PoK alone does not show that the owner
 * of the *signing* key endorses this encryption key: Mallory could build a
 * record with Alice's signing key and PoP, Alice's name and Mallory's own
 * encryption key with a valid PoK, and data meant for Alice would be
 * encrypted to Mallory. The self-signature closes that: only the holder of
 * the signing key can produce a record naming it.
 *
 * A patient's record is public and is not tied to the patient's identity by
 * this layer; a patient who wants pseudonymity uses the PID (or nothing
 * identifying) as display name.
 *
 * | operation | cost |
 * | --- | --- |
 * | createParticipant | signing key (2 G2 + 1 G1 mul + 1 hash-to-G1) + encryption key (1 G1 mul) + PoK (1 G1 mul) + self-sig (1 hash-to-G1 + 1 G1 mul) |
 * | verifyParticipant | PoP (2 P) + self-sig (2 P) + PoK (2 G1 mulPublic) |
 */
import { bls, EncryptionPublicKey, EncryptionSecretKey } from '$lib/crypto';
import { decode, encode, expectBytes, expectHeader, expectMap, expectString, FormatError, type Value } from '$lib/codec';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { CONTROL_CHARS } from './escrow';
import { fail, IdentityError, OK, wrapRange, type Verdict } from './errors';
import {
  ENCRYPTION_PROOF_BYTES,
  G1_BYTES,
  G2_BYTES,
  generateSigningKey,
  proveEncryptionKey,
  sign,
  signingPublicKey,
  verify,
  verifyEncryptionKeyProof,
  type SigningKeyPair,
  type SigningPublicKey
} from './keys';

/** The six roles of the paper (SPEC §1); same ids as the app's role catalogue. */
export const ROLES = ['patient', 'hospital', 'user', 'tpa', 'pkg', 'cloud'] as const;
export type Role = (typeof ROLES)[number];

export const PARTICIPANT_TYPE = 'medchain/participant';
export const PARTICIPANT_VERSION = 1;
/** Upper bound of an encoded participant record. */
export const MAX_PARTICIPANT_BYTES = 1024;
/** Longest display name in UTF-8 bytes. */
export const MAX_NAME_BYTES = 128;

/** A participant's public record (see the module header). */
export interface ParticipantIdentity {
  readonly role: Role;
  readonly name: string;
  readonly signingPk: SigningPublicKey;
  readonly signingPop: Uint8Array;
  readonly encryptionPk: EncryptionPublicKey;
  readonly encryptionProof: Uint8Array;
  readonly sig: Uint8Array;
}

/** A participant's secret keys and its public record. */
export interface ParticipantKeys {
  readonly signing: SigningKeyPair;
  /** The encryption secret key; its `publicKey` is `identity.encryptionPk`. */
  readonly encryption: EncryptionSecretKey;
  readonly identity: ParticipantIdentity;
}

export type ParticipantFailure = 'bad-signing-pop' | 'bad-encryption-proof' | 'bad-self-signature' | 'malformed';

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}

/** Checks a display name; throws IdentityError('name-invalid'). Returns it NFC-normalised. */
export function checkName(name: string): string {
  if (typeof name !== 'string') throw new TypeError('name: expected a string');
  if (!name.isWellFormed()) throw new IdentityError('name-invalid', 'the name is not valid Unicode');
  const norm = name.normalize('NFC');
  if (norm.trim().length === 0) throw new IdentityError('name-invalid', 'the name is empty');
  if (CONTROL_CHARS.test(norm)) throw new IdentityError('name-invalid', 'the name holds control characters');
  if (utf8ToBytes(norm).length > MAX_NAME_BYTES) throw new IdentityError('name-invalid', `the name is longer than ${MAX_NAME_BYTES} bytes of UTF-8`);
  return norm;
}

/** The context the encryption-key proof is bound to. */
function pokContext(role: Role, name: string, spk: Uint8Array): Uint8Array {
  return encode({ t: 'medchain/participant-enc-pok', v: 1, role, name, spk });
}

/** The map that the self-signature covers (the record without `sig`). */
function body(id: Omit<ParticipantIdentity, 'sig'>): Record<string, Value> {
  return {
    t: PARTICIPANT_TYPE,
    v: PARTICIPANT_VERSION,
    role: id.role,
    name: id.name,
    spk: id.signingPk,
    spop: id.signingPop,
    epk: id.encryptionPk.toBytes(),
    epok: id.encryptionProof
  };
}

/** The public record of given key pairs, with its proofs. Throws IdentityError on a bad name. */
export function participantIdentity(role: Role, name: string, signing: SigningKeyPair, encryption: EncryptionSecretKey): ParticipantIdentity {
  if (!isRole(role)) throw new RangeError(`role: unknown role ${String(role)}`);
  const n = checkName(name);
  const unsigned = {
    role,
    name: n,
    signingPk: signing.pk,
    signingPop: signing.pop,
    encryptionPk: encryption.publicKey,
    encryptionProof: proveEncryptionKey(encryption, pokContext(role, n, signing.pk))
  };
  return { ...unsigned, sig: sign(signing.sk, encode(body(unsigned))) };
}

/** A new participant: fresh signing and encryption keys and the public record. */
export function createParticipant(role: Role, name: string): ParticipantKeys {
  const signing = generateSigningKey();
  const encryption = EncryptionSecretKey.generate();
  return { signing, encryption, identity: participantIdentity(role, name, signing, encryption) };
}

/** @internal the CBOR map of a record (also nested inside system parameters). */
export function participantToValue(id: ParticipantIdentity): Record<string, Value> {
  return { ...body(id), sig: id.sig };
}

/** Canonical bytes of a public record. */
export function encodeParticipant(id: ParticipantIdentity): Uint8Array {
  return encode(participantToValue(id));
}

/** @internal reads a record from a decoded CBOR value; FormatError / DecodeError. Does not verify the proofs. */
export function participantFromValue(v: unknown): ParticipantIdentity {
  const m = expectMap(v, 'participant');
  expectHeader(m, PARTICIPANT_TYPE, PARTICIPANT_VERSION);
  const known = new Set(['t', 'v', 'role', 'name', 'spk', 'spop', 'epk', 'epok', 'sig']);
  for (const k of Object.keys(m)) if (!known.has(k)) throw new FormatError('malformed', `participant: unknown field ${k}`);
  const role = expectString(m.role, 'participant.role', 16);
  if (!isRole(role)) throw new FormatError('out-of-range', `participant.role: unknown role ${role}`);
  const name = expectString(m.name, 'participant.name', MAX_NAME_BYTES);
  try {
    if (checkName(name) !== name) throw new FormatError('malformed', 'participant.name: not NFC-normalised');
  } catch (e) {
    if (e instanceof IdentityError) throw new FormatError('out-of-range', `participant.name: ${e.message}`);
    throw e;
  }
  const spk = expectBytes(m.spk, 'participant.spk', G2_BYTES);
  const epk = expectBytes(m.epk, 'participant.epk', G1_BYTES);
  return {
    role,
    name,
    signingPk: wrapRange(() => signingPublicKey(spk), 'participant.spk'),
    signingPop: expectBytes(m.spop, 'participant.spop', G1_BYTES),
    encryptionPk: EncryptionPublicKey.fromBytes(epk),
    encryptionProof: expectBytes(m.epok, 'participant.epok', ENCRYPTION_PROOF_BYTES),
    sig: expectBytes(m.sig, 'participant.sig', G1_BYTES)
  };
}

/**
 * Decodes a public record: size limit, canonical DAG-CBOR, header, every field
 * (points validated, in the subgroup, not the identity). Throws FormatError or
 * DecodeError; does not check the proofs (use verifyParticipant).
 */
export function decodeParticipant(bytes: Uint8Array): ParticipantIdentity {
  return participantFromValue(decode(bytes, MAX_PARTICIPANT_BYTES));
}

/** Checks the signing PoP, the encryption-key proof and the self-signature. */
export function verifyParticipant(id: ParticipantIdentity): Verdict<ParticipantFailure> {
  if (!isRole(id.role)) return fail('malformed', `unknown role ${String(id.role)}`);
  if (!bls.popVerify(id.signingPk, id.signingPop)) return fail('bad-signing-pop', 'the signing key has no valid proof of possession');
  if (!verifyEncryptionKeyProof(id.encryptionPk, id.encryptionProof, pokContext(id.role, id.name, id.signingPk))) {
    return fail('bad-encryption-proof', 'the proof of knowledge of the encryption key does not verify for this record');
  }
  if (!verify(id.signingPk, encode(body(id)), id.sig)) return fail('bad-self-signature', 'the record is not signed by its signing key');
  return OK;
}
