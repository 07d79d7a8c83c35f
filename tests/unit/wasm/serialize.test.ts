// wasm/serialize.ts: ZCash/IETF encodings against zkcrypto, Ethereum and EIP-2537 vectors and noble.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { Mem, hex, loadWasm, rng, unhex, vectorsDir, type Exports } from './curve-helpers';

const OK = 0, BAD_LENGTH = 1, BAD_FLAGS = 2, NON_CANONICAL = 3, BAD_INFINITY = 4, NOT_ON_CURVE = 5, NOT_IN_SUBGROUP = 6;
let e: Exports;
let m: Mem;
let PT: number, PT2: number, SRC: number, DST: number, K: number;
const VEC = vectorsDir();

beforeAll(async () => {
  e = await loadWasm();
  m = new Mem(e);
  PT = m.io;
  PT2 = PT + 320;
  K = PT + 640;
  SRC = PT + 1024;
  DST = PT + 1536;
});

type G = 'g1' | 'g2';
function decode(g: G, b: Uint8Array, checked = true): number {
  m.write(SRC, b);
  const st = e[`${g}_decode${checked ? '' : '_unchecked'}`](PT, SRC, b.length);
  expect(e.curve_tmp_used()).toBe(0);
  return st;
}
function encode(g: G, compressed: boolean): Uint8Array {
  const n = e[`${g}_encode`](DST, PT, compressed ? 1 : 0);
  return m.bytes(DST, n);
}

describe.runIf(VEC)('zkcrypto vectors: i * G, i < 1000', () => {
  const conv = VEC ? JSON.parse(readFileSync(join(VEC, 'noble-curves-bls12-381/test/vectors/bls12-381/zkcrypto/converted.json'), 'utf8')) : {};
  for (const [g, comp, unc] of [['g1', 'G1_Compressed', 'G1_Uncompressed'], ['g2', 'G2_Compressed', 'G2_Uncompressed']] as const) {
    it(`${g}: decode, re-encode, equals i*G from scalar mul`, () => {
      const cs: string[] = conv[comp], us: string[] = conv[unc];
      expect(cs.length).toBe(1000);
      e[`${g}_generator`](PT2);
      for (let i = 0; i < cs.length; i++) {
        for (const [h, compressed] of [[cs[i], true], [us[i], false]] as const) {
          expect(decode(g, unhex(h)), `${g} ${i}`).toBe(OK);
          expect(hex(encode(g, compressed))).toBe(h);
          expect(hex(encode(g, !compressed))).toBe(compressed ? us[i] : cs[i]);
        }
        m.scalar(K, BigInt(i));
        e[`${g}_mul_vt`](PT2 + 1024 + 320, PT2, K);
        expect(e[`${g}_eq`](PT2 + 1024 + 320, PT)).toBe(1);
        e[`${g}_mul_ct`](PT2 + 1024 + 320, PT2, K);
        expect(e[`${g}_eq`](PT2 + 1024 + 320, PT)).toBe(1);
      }
    });
  }
});

describe.runIf(VEC)('Ethereum deserialization vectors', () => {
  const expected: Record<string, number> = {
    deserialization_fails_infinity_with_false_b_flag: NOT_IN_SUBGROUP, // G1: x = 0 is the order-3 point (0, 2)
    deserialization_fails_infinity_with_true_b_flag: BAD_INFINITY,
    deserialization_fails_not_in_G1: NOT_IN_SUBGROUP,
    deserialization_fails_not_in_G2: NOT_IN_SUBGROUP,
    deserialization_fails_not_in_curve: NOT_ON_CURVE,
    deserialization_fails_too_few_bytes: BAD_LENGTH,
    deserialization_fails_too_many_bytes: BAD_LENGTH,
    deserialization_fails_with_b_flag_and_a_flag_true: BAD_FLAGS,
    deserialization_fails_with_b_flag_and_x_nonzero: BAD_INFINITY,
    deserialization_fails_with_mask_bits_001: BAD_FLAGS,
    deserialization_fails_with_mask_bits_011: BAD_FLAGS,
    deserialization_fails_with_mask_bits_111: BAD_FLAGS,
    deserialization_fails_with_wrong_c_flag: BAD_FLAGS,
    deserialization_fails_x_equal_to_modulus: NON_CANONICAL,
    deserialization_fails_x_greater_than_modulus: NON_CANONICAL,
    deserialization_fails_xim_equal_to_modulus: NON_CANONICAL,
    deserialization_fails_xim_greater_than_modulus: NON_CANONICAL,
    deserialization_fails_xre_equal_to_modulus: NON_CANONICAL,
    deserialization_fails_xre_greater_than_modulus: NON_CANONICAL,
    deserialization_succeeds_correct_point: OK,
    deserialization_succeeds_infinity_with_true_b_flag: OK
  };
  for (const g of ['g1', 'g2'] as const) {
    it(`${g}: every case has the expected status`, () => {
      const dir = join(VEC!, 'ethereum-bls12-381-tests/bls', g === 'g1' ? 'deserialization_G1' : 'deserialization_G2');
      const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
      expect(files.length).toBeGreaterThanOrEqual(16);
      for (const f of files) {
        const c = JSON.parse(readFileSync(join(dir, f), 'utf8'));
        const b = unhex(c.input.pubkey ?? c.input.signature);
        const name = f.replace('.json', '');
        let want = expected[name];
        // G2 x = 0: 4(u+1) has no square root -> not on curve
        if (g === 'g2' && name === 'deserialization_fails_infinity_with_false_b_flag') want = NOT_ON_CURVE;
        expect(want, name).not.toBeUndefined();
        const st = decode(g, b);
        expect(st, `${g} ${name}`).toBe(want);
        expect(st === OK).toBe(c.output);
      }
    });
  }
});

