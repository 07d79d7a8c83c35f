/** sw-priv (SPEC §4): honest proofs pass; every way of cheating that the tests can model fails. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready, g1, fr, type G1 } from '$lib/crypto';
import {
  AuditCache,
  batchVerify,
  deriveChallenge,
  prepareFile,
  prove,
  swKeyGen,
  tagFile,
  verify,
  verifyBatch,
  SECTOR_BYTES,
  type BatchItem,
  type SwFileInfo,
  type SwKey
} from '$lib/audit';

const S = 4;
const rand = (n: number) => crypto.getRandomValues(new Uint8Array(n));
let key: SwKey, key2: SwKey;
let file: SwFileInfo, data: Uint8Array, tags: G1[];
let file2: SwFileInfo, data2: Uint8Array, tags2: G1[];
const cache = new AuditCache();

beforeAll(async () => {
  await ready();
  key = swKeyGen();
  key2 = swKeyGen();
  data = rand(SECTOR_BYTES * S * 40 - 5); // 40 blocks, last one short
  file = prepareFile(data.length, S);
  tags = tagFile(file, data, key.x);
  data2 = rand(SECTOR_BYTES * S * 12);
  file2 = prepareFile(data2.length, S);
  tags2 = tagFile(file2, data2, key2.x);
});

/** Bytes of block i within data. */
const blockRange = (i: number): [number, number] => [i * S * SECTOR_BYTES, (i + 1) * S * SECTOR_BYTES];

describe('sw-priv single verification', () => {
  it('an honest proof verifies, for several challenge sizes including c > n', () => {
    expect(file.n).toBe(40);
    for (const c of [1, 7, 40, 100]) {
      const chal = { seed: rand(32), c };
      expect(verify(file, key.v, chal, prove(file, key.v, data, tags, chal), { cache })).toEqual({ ok: true });
    }
  });

  it('a cloud that lost or altered one challenged block fails', () => {
    const chal = { seed: rand(32), c: 10 };
    const { indices } = deriveChallenge(chal.seed, file.n, chal.c);
    const [a, b] = blockRange(indices[3]);
    const lost = data.slice();
    lost.fill(0, a, Math.min(b, lost.length)); // deleted, answered with zeros
    const r1 = verify(file, key.v, chal, prove(file, key.v, lost, tags, chal), { cache });
    expect(r1.ok).toBe(false);
    if (!r1.ok) expect(r1.reason).toBe('equation');
    const altered = data.slice();
    altered[a + 17] ^= 0x01; // one bit flipped
    expect(verify(file, key.v, chal, prove(file, key.v, altered, tags, chal), { cache }).ok).toBe(false);
    // A block that is not challenged does not matter to this challenge (and the test can tell the difference).
    const notChallenged = [...Array(file.n).keys()].find((i) => !indices.includes(i))!;
    const other = data.slice();
    other[blockRange(notChallenged)[0]] ^= 1;
    expect(verify(file, key.v, chal, prove(file, key.v, other, tags, chal), { cache }).ok).toBe(true);
  });

  it('a lost tag answered with another tag or a random point fails', () => {
    const chal = { seed: rand(32), c: 10 };
    const { indices } = deriveChallenge(chal.seed, file.n, chal.c);
    const t = tags.slice();
    t[indices[0]] = g1.mul(g1.generator(), fr.random());
    expect(verify(file, key.v, chal, prove(file, key.v, data, t, chal), { cache }).ok).toBe(false);
  });

  it('swapped blocks fail: data swapped, and data swapped together with their tags', () => {
    const chal = { seed: rand(32), c: 12 };
    const { indices } = deriveChallenge(chal.seed, file.n, chal.c);
    const [i, j] = [indices[0], indices[1]];
    const swapped = data.slice();
    const [ia, ib] = blockRange(i);
    const [ja, jb] = blockRange(j);
    const bi = data.slice(ia, ib);
    swapped.set(data.slice(ja, jb).subarray(0, ib - ia), ia);
    swapped.set(bi.subarray(0, Math.min(bi.length, swapped.length - ja)), ja);
    expect(verify(file, key.v, chal, prove(file, key.v, swapped, tags, chal), { cache }).ok).toBe(false);
    const t = tags.slice();
    [t[i], t[j]] = [t[j], t[i]];
    expect(verify(file, key.v, chal, prove(file, key.v, swapped, t, chal), { cache }).ok).toBe(false);
  });

  it('a proof for another seed, another c or another file fails', () => {
    const chal = { seed: rand(32), c: 10 };
    const proof = prove(file, key.v, data, tags, chal);
    expect(verify(file, key.v, { seed: rand(32), c: 10 }, proof, { cache }).ok).toBe(false);
    expect(verify(file, key.v, { seed: chal.seed, c: 11 }, proof, { cache }).ok).toBe(false);
    const renamed = { ...file, name: rand(32) };
    expect(verify(renamed, key.v, chal, proof, { cache }).ok).toBe(false);
  });

  it('a proof under another hospital key fails (tags made with x2, verified under v; and the converse)', () => {
    const chal = { seed: rand(32), c: 8 };
    const proof = prove(file, key.v, data, tags, chal);
    expect(verify(file, key2.v, chal, proof, { cache }).ok).toBe(false);
    const tagsX2 = tagFile(file, data, key2.x);
    expect(verify(file, key.v, chal, prove(file, key.v, data, tagsX2, chal), { cache }).ok).toBe(false);
    expect(verify(file, key2.v, chal, prove(file, key2.v, data, tagsX2, chal), { cache }).ok).toBe(true);
  });

  it('tampered proof fields fail with a reason, not an exception', () => {
    const chal = { seed: rand(32), c: 8 };
    const proof = prove(file, key.v, data, tags, chal);
    const mu = proof.mu.slice();
    mu[2] = fr.add(mu[2], 1n);
    expect(verify(file, key.v, chal, { ...proof, mu }, { cache }).ok).toBe(false);
    const R = proof.R.slice();
    R[575] ^= 1;
    expect(verify(file, key.v, chal, { ...proof, R }, { cache }).ok).toBe(false);
    const short = verify(file, key.v, chal, { ...proof, mu: mu.slice(1) }, { cache });
    expect(short).toMatchObject({ ok: false, reason: 'shape' });
  });

  it('masking: two proofs of the same challenge differ in R and mu but both verify', () => {
    const chal = { seed: rand(32), c: 8 };
    const p1 = prove(file, key.v, data, tags, chal);
    const p2 = prove(file, key.v, data, tags, chal);
    expect(Buffer.from(p1.R).equals(Buffer.from(p2.R))).toBe(false);
    expect(p1.mu[0]).not.toBe(p2.mu[0]);
    expect(g1.equals(p1.sigma, p2.sigma)).toBe(true);
    expect(verify(file, key.v, chal, p2, { cache }).ok).toBe(true);
  });
});

