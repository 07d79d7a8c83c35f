/**
 * Encryption key pairs (enckey.ts) and the G1 KEM (kem.ts) of the crypto
 * layer: validation, Diffie-Hellman, the Schnorr proof, nominal typing, and
 * the KEM's bytes against the construction written out by hand (the escrow
 * entries and wrapped keys made before the move must still open).
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bls,
  DecodeError,
  EncryptionPublicKey,
  EncryptionSecretKey,
  fr,
  g1,
  g2,
  kemDecapsulate,
  kemEncapsulate,
  ready,
  SCHNORR_PROOF_BYTES
} from '../../../src/lib/crypto';

beforeAll(async () => {
  await ready();
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const utf8 = (s: string) => new TextEncoder().encode(s);
const kindOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof DecodeError ? e.kind : `not a DecodeError: ${String(e)}`;
  }
  return 'no error';
};

describe('EncryptionSecretKey / EncryptionPublicKey', () => {
  it('pk = P1^d, 48 and 32 bytes, and both round-trip through bytes', () => {
    const sk = EncryptionSecretKey.generate();
    const d = fr.fromBytes(sk.toBytes());
    expect(hex(sk.publicKey.toBytes())).toBe(hex(g1.toBytes(g1.mulPublic(g1.generator(), d))));
    expect(sk.publicKey.toBytes().length).toBe(48);
    expect(sk.toBytes().length).toBe(32);
    const again = EncryptionSecretKey.fromBytes(sk.toBytes());
    expect(again.publicKey.equals(sk.publicKey)).toBe(true);
    expect(EncryptionPublicKey.fromBytes(sk.publicKey.toBytes()).equals(sk.publicKey)).toBe(true);
    expect(sk.publicKey.equals(EncryptionSecretKey.generate().publicKey)).toBe(false);
    expect(g1.equals(sk.publicKey.point, g1.mulPublic(g1.generator(), d))).toBe(true);
  });

  it('toBytes returns a copy', () => {
    const pk = EncryptionSecretKey.generate().publicKey;
    const b = pk.toBytes();
    b[5] ^= 1;
    expect(hex(pk.toBytes())).not.toBe(hex(b));
  });

  it('fromBytes validates points and scalars with DecodeError', () => {
    const pk = EncryptionSecretKey.generate().publicKey.toBytes();
    expect(kindOf(() => EncryptionPublicKey.fromBytes(pk.subarray(1)))).toBe('wrong-length');
    expect(kindOf(() => EncryptionPublicKey.fromBytes(g2.toBytes(g2.generator())))).toBe('wrong-length');
    expect(kindOf(() => EncryptionPublicKey.fromBytes(g1.toBytes(g1.identity())))).toBe('infinity-not-allowed');
    expect(kindOf(() => EncryptionPublicKey.fromBytes(g1.toBytes(g1.generator(), false)))).toBe('wrong-length');
    const noFlag = Uint8Array.from(pk);
    noFlag[0] &= 0x7f;
    expect(kindOf(() => EncryptionPublicKey.fromBytes(noFlag))).toBe('bad-flags');
    // Some x has no point or a point outside the subgroup: every flip is refused or gives another valid key.
    let refused = 0;
    for (let i = 10; i < 30; i++) {
      const b = Uint8Array.from(pk);
      b[i] ^= 1;
      const k = kindOf(() => EncryptionPublicKey.fromBytes(b));
      if (k !== 'no error') {
        expect(k).toMatch(/not-on-curve|not-in-subgroup|non-canonical/);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(kindOf(() => EncryptionSecretKey.fromBytes(new Uint8Array(32)))).toBe('scalar-out-of-range');
    expect(kindOf(() => EncryptionSecretKey.fromBytes(new Uint8Array(32).fill(0xff)))).toBe('scalar-out-of-range');
    expect(kindOf(() => EncryptionSecretKey.fromBytes(new Uint8Array(31)))).toBe('wrong-length');
    expect(() => EncryptionPublicKey.fromBytes([1, 2] as never)).toThrow(TypeError);
  });

  it('dh is symmetric, and refuses anything but an EncryptionPublicKey', () => {
    const a = EncryptionSecretKey.generate();
    const b = EncryptionSecretKey.generate();
    expect(hex(a.dh(b.publicKey))).toBe(hex(b.dh(a.publicKey)));
    const ab = g1.mulPublic(g1.generator(), fr.mul(fr.fromBytes(a.toBytes()), fr.fromBytes(b.toBytes())));
    expect(hex(a.dh(b.publicKey))).toBe(hex(g1.toBytes(ab)));
    expect(() => a.dh(b.publicKey.toBytes() as never)).toThrow(TypeError);
  });

  it('the Schnorr proof verifies only with its key and its challenge function', () => {
    const sk = EncryptionSecretKey.generate();
    const ch = (tag: string) => (R: Uint8Array) => fr.hashToField(new Uint8Array([...utf8(tag), ...sk.publicKey.toBytes(), ...R]), 'TEST-POK', 1)[0];
    const proof = sk.proveKnowledge(ch('a'));
    expect(proof.length).toBe(SCHNORR_PROOF_BYTES);
    expect(sk.publicKey.verifyKnowledge(proof, ch('a'))).toBe(true);
    expect(sk.publicKey.verifyKnowledge(proof, ch('b'))).toBe(false);
    expect(EncryptionSecretKey.generate().publicKey.verifyKnowledge(proof, ch('a'))).toBe(false);
    for (const i of [0, 31, 32, 63]) {
      const bad = Uint8Array.from(proof);
      bad[i] ^= 1;
      expect(sk.publicKey.verifyKnowledge(bad, ch('a'))).toBe(false);
    }
    expect(sk.publicKey.verifyKnowledge(proof.subarray(1), ch('a'))).toBe(false);
    expect(sk.publicKey.verifyKnowledge(new Uint8Array(64).fill(0xff), ch('a'))).toBe(false);
  });

  it('is nominal: signing keys, bytes and look-alikes do not type-check (checked by tsc)', () => {
    const sk = EncryptionSecretKey.generate();
    const signing = bls.keygen(new Uint8Array(32).fill(7));
    // Never called: the @ts-expect-error lines fail tsc if the classes become structural.
    const misuse = () => {
      // @ts-expect-error raw bytes are not a public key
      const a: EncryptionPublicKey = sk.publicKey.toBytes();
      // @ts-expect-error a signing secret key is not an encryption secret key
      const b: EncryptionSecretKey = signing;
      // @ts-expect-error an object with the same public members is not a key (private fields)
      const c: EncryptionPublicKey = { point: sk.publicKey.point, toBytes: () => new Uint8Array(48), equals: () => true, verifyKnowledge: () => true, kind: 'encryption-public-key' };
      // @ts-expect-error a secret key is not a public key
      sk.dh(sk);
      return [a, b, c];
    };
    expect(typeof misuse).toBe('function');
  });
});

describe('kemEncapsulate / kemDecapsulate', () => {
  const info = utf8('TEST-KEM');

  it('the recipient derives the same key and nonce; another key or info does not', () => {
    const sk = EncryptionSecretKey.generate();
    const e = kemEncapsulate(sk.publicKey, info);
    expect(e.y.length).toBe(48);
    expect(e.key.length).toBe(32);
    expect(e.nonce.length).toBe(12);
    const d = kemDecapsulate(sk, e.y, info);
    expect(hex(d.key) + hex(d.nonce)).toBe(hex(e.key) + hex(e.nonce));
    expect(hex(kemDecapsulate(sk, e.y, utf8('TEST-KEM2')).key)).not.toBe(hex(e.key));
    expect(hex(kemDecapsulate(EncryptionSecretKey.generate(), e.y, info).key)).not.toBe(hex(e.key));
    const e2 = kemEncapsulate(sk.publicKey, info);
    expect(hex(e2.y)).not.toBe(hex(e.y));
    expect(hex(e2.key)).not.toBe(hex(e.key));
  });

  it('is HKDF-SHA256(ikm = Z, salt = Y || pk, info, 44) = key || nonce (the byte format of escrow entries and wrapped keys)', () => {
    const sk = EncryptionSecretKey.generate();
    const pk = sk.publicKey.toBytes();
    const y = fr.random();
    const Y = g1.toBytes(g1.mulPublic(g1.generator(), y));
    const Z = g1.toBytes(g1.mulPublic(sk.publicKey.point, y));
    const okm = hkdf(sha256, Z, new Uint8Array([...Y, ...pk]), info, 44);
    const d = kemDecapsulate(sk, Y, info);
    expect(hex(d.key)).toBe(hex(okm.subarray(0, 32)));
    expect(hex(d.nonce)).toBe(hex(okm.subarray(32)));
  });

  it('refuses a bad Y with DecodeError and a non-key with TypeError', () => {
    const sk = EncryptionSecretKey.generate();
    expect(kindOf(() => kemDecapsulate(sk, g1.toBytes(g1.identity()), info))).toBe('infinity-not-allowed');
    expect(kindOf(() => kemDecapsulate(sk, new Uint8Array(47), info))).toBe('wrong-length');
    expect(() => kemEncapsulate(sk.publicKey.toBytes() as never, info)).toThrow(TypeError);
    expect(() => kemEncapsulate(g2.toBytes(g2.generator()) as never, info)).toThrow(TypeError);
    expect(() => kemDecapsulate(sk.toBytes() as never, kemEncapsulate(sk.publicKey, info).y, info)).toThrow(TypeError);
  });
});
