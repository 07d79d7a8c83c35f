// wasm/msm.ts, wasm/msm_g2.ts (through the api_msm exports) against @noble/curves
// (pippenger / sums of multiplications) and the EIP-2537 MSM vectors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { pippenger } from '@noble/curves/abstract/curve.js';
import { G1_SIZE, G2_SIZE, Mem, R_ORDER, hex, loadWasm, rng, unhex, vectorsDir, type Exports } from './curve-helpers';

type G = 'g1' | 'g2';
const VEC = vectorsDir();
const G1P = bls12_381.G1.Point, G2P = bls12_381.G2.Point;
let e: Exports;
let m: Mem;

beforeAll(async () => {
  e = await loadWasm();
  m = new Mem(e);
});

const PS = (g: G) => (g === 'g1' ? G1_SIZE : G2_SIZE);
const Pt = (g: G): any => (g === 'g1' ? G1P : G2P);

/** Runs the wasm MSM on (points, scalars); scalars are any 256-bit integers. */
function msm(g: G, pts: any[], sc: bigint[]): any {
  const n = pts.length;
  const ptr: number = e[`${g}_msm_reserve`](n);
  for (let i = 0; i < n; i++) {
    if (g === 'g1') m.writeG1(ptr + PS(g) * i, pts[i]);
    else m.writeG2(ptr + PS(g) * i, pts[i]);
  }
  for (let i = 0; i < n; i++) m.scalar(ptr + PS(g) * n + 32 * i, sc[i]);
  const out = m.io;
  e[`${g}_msm`](out, n);
  expect(e.curve_tmp_used()).toBe(0);
  return g === 'g1' ? m.readG1(out) : m.readG2(out);
}

/** Reference: sum of k_i P_i (noble), scalars reduced mod r. */
function ref(g: G, pts: any[], sc: bigint[]): any {
  const red = sc.map((k) => k % R_ORDER);
  if (pts.length === 0) return Pt(g).ZERO;
  if (pts.length >= 8) return pippenger(Pt(g), pts, red);
  let acc = Pt(g).ZERO;
  pts.forEach((p, i) => {
    if (red[i] !== 0n) acc = acc.add(p.multiply(red[i]));
  });
  return acc;
}

/** n cheap pseudo-random points of the group (combinations of a few random multiples of the generator). */
function randomPoints(g: G, n: number, seed: bigint): any[] {
  const r = rng(seed);
  const base = Array.from({ length: 16 }, () => Pt(g).BASE.multiply(r.scalar()));
  return Array.from({ length: n }, (_, i) => base[i % 16].add(base[(i * 7 + 3) % 16].multiply(BigInt(i + 2))));
}
function randomScalars(n: number, seed: bigint): bigint[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => r.big(256));
}

function check(g: G, pts: any[], sc: bigint[], label: string) {
  const got = msm(g, pts, sc);
  expect(got.equals(ref(g, pts, sc)), `${g} ${label}`).toBe(true);
}

/** Runs fn with a forced configuration (window, small-n threshold, chunks), then restores the defaults. */
function withConfig(g: G, window: number, small: number, chunks: number, fn: () => void) {
  e[`msm_${g}_config`](window, small, 0, chunks);
  try {
    fn();
  } finally {
    e[`msm_${g}_config`](0, -1, 0, 0);
  }
}

const R = R_ORDER;
const EDGE = [0n, 1n, 2n, R - 1n, R, R + 1n, (1n << 256n) - 1n, (1n << 128n) - 1n, 1n << 127n, 0xac45a4010001a4020000000100000000n];

for (const g of ['g1', 'g2'] as const) {
  describe(`${g} MSM vs noble`, () => {
    const sizes = g === 'g1' ? [0, 1, 2, 3, 7, 31, 64, 100, 460, 1000] : [0, 1, 2, 3, 7, 31, 64, 100];
    for (const n of sizes) {
      it(`n = ${n}, random points and scalars`, () => {
        const pts = randomPoints(g, n, BigInt(n) + 100n);
        check(g, pts, randomScalars(n, BigInt(n) + 200n), `n=${n}`);
      });
    }

    it('small n through Pippenger and through single multiplications', () => {
      for (const n of [1, 2, 3, 5, 8]) {
        const pts = randomPoints(g, n, 7n), sc = randomScalars(n, 8n);
        withConfig(g, 0, 0, 0, () => check(g, pts, sc, `pippenger n=${n}`));
        withConfig(g, 0, 1000, 0, () => check(g, pts, sc, `single n=${n}`));
      }
    });

    it('every window size and chunk count', () => {
      const n = g === 'g1' ? 50 : 20;
      const pts = randomPoints(g, n, 9n), sc = randomScalars(n, 10n);
      for (let c = 2; c <= 13; c++) for (const ch of [1, 2, 4, 16]) withConfig(g, c, 0, ch, () => check(g, pts, sc, `c=${c} chunks=${ch}`));
    });

    it('edge scalars: 0, r-1, r, r+1, 2^256-1, x^2, ...', () => {
      const pts = randomPoints(g, EDGE.length, 11n);
      check(g, pts, EDGE, 'edges');
      // all zero scalars, all r
      check(g, pts, EDGE.map(() => 0n), 'zeros');
      check(g, pts, EDGE.map(() => R), 'all r');
      check(g, pts, EDGE.map(() => (1n << 256n) - 1n), 'all 2^256-1');
      withConfig(g, 0, 0, 0, () => check(g, pts.slice(0, 3), [R - 1n, (1n << 256n) - 1n, R], 'pippenger edges'));
    });

    it('identity points mixed in', () => {
      const n = 40;
      const pts = randomPoints(g, n, 12n).map((p, i) => (i % 3 === 0 ? Pt(g).ZERO : p));
      check(g, pts, randomScalars(n, 13n), 'identities');
      check(g, Array(10).fill(Pt(g).ZERO), randomScalars(10, 14n), 'all identity');
    });

    it('bucket collisions: repeated identical points and scalars (P + P in a batch)', () => {
      const p = randomPoints(g, 1, 15n)[0];
      const k = randomScalars(1, 16n)[0];
      for (const n of [2, 3, 64, 300]) check(g, Array(n).fill(p), Array(n).fill(k), `same point, same scalar, n=${n}`);
      const ks = randomScalars(4, 17n);
      check(g, Array(200).fill(p), Array.from({ length: 200 }, (_, i) => ks[i % 4]), 'same point, 4 scalars');
      // small scalars: everything in a few buckets of window 0
      check(g, Array(100).fill(p), Array.from({ length: 100 }, (_, i) => BigInt((i % 3) + 1)), 'small scalars');
    });

    it('P and -P in the same bucket (P + (-P) = infinity), sums cancelling to the identity', () => {
      const pts = randomPoints(g, 20, 18n);
      const sc = randomScalars(20, 19n);
      const both = [...pts, ...pts.map((p) => p.negate())];
      const got = msm(g, both, [...sc, ...sc]);
      expect(got.is0()).toBe(true);
      check(g, both, [...sc, ...sc.map((k) => k + 1n)], 'P, -P with k, k+1');
      // k P + (r - k) P = 0
      const p = pts[0];
      expect(msm(g, [p, p], [sc[0], R - (sc[0] % R)]).is0()).toBe(true);
      check(g, [p, p.negate(), p, p.negate(), p], [5n, 5n, 7n, 7n, 1n], 'interleaved');
    });
  });
}

