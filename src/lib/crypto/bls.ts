/**
 * BLS signatures (draft-irtf-cfrg-bls-signature-05) with proof of possession,
 * written once over a choice of groups:
 *
 * - `bls` (the app's): minimal-signature-size, signatures in G1 (48 bytes),
 *   public keys in G2 (96 bytes), ciphersuite
 *   BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_ (SPEC §2).
 * - `blsMinPk`: public keys in G1, signatures in G2, the Ethereum ciphersuite
 *   BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_; exists to test the same core
 *   against the Ethereum consensus vectors.
 *
 * Keys and signatures are bytes at this boundary: secret keys 32 bytes
 * big-endian in [1, r), points compressed. Verification functions return
 * false for any invalid input (bad encoding, identity public key, wrong
 * subgroup); signing and key generation throw on misuse.
 */
import { extract as hkdfExtract, expand as hkdfExpand } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { CurvePoint, Group } from './curve';
import { DecodeError } from './errors';
import * as fr from './fr';
import { g1 } from './g1';
import { g2 } from './g2';
import { asBytes, bigIntToBytes, bytesToBigInt, concat } from './hash';
import { pairingCheck } from './pairing';
import type { G1 } from './g1';
import type { G2 } from './g2';

export interface BlsScheme {
  /** Ciphersuite id; also the DST of signatures. */
  readonly ciphersuite: string;
  readonly secretKeyBytes: 32;
  readonly publicKeyBytes: number;
  readonly signatureBytes: number;
  /** KeyGen (§2.3): a secret key from at least 32 bytes of key material. */
  keygen(ikm: Uint8Array, keyInfo?: Uint8Array): Uint8Array;
  /** SkToPk. */
  publicKey(sk: Uint8Array): Uint8Array;
  sign(sk: Uint8Array, msg: string | Uint8Array): Uint8Array;
  verify(pk: Uint8Array, msg: string | Uint8Array, sig: Uint8Array): boolean;
  /** Sum of signatures; throws DecodeError on an invalid one and RangeError on an empty list. */
  aggregate(sigs: readonly Uint8Array[]): Uint8Array;
  /** Sum of public keys (each validated). */
  aggregatePublicKeys(pks: readonly Uint8Array[]): Uint8Array;
  /** Many signers, one message (keys must have proofs of possession). */
  fastAggregateVerify(pks: readonly Uint8Array[], msg: string | Uint8Array, sig: Uint8Array): boolean;
  /** Many signers, one message each, one aggregate signature. */
  aggregateVerify(pks: readonly Uint8Array[], msgs: readonly (string | Uint8Array)[], sig: Uint8Array): boolean;
  /** Independent (pk, msg, sig) triples checked together with random weights. */
  batchVerify(items: readonly { pk: Uint8Array; msg: string | Uint8Array; sig: Uint8Array }[]): boolean;
  popProve(sk: Uint8Array): Uint8Array;
  popVerify(pk: Uint8Array, proof: Uint8Array): boolean;
}

type Pair = readonly [G1, G2];

