/**
 * The KEM on G1 shared by identity's escrow `E_pkR` and seal's `Enc_pkd`
 * (hashed ElGamal / ECIES key encapsulation, one-time AES-256-GCM key):
 *
 * ```
 * encapsulate(pk, info):  y <- Fr*, Y = P1^y, Z = pk^y
 * decapsulate(sk, Y, info):             Z = Y^d
 * key (32) || nonce (12) = HKDF-SHA256(ikm = enc(Z), salt = enc(Y) || enc(pk), info, 44 bytes)
 * ```
 *
 * `info` is the caller's domain separation tag (and context): every caller
 * passes its own (`MEDCHAIN-V1-ID-ESCROW`, `MEDCHAIN-V1-KEM-G1` || context),
 * so a ciphertext made for one use never opens under another. Y and pk are
 * both in the salt, so an encapsulation is bound to its recipient and a
 * changed Y gives an unrelated key. The key is for exactly one AEAD call,
 * so the derived nonce is never reused.
 *
 * | operation | cost | bytes |
 * | --- | --- | --- |
 * | `kemEncapsulate` | 2 G1 mul (constant time), 1 HKDF | Y 48 B |
 * | `kemDecapsulate` | 1 G1 decode (subgroup check), 1 G1 mul, 1 HKDF | |
 *
 * Constant time: y and d are only multiplied with `g1.mul` (through
 * `EncryptionSecretKey`).
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { EncryptionPublicKey, EncryptionSecretKey, ENC_PUBLIC_KEY_BYTES } from './enckey';

/** Bytes of the encapsulation Y (compressed G1). */
export const KEM_Y_BYTES = ENC_PUBLIC_KEY_BYTES;
/** Bytes of the derived AEAD key and nonce (AES-256-GCM). */
export const KEM_KEY_BYTES = 32;
export const KEM_NONCE_BYTES = 12;

/** A one-time AES-256-GCM key and nonce derived from the shared point. */
export interface KemKey {
  readonly key: Uint8Array;
  readonly nonce: Uint8Array;
}

/** An encapsulation: Y to send, and the key it carries. */
export interface KemEncapsulation extends KemKey {
  /** enc(Y), 48 bytes. */
  readonly y: Uint8Array;
}

function derive(z: Uint8Array, y: Uint8Array, pk: EncryptionPublicKey, info: Uint8Array): KemKey {
  if (!(info instanceof Uint8Array)) throw new TypeError('info: expected a Uint8Array');
  const salt = new Uint8Array(y.length + ENC_PUBLIC_KEY_BYTES);
  salt.set(y, 0);
  salt.set(pk.toBytes(), y.length);
  const okm = hkdf(sha256, z, salt, info, KEM_KEY_BYTES + KEM_NONCE_BYTES);
  return { key: okm.slice(0, KEM_KEY_BYTES), nonce: okm.slice(KEM_KEY_BYTES) };
}

/** A fresh Y for `pk` and the key it carries, under the caller's `info`. Throws TypeError for a non-key. */
export function kemEncapsulate(pk: EncryptionPublicKey, info: Uint8Array): KemEncapsulation {
  if (!(pk instanceof EncryptionPublicKey)) throw new TypeError('pk: expected an EncryptionPublicKey (G1), not a signing key or raw bytes');
  const eph = EncryptionSecretKey.generate();
  const y = eph.publicKey.toBytes();
  return { y, ...derive(eph.dh(pk), y, pk, info) };
}

/**
 * The key carried by `y` for `sk.publicKey`, under the caller's `info`.
 * Throws DecodeError if `y` is not a valid G1 point other than the identity
 * (`wrong-length`, `not-on-curve`, `not-in-subgroup`, `infinity-not-allowed`,
 * ...). A wrong key, Y or info gives a different key: the caller's AEAD tag
 * then fails.
 */
export function kemDecapsulate(sk: EncryptionSecretKey, y: Uint8Array, info: Uint8Array): KemKey {
  if (!(sk instanceof EncryptionSecretKey)) throw new TypeError('sk: expected an EncryptionSecretKey');
  const Y = EncryptionPublicKey.fromBytes(y);
  return derive(sk.dh(Y), Y.toBytes(), sk.publicKey, info);
}
