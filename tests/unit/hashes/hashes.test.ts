import { beforeAll, describe, expect, it } from 'vitest';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { hash_to_field } from '@noble/curves/abstract/hash-to-curve.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ready, g1 } from '../../../src/lib/crypto';
import { blockName, DST, h1, h2, h3, paramG1, sectorBase } from '../../../src/lib/hashes';

beforeAll(async () => {
  await ready();
});
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('SPEC §2 hashes, checked against noble with the same DSTs', () => {
  it('H2, blockName, sectorBase and paramG1 are hash_to_curve with their DSTs and index widths', () => {
    const name = new Uint8Array(32).fill(9);
    const H = bls12_381.G1.hashToCurve;
    expect(hex(g1.toBytes(h2('IDm')))).toBe(H(new TextEncoder().encode('IDm'), { DST: DST.H2 }).toHex(true));
    const i8 = new Uint8Array(40);
    i8.set(name);
    i8[39] = 7;
    expect(hex(g1.toBytes(blockName(name, 7)))).toBe(H(i8, { DST: DST.BLOCK }).toHex(true));
    const j4 = new Uint8Array(36);
    j4.set(name);
    j4[35] = 3;
    expect(hex(g1.toBytes(sectorBase(name, 3)))).toBe(H(j4, { DST: DST.U }).toHex(true));
    expect(hex(g1.toBytes(paramG1()))).toBe(H(new TextEncoder().encode('g1'), { DST: DST.PARAM }).toHex(true));
  });
  it('H3 is hash_to_field over Fr with L = 48; H1 has the requested length', () => {
    const msg = new Uint8Array([1, 2, 3]);
    const expected = hash_to_field(msg, 1, { DST: DST.H3, p: bls12_381.fields.Fr.ORDER, m: 1, k: 128, expand: 'xmd', hash: sha256 })[0][0];
    expect(h3(msg)).toBe(expected);
    expect(h1(msg, 40).length).toBe(40);
    expect(hex(h1(msg, 40))).not.toBe(hex(h1(new Uint8Array([1, 2, 4]), 40)));
  });
  it('distinct DSTs give unrelated outputs', () => {
    const name = new Uint8Array(32);
    expect(g1.equals(blockName(name, 0), sectorBase(name, 0))).toBe(false);
    expect(() => blockName(name, -1)).toThrow(RangeError);
    expect(() => sectorBase(name, 2 ** 32)).toThrow(RangeError);
  });
});
