/**
 * Key pairs, kept apart by type (SPEC §5 last paragraph).
 *
 * Every participant holds two key pairs, one per job:
 *
 * | key | secret | public | job | proof |
 * | --- | --- | --- | --- | --- |
 * | signing | x in [1, q), 32 B | P2^x in G2, 96 B | BLS signatures (G1, 48 B): blocks, votes, tags, records | BLS PoP, 48 B |
 * | encryption | y in [1, q), 32 B | P1^y in G1, 48 B | KEM / escrow: things sent *to* this participant | Schnorr PoK, 64 B |
 *
 * A patient has a third pair for the paper's audit (SPEC §3):
 *
 * | paper | here | size |
 * | --- | --- | --- |
 * | sk_p = a | `PatientKeyPair.sk` (PatientSecretKey) | 32 B |
 * | pk_p = P2^a | `PatientKeyPair.pk` (PatientPublicKey) | G2, 96 B |
 * | A_p = g1^a | `PatientKeyPair.aP` | G1, 48 B (what the hospital admin needs to tag) |
 *
 * It is kept apart from the patient's signing key because in the paper the
 * PKG chooses `a` and so knows it: a key the PKG knows must never sign for
 * the patient.
 *
 * All keys are bytes at this boundary (compressed points, 32-byte big-endian
 * scalars) with a *brand*: a phantom property that exists only for the type
 * checker, so a `SigningSecretKey` cannot be passed where an
 * `EncryptionSecretKey` is wanted (and a bare `Uint8Array` cannot be passed
 * where either is wanted: it has to go through a validating constructor).
 * The brands cost nothing at run time.
 *
 * Operation counts (G1/G2 "mul" = one scalar multiplication, "P" = one
 * pairing in a shared Miller loop):
 *
 * | operation | cost |
 * | --- | --- |
 * | generateSigningKey | 2 G2 mul (pk, and again inside popProve) + 1 hash-to-G1 + 1 G1 mul (PoP) |
 * | generateEncryptionKey | 1 G1 mul |
 * | generatePatientKey | 2 G2 mul + 1 G1 mul (A_p) + PoP (1 hash-to-G1 + 1 G1 mul) |
 * | proveEncryptionKey | 1 G1 mul (constant time) |
 * | verifyEncryptionKeyProof | 2 G1 mulPublic |
 *
 * Constant time: secret-scalar group operations run in the WASM core's
 * constant-time `mul`. Exception: the Schnorr response `s = k + c*y mod q` is
 * computed with JS bigints, which are not constant time; the leak is the
 * timing of one multiplication of 255-bit numbers in the browser tab that
 * owns the key.
 */
import { bls, fr, g1, g2, type G1 } from '$lib/crypto';
import { encode } from '$lib/codec';
import { paramG1 } from '$lib/hashes';

declare const brand: unique symbol;
/** `T` tagged with a type-only brand `B`. */
export type Branded<T, B extends string> = T & { readonly [brand]: B };

/** BLS signing secret key, 32 bytes big-endian in [1, q). */
export type SigningSecretKey = Branded<Uint8Array, 'signing-sk'>;
/** BLS signing public key P2^x, 96-byte compressed G2, validated. */
export type SigningPublicKey = Branded<Uint8Array, 'signing-pk'>;
/** Encryption secret key y, 32 bytes big-endian in [1, q). */
export type EncryptionSecretKey = Branded<Uint8Array, 'encryption-sk'>;
/** Encryption public key P1^y, 48-byte compressed G1, validated. */
export type EncryptionPublicKey = Branded<Uint8Array, 'encryption-pk'>;
/** The paper's sk_p = a, 32 bytes big-endian in [1, q). */
export type PatientSecretKey = Branded<Uint8Array, 'patient-sk'>;
/** The paper's pk_p = P2^a, 96-byte compressed G2, validated. */
export type PatientPublicKey = Branded<Uint8Array, 'patient-pk'>;

