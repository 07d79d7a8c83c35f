/**
 * Encryption key pairs (SPEC §5): secret scalar d, public key P1^d in G1.
 *
 * Every participant has two key pairs: a BLS signing key (secret 32 bytes,
 * public key in G2, `bls` in $lib/crypto) and this encryption key. They are
 * never used for each other's job, and the types keep them apart: these are
 * classes with private fields (nominal in TypeScript), a G1 public key is 48
 * bytes where a signing public key is 96, and nothing here accepts raw bytes
 * where a key is meant.
 */
import { DecodeError, fr, g1, type G1 } from '$lib/crypto';

export const ENC_PUBLIC_KEY_BYTES = 48;
export const ENC_SECRET_KEY_BYTES = 32;

/** A participant's public encryption key pk = P1^d (G1, 48 bytes compressed). */
export class EncryptionPublicKey {
  readonly #brand = 'enc-pk';
  /** The point P1^d; never the identity. */
  readonly point: G1;

  private constructor(point: G1) {
    this.point = point;
  }

  /** @internal from a point this program computed. */
  static fromPoint(point: G1): EncryptionPublicKey {
    if (g1.isIdentity(point)) throw new RangeError('point: the identity is not a public key');
    return new EncryptionPublicKey(point);
  }

  /** Decodes 48 compressed bytes with every check; throws DecodeError (also for the identity). */
  static fromBytes(bytes: Uint8Array): EncryptionPublicKey {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected a Uint8Array');
    if (bytes.length !== ENC_PUBLIC_KEY_BYTES) throw new DecodeError('wrong-length', `encryption public key: expected ${ENC_PUBLIC_KEY_BYTES} bytes (G1), got ${bytes.length}`);
    const p = g1.fromBytes(bytes);
    if (g1.isIdentity(p)) throw new DecodeError('infinity-not-allowed', 'encryption public key: the identity');
    return new EncryptionPublicKey(p);
  }

  toBytes(): Uint8Array {
    return g1.toBytes(this.point);
  }

  equals(other: EncryptionPublicKey): boolean {
    return other instanceof EncryptionPublicKey && g1.equals(this.point, other.point);
  }

  /** Kind tag for logs and type narrowing. */
  get kind(): 'encryption-public-key' {
    void this.#brand;
    return 'encryption-public-key';
  }
}

/** A participant's secret encryption key d in [1, r). The scalar never leaves except through `toBytes()`. */
export class EncryptionSecretKey {
  readonly #d: bigint;
  readonly publicKey: EncryptionPublicKey;

  private constructor(d: bigint) {
    this.#d = d;
    this.publicKey = EncryptionPublicKey.fromPoint(g1.mul(g1.generator(), d));
  }

  static generate(): EncryptionSecretKey {
    return new EncryptionSecretKey(fr.random());
  }

  /** From 32 bytes big-endian in [1, r); throws DecodeError. */
  static fromBytes(bytes: Uint8Array): EncryptionSecretKey {
    const d = fr.fromBytes(bytes);
    if (d === 0n) throw new DecodeError('scalar-out-of-range', 'encryption secret key: zero');
    return new EncryptionSecretKey(d);
  }

  /** 32 bytes big-endian, for the owner's key store only. */
  toBytes(): Uint8Array {
    return fr.toBytes(this.#d);
  }

  /** Q^d in constant time in d: the Diffie-Hellman step of the KEM. */
  dh(q: G1): G1 {
    return g1.mul(q, this.#d);
  }

  get kind(): 'encryption-secret-key' {
    return 'encryption-secret-key';
  }
}
