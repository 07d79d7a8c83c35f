import { describe, expect, it } from 'vitest';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { expand_message_xmd, hash_to_field } from '@noble/curves/abstract/hash-to-curve.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { expandMessageXmd } from '../../../src/lib/crypto/hash';
import * as fr from '../../../src/lib/crypto/fr';
import { DecodeError } from '../../../src/lib/crypto/errors';
import { bytesToHex, hexToBytes, vectorSuite } from '../helpers/vectors';

const enc = new TextEncoder();
const h2c = vectorSuite('cfrg-hash-to-curve');
const noble = vectorSuite('noble-curves-bls12-381');

describe.runIf(h2c)('expand_message_xmd (RFC 9380 §K.1, §K.2)', () => {
  for (const file of ['expand_message_xmd_SHA256_38.json', 'expand_message_xmd_SHA256_256.json']) {
    it(file, () => {
      const suite = h2c!.json<{ DST: string; tests: { msg: string; len_in_bytes: string; uniform_bytes: string }[] }>(`poc/vectors/${file}`);
      expect(suite.tests.length).toBeGreaterThanOrEqual(10);
      for (const t of suite.tests) {
        const out = expandMessageXmd(enc.encode(t.msg), suite.DST, Number(t.len_in_bytes));
        expect(bytesToHex(out)).toBe(t.uniform_bytes);
      }
    });
  }
});

describe.runIf(noble)('hash_to_field over Fr (zkcrypto map_scalar vectors)', () => {
  it('XMD SHA-256 vectors', () => {
    const lines = noble!.read('test/vectors/bls12-381/bls12-381-scalar-xmd-sha256-test-vectors.txt').trim().split('\n');
    expect(lines.length).toBe(3);
    for (const line of lines) {
      const [msg, hex] = line.split(':');
      expect(fr.hashToField(msg, 'QUUX-V01-CS02-with-BLS12381SCALAR_XMD:SHA-256_SSWU_RO_')[0]).toBe(BigInt('0x' + hex));
    }
  });
});

describe('expand_message_xmd and hash_to_field against @noble/curves on random input', () => {
  it('1000 random messages, DSTs and lengths', () => {
    for (let i = 0; i < 1000; i++) {
      const msg = crypto.getRandomValues(new Uint8Array(i % 97));
      const dst = crypto.getRandomValues(new Uint8Array(1 + (i % 300))); // includes > 255 (oversize DST)
      const len = 1 + ((i * 37) % 300);
      expect(bytesToHex(expandMessageXmd(msg, dst, len))).toBe(bytesToHex(expand_message_xmd(msg, dst, len, sha256)));
      if (i % 10 === 0) {
        const ours = fr.hashToField(msg, dst, 2);
        const theirs = hash_to_field(msg, 2, { DST: dst, p: bls12_381.fields.Fr.ORDER, m: 1, k: 128, expand: 'xmd', hash: sha256 });
        expect(ours).toEqual(theirs.map((e) => e[0]));
      }
    }
  });
});

describe('Fr scalars', () => {
  it('round-trips 32-byte big-endian encodings and rejects values >= r', () => {
    for (const x of [0n, 1n, fr.ORDER - 1n, fr.random()]) expect(fr.fromBytes(fr.toBytes(x))).toBe(x);
    expect(() => fr.fromBytes(hexToBytes(fr.ORDER.toString(16).padStart(64, '0')))).toThrow(DecodeError);
    try {
      fr.fromBytes(new Uint8Array(31));
    } catch (e) {
      expect((e as DecodeError).kind).toBe('wrong-length');
    }
    expect(() => fr.toBytes(fr.ORDER)).toThrow(RangeError);
  });
  it('inverse and arithmetic agree with noble', () => {
    const F = bls12_381.fields.Fr;
    for (let i = 0; i < 200; i++) {
      const a = fr.random();
      const b = fr.random();
      expect(fr.mul(a, fr.inv(a))).toBe(1n);
      expect(fr.mul(a, b)).toBe(F.mul(a, b));
      expect(fr.sub(a, b)).toBe(F.sub(a, b));
    }
    expect(() => fr.inv(0n)).toThrow(RangeError);
  });
});