function makeBls<S extends 'G1' | 'G2', P extends 'G1' | 'G2'>(
  sigGroup: Group<S>,
  pkGroup: Group<P>,
  suffix: string,
  /** Orders (signature-side point, key-side point) into a [G1, G2] pair. */
  pair: (sigSide: CurvePoint<S>, keySide: CurvePoint<P>) => Pair
): BlsScheme {
  const DST = `BLS_SIG_${suffix}`;
  const POP_DST = `BLS_POP_${suffix}`;

  function secret(sk: Uint8Array): bigint {
    if (!(sk instanceof Uint8Array) || sk.length !== 32) throw new TypeError('sk: expected 32 bytes');
    const x = bytesToBigInt(sk);
    if (x === 0n || x >= fr.ORDER) throw new RangeError('sk: not in [1, r)');
    return x;
  }
  /** KeyValidate: decodes, subgroup-checks and rejects the identity. */
  function publicKeyPoint(pk: Uint8Array): CurvePoint<P> {
    const p = pkGroup.fromBytes(pk);
    if (pkGroup.isIdentity(p)) throw new DecodeError('infinity-not-allowed', 'public key is the identity');
    return p;
  }
  function tryOr<T>(f: () => T, fallback: T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof DecodeError) return fallback;
      throw e;
    }
  }
  const negGen = () => pkGroup.neg(pkGroup.generator());

  function coreVerify(pk: CurvePoint<P>, msg: Uint8Array, sig: CurvePoint<S>, dst: string): boolean {
    const q = sigGroup.hashToCurve(msg, dst);
    return pairingCheck([pair(sig, negGen()), pair(q, pk)]);
  }

  const scheme: BlsScheme = {
    ciphersuite: DST,
    secretKeyBytes: 32,
    publicKeyBytes: pkGroup.compressedBytes,
    signatureBytes: sigGroup.compressedBytes,
    keygen(ikm, keyInfo = new Uint8Array(0)) {
      if (!(ikm instanceof Uint8Array) || ikm.length < 32) throw new RangeError('ikm: at least 32 bytes of key material');
      let salt: Uint8Array = utf8ToBytes('BLS-SIG-KEYGEN-SALT-');
      for (;;) {
        salt = sha256(salt);
        const prk = hkdfExtract(sha256, concat(ikm, Uint8Array.of(0)), salt);
        const okm = hkdfExpand(sha256, prk, concat(keyInfo, Uint8Array.of(0, 48)), 48);
        const sk = fr.mod(bytesToBigInt(okm));
        if (sk !== 0n) return bigIntToBytes(sk, 32);
      }
    },
    publicKey: (sk) => pkGroup.toBytes(pkGroup.mul(pkGroup.generator(), secret(sk))),
    sign(sk, msg) {
      const x = secret(sk);
      return sigGroup.toBytes(sigGroup.mul(sigGroup.hashToCurve(asBytes(msg, 'msg'), DST), x));
    },
    verify: (pk, msg, sig) => tryOr(() => coreVerify(publicKeyPoint(pk), asBytes(msg, 'msg'), sigGroup.fromBytes(sig), DST), false),
    aggregate(sigs) {
      if (sigs.length === 0) throw new RangeError('sigs: nothing to aggregate');
      return sigGroup.toBytes(sigGroup.sum(sigs.map((s) => sigGroup.fromBytes(s))));
    },
    aggregatePublicKeys(pks) {
      if (pks.length === 0) throw new RangeError('pks: nothing to aggregate');
      return pkGroup.toBytes(pkGroup.sum(pks.map(publicKeyPoint)));
    },
    fastAggregateVerify(pks, msg, sig) {
      if (pks.length === 0) return false;
      return tryOr(() => coreVerify(pkGroup.sum(pks.map(publicKeyPoint)), asBytes(msg, 'msg'), sigGroup.fromBytes(sig), DST), false);
    },
    aggregateVerify(pks, msgs, sig) {
      if (pks.length === 0 || pks.length !== msgs.length) return false;
      return tryOr(() => {
        const s = sigGroup.fromBytes(sig);
        const pairs: Pair[] = [pair(s, negGen())];
        pks.forEach((pk, i) => pairs.push(pair(sigGroup.hashToCurve(asBytes(msgs[i], 'msg'), DST), publicKeyPoint(pk))));
        return pairingCheck(pairs);
      }, false);
    },
    batchVerify(items) {
      if (items.length === 0) return false;
      return tryOr(() => {
        // Random 64-bit weights: a forged item passes with probability 2^-64.
        const pairs: Pair[] = [];
        let sigSum = sigGroup.identity();
        for (const it of items) {
          const w = bytesToBigInt(crypto.getRandomValues(new Uint8Array(8))) | 1n;
          const s = sigGroup.fromBytes(it.sig);
          sigSum = sigGroup.add(sigSum, sigGroup.mulPublic(s, w));
          pairs.push(pair(sigGroup.mulPublic(sigGroup.hashToCurve(asBytes(it.msg, 'msg'), DST), w), publicKeyPoint(it.pk)));
        }
        pairs.push(pair(sigSum, negGen()));
        return pairingCheck(pairs);
      }, false);
    },
    popProve(sk) {
      const x = secret(sk);
      const pk = pkGroup.toBytes(pkGroup.mul(pkGroup.generator(), x));
      return sigGroup.toBytes(sigGroup.mul(sigGroup.hashToCurve(pk, POP_DST), x));
    },
    popVerify: (pk, proof) => tryOr(() => coreVerify(publicKeyPoint(pk), pk, sigGroup.fromBytes(proof), POP_DST), false)
  };
  return scheme;
}

/** The app's BLS: signatures in G1, public keys in G2 (SPEC §2). */
export const bls = makeBls(g1, g2, 'BLS12381G1_XMD:SHA-256_SSWU_RO_POP_', (s, k) => [s, k] as const);

/** BLS with public keys in G1 and signatures in G2 (the Ethereum suite), for tests of the same core. */
export const blsMinPk = makeBls(g2, g1, 'BLS12381G2_XMD:SHA-256_SSWU_RO_POP_', (s, k) => [k, s] as const);

/** Signs with an arbitrary DST (for test vectors of other ciphersuites, e.g. the _NUL_ basic scheme). */
export function signWithDst(sigGroup: Group<'G1'> | Group<'G2'>, sk: Uint8Array, msg: Uint8Array, dst: string): Uint8Array {
  if (sk.length !== 32) throw new TypeError('sk: expected 32 bytes');
  const g = sigGroup as Group<'G1'>;
  return g.toBytes(g.mul(g.hashToCurve(msg, dst), bytesToBigInt(sk)));
}