/** EIP-2537 point (64-byte padded Fp) -> ZCash uncompressed, or null if the padding is nonzero. */
function eipToZcash(g: G, b: Uint8Array): Uint8Array | null {
  const n = g === 'g1' ? 2 : 4;
  if (b.every((x) => x === 0)) {
    const o = new Uint8Array(48 * n);
    o[0] = 0x40;
    return o;
  }
  const fps: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const c = b.subarray(64 * i, 64 * i + 64);
    if (c.subarray(0, 16).some((x) => x !== 0)) return null;
    fps.push(c.subarray(16));
  }
  // EIP order c0, c1; ZCash order c1, c0
  const order = g === 'g1' ? [0, 1] : [1, 0, 3, 2];
  const o = new Uint8Array(48 * n);
  order.forEach((j, i) => o.set(fps[j], 48 * i));
  return o;
}

describe.runIf(VEC)('EIP-2537 vectors', () => {
  const dir = VEC ? join(VEC, 'eip-2537/assets/eip-2537') : '';
  for (const g of ['g1', 'g2'] as const) {
    const PS = g === 'g1' ? 128 : 256;
    it(`${g} add and mul`, () => {
      for (const c of JSON.parse(readFileSync(join(dir, `add_${g.toUpperCase()}_bls.json`), 'utf8'))) {
        const inp = unhex(c.Input);
        expect(decode(g, eipToZcash(g, inp.subarray(0, PS))!, false)).toBe(OK);
        m.write(PT2, m.bytes(PT, 320));
        expect(decode(g, eipToZcash(g, inp.subarray(PS))!, false)).toBe(OK);
        e[`${g}_add`](PT, PT, PT2);
        expect(hex(encode(g, false)), c.Name).toBe(hex(eipToZcash(g, unhex(c.Expected))!));
      }
      for (const c of JSON.parse(readFileSync(join(dir, `mul_${g.toUpperCase()}_bls.json`), 'utf8'))) {
        const inp = unhex(c.Input);
        expect(decode(g, eipToZcash(g, inp.subarray(0, PS))!)).toBe(OK);
        m.write(K, inp.subarray(PS));
        m.write(PT2, m.bytes(PT, 320));
        e[`${g}_mul_ct`](PT, PT2, K);
        expect(hex(encode(g, false)), c.Name).toBe(hex(eipToZcash(g, unhex(c.Expected))!));
        e[`${g}_mul_vt`](PT, PT2, K);
        expect(hex(encode(g, false)), c.Name).toBe(hex(eipToZcash(g, unhex(c.Expected))!));
      }
    });
    it(`${g} fail-* points off the curve / outside the subgroup are rejected`, () => {
      let n = 0;
      for (const f of ['add', 'mul']) {
        for (const c of JSON.parse(readFileSync(join(dir, `fail-${f}_${g.toUpperCase()}_bls.json`), 'utf8'))) {
          const inp = unhex(c.Input);
          const err: string = c.ExpectedError;
          if (!/not on curve|subgroup/.test(err)) continue;
          const z = eipToZcash(g, inp.subarray(0, PS));
          expect(z).not.toBeNull();
          const want = /subgroup/.test(err) ? NOT_IN_SUBGROUP : NOT_ON_CURVE;
          expect(decode(g, z!), c.Name).toBe(want);
          if (want === NOT_IN_SUBGROUP) {
            expect(decode(g, z!, false)).toBe(OK);
            expect(e[`${g}_in_subgroup`](PT)).toBe(0);
          }
          n++;
        }
      }
      expect(n).toBeGreaterThanOrEqual(4);
    });
  }
});

describe('encode / decode: 1000 random points vs noble', () => {
  for (const g of ['g1', 'g2'] as const) {
    it(g, () => {
      const r = rng(g === 'g1' ? 21n : 22n);
      const Gp = g === 'g1' ? bls12_381.G1.Point : bls12_381.G2.Point;
      for (let i = 0; i < 1000; i++) {
        const p = Gp.BASE.multiply(r.scalar());
        for (const c of [true, false]) {
          const b = p.toBytes(c);
          expect(decode(g, b)).toBe(OK);
          expect(hex(encode(g, c))).toBe(hex(b));
          if (g === 'g1') m.writeG1(PT2, p);
          else m.writeG2(PT2, p);
          expect(e[`${g}_eq`](PT, PT2)).toBe(1);
        }
      }
    });
  }
  it('flag and length errors', () => {
    const p = bls12_381.G1.Point.BASE.toBytes(true);
    expect(decode('g1', p.subarray(0, 47))).toBe(BAD_LENGTH);
    const u = bls12_381.G1.Point.BASE.toBytes(false);
    const u2 = u.slice();
    u2[0] |= 0x20; // sort flag on uncompressed
    expect(decode('g1', u2)).toBe(BAD_FLAGS);
    const u3 = u.slice();
    u3[0] |= 0x80; // compressed flag with 96 bytes
    expect(decode('g1', u3)).toBe(BAD_FLAGS);
    const inf = new Uint8Array(96);
    inf[0] = 0x40;
    expect(decode('g1', inf)).toBe(OK);
    inf[95] = 1;
    expect(decode('g1', inf)).toBe(BAD_INFINITY);
    const y = u.slice();
    y[95] ^= 1; // uncompressed, y off by one
    expect(decode('g1', y)).toBe(NOT_ON_CURVE);
  });
});