describe('sw-priv batch verification', () => {
  function honest(k: number): BatchItem[] {
    return Array.from({ length: k }, (_, i) => {
      const [f, d, t, kk] = i % 3 === 2 ? [file2, data2, tags2, key2] : [file, data, tags, key];
      const challenge = { seed: rand(32), c: 6 + (i % 4) };
      return { file: f, v: kk.v, challenge, proof: prove(f, kk.v, d, t, challenge) };
    });
  }

  it('honest batches pass (two files, two hospital keys), the empty batch too', () => {
    const items = honest(7);
    expect(batchVerify(items, { cache })).toEqual({ ok: true });
    expect(batchVerify([], { cache }).ok).toBe(true);
    const rep = verifyBatch(items, { cache });
    expect(rep).toMatchObject({ ok: true, bad: [], checks: 1 });
  });

  it('a batch with one bad proof fails, and bisection finds exactly that proof', () => {
    const items = honest(9);
    const badIndex = 5;
    const it0 = items[badIndex];
    const { indices } = deriveChallenge(it0.challenge.seed, it0.file.n, it0.challenge.c);
    const src = it0.file === file ? data : data2;
    const lost = src.slice();
    lost[blockRange(indices[0])[0]] ^= 0x80;
    const tg = it0.file === file ? tags : tags2;
    items[badIndex] = { ...it0, proof: prove(it0.file, it0.v, lost, tg, it0.challenge) };
    expect(batchVerify(items, { cache }).ok).toBe(false);
    const rep = verifyBatch(items, { cache });
    expect(rep.ok).toBe(false);
    expect(rep.bad.map((b) => b.index)).toEqual([badIndex]);
    expect(rep.bad[0].result).toMatchObject({ ok: false, reason: 'equation' });
    expect(rep.checks).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(items.length)) + 1);
  });

  it('two bad proofs (one swapped to another seed, one under the wrong key) are both found', () => {
    const items = honest(8);
    items[1] = { ...items[1], challenge: { ...items[1].challenge, seed: rand(32) } };
    items[6] = { ...items[6], v: items[6].v === key.v ? key2.v : key.v };
    const rep = verifyBatch(items, { cache });
    expect(rep.bad.map((b) => b.index)).toEqual([1, 6]);
  });

  it('the weights matter: a pair of proofs whose errors cancel with equal weights is caught with random weights', () => {
    // Two proofs of the same challenge with sigma shifted by +D and -D: with w_1 = w_2 the errors cancel.
    const chal = { seed: rand(32), c: 6 };
    const p = prove(file, key.v, data, tags, chal);
    const D = g1.mul(g1.generator(), fr.random());
    const q = prove(file, key.v, data, tags, { ...chal });
    // Same R needed for equal γ: reuse p's masking by copying its R and mu.
    const a = { file, v: key.v, challenge: chal, proof: { ...p, sigma: g1.add(p.sigma, D) } };
    const b = { file, v: key.v, challenge: chal, proof: { ...p, sigma: g1.sub(p.sigma, D) } };
    expect(batchVerify([a, b], { cache, weight: () => 1n }).ok).toBe(true); // the naive sum is fooled
    expect(batchVerify([a, b], { cache }).ok).toBe(false);
    expect(verify(file, key.v, chal, q, { cache }).ok).toBe(true);
  });
});
