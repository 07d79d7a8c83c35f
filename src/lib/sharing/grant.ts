/**
 * The access-record input of sharing. The chain layer (SPEC §6) does not
 * exist yet; this is the minimum the sharing contract needs from a finalised
 * access record, and what the chain layer should hand over once it exists.
 *
 * | field | meaning |
 * | --- | --- |
 * | `recordId` | the access record's id on the access-record chain (e.g. the hash of its transaction), 1..64 bytes; binds every delivered key and copy to this one access |
 * | `requester` | the data user's *encryption* public key (G1), never its signing key |
 * | `mode` | `rewrap` (default: only k is re-wrapped) or `reencrypt` (paper Algorithm 1: decrypt, fingerprint, Enc_pkd) |
 *
 * An AccessGrant stands for a *finalised* access record that passed the
 * consent check: constructing one is the caller's claim that it is. Nothing
 * here delivers without one.
 */
import { EncryptionPublicKey } from '$lib/crypto';

export type ShareMode = 'rewrap' | 'reencrypt';
export const MAX_RECORD_ID_BYTES = 64;

export interface AccessGrant {
  readonly recordId: Uint8Array;
  readonly requester: EncryptionPublicKey;
  readonly mode: ShareMode;
}

const ACCESS_DST = new TextEncoder().encode('MEDCHAIN-V1-ACCESS');
const EMR_DST = new TextEncoder().encode('MEDCHAIN-V1-EMR-KEY');

function checkRecordId(recordId: Uint8Array, what = 'recordId'): void {
  if (!(recordId instanceof Uint8Array) || recordId.length === 0 || recordId.length > MAX_RECORD_ID_BYTES) {
    throw new TypeError(`${what}: expected 1..${MAX_RECORD_ID_BYTES} bytes`);
  }
}

/** Builds a checked AccessGrant (copies the id). Throws TypeError on misuse. */
export function accessGrant(recordId: Uint8Array, requester: EncryptionPublicKey, mode: ShareMode = 'rewrap'): AccessGrant {
  checkRecordId(recordId);
  if (!(requester instanceof EncryptionPublicKey)) throw new TypeError('requester: expected an EncryptionPublicKey (G1), not a signing key');
  if (mode !== 'rewrap' && mode !== 'reencrypt') throw new TypeError(`mode: expected 'rewrap' or 'reencrypt', got ${String(mode)}`);
  return Object.freeze({ recordId: recordId.slice(), requester, mode });
}

/** @internal validates a grant given by a caller. */
export function checkGrant(grant: AccessGrant): void {
  if (grant === null || typeof grant !== 'object') throw new TypeError('grant: expected an AccessGrant');
  checkRecordId(grant.recordId, 'grant.recordId');
  if (!(grant.requester instanceof EncryptionPublicKey)) throw new TypeError('grant.requester: expected an EncryptionPublicKey');
}

/** The wrap context of everything delivered for one access record: "MEDCHAIN-V1-ACCESS" || recordId. */
export function accessContext(recordId: Uint8Array): Uint8Array {
  checkRecordId(recordId);
  const out = new Uint8Array(ACCESS_DST.length + recordId.length);
  out.set(ACCESS_DST, 0);
  out.set(recordId, ACCESS_DST.length);
  return out;
}

/**
 * The wrap context of the executor's own copy of k, by convention
 * "MEDCHAIN-V1-EMR-KEY" || emrId (e.g. the cloud `index` or the EMR entry
 * hash): binds the copy to one EMR so it cannot be presented for another.
 */
export function emrKeyContext(emrId: Uint8Array): Uint8Array {
  if (!(emrId instanceof Uint8Array) || emrId.length > 512) throw new TypeError('emrId: expected at most 512 bytes');
  const out = new Uint8Array(EMR_DST.length + emrId.length);
  out.set(EMR_DST, 0);
  out.set(emrId, EMR_DST.length);
  return out;
}
