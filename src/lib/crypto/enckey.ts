/**
 * Encryption key pairs (SPEC §5): secret scalar d in [1, r), public key
 * pk = P1^d in G1. The one definition used by every layer above (identity's
 * escrow key pkR/skR, seal's `Enc_pkd`, sharing's grants).
 *
 * Every participant also has a BLS signing key (secret 32 bytes, public key
 * in G2, `bls`). The two are never used for each other's job, and the types
 * keep them apart: these are classes with private fields, so TypeScript
 * treats them nominally (a branded `Uint8Array`, a look-alike object or raw
 * bytes do not type-check where one is wanted), and `instanceof` refuses
 * anything else at run time. A signing public key is 96 bytes and is refused
 * by `EncryptionPublicKey.fromBytes` (wrong length).
 *
 * | what | encoding | checks on decode |
 * | --- | --- | --- |
 * | `EncryptionPublicKey` | 48 B, ZCash compressed G1 | length, flags, canonical, on curve, in subgroup, not the identity |
 * | `EncryptionSecretKey` | 32 B, big-endian scalar | length, < r, not zero |
 * | Schnorr proof (`proveKnowledge`) | c (32 B) || s (32 B) | scalars < r |
 *
 * | operation | cost |
 * | --- | --- |
 * | `generate`, `fromBytes` (secret) | 1 G1 mul (the public key) |
 * | `EncryptionPublicKey.fromBytes` | 1 G1 decode (subgroup check) |
 * | `dh` | 1 G1 mul + 1 encoding |
 * | `proveKnowledge` / `verifyKnowledge` | 1 G1 mul / 2 G1 mulPublic |
 *
 * Constant time: the secret scalar is only multiplied with `g1.mul`
 * (constant-time in the scalar); the encoding of the result normalises with
 * the constant-time inversion. Exception: the Schnorr response
 * `s = k + c·d mod r` is a JS bigint computation (not guaranteed constant
 * time; see docs/crypto.md on the JS boundary).
 */
import { DecodeError } from './errors';
import * as fr from './fr';
import { g1, type G1 } from './g1';

/** Bytes of an encoded encryption public key (compressed G1). */
export const ENC_PUBLIC_KEY_BYTES = 48;
/** Bytes of an encoded encryption secret key (big-endian scalar). */
export const ENC_SECRET_KEY_BYTES = 32;
/** Bytes of a Schnorr proof of knowledge of an encryption secret: c || s. */
export const SCHNORR_PROOF_BYTES = 64;

/**
 * Maps the 48-byte commitment R of a Schnorr proof to the challenge scalar.
 * The caller binds its own domain (DST), the public key and its context in
 * here, so a proof made for one use does not verify for another.
 */
export type SchnorrChallenge = (commitment: Uint8Array) => bigint;

/** A public encryption key pk = P1^d (G1, never the identity). */
export class EncryptionPublicKey {
  readonly #point: G1;
  readonly #bytes: Uint8Array;

  private constructor(point: G1) {
    this.#point = point;
    this.#bytes = g1.toBytes(point);
  }

  /**
   * @internal a point the program computed (already in G1, so no decoding
   * checks); throws RangeError for the identity. Use `fromBytes` for bytes.
   */
  static fromPoint(point: G1): EncryptionPublicKey {
    if (g1.isIdentity(point)) throw new RangeError('point: the identity is not a public key');
    return new EncryptionPublicKey(point);
  }

  /**
   * Decodes 48 compressed bytes with every check. Throws TypeError for a
   * non-Uint8Array, DecodeError (`wrong-length`, `bad-flags`,
   * `non-canonical`, `not-on-curve`, `not-in-subgroup`,
   * `infinity-not-allowed`) for bad bytes.
   */
  static fromBytes(bytes: Uint8Array): EncryptionPublicKey {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected a Uint8Array');
    if (bytes.length !== ENC_PUBLIC_KEY_BYTES) {
      throw new DecodeError('wrong-length', `encryption public key: expected ${ENC_PUBLIC_KEY_BYTES} bytes (G1), got ${bytes.length}`);
    }
    const p = g1.fromBytes(bytes);
    if (g1.isIdentity(p)) throw new DecodeError('infinity-not-allowed', 'encryption public key: the identity is not a key');
    return new EncryptionPublicKey(p);
  }

