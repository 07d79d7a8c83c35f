/**
 * Differential: tags, proofs (masking randomness fixed by the test) and
 * verification results of ours against the noble-based reference
 * (reference.ts), byte for byte; sectors and challenges too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready, g1, g2, fr } from '$lib/crypto';
import { AuditCache, deriveChallenge, fromBlocks, prepareFile, prove, swKeyGen, tagFile, toBlocks, verify, encodeSwProof, decodeSwProof } from '$lib/audit';
import { refBlocks, refChallenge, refProve, refPublicKey, refTag, refVerify } from './reference';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const rand = (n: number) => crypto.getRandomValues(new Uint8Array(n));

beforeAll(async () => {
  await ready();
});

describe('sectors and challenges agree with the reference', () => {
  it('sectors: 31-byte big-endian, zero-padded, true length restores the bytes', () => {
    for (const [len, s] of [[0, 1], [1, 1], [30, 1], [31, 1], [32, 1], [31 * 4 * 3, 4], [31 * 4 * 3 + 1, 4], [1000, 7]]) {
      const d = rand(len);
      const ours = toBlocks(d, s);
      expect(ours).toEqual(refBlocks(d, s));
      expect(hex(fromBlocks(ours, len))).toBe(hex(d));
      for (const b of ours) for (const m of b) expect(m < 1n << 248n).toBe(true);
    }
    const d = new Uint8Array(32).fill(0xff);
    expect(toBlocks(d, 1)).toEqual([[(1n << 248n) - 1n], [0xffn << 240n]]);
  });

  it('challenges: same indices (distinct, in range) and coefficients (nonzero, < 2^128) as the reference, c > n covers all', () => {
    for (const [n, c] of [[1, 1], [10, 3], [10, 10], [10, 25], [200, 60], [100000, 460]]) {
      const seed = rand(32);
      const ours = deriveChallenge(seed, n, c);
      expect(ours).toEqual(refChallenge(seed, n, c));
      expect(ours.indices.length).toBe(Math.min(n, c));
      expect(new Set(ours.indices).size).toBe(ours.indices.length);
      for (const i of ours.indices) expect(i >= 0 && i < n).toBe(true);
      for (const v of ours.coeffs) expect(v > 0n && v < 1n << 128n).toBe(true);
    }
    // A fixed vector, so a change of the derivation is noticed even if both sides change.
    const seed = new Uint8Array(32).map((_, i) => i);
    const v = deriveChallenge(seed, 1000, 3);
    expect(v).toEqual(refChallenge(seed, 1000, 3));
    expect(() => deriveChallenge(rand(31), 10, 1)).toThrow(RangeError);
    expect(() => deriveChallenge(rand(32), 10, 0)).toThrow(RangeError);
  });
});

describe('sw-priv against the noble reference', () => {
  it('tags, proofs with fixed masking and verification agree byte for byte', () => {
    const x = fr.random();
    const key = swKeyGen(x);
    expect(hex(g2.toBytes(key.v))).toBe(hex(refPublicKey(x)));
    for (const [len, s] of [[31 * 3 * 9 + 4, 3], [200, 1]]) {
      const data = rand(len);
      const file = prepareFile(len, s);
      const tags = tagFile(file, data, x);
      const blocks = refBlocks(data, s);
      const refTags = refTag(file.name, blocks, x);
      expect(tags.map((t) => hex(g1.toBytes(t)))).toEqual(refTags.map(hex));

      const chal = { seed: rand(32), c: 5 };
      const r = Array.from({ length: s }, () => fr.random());
      let k = 0;
      const proof = prove(file, key.v, data, tags, chal, { random: () => r[k++] });
      const ref = refProve(file.name, refPublicKey(x), blocks, refTags, chal.seed, chal.c, r);
      expect(hex(g1.toBytes(proof.sigma))).toBe(hex(ref.sigma));
      expect(proof.mu).toEqual(ref.mu);
      expect(hex(proof.R)).toBe(hex(ref.R));

      // Both verifiers accept it; both reject the same tampered proofs.
      const cache = new AuditCache();
      expect(verify(file, key.v, chal, proof, { cache }).ok).toBe(true);
      expect(refVerify(file.name, s, file.n, refPublicKey(x), chal.seed, chal.c, ref)).toBe(true);
      const mu = ref.mu.slice();
      mu[0] = (mu[0] + 1n) % fr.ORDER;
      expect(refVerify(file.name, s, file.n, refPublicKey(x), chal.seed, chal.c, { ...ref, mu })).toBe(false);
      expect(verify(file, key.v, chal, { ...proof, mu }, { cache }).ok).toBe(false);
      const other = { seed: rand(32), c: 5 };
      expect(refVerify(file.name, s, file.n, refPublicKey(x), other.seed, other.c, ref)).toBe(false);
      expect(verify(file, key.v, other, proof, { cache }).ok).toBe(false);
      // The encoded proof decodes to the same values.
      const back = decodeSwProof(encodeSwProof(proof), s);
      expect(hex(g1.toBytes(back.sigma))).toBe(hex(ref.sigma));
      expect(back.mu).toEqual(ref.mu);
    }
  });

  it('a proof made by the reference verifies with ours (and a reference proof for a lost block does not)', () => {
    const x = fr.random();
    const key = swKeyGen(x);
    const data = rand(31 * 2 * 12);
    const file = prepareFile(data.length, 2);
    const blocks = refBlocks(data, 2);
    const refTags = refTag(file.name, blocks, x);
    const chal = { seed: rand(32), c: 12 };
    const ref = refProve(file.name, refPublicKey(x), blocks, refTags, chal.seed, chal.c, [fr.random(), fr.random()]);
    const asOurs = { sigma: g1.fromBytes(ref.sigma), mu: ref.mu, R: ref.R };
    expect(verify(file, key.v, chal, asOurs).ok).toBe(true);
    blocks[4][1] ^= 1n;
    const bad = refProve(file.name, refPublicKey(x), blocks, refTags, chal.seed, chal.c, [fr.random(), fr.random()]);
    expect(verify(file, key.v, chal, { sigma: g1.fromBytes(bad.sigma), mu: bad.mu, R: bad.R }).ok).toBe(false);
  });
});
