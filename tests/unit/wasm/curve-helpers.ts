// Helpers for the curve-layer tests (g1, g2, serialize): loads the WASM module,
// converts between noble points and the module's projective byte images
// (docs/wasm-curves.md), and finds the shared vectors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { bytesToHex, hexToBytes, vectorSuite, VECTORS_DIR } from '../helpers/vectors';

export const P = 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaabn;
export const R_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
const MONT_R = (1n << 390n) % P;
const MONT_RINV = modPow(MONT_R, P - 2n, P);
export const FP_SIZE = 52;
export const G1_SIZE = 3 * FP_SIZE;
export const G2_SIZE = 6 * FP_SIZE;

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}
const mod = (a: bigint) => ((a % P) + P) % P;

export type Exports = Record<string, any> & { memory: WebAssembly.Memory };

/** The release build by default; MEDCHAIN_WASM=debug selects the debug build (asserts on). */
export async function loadWasm(): Promise<Exports> {
  const file =
    process.env.MEDCHAIN_WASM === 'debug' ? 'build-wasm/medchain.debug.wasm' : 'src/lib/crypto/wasm/medchain.wasm';
  const { instance } = await WebAssembly.instantiate(readFileSync(join(process.cwd(), file)), {
    env: {
      abort() {
        throw new Error('abort');
      }
    }
  });
  return instance.exports as unknown as Exports;
}

/** Directory of the shared vectors, or null (then tests skip; in CI they fail): the rule of ../helpers/vectors. */
export function vectorsDir(): string | null {
  // vectorSuite throws in CI and warns elsewhere when the directory is missing.
  return vectorSuite('.') ? VECTORS_DIR : null;
}

export const hex = bytesToHex;
export const unhex = hexToBytes;

/** A view of the module memory with typed read/write helpers at byte offsets. */
export class Mem {
  constructor(readonly e: Exports) {}
  get io(): number {
    return this.e.io_ptr() as number;
  }
  bytes(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.e.memory.buffer, ptr, len).slice();
  }
  write(ptr: number, b: Uint8Array): void {
    new Uint8Array(this.e.memory.buffer, ptr, b.length).set(b);
  }
  writeFp(ptr: number, v: bigint): void {
    let m = mod(v * MONT_R);
    const dv = new DataView(this.e.memory.buffer);
    for (let i = 0; i < 13; i++) {
      dv.setUint32(ptr + 4 * i, Number(m & 0x3fffffffn), true);
      m >>= 30n;
    }
  }
  readFp(ptr: number): bigint {
    const dv = new DataView(this.e.memory.buffer);
    let m = 0n;
    for (let i = 12; i >= 0; i--) m = (m << 30n) | BigInt(dv.getUint32(ptr + 4 * i, true));
    return mod(m * MONT_RINV);
  }
  scalar(ptr: number, k: bigint): void {
    const b = new Uint8Array(32);
    for (let i = 31; i >= 0; i--) {
      b[i] = Number(k & 0xffn);
      k >>= 8n;
    }
    this.write(ptr, b);
  }
  /** Writes a noble G1 point as (x, y, 1) or (0, 1, 0). */
  writeG1(ptr: number, pt: any): void {
    if (pt.is0()) {
      this.writeFp(ptr, 0n);
      this.writeFp(ptr + FP_SIZE, 1n);
      this.writeFp(ptr + 2 * FP_SIZE, 0n);
      return;
    }
    const a = pt.toAffine();
    this.writeFp(ptr, a.x);
    this.writeFp(ptr + FP_SIZE, a.y);
    this.writeFp(ptr + 2 * FP_SIZE, 1n);
  }
  /** Reads a projective G1 image back as a noble point (no validity check). */
  readG1(ptr: number): any {
    const X = this.readFp(ptr), Y = this.readFp(ptr + FP_SIZE), Z = this.readFp(ptr + 2 * FP_SIZE);
    return new bls12_381.G1.Point(X, Y, Z);
  }
  writeFp2(ptr: number, v: { c0: bigint; c1: bigint }): void {
    this.writeFp(ptr, v.c0);
    this.writeFp(ptr + FP_SIZE, v.c1);
  }
  readFp2(ptr: number): { c0: bigint; c1: bigint } {
    return { c0: this.readFp(ptr), c1: this.readFp(ptr + FP_SIZE) };
  }
  writeG2(ptr: number, pt: any): void {
    const F = 2 * FP_SIZE;
    if (pt.is0()) {
      this.writeFp2(ptr, { c0: 0n, c1: 0n });
      this.writeFp2(ptr + F, { c0: 1n, c1: 0n });
      this.writeFp2(ptr + 2 * F, { c0: 0n, c1: 0n });
      return;
    }
    const a = pt.toAffine();
    this.writeFp2(ptr, a.x);
    this.writeFp2(ptr + F, a.y);
    this.writeFp2(ptr + 2 * F, { c0: 1n, c1: 0n });
  }
  readG2(ptr: number): any {
    const F = 2 * FP_SIZE;
    const Fp2 = bls12_381.fields.Fp2;
    return new bls12_381.G2.Point(Fp2.create(this.readFp2(ptr)), Fp2.create(this.readFp2(ptr + F)), Fp2.create(this.readFp2(ptr + 2 * F)));
  }
}

/** Deterministic PRNG (xorshift128+) so failures reproduce. */
export function rng(seed = 1n) {
  let s0 = 0x9e3779b97f4a7c15n ^ seed, s1 = 0xbf58476d1ce4e5b9n;
  const M = (1n << 64n) - 1n;
  const next = () => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= (x << 23n) & M;
    s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return (s1 + y) & M;
  };
  return {
    big(bits: number): bigint {
      let v = 0n;
      for (let i = 0; i < bits; i += 64) v = (v << 64n) | next();
      return v & ((1n << BigInt(bits)) - 1n);
    },
    scalar(): bigint {
      return this.big(256) % R_ORDER;
    }
  };
}

/** A point of E1 (y^2 = x^3 + 4) with random x, usually NOT in G1 (no cofactor clearing). */
export function randomE1(r: ReturnType<typeof rng>): any {
  const Fp = bls12_381.fields.Fp;
  for (;;) {
    const x = r.big(384) % P;
    const rhs = Fp.add(Fp.mul(Fp.sqr(x), x), 4n);
    try {
      const y = Fp.sqrt(rhs);
      return new bls12_381.G1.Point(x, y, 1n);
    } catch {
      /* not a square: next x */
    }
  }
}

/** A point of E2 (y^2 = x^3 + 4(u+1)) with random x, usually NOT in G2. */
export function randomE2(r: ReturnType<typeof rng>): any {
  const Fp2 = bls12_381.fields.Fp2;
  for (;;) {
    const x = Fp2.create({ c0: r.big(384) % P, c1: r.big(384) % P });
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), Fp2.create({ c0: 4n, c1: 4n }));
    try {
      const y = Fp2.sqrt(rhs);
      return new bls12_381.G2.Point(x, y, Fp2.ONE);
    } catch {
      /* next */
    }
  }
}
