/** The pairing through the public API: laws, vectors, and noble. */
import { beforeAll, describe, expect, it } from 'vitest';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { ready, g1, g2, pairing, pairingCheck, millerLoop, finalExponentiate, gt, fr } from '../../../src/lib/crypto';
import { bytesToHex, vectorSuite } from '../helpers/vectors';

beforeAll(async () => {
  await ready();
});

/** noble's Fp12 as SPEC §2 bytes (c0.c0.c0 first, 48-byte big-endian coefficients). */
function nobleGtHex(f: ReturnType<typeof bls12_381.pairing>): string {
  return bytesToHex(bls12_381.fields.Fp12.toBytes(f));
}

describe('pairing', () => {
  it('matches noble on 30 random pairs (GT bytes in SPEC order)', () => {
    for (let i = 0; i < 30; i++) {
      const a = fr.random();
      const b = fr.random();
      const P = g1.mul(g1.generator(), a);
      const Q = g2.mul(g2.generator(), b);
      const theirs = bls12_381.pairing(bls12_381.G1.Point.BASE.multiply(a), bls12_381.G2.Point.BASE.multiply(b));
      expect(bytesToHex(gt.toBytes(pairing(P, Q)))).toBe(nobleGtHex(theirs));
    }
  });

  it('is bilinear: e(aP, bQ) == e(P, Q)^(ab), and non-degenerate', () => {
    const P = g1.generator();
    const Q = g2.generator();
    const base = pairing(P, Q);
    expect(gt.isOne(base)).toBe(false);
    for (let i = 0; i < 5; i++) {
      const a = fr.random();
      const b = fr.random();
      expect(gt.equals(pairing(g1.mul(P, a), g2.mul(Q, b)), gt.pow(base, fr.mul(a, b)))).toBe(true);
      expect(gt.equals(pairing(g1.mul(P, a), Q), pairing(P, g2.mul(Q, a)))).toBe(true);
    }
    expect(gt.isOne(gt.pow(base, fr.ORDER))).toBe(true);
  });

  it('pairingCheck equals the product of pairings, identity pairs included', () => {
    const a = fr.random();
    const P = g1.mul(g1.generator(), a);
    const Q = g2.generator();
    expect(pairingCheck([[P, Q], [g1.neg(g1.generator()), g2.mul(Q, a)]])).toBe(true);
    expect(pairingCheck([[P, Q], [g1.neg(g1.generator()), g2.mul(Q, fr.add(a, 1n))]])).toBe(false);
    expect(pairingCheck([])).toBe(true);
    expect(pairingCheck([[g1.identity(), Q]])).toBe(true);
    expect(pairingCheck([[P, g2.identity()], [P, Q], [g1.neg(P), Q]])).toBe(true);
    const pairs = [0, 1, 2].map(() => [g1.mul(g1.generator(), fr.random()), g2.mul(Q, fr.random())] as const);
    const product = pairs.map(([p, q]) => pairing(p, q)).reduce((x, y) => gt.mul(x, y));
    expect(gt.equals(finalExponentiate(millerLoop(pairs)), product)).toBe(true);
  });
});

const noble = vectorSuite('noble-curves-bls12-381');
describe.runIf(noble)('1000 pairing vectors e((i+1)G1, (i+1)G2) (kilic/bls12-381)', () => {
  it('all match', () => {
    const v = noble!.json<string[]>('test/vectors/bls12-381/go_pairing_vectors/pairing.json');
    expect(v.length).toBe(1000);
    let P = g1.generator();
    let Q = g2.generator();
    for (let i = 0; i < v.length; i++) {
      // Vector order: 48-byte chunks reversed relative to SPEC §2 (see SOURCE.md).
      const chunks = v[i].match(/.{96}/g)!;
      const expected = chunks.reverse().join('');
      expect(bytesToHex(gt.toBytes(pairing(P, Q))), `i=${i}`).toBe(expected);
      P = g1.add(P, g1.generator());
      Q = g2.add(Q, g2.generator());
    }
  });
});

describe('gt.fromBytes', () => {
  it('round-trips, and rejects wrong length, non-canonical and non-GT elements with typed errors', async () => {
    const { DecodeError } = await import('../../../src/lib/crypto');
    const e = pairing(g1.generator(), g2.mul(g2.generator(), fr.random()));
    const bytes = gt.toBytes(e);
    expect(gt.equals(gt.fromBytes(bytes), e)).toBe(true);
    expect(() => gt.fromBytes(bytes.subarray(1))).toThrow(expect.objectContaining({ kind: 'wrong-length' }));
    const big = bytes.slice();
    big.fill(0xff, 0, 48);
    expect(() => gt.fromBytes(big)).toThrow(expect.objectContaining({ kind: 'non-canonical' }));
    // A canonical Fp12 element that is not in GT: the Miller loop output before final exponentiation.
    const f = gt.toBytes(millerLoop([[g1.generator(), g2.generator()]]));
    expect(() => gt.fromBytes(f)).toThrow(DecodeError);
    expect(gt.isOne(gt.fromBytes(f, { checkSubgroup: false }))).toBe(false);
  });
});
