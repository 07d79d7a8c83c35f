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
 * The encryption key pair is the crypto layer's `EncryptionSecretKey` /
 * `EncryptionPublicKey` (classes with private fields, $lib/crypto enckey.ts,
 * shared with seal and sharing). Signing and patient keys are bytes at this
 * boundary (compressed points, 32-byte big-endian scalars) with a *brand*: a
 * phantom property that exists only for the type checker, so a
 * `SigningSecretKey` cannot be passed where a `PatientSecretKey` or an
 * `EncryptionSecretKey` is wanted (and a bare `Uint8Array` cannot be passed
 * where any key is wanted: it has to go through a validating constructor).
 * The brands cost nothing at run time.
 *
 * Operation counts (G1/G2 "mul" = one scalar multiplication, "P" = one
 * pairing in a shared Miller loop):
 *
 * | operation | cost |
 * | --- | --- |
 * | generateSigningKey | 2 G2 mul (pk, and again inside popProve) + 1 hash-to-G1 + 1 G1 mul (PoP) |
 * | EncryptionSecretKey.generate ($lib/crypto) | 1 G1 mul |
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
import { bls, EncryptionPublicKey, fr, g1, g2, SCHNORR_PROOF_BYTES, type EncryptionSecretKey } from '$lib/crypto';
import { encode } from '$lib/codec';
import { paramG1 } from '$lib/hashes';

declare const brand: unique symbol;
/** `T` tagged with a type-only brand `B`. */
export type Branded<T, B extends string> = T & { readonly [brand]: B };

/** BLS signing secret key, 32 bytes big-endian in [1, q). */
export type SigningSecretKey = Branded<Uint8Array, 'signing-sk'>;
/** BLS signing public key P2^x, 96-byte compressed G2, validated. */
export type SigningPublicKey = Branded<Uint8Array, 'signing-pk'>;
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
export const ENCRYPTION_PROOF_BYTES = SCHNORR_PROOF_BYTES;

/** Domain of the Schnorr challenge of `proveEncryptionKey`. */
export const ENC_POK_DST = 'MEDCHAIN-V1-ID-ENC-POK';

function randomIkm(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

/** A scalar in [1, q) from 32 bytes; DecodeError if out of range or wrong length, RangeError if zero. */
function scalar(bytes: Uint8Array, what: string): bigint {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${what}: expected Uint8Array`);
  const x = fr.fromBytes(bytes); // DecodeError on wrong length / >= q
  if (x === 0n) throw new RangeError(`${what}: the zero scalar is not a key`);
  return x;
}

// ---------------------------------------------------------------- public keys

/** Validates 96 bytes as a signing public key (in G2, not the identity); throws DecodeError / RangeError. */
export function signingPublicKey(bytes: Uint8Array): SigningPublicKey {
  const p = g2.fromBytes(bytes);
  if (g2.isIdentity(p)) throw new RangeError('signing public key: the identity is not a key');
  return g2.toBytes(p) as SigningPublicKey;
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

// ---------------------------------------------------------------- encryption-key proof

function challenge(context: Uint8Array, pk: Uint8Array, commitment: Uint8Array): bigint {
  return fr.hashToField(encode({ ctx: context, pk, R: commitment }), ENC_POK_DST, 1)[0];
}

/**
 * Schnorr proof of knowledge of y for pk = P1^y, bound to `context` (the
 * participant record it belongs to, so it cannot be copied into another):
 * k random, R = P1^k, c = H(ctx, pk, R) (hash_to_field, DST ENC_POK_DST),
 * s = k + c*y (the crypto layer's `proveKnowledge`). Returns c || s (64 bytes).
 */
export function proveEncryptionKey(sk: EncryptionSecretKey, context: Uint8Array): Uint8Array {
  const pk = sk.publicKey.toBytes();
  return sk.proveKnowledge((R) => challenge(context, pk, R));
}

/** Checks a proof of `proveEncryptionKey`: R' = P1^s * pk^-c, c == H(ctx, pk, R'). False on any bad input. */
export function verifyEncryptionKeyProof(pk: EncryptionPublicKey, proof: Uint8Array, context: Uint8Array): boolean {
  if (!(pk instanceof EncryptionPublicKey)) return false;
  const pkBytes = pk.toBytes();
  return pk.verifyKnowledge(proof, (R) => challenge(context, pkBytes, R));
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