  /** The point P1^d. */
  get point(): G1 {
    return this.#point;
  }

  /** 48 bytes, compressed G1 (a fresh copy). */
  toBytes(): Uint8Array {
    return this.#bytes.slice();
  }

  /** True if `other` is an encryption public key for the same point. */
  equals(other: EncryptionPublicKey): boolean {
    return other instanceof EncryptionPublicKey && g1.equals(this.#point, other.#point);
  }

  /**
   * Checks a proof made by `EncryptionSecretKey#proveKnowledge` with the same
   * challenge function: R' = P1^s · pk^-c, c == challenge(R'). False for any
   * malformed proof (never throws on bad bytes).
   */
  verifyKnowledge(proof: Uint8Array, challenge: SchnorrChallenge): boolean {
    if (!(proof instanceof Uint8Array) || proof.length !== SCHNORR_PROOF_BYTES) return false;
    let c: bigint, s: bigint;
    try {
      c = fr.fromBytes(proof.subarray(0, 32));
      s = fr.fromBytes(proof.subarray(32));
    } catch (e) {
      if (e instanceof DecodeError) return false;
      throw e;
    }
    const R = g1.sub(g1.mulPublic(g1.generator(), s), g1.mulPublic(this.#point, c));
    return fr.mod(challenge(g1.toBytes(R))) === c;
  }

  /** Kind tag for logs. */
  get kind(): 'encryption-public-key' {
    return 'encryption-public-key';
  }
}

/** A secret encryption key d in [1, r). The scalar leaves only through `toBytes()` (for the owner's key store). */
export class EncryptionSecretKey {
  readonly #d: bigint;
  /** P1^d. */
  readonly publicKey: EncryptionPublicKey;

  private constructor(d: bigint) {
    this.#d = d;
    this.publicKey = EncryptionPublicKey.fromPoint(g1.mul(g1.generator(), d));
  }

  /** A fresh uniformly random key. */
  static generate(): EncryptionSecretKey {
    return new EncryptionSecretKey(fr.random());
  }

  /**
   * From 32 bytes big-endian in [1, r). Throws TypeError for a non-Uint8Array,
   * DecodeError (`wrong-length`, `scalar-out-of-range`, also for zero).
   */
  static fromBytes(bytes: Uint8Array): EncryptionSecretKey {
    const d = fr.fromBytes(bytes);
    if (d === 0n) throw new DecodeError('scalar-out-of-range', 'encryption secret key: zero is not a key');
    return new EncryptionSecretKey(d);
  }

  /** 32 bytes big-endian: for the owner's key store only. */
  toBytes(): Uint8Array {
    return fr.toBytes(this.#d);
  }

  /**
   * Diffie-Hellman: pk^d as 48 compressed bytes (constant time in d). `pk` is
   * another key or a KEM's ephemeral point, decoded with every check.
   */
  dh(pk: EncryptionPublicKey): Uint8Array {
    if (!(pk instanceof EncryptionPublicKey)) throw new TypeError('pk: expected an EncryptionPublicKey (G1), not a signing key or raw bytes');
    return g1.toBytes(g1.mul(pk.point, this.#d));
  }

  /**
   * Schnorr proof of knowledge of d for `publicKey`: k random, R = P1^k,
   * c = challenge(enc(R)) mod r, s = k + c·d mod r. Returns c || s (64 bytes).
   */
  proveKnowledge(challenge: SchnorrChallenge): Uint8Array {
    const k = fr.random();
    const c = fr.mod(challenge(g1.toBytes(g1.mul(g1.generator(), k))));
    const s = fr.add(k, fr.mul(c, this.#d));
    const out = new Uint8Array(SCHNORR_PROOF_BYTES);
    out.set(fr.toBytes(c), 0);
    out.set(fr.toBytes(s), 32);
    return out;
  }

  /** Kind tag for logs. */
  get kind(): 'encryption-secret-key' {
    return 'encryption-secret-key';
  }
}