export interface SigningKeyPair {
  readonly sk: SigningSecretKey;
  readonly pk: SigningPublicKey;
  /** BLS proof of possession of `sk` (G1, 48 bytes). */
  readonly pop: Uint8Array;
}

export interface EncryptionKeyPair {
  readonly sk: EncryptionSecretKey;
  readonly pk: EncryptionPublicKey;
}

export interface PatientKeyPair {
  readonly sk: PatientSecretKey;
  readonly pk: PatientPublicKey;
  /** A_p = g1^a (G1, 48 bytes). */
  readonly aP: Uint8Array;
  /** BLS proof of possession of `a` for pk_p (G1, 48 bytes). */
  readonly pop: Uint8Array;
}

export const SECRET_KEY_BYTES = 32;
export const G1_BYTES = 48;
export const G2_BYTES = 96;
/** Schnorr proof of knowledge of an encryption key: c || s, 32 + 32 bytes. */
export const ENCRYPTION_PROOF_BYTES = 64;

/** Domain of the Schnorr challenge of `proveEncryptionKey`. */
export const ENC_POK_DST = 'MEDCHAIN-V1-ID-ENC-POK';

function randomIkm(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

/** A scalar in [1, q) from 32 bytes; DecodeError if out of range, RangeError-free. */
function scalar(bytes: Uint8Array, what: string): bigint {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${what}: expected Uint8Array`);
  const x = fr.fromBytes(bytes); // DecodeError on wrong length / >= q
  if (x === 0n) throw new RangeError(`${what}: the zero scalar is not a key`);
  return x;
}

function g1Point(bytes: Uint8Array, what: string): G1 {
  const p = g1.fromBytes(bytes); // DecodeError: length, flags, curve, subgroup
  if (g1.isIdentity(p)) throw new RangeError(`${what}: the identity is not a key`);
  return p;
}

// ---------------------------------------------------------------- public keys

/** Validates 96 bytes as a signing public key (in G2, not the identity); throws DecodeError / RangeError. */
export function signingPublicKey(bytes: Uint8Array): SigningPublicKey {
  const p = g2.fromBytes(bytes);
  if (g2.isIdentity(p)) throw new RangeError('signing public key: the identity is not a key');
  return g2.toBytes(p) as SigningPublicKey;
}

/** Validates 48 bytes as an encryption public key (in G1, not the identity); throws DecodeError / RangeError. */
export function encryptionPublicKey(bytes: Uint8Array): EncryptionPublicKey {
  return g1.toBytes(g1Point(bytes, 'encryption public key')) as EncryptionPublicKey;
}

/** Validates 96 bytes as a patient public key pk_p (in G2, not the identity). */
export function patientPublicKey(bytes: Uint8Array): PatientPublicKey {
  const p = g2.fromBytes(bytes);
  if (g2.isIdentity(p)) throw new RangeError('patient public key: the identity is not a key');
  return g2.toBytes(p) as PatientPublicKey;
}

// ---------------------------------------------------------------- signing keys

/** A fresh BLS signing key pair with its proof of possession. */
export function generateSigningKey(): SigningKeyPair {
  return signingKeyFromSecret(bls.keygen(randomIkm()));
}

/** The signing key pair of a stored secret (32 bytes in [1, q)); throws DecodeError / RangeError. */
export function signingKeyFromSecret(secret: Uint8Array): SigningKeyPair {
  scalar(secret, 'signing secret key');
  const sk = Uint8Array.from(secret) as SigningSecretKey;
  return { sk, pk: bls.publicKey(sk) as SigningPublicKey, pop: bls.popProve(sk) };
}

/** BLS signature (G1, 48 bytes) of `msg` under a signing key. */
export function sign(sk: SigningSecretKey, msg: Uint8Array): Uint8Array {
  return bls.sign(sk, msg);
}

/** BLS verification; false on any invalid input. */
export function verify(pk: SigningPublicKey, msg: Uint8Array, sig: Uint8Array): boolean {
  return bls.verify(pk, msg, sig);
}

// ---------------------------------------------------------------- encryption keys

/** A fresh encryption key pair (y, P1^y). */
export function generateEncryptionKey(): EncryptionKeyPair {
  return encryptionKeyFromSecret(fr.toBytes(fr.random()));
}

/** The encryption key pair of a stored secret (32 bytes in [1, q)); throws DecodeError / RangeError. */
export function encryptionKeyFromSecret(secret: Uint8Array): EncryptionKeyPair {
  const y = scalar(secret, 'encryption secret key');
  const pk = g1.toBytes(g1.mul(g1.generator(), y)) as EncryptionPublicKey;
  return { sk: Uint8Array.from(secret) as EncryptionSecretKey, pk };
}

/** @internal the scalar of an encryption secret key. */
export function encryptionScalar(sk: EncryptionSecretKey): bigint {
  return scalar(sk, 'encryption secret key');
}

/** @internal the point of an encryption public key. */
export function encryptionPoint(pk: EncryptionPublicKey): G1 {
  return g1Point(pk, 'encryption public key');
}

function challenge(context: Uint8Array, pk: Uint8Array, commitment: Uint8Array): bigint {
  return fr.hashToField(encode({ ctx: context, pk, R: commitment }), ENC_POK_DST, 1)[0];
}

/**
 * Schnorr proof of knowledge of y for pk = P1^y, bound to `context` (the
 * participant record it belongs to, so it cannot be copied into another):
 * k random, R = P1^k, c = H(ctx, pk, R) (hash_to_field, DST ENC_POK_DST),
 * s = k + c*y. Returns c || s (64 bytes).
 */
export function proveEncryptionKey(key: EncryptionKeyPair, context: Uint8Array): Uint8Array {
  const y = encryptionScalar(key.sk);
  const k = fr.random();
  const R = g1.toBytes(g1.mul(g1.generator(), k));
  const c = challenge(context, key.pk, R);
  const s = fr.add(k, fr.mul(c, y));
  const out = new Uint8Array(ENCRYPTION_PROOF_BYTES);
  out.set(fr.toBytes(c), 0);
  out.set(fr.toBytes(s), 32);
  return out;
}

/** Checks a proof of `proveEncryptionKey`: R' = P1^s * pk^-c, c == H(ctx, pk, R'). False on any bad input. */
export function verifyEncryptionKeyProof(pk: Uint8Array, proof: Uint8Array, context: Uint8Array): boolean {
  try {
    if (!(proof instanceof Uint8Array) || proof.length !== ENCRYPTION_PROOF_BYTES) return false;
    const P = g1Point(pk, 'pk');
    const c = fr.fromBytes(proof.subarray(0, 32));
    const s = fr.fromBytes(proof.subarray(32));
    const R = g1.sub(g1.mulPublic(g1.generator(), s), g1.mulPublic(P, c));
    return challenge(context, g1.toBytes(P), g1.toBytes(R)) === c;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- patient keys

/** A fresh patient key (sk_p, pk_p = P2^a, A_p = g1^a, PoP), chosen by whoever calls it (patient or PKG). */
export function generatePatientKey(): PatientKeyPair {
  return patientKeyFromSecret(bls.keygen(randomIkm()));
}

/** The patient key pair of a stored a (32 bytes in [1, q)); throws DecodeError / RangeError. */
export function patientKeyFromSecret(secret: Uint8Array): PatientKeyPair {
  const a = scalar(secret, 'patient secret key');
  const sk = Uint8Array.from(secret) as PatientSecretKey;
  return {
    sk,
    pk: bls.publicKey(sk) as PatientPublicKey,
    aP: g1.toBytes(g1.mul(paramG1(), a)),
    pop: bls.popProve(sk)
  };
}
