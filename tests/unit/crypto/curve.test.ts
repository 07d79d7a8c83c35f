/**
 * The TypeScript G1/G2 API over the WASM core: vectors and differential
 * tests against @noble/curves through the public surface (bytes and bigints).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { ready } from '../../../src/lib/crypto/wasm';
import { g1 } from '../../../src/lib/crypto/g1';
import { g2 } from '../../../src/lib/crypto/g2';
import { DecodeError } from '../../../src/lib/crypto/errors';
import { ORDER } from '../../../src/lib/crypto/fr';
import { bytesToHex, hexToBytes, vectorSuite } from '../helpers/vectors';
import { randomBigInt, randomBytes } from '../helpers/random';

beforeAll(async () => {
  await ready();
});

const N = 1000;
const groups = [
  { g: g1, noble: bls12_381.G1.Point, name: 'G1' as const },
  { g: g2, noble: bls12_381.G2.Point, name: 'G2' as const }
];

describe('zkcrypto encodings of i·G (noble-curves vectors)', () => {
  const suite = vectorSuite('noble-curves-bls12-381');
  it.runIf(suite)('decode, re-encode and equal i·G for i < 1000, both forms', () => {
    const v = suite!.json<Record<string, string[]>>('test/vectors/bls12-381/zkcrypto/converted.json');
    for (const { g: grpG, name } of groups) {
      const g = grpG as unknown as typeof g1;
      const comp = v[`${name}_Compressed`];
      const uncomp = v[`${name}_Uncompressed`];
      expect(comp.length).toBe(1000);
      let acc = g.identity();
      for (let i = 0; i < comp.length; i++) {
        const p = g.fromBytes(hexToBytes(comp[i]));
        expect(g.equals(p, acc)).toBe(true);
        expect(g.equals(g.fromBytes(hexToBytes(uncomp[i])), acc)).toBe(true);
        expect(bytesToHex(g.toBytes(acc))).toBe(comp[i]);
        expect(bytesToHex(g.toBytes(acc, false))).toBe(uncomp[i]);
        if (i % 97 === 0) expect(g.equals(g.mul(g.generator(), BigInt(i)), acc)).toBe(true);
        acc = g.add(acc, g.generator());
      }
    }
  });
});

describe('Ethereum deserialization vectors: every invalid encoding is a typed DecodeError', () => {
  const suite = vectorSuite('ethereum-bls12-381-tests');
  it.runIf(suite)('deserialization_G1 and _G2', () => {
    let seen = 0;
    for (const [dir, grpG, key] of [['bls/deserialization_G1', g1, 'pubkey'], ['bls/deserialization_G2', g2, 'signature']] as const) {
      const g = grpG as unknown as typeof g1;
      for (const file of suite!.list(dir)) {
        const t = suite!.json<{ input: Record<string, string>; output: boolean }>(`${dir}/${file}`);
        const bytes = hexToBytes(t.input[key]);
        if (t.output) {
          const p = g.fromBytes(bytes);
          expect(bytesToHex(g.toBytes(p))).toBe(bytesToHex(bytes));
        } else {
          let err: unknown;
          try {
            g.fromBytes(bytes);
          } catch (e) {
            err = e;
          }
          expect(err, file).toBeInstanceOf(DecodeError);
          const kind = (err as DecodeError).kind;
          if (file.includes('not_in_G')) expect(kind, file).toBe('not-in-subgroup');
          if (file.includes('too_few') || file.includes('too_many')) expect(kind, file).toBe('wrong-length');
          if (file.includes('modulus')) expect(kind, file).toBe('non-canonical');
          if (file.includes('not_in_curve')) expect(kind, file).toBe('not-on-curve');
        }
        seen++;
      }
    }
    expect(seen).toBe(34);
  });
});

describe('RFC 9380 hash_to_curve and encode_to_curve vectors', () => {
  const suite = vectorSuite('cfrg-hash-to-curve');
  type V = { dst: string; vectors: { msg: string; P: { x: string; y: string } }[] };
  const affineHex = (xy: { x: string; y: string }) =>
    [xy.x, xy.y]
      .flatMap((c) => c.split(','))
      .map((h) => h.replace(/^0x/, '').padStart(96, '0'))
      .join('');
  it.runIf(suite)('G1 and G2, RO and NU', () => {
    for (const [file, grpH, op] of [
      ['BLS12381G1_XMD:SHA-256_SSWU_RO_.json', g1, 'hashToCurve'],
      ['BLS12381G1_XMD:SHA-256_SSWU_NU_.json', g1, 'encodeToCurve'],
      ['BLS12381G2_XMD:SHA-256_SSWU_RO_.json', g2, 'hashToCurve'],
      ['BLS12381G2_XMD:SHA-256_SSWU_NU_.json', g2, 'encodeToCurve']
    ] as const) {
      const g = grpH as unknown as typeof g1;
      const s = suite!.json<V>(`poc/vectors/${file}`);
      expect(s.vectors.length).toBe(5);
      for (const v of s.vectors) {
        const p = g[op](v.msg, s.dst);
        const unc = g.toBytes(p, false);
        // ZCash uncompressed G2 puts c1 before c0 in each coordinate.
        const ours = grpH === g2 ? zcashG2ToC0C1(unc) : bytesToHex(unc);
        expect(ours, `${file} ${v.msg.slice(0, 10)}`).toBe(affineHex(v.P));
      }
    }
  });
});

function zcashG2ToC0C1(unc: Uint8Array): string {
  const h = bytesToHex(unc);
  const c = (i: number) => h.slice(i * 96, (i + 1) * 96);
  return c(1) + c(0) + c(3) + c(2);
}

describe.each(groups)('$name differential against @noble/curves', (grp) => {
  // One body for both groups; typed as G1 for the compiler, run for each.
  const g = grp.g as unknown as typeof g1;
  const noble = grp.noble as unknown as typeof bls12_381.G1.Point;
  const nobleRandom = () => noble.BASE.multiply(randomBigInt(1n, ORDER - 1n));
  const toOurs = (p: InstanceType<typeof noble>) => g.fromBytes(p.toBytes(true));
  const nobleHex = (p: InstanceType<typeof noble>) => (p.is0() ? 'c0'.padEnd(g.compressedBytes * 2, '0') : p.toHex(true));
  const same = (ours: ReturnType<typeof g.generator>, theirs: InstanceType<typeof noble>) => bytesToHex(g.toBytes(ours)) === nobleHex(theirs);

  it(`add, sub, double, neg, equals on ${N} random pairs`, () => {
    for (let i = 0; i < N; i++) {
      const a = nobleRandom();
      const b = i % 10 === 0 ? a : nobleRandom();
      const A = toOurs(a);
      const B = toOurs(b);
      expect(same(g.add(A, B), a.add(b))).toBe(true);
      if (i % 4 === 0) {
        expect(same(g.sub(A, B), a.subtract(b))).toBe(true);
        expect(same(g.double(A), a.double())).toBe(true);
        expect(same(g.neg(A), a.negate())).toBe(true);
        expect(g.equals(A, B)).toBe(a.equals(b));
      }
    }
  });

  it(`mul (constant time) and mulPublic on ${N} random scalars`, () => {
    const p = nobleRandom();
    const P = toOurs(p);
    for (let i = 0; i < N; i++) {
      const k = randomBigInt(0n, ORDER - 1n);
      const expected = k === 0n ? noble.ZERO : p.multiply(k);
      expect(same(i % 2 ? g.mul(P, k) : g.mulPublic(P, k), expected)).toBe(true);
    }
  });

  it('scalar edge cases: 0, 1, r-1, r, r+1, negative', () => {
    const P = g.generator();
    expect(g.isIdentity(g.mul(P, 0n))).toBe(true);
    expect(g.equals(g.mul(P, 1n), P)).toBe(true);
    expect(g.equals(g.mul(P, ORDER - 1n), g.neg(P))).toBe(true);
    expect(g.isIdentity(g.mul(P, ORDER))).toBe(true);
    expect(g.equals(g.mulPublic(P, ORDER + 1n), P)).toBe(true);
    expect(g.equals(g.mul(P, -1n), g.neg(P))).toBe(true);
    expect(g.isIdentity(g.add(P, g.neg(P)))).toBe(true);
    expect(g.equals(g.add(g.identity(), P), P)).toBe(true);
    expect(bytesToHex(g.toBytes(g.identity()))).toBe('c0'.padEnd(g.compressedBytes * 2, '0'));
  });

  it(`hashToCurve on ${N / 4} random messages and DSTs`, () => {
    for (let i = 0; i < N / 4; i++) {
      const msg = randomBytes(i % 70);
      const dst = `MEDCHAIN-TEST-${i}`;
      const theirs = grp.name === 'G1' ? bls12_381.G1.hashToCurve(msg, { DST: dst }) : bls12_381.G2.hashToCurve(msg, { DST: dst });
      expect(bytesToHex(g.toBytes(g.hashToCurve(msg, dst)))).toBe(theirs.toHex(true));
    }
  });

  it('decode rejects wrong lengths and the wrong group with typed errors', () => {
    expect(() => g.fromBytes(new Uint8Array(10))).toThrow(DecodeError);
    const other = (grp.name === 'G1' ? g2 : g1) as unknown as typeof g1;
    expect(() => g.fromBytes(other.toBytes(other.generator()))).toThrow(DecodeError);
    expect(() => g.add(g.generator(), other.generator())).toThrow(TypeError);
  });
});

describe.each(groups)('$name msm through the API', (grp) => {
  const g = grp.g as unknown as typeof g1;
  it('equals the sum of scalar multiplications for n = 0, 1, 2, 5, 64, 300', () => {
    for (const n of [0, 1, 2, 5, 64, 300]) {
      if (grp.name === 'G2' && n > 64) continue;
      const pts = Array.from({ length: n }, () => g.mulPublic(g.generator(), randomBigInt(1n, ORDER - 1n)));
      const scs = Array.from({ length: n }, (_, i) => (i === 1 ? 0n : randomBigInt(0n, ORDER - 1n)));
      if (n > 2) pts[2] = g.identity();
      const expected = g.sum(pts.map((p, i) => g.mulPublic(p, scs[i])));
      expect(g.equals(g.msm(pts, scs), expected), `n=${n}`).toBe(true);
    }
  });
  it('rejects mismatched lengths', () => {
    expect(() => g.msm([g.generator()], [])).toThrow(RangeError);
  });
});