// ---------------------------------------------------------------------------
// EIP-2537 vectors (geth / revm / besu precompile tests)

/** EIP-2537 point (64-byte padded Fp coordinates, c0 || c1 for Fp2) -> ZCash
 *  uncompressed bytes; null if a padding byte is nonzero. */
function eipToZcash(g: G, b: Uint8Array): Uint8Array | null {
  const k = g === 'g1' ? 2 : 4;
  if (b.every((x) => x === 0)) {
    const o = new Uint8Array(48 * k);
    o[0] = 0x40;
    return o;
  }
  const fps: Uint8Array[] = [];
  for (let i = 0; i < k; i++) {
    const c = b.subarray(64 * i, 64 * i + 64);
    if (c.subarray(0, 16).some((x) => x !== 0)) return null;
    fps.push(c.subarray(16));
  }
  const order = g === 'g1' ? [0, 1] : [1, 0, 3, 2];
  const o = new Uint8Array(48 * k);
  order.forEach((j, i) => o.set(fps[j], 48 * i));
  return o;
}

/** Decodes an EIP-2537 MSM input into the reserved region and runs the MSM;
 *  returns the result as ZCash uncompressed hex, or null if the input is
 *  rejected (length, padding, or the curve layer's checked decoder). */
function eipMsm(g: G, input: Uint8Array): string | null {
  const EP = g === 'g1' ? 128 : 256;
  const pair = EP + 32;
  if (input.length === 0 || input.length % pair !== 0) return null;
  const n = input.length / pair;
  const ptr: number = e[`${g}_msm_reserve`](n);
  const io = m.io;
  for (let i = 0; i < n; i++) {
    const z = eipToZcash(g, input.subarray(pair * i, pair * i + EP));
    if (!z) return null;
    m.write(io + 1024, z);
    const st = e[`${g}_decode`](ptr + PS(g) * i, io + 1024, z.length);
    if (st !== 0) return null;
    m.write(ptr + PS(g) * n + 32 * i, input.subarray(pair * i + EP, pair * (i + 1)));
  }
  e[`${g}_msm`](io, n);
  expect(e.curve_tmp_used()).toBe(0);
  const len = e[`${g}_encode`](io + 1024, io, 0);
  return hex(m.bytes(io + 1024, len));
}

describe.runIf(VEC)('EIP-2537 vectors', () => {
  const dir = VEC ? join(VEC, 'eip-2537/assets/eip-2537') : '';
  const load = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

  it('msm_G1_bls.json (163 cases, n = 1..149), default and forced Pippenger', () => {
    const cases = load('msm_G1_bls.json');
    expect(cases.length).toBeGreaterThanOrEqual(100);
    for (const c of cases) {
      const want = hex(eipToZcash('g1', unhex(c.Expected))!);
      expect(eipMsm('g1', unhex(c.Input)), c.Name).toBe(want);
      withConfig('g1', 0, 0, 0, () => expect(eipMsm('g1', unhex(c.Input)), c.Name).toBe(want));
    }
  });

  it('mul_G1 / mul_G2 vectors as one-point MSMs', () => {
    for (const g of ['g1', 'g2'] as const) {
      for (const c of load(`mul_${g.toUpperCase()}_bls.json`)) {
        const want = hex(eipToZcash(g, unhex(c.Expected))!);
        expect(eipMsm(g, unhex(c.Input)), c.Name).toBe(want);
        withConfig(g, 0, 0, 0, () => expect(eipMsm(g, unhex(c.Input)), c.Name).toBe(want));
      }
    }
  });

  it('fail-msm_G1 / fail-msm_G2 inputs are rejected', () => {
    for (const g of ['g1', 'g2'] as const) {
      const cases = load(`fail-msm_${g.toUpperCase()}_bls.json`);
      expect(cases.length).toBeGreaterThanOrEqual(8);
      for (const c of cases) expect(eipMsm(g, unhex(c.Input)), c.Name).toBeNull();
    }
  });
});
