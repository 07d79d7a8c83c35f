// Shared helpers of the wasm field-layer tests: instantiate medchain.wasm
// directly and move canonical big-endian bytes through the I/O buffer, with
// @noble/curves' bigint tower as the oracle.
import { readFileSync } from 'node:fs';
import { bls12_381 } from '@noble/curves/bls12-381.js';

export const { Fp, Fp2, Fp6, Fp12, Fr } = bls12_381.fields;
export type Fp2T = ReturnType<typeof Fp2.create>;
export type Fp6T = ReturnType<typeof Fp6.create>;
export type Fp12T = ReturnType<typeof Fp12.create>;
export const P = Fp.ORDER;
export const R = Fr.ORDER;

export interface Exports {
  memory: WebAssembly.Memory;
  io_ptr(): number;
  t_fp(op: number): number;
  t_fp2(op: number): number;
  t_fp6(op: number): number;
  t_fp12(op: number): number;
  t_fr(op: number): number;
  t_bench(op: number, iters: number): number;
  t_tmp_used(): number;
  DECODE_ERR: WebAssembly.Global;
}

/** The release build; MEDCHAIN_WASM=/path/to/other.wasm runs the suite on another build
 *  (e.g. the rejected limb layouts that bench/fp.mjs --layouts builds). */
export const WASM_FILE: URL | string =
  process.env.MEDCHAIN_WASM ?? new URL('../../../src/lib/crypto/wasm/medchain.wasm', import.meta.url);

export async function load(file: URL | string = WASM_FILE): Promise<Exports> {
  const { instance } = await WebAssembly.instantiate(readFileSync(file), {
    env: {
      abort() {
        throw new Error('abort');
      }
    }
  });
  return instance.exports as unknown as Exports;
}

export const IN0 = 0;
export const IN1 = 1024;
export const OUT = 3072;
export const DECODE_ERR = -1000;

export function bigToBytes(x: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}
export function bytesToBig(b: Uint8Array): bigint {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
}

/** Flattened coefficient lists in tower order. */
export const flat2 = (a: Fp2T): bigint[] => [a.c0, a.c1];
export const flat6 = (a: Fp6T): bigint[] => [...flat2(a.c0), ...flat2(a.c1), ...flat2(a.c2)];
export const flat12 = (a: Fp12T): bigint[] => [...flat6(a.c0), ...flat6(a.c1)];
export const unflat2 = (c: bigint[]): Fp2T => Fp2.fromBigTuple([c[0], c[1]]);
export const unflat6 = (c: bigint[]): Fp6T => ({ c0: unflat2(c.slice(0, 2)), c1: unflat2(c.slice(2, 4)), c2: unflat2(c.slice(4, 6)) }) as Fp6T;
export const unflat12 = (c: bigint[]): Fp12T => ({ c0: unflat6(c.slice(0, 6)), c1: unflat6(c.slice(6, 12)) }) as Fp12T;

export class Io {
  constructor(readonly w: Exports) {}
  get mem(): Uint8Array {
    return new Uint8Array(this.w.memory.buffer, this.w.io_ptr(), 8192);
  }
  /** Writes coefficients (each `len` bytes) at a slot. */
  put(slot: number, coeffs: bigint[], len = 48): void {
    const m = this.mem;
    coeffs.forEach((c, i) => m.set(bigToBytes(c, len), slot + i * len));
  }
  putBytes(slot: number, b: Uint8Array): void {
    this.mem.set(b, slot);
  }
  get(n: number, len = 48): bigint[] {
    const m = this.mem;
    const out: bigint[] = [];
    for (let i = 0; i < n; i++) out.push(bytesToBig(m.slice(OUT + i * len, OUT + (i + 1) * len)));
    return out;
  }
}

/** Deterministic PRNG (xorshift128+) so failures reproduce. */
export function rng(seed = 1n) {
  let s0 = 0x9e3779b97f4a7c15n ^ seed;
  let s1 = 0xbf58476d1ce4e5b9n + seed;
  const M = (1n << 64n) - 1n;
  const next = (): bigint => {
    let x = s0;
    const y = s1;
    s0 = y;
    x = (x ^ (x << 23n)) & M;
    s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return (s1 + y) & M;
  };
  const bits = (n: number): bigint => {
    let x = 0n;
    for (let i = 0; i < n; i += 64) x = (x << 64n) | next();
    return x & ((1n << BigInt(n)) - 1n);
  };
  /** Uniform-ish element of [0, m), with a bias towards edge values 1 time in 16. */
  const mod = (m: bigint): bigint => {
    const r = next() & 15n;
    if (r === 0n) {
      const edges = [0n, 1n, 2n, m - 1n, m - 2n, (m - 1n) / 2n, (m + 1n) / 2n, 1n << 64n, m - (1n << 64n), (1n << 380n) % m];
      return edges[Number(next() % BigInt(edges.length))] % m;
    }
    return bits(m.toString(2).length + 64) % m;
  };
  return { next, bits, mod, fp: () => mod(P), fr: () => mod(R) };
}
