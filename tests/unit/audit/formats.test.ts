/** Audit byte formats: round trips, one encoding, and typed rejection of bad input before group work. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready, g1, fr, type G1 } from '$lib/crypto';
import { encode, FormatError } from '$lib/codec';
import {
  decodeChallenge,
  decodeSwProof,
  decodeSwTagSet,
  decodeYangProof,
  decodeYangTagSet,
  encodeChallenge,
  encodeSwProof,
  encodeSwTagSet,
  encodeYangProof,
  encodeYangTagSet,
  prepareFile,
  prove,
  swKeyGen,
  tagFile,
  verify,
  type SwFileInfo,
  type SwProof
} from '$lib/audit';
import { FP_MODULUS } from '../../../src/lib/audit/gtbytes';

const rand = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
let file: SwFileInfo, tags: G1[], proof: SwProof, proofBytes: Uint8Array, tagBytes: Uint8Array;
const S = 3;

function kindOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof FormatError) return e.kind;
    return `not a FormatError: ${String(e)}`;
  }
  return 'accepted';
}

beforeAll(async () => {
  await ready();
  const key = swKeyGen();
  const data = rand(31 * S * 5 + 9);
  file = prepareFile(data.length, S);
  tags = tagFile(file, data, key.x);
  proof = prove(file, key.v, data, tags, { seed: rand(32), c: 3 });
  proofBytes = encodeSwProof(proof);
  tagBytes = encodeSwTagSet(file, tags);
});

describe('round trips and determinism', () => {
  it('tag set, proof, challenge and yang2019 objects decode to what was encoded, and re-encode identically', () => {
    const ts = decodeSwTagSet(tagBytes);
    expect(ts.file).toEqual(file);
    expect(ts.tags.every((t, i) => g1.equals(t, tags[i]))).toBe(true);
    expect(hex(encodeSwTagSet(ts.file, ts.tags))).toBe(hex(tagBytes));
    const p = decodeSwProof(proofBytes, S);
    expect(hex(encodeSwProof(p))).toBe(hex(proofBytes));
    expect(proofBytes.length).toBeLessThan(48 + 32 * S + 576 + 64);
    const ch = { scheme: 'sw-priv' as const, name: file.name, seed: rand(32), c: 460 };
    expect(decodeChallenge(encodeChallenge(ch))).toEqual(ch);
    const yp = { lambda: fr.random(), sigma: tags[0] };
    const yb = encodeYangProof(yp);
    expect(decodeYangProof(yb).lambda).toBe(yp.lambda);
    const yt = encodeYangTagSet(31 * 2, tags.slice(0, 2));
    expect(decodeYangTagSet(yt).tags.length).toBe(2);
  });
});

describe('rejections are typed FormatErrors', () => {
  const m = () => ({ t: 'audit/sw-priv/proof', v: 1, sigma: g1.toBytes(proof.sigma), mu: proofBytes.length ? encodeMu() : new Uint8Array(), R: proof.R });
  const encodeMu = () => {
    const out = new Uint8Array(32 * S);
    proof.mu.forEach((x, j) => out.set(fr.toBytes(x), 32 * j));
    return out;
  };

  it('malformed, truncated, oversized, non-canonical CBOR', () => {
    expect(kindOf(() => decodeSwProof(proofBytes.subarray(0, proofBytes.length - 1), S))).toBe('malformed');
    expect(kindOf(() => decodeSwProof(rand(100), S))).toMatch(/malformed|wrong-type/);
    expect(kindOf(() => decodeSwProof(new Uint8Array(5000), S))).toBe('oversized');
    expect(kindOf(() => decodeSwTagSet(tagBytes, 100))).toBe('oversized');
    expect(kindOf(() => decodeChallenge(new Uint8Array(300)))).toBe('oversized');
    expect(kindOf(() => decodeSwTagSet(tagBytes.subarray(0, 50)))).toBe('malformed');
    expect(kindOf(() => decodeSwProof(encode([1, 2, 3]), S))).toBe('wrong-type');
  });

  it('wrong type, wrong version, missing and unknown fields', () => {
    expect(kindOf(() => decodeSwProof(encode({ ...m(), v: 2 }), S))).toBe('wrong-version');
    expect(kindOf(() => decodeSwProof(encode({ ...m(), t: 'audit/sw-priv/tags' }), S))).toBe('wrong-type');
    const { R: _r, ...noR } = m();
    expect(kindOf(() => decodeSwProof(encode(noR), S))).toBe('missing-field');
    expect(kindOf(() => decodeSwProof(encode({ ...m(), extra: 1 }), S))).toBe('malformed');
    expect(kindOf(() => decodeChallenge(encode({ t: 'audit/challenge', v: 1, scheme: 'sw-priv', name: file.name, seed: rand(32), c: 0 })))).toBe('out-of-range');
    expect(kindOf(() => decodeChallenge(encode({ t: 'audit/challenge', v: 1, scheme: 'md5', name: file.name, seed: rand(32), c: 5 })))).toBe('out-of-range');
    expect(kindOf(() => decodeChallenge(encode({ t: 'audit/challenge', v: 1, scheme: 'sw-priv', name: file.name, seed: rand(31), c: 5 })))).toBe('bad-length');
  });

  it('bad lengths and counts: mu for another s, short R, tag count not matching n', () => {
    expect(kindOf(() => decodeSwProof(proofBytes, S + 1))).toBe('bad-length');
    expect(kindOf(() => decodeSwProof(encode({ ...m(), R: proof.R.subarray(0, 575) }), S))).toBe('bad-length');
    expect(kindOf(() => decodeSwProof(encode({ ...m(), sigma: g1.toBytes(proof.sigma, false) }), S))).toBe('bad-length');
    const t = { t: 'audit/sw-priv/tags', v: 1, name: file.name, n: file.n, s: S, len: file.length, tags: new Uint8Array(48 * file.n) };
    expect(kindOf(() => decodeSwTagSet(encode({ ...t, n: file.n + 1 })))).toBe('out-of-range');
    expect(kindOf(() => decodeSwTagSet(encode({ ...t, tags: new Uint8Array(48 * (file.n - 1)) })))).toBe('bad-length');
    expect(kindOf(() => decodeSwTagSet(encode({ ...t, s: 0 })))).toBe('out-of-range');
    expect(kindOf(() => decodeSwTagSet(encode({ ...t, s: 1 << 20 })))).toBe('out-of-range');
  });

  it('values out of range: scalar >= q, GT coefficient >= p, points off the curve or not canonical', () => {
    const mu = encodeMu();
    mu.fill(0xff, 0, 32);
    expect(kindOf(() => decodeSwProof(encode({ ...m(), mu }), S))).toBe('out-of-range');
    const R = proof.R.slice();
    R.set(Buffer.from(FP_MODULUS.toString(16).padStart(96, '0'), 'hex'), 48);
    expect(kindOf(() => decodeSwProof(encode({ ...m(), R }), S))).toBe('out-of-range');
    const sigma = g1.toBytes(proof.sigma);
    sigma[47] ^= 1; // almost surely not an x-coordinate of a subgroup point
    expect(kindOf(() => decodeSwProof(encode({ ...m(), sigma }), S))).toBe('malformed');
    const tagsBad = new Uint8Array(48 * file.n); // all zero: invalid flags
    expect(kindOf(() => decodeSwTagSet(encode({ t: 'audit/sw-priv/tags', v: 1, name: file.name, n: file.n, s: S, len: file.length, tags: tagsBad })))).toBe('malformed');
    expect(kindOf(() => decodeYangProof(encode({ t: 'audit/yang2019/proof', v: 1, lambda: new Uint8Array(32).fill(0xff), sigma: g1.toBytes(tags[0]) })))).toBe('out-of-range');
  });

  it('a decoded proof still verifies; an R that decodes but was altered fails verification with a reason', () => {
    const p = decodeSwProof(proofBytes, S);
    expect(p.R.length).toBe(576);
    const R = p.R.slice();
    R[10] ^= 1;
    const d = decodeSwProof(encode({ ...m(), R }), S);
    const key = swKeyGen();
    expect(verify(file, key.v, { seed: rand(32), c: 3 }, d).ok).toBe(false);
  });
});
