/**
 * The randomised public-key encryption `E` of the pseudonym (SPEC §3) and the
 * fixed-width identity block it encrypts.
 *
 * E is hashed ElGamal / ECIES on G1, for fixed 64-byte plaintexts: the
 * crypto layer's KEM (`kemEncapsulate` / `kemDecapsulate`, shared with the
 * seal layer's `Enc_pkd`) with this layer's own info string, then one
 * AES-256-GCM call:
 *
 *   y random in [1, q), Y = P1^y, S = pkR^y,
 *   key || nonce = HKDF-SHA256(ikm = S, salt = Y || pkR,
 *                              info = "MEDCHAIN-V1-ID-ESCROW", 44 bytes),
 *   E_pkR(m) = Y || AES-256-GCM(key, nonce, m)          (48 + 64 + 16 = 128 bytes)
 *
 *   D_skR(Y || c): S = Y^skR, same KDF, open; fails if the tag does not verify.
 *
 * The key is used once, so the derived nonce is never reused. Y and pkR are
 * bound into the KDF, so a ciphertext cannot be moved to another key.
 *
 * Why not the seal layer's `wrapKey`? It wraps exactly a 32-byte file key in
 * a CBOR frame, and identity may not import seal (they are siblings). E
 * shares only the KEM with it; the DEM and framing are its own because E's
 * output length must be a constant (it is hashed into the PID and stored per
 * PID) and decryption is synchronous. The info string
 * "MEDCHAIN-V1-ID-ESCROW" separates E's keys from the seal KEM's
 * ("MEDCHAIN-V1-KEM-G1" || context). The bytes are the same as before the
 * KEM moved into the crypto layer.
 *
 * Identity block (ID padded to the fixed width n/8 = ID_BYTES = 64):
 *   byte 0 = L (length of the UTF-8 ID, 1..63), bytes 1..L = UTF-8 of the
 *   NFC-normalised ID, the rest zero. IDs longer than 63 UTF-8 bytes are
 *   rejected (IdentityError 'id-too-long'), never cut.
 *
 * | operation | cost | size |
 * | --- | --- | --- |
 * | escrowEncrypt | 2 G1 mul (Y, S), HKDF, AES-GCM of 64 B | 128 B out |
 * | escrowDecrypt | 1 G1 decode (subgroup check) + 1 G1 mul (S), HKDF, AES-GCM | 64 B out |
 */
import { gcm } from '@noble/ciphers/aes.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { DecodeError, kemDecapsulate, kemEncapsulate, KEM_Y_BYTES, type EncryptionPublicKey, type EncryptionSecretKey, type KemKey } from '$lib/crypto';
import { FormatError } from '$lib/codec';
import { IdentityError } from './errors';

/** Width of the padded identity, of H1's output (n/8) and so of a PID. */
export const ID_BYTES = 64;
/** Longest identity accepted, in UTF-8 bytes (one byte of the block holds the length). */
export const ID_MAX_BYTES = ID_BYTES - 1;
/** Bytes of an escrow ciphertext E_pkR(ID): Y (48) || AES-GCM(64-byte block) (64 + 16). */
export const ESCROW_BYTES = KEM_Y_BYTES + ID_BYTES + 16;
/** Name of E, recorded in the system parameters. */
export const ESCROW_SCHEME = 'ECIES-G1-HKDF-SHA256-AES256GCM';

const INFO = utf8ToBytes('MEDCHAIN-V1-ID-ESCROW');

/** Control characters (C0, DEL, C1) that have no place in an identity or a name. */
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The fixed-width block of an identity string. Throws IdentityError
 * ('id-empty', 'id-too-long', 'id-invalid').
 */
export function padIdentity(id: string): Uint8Array {
  if (typeof id !== 'string') throw new TypeError('id: expected a string');
  if (!id.isWellFormed()) throw new IdentityError('id-invalid', 'the identity holds a lone surrogate (not valid Unicode)');
  const norm = id.normalize('NFC');
  if (norm.length === 0) throw new IdentityError('id-empty', 'the identity is empty');
  if (CONTROL_CHARS.test(norm)) throw new IdentityError('id-invalid', 'the identity holds control characters');
  const bytes = utf8ToBytes(norm);
  if (bytes.length > ID_MAX_BYTES) {
    throw new IdentityError('id-too-long', `the identity is ${bytes.length} bytes of UTF-8; at most ${ID_MAX_BYTES} fit a pseudonym`);
  }
  const block = new Uint8Array(ID_BYTES);
  block[0] = bytes.length;
  block.set(bytes, 1);
  return block;
}

/** The identity string of a block; FormatError if the block is not one `padIdentity` makes. */
export function unpadIdentity(block: Uint8Array): string {
  if (!(block instanceof Uint8Array) || block.length !== ID_BYTES) throw new FormatError('bad-length', `identity block: expected ${ID_BYTES} bytes`);
  const len = block[0];
  if (len === 0 || len > ID_MAX_BYTES) throw new FormatError('out-of-range', `identity block: length ${len}`);
  if (block.subarray(1 + len).some((b) => b !== 0)) throw new FormatError('malformed', 'identity block: padding is not zero');
  let id: string;
  try {
    id = new TextDecoder('utf-8', { fatal: true }).decode(block.subarray(1, 1 + len));
  } catch {
    throw new FormatError('malformed', 'identity block: not UTF-8');
  }
  if (id.normalize('NFC') !== id || CONTROL_CHARS.test(id)) throw new FormatError('malformed', 'identity block: not a normalised identity');
  return id;
}

/** E_pk(block): randomised, 128 bytes. `block` must be ID_BYTES long. */
export function escrowEncrypt(pk: EncryptionPublicKey, block: Uint8Array): Uint8Array {
  if (!(block instanceof Uint8Array) || block.length !== ID_BYTES) throw new TypeError(`block: expected ${ID_BYTES} bytes`);
  const { y, key, nonce } = kemEncapsulate(pk, INFO);
  return concatBytes(y, gcm(key, nonce).encrypt(block));
}

/**
 * D_sk(ct): the 64-byte block, or null if `ct` was not made for this key or
 * was altered (wrong length, Y not a valid point, tag mismatch).
 */
export function escrowDecrypt(sk: EncryptionSecretKey, ct: Uint8Array): Uint8Array | null {
  if (!(ct instanceof Uint8Array) || ct.length !== ESCROW_BYTES) return null;
  let kem: KemKey;
  try {
    kem = kemDecapsulate(sk, ct.subarray(0, KEM_Y_BYTES), INFO);
  } catch (e) {
    if (e instanceof DecodeError) return null;
    throw e;
  }
  try {
    return gcm(kem.key, kem.nonce).decrypt(ct.subarray(KEM_Y_BYTES));
  } catch {
    return null;
  }
}
