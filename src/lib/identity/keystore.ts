/**
 * Key files: a participant's secret keys (and a patient's audit key with its
 * certificate) as bytes for storage. The storage layer encrypts these bytes
 * under a passphrase; this layer only makes them and checks them on the way
 * back in.
 *
 * Encoding (canonical DAG-CBOR, at most MAX_KEYFILE_BYTES):
 *
 * | key | value |
 * | --- | --- |
 * | `t`, `v` | "medchain/keys", 1 |
 * | `ssk` | signing secret key, 32 B |
 * | `esk` | encryption secret key, 32 B |
 * | `id` | the participant's public record (participant.ts map) |
 * | `psk` | optional: patient secret key a, 32 B |
 * | `cert` | optional (only with `psk`): the KeyCertificate map |
 * | `sum` | first 16 bytes of SHA-256 of the map without `sum` |
 *
 * The checksum catches accidental corruption of an unencrypted backup; it is
 * not authentication (the storage layer's AEAD is). On import every public
 * key is recomputed from its secret and compared with the stored record, the
 * record's proofs are verified, and a certificate must name the patient key
 * and this participant's signing key as holder.
 *
 * | operation | cost |
 * | --- | --- |
 * | exportKeys | SHA-256 of ≈ 1 KiB |
 * | importKeys | key derivation (≈ 5 mul) + verifyParticipant (4 P) (+ patient key 3 mul) |
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { EncryptionSecretKey } from '$lib/crypto';
import { decode, encode, expectBytes, expectHeader, expectMap, FormatError, type Value } from '$lib/codec';
import { certificateFromValue, certificateValue, type KeyCertificate } from './certificate';
import { IdentityError, wrapRange } from './errors';
import { patientKeyFromSecret, SECRET_KEY_BYTES, signingKeyFromSecret, type PatientKeyPair } from './keys';
import { participantFromValue, participantToValue, verifyParticipant, type ParticipantKeys } from './participant';

export const KEYFILE_TYPE = 'medchain/keys';
export const KEYFILE_VERSION = 1;
export const MAX_KEYFILE_BYTES = 4096;
const SUM_BYTES = 16;

/** Everything secret one tab holds about itself. */
export interface KeyRing {
  readonly participant: ParticipantKeys;
  readonly patient?: { readonly key: PatientKeyPair; readonly certificate?: KeyCertificate };
}

function checksum(body: Record<string, Value>): Uint8Array {
  return sha256(encode(body)).subarray(0, SUM_BYTES);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The key ring as bytes (secret: encrypt before storing). */
export function exportKeys(ring: KeyRing): Uint8Array {
  const body: Record<string, Value> = {
    t: KEYFILE_TYPE,
    v: KEYFILE_VERSION,
    ssk: ring.participant.signing.sk,
    esk: ring.participant.encryption.toBytes(),
    id: participantToValue(ring.participant.identity)
  };
  if (ring.patient) {
    body.psk = ring.patient.key.sk;
    if (ring.patient.certificate) body.cert = certificateValue(ring.patient.certificate);
  }
  return encode({ ...body, sum: checksum(body) });
}

/**
 * Reads a key file. Throws FormatError (size, shape, version, checksum),
 * DecodeError (a secret out of range, a bad point) or
 * IdentityError('keys-inconsistent') when secrets and public values disagree.
 */
export function importKeys(bytes: Uint8Array): KeyRing {
  const m = expectMap(decode(bytes, MAX_KEYFILE_BYTES), 'key file');
  expectHeader(m, KEYFILE_TYPE, KEYFILE_VERSION);
  for (const k of Object.keys(m)) if (!['t', 'v', 'ssk', 'esk', 'id', 'psk', 'cert', 'sum'].includes(k)) throw new FormatError('malformed', `key file: unknown field ${k}`);
  const { sum, ...body } = m;
  if (!sameBytes(expectBytes(sum, 'key file checksum', SUM_BYTES), checksum(body as Record<string, Value>))) {
    throw new FormatError('malformed', 'key file: checksum mismatch (the file is corrupted)');
  }
  const signing = wrapRange(() => signingKeyFromSecret(expectBytes(m.ssk, 'key file signing key', SECRET_KEY_BYTES)), 'key file signing key');
  const encryption = EncryptionSecretKey.fromBytes(expectBytes(m.esk, 'key file encryption key', SECRET_KEY_BYTES));
  const identity = participantFromValue(m.id);
  if (!sameBytes(signing.pk, identity.signingPk) || !sameBytes(signing.pop, identity.signingPop) || !encryption.publicKey.equals(identity.encryptionPk)) {
    throw new IdentityError('keys-inconsistent', 'key file: the secret keys do not belong to the stored public record');
  }
  const v = verifyParticipant(identity);
  if (!v.ok) throw new IdentityError('keys-inconsistent', `key file: the stored public record does not verify (${v.detail})`);
  const participant: ParticipantKeys = { signing, encryption, identity };
  if (m.psk === undefined) {
    if (m.cert !== undefined) throw new FormatError('malformed', 'key file: a certificate without a patient key');
    return { participant };
  }
  const key = wrapRange(() => patientKeyFromSecret(expectBytes(m.psk, 'key file patient key', SECRET_KEY_BYTES)), 'key file patient key');
  if (m.cert === undefined) return { participant, patient: { key } };
  const certificate = certificateFromValue(m.cert);
  if (!sameBytes(certificate.pkP, key.pk) || !sameBytes(certificate.aP, key.aP)) {
    throw new IdentityError('keys-inconsistent', 'key file: the certificate is for another patient key');
  }
  if (!sameBytes(certificate.holder, signing.pk)) throw new IdentityError('keys-inconsistent', 'key file: the certificate names another holder');
  return { participant, patient: { key, certificate } };
}
