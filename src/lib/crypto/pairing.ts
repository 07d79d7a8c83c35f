/**
 * The optimal ate pairing e: G1 x G2 -> GT over the WASM core, and GT as
 * opaque elements of the cyclotomic subgroup of Fp12.
 *
 * `pairingCheck(pairs)` computes the product of the pairings with one shared
 * Miller loop and a single final exponentiation and says whether it is 1:
 * the form every verification equation here takes.
 */
import { bigIntToBytes } from './hash';
import { DecodeError } from './errors';
import { ORDER } from './fr';
import { CurvePoint } from './curve';
import { g1, type G1 } from './g1';
import { g2, type G2 } from './g2';
import { wasm } from './wasm';

type Fn = (...args: number[]) => number;

/** An element of GT (internal Fp12 image). Compare with gt.equals. */
export class GtElement {
  /** @internal */
  readonly raw: Uint8Array;
  /** @internal */
  constructor(raw: Uint8Array) {
    this.raw = raw;
  }
}

/** Bytes of an encoded GT element: 12 Fp coefficients of 48 bytes (SPEC §2 order). */
export const GT_BYTES = 576;

const IO_A = 0;
const IO_B = 1024;
const IO_OUT = 2048;
const IO_SCALAR = 3072;
const IO_BYTES = 4096;

function core() {
  const w = wasm();
  const f = (n: string) => {
    const fn = w[n];
    if (typeof fn !== 'function') throw new Error(`medchain.wasm lacks ${n}: rebuild with npm run build:wasm`);
    return fn as Fn;
  };
  return { w, f, io: (w.io_ptr as Fn)() };
}

/** Bytes of the core's Fp12 image (13 x 30-bit limbs per Fp; docs/wasm-layout.md). */
const FP12_SIZE = 624;

function checkPair(p: G1, q: G2, i: number) {
  if (!(p instanceof CurvePoint) || p.group !== 'G1') throw new TypeError(`pairs[${i}][0]: expected a G1 point`);
  if (!(q instanceof CurvePoint) || q.group !== 'G2') throw new TypeError(`pairs[${i}][1]: expected a G2 point`);
}

/** Writes pairs into the core's bulk region; returns its address. */
function putPairs(c: ReturnType<typeof core>, pairs: readonly (readonly [G1, G2])[]): number {
  const G1_SIZE = g1.rawSize;
  const stride = G1_SIZE + g2.rawSize;
  const base = c.f('heap_reserve')(pairs.length * stride);
  const mem = new Uint8Array(c.w.memory.buffer);
  pairs.forEach(([p, q], i) => {
    checkPair(p, q, i);
    mem.set(p.raw, base + i * stride);
    mem.set(q.raw, base + i * stride + G1_SIZE);
  });
  return base;
}

/** e(p, q). */
export function pairing(p: G1, q: G2): GtElement {
  checkPair(p, q, 0);
  const c = core();
  const mem = new Uint8Array(c.w.memory.buffer);
  mem.set(p.raw, c.io + IO_A);
  mem.set(q.raw, c.io + IO_B);
  c.f('pairing')(c.io + IO_OUT, c.io + IO_A, c.io + IO_B);
  return new GtElement(new Uint8Array(c.w.memory.buffer).slice(c.io + IO_OUT, c.io + IO_OUT + FP12_SIZE));
}

/** True when prod e(p_i, q_i) == 1 (one Miller loop, one final exponentiation). */
export function pairingCheck(pairs: readonly (readonly [G1, G2])[]): boolean {
  if (!Array.isArray(pairs)) throw new TypeError('pairs: expected an array of [G1, G2]');
  const c = core();
  const base = putPairs(c, pairs);
  return c.f('pairing_check_n')(base, pairs.length) === 1;
}

/** The Miller loop product of the pairs, before final exponentiation (benchmarks, tests). */
export function millerLoop(pairs: readonly (readonly [G1, G2])[]): GtElement {
  const c = core();
  const base = putPairs(c, pairs);
  c.f('miller_loop_n')(c.io + IO_OUT, base, pairs.length);
  return new GtElement(new Uint8Array(c.w.memory.buffer).slice(c.io + IO_OUT, c.io + IO_OUT + FP12_SIZE));
}

/** The final exponentiation f^((p^12 - 1) / r). */
export function finalExponentiate(f: GtElement): GtElement {
  const c = core();
  new Uint8Array(c.w.memory.buffer).set(f.raw, c.io + IO_A);
  c.f('final_exp')(c.io + IO_OUT, c.io + IO_A);
  return new GtElement(new Uint8Array(c.w.memory.buffer).slice(c.io + IO_OUT, c.io + IO_OUT + FP12_SIZE));
}

function gtBinary(op: string, a: GtElement, b: GtElement): GtElement {
  const c = core();
  const mem = new Uint8Array(c.w.memory.buffer);
  mem.set(a.raw, c.io + IO_A);
  mem.set(b.raw, c.io + IO_B);
  c.f(op)(c.io + IO_OUT, c.io + IO_A, c.io + IO_B);
  return new GtElement(new Uint8Array(c.w.memory.buffer).slice(c.io + IO_OUT, c.io + IO_OUT + FP12_SIZE));
}

export const gt = {
  /**
   * Decodes 576 SPEC §2 bytes. Rejects a coefficient >= p ('non-canonical')
   * and, unless `checkSubgroup` is false, an element outside the order-r
   * subgroup GT ('not-in-subgroup'; costs ~0.25 ms).
   */
  fromBytes(bytes: Uint8Array, opts: { checkSubgroup?: boolean } = {}): GtElement {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected Uint8Array');
    if (bytes.length !== GT_BYTES) throw new DecodeError('wrong-length', `GT element: expected ${GT_BYTES} bytes, got ${bytes.length}`);
    const c = core();
    new Uint8Array(c.w.memory.buffer).set(bytes, c.io + IO_BYTES);
    if (c.f('gt_from_bytes')(c.io + IO_OUT, c.io + IO_BYTES) !== 0) throw new DecodeError('non-canonical', 'GT element: a coefficient is not below the field modulus');
    if (opts.checkSubgroup !== false && c.f('gt_is_valid')(c.io + IO_OUT) !== 1) throw new DecodeError('not-in-subgroup', 'GT element: not in the order-r subgroup');
    return new GtElement(new Uint8Array(c.w.memory.buffer).slice(c.io + IO_OUT, c.io + IO_OUT + FP12_SIZE));
  },
  /** 576 bytes: the 12 coefficients big-endian in SPEC §2 tower order (the form that is hashed). */
  toBytes(a: GtElement): Uint8Array {
    const c = core();
    new Uint8Array(c.w.memory.buffer).set(a.raw, c.io + IO_A);
    c.f('gt_to_bytes')(c.io + IO_BYTES, c.io + IO_A);
    return new Uint8Array(c.w.memory.buffer).slice(c.io + IO_BYTES, c.io + IO_BYTES + GT_BYTES);
  },
  mul: (a: GtElement, b: GtElement) => gtBinary('gt_mul', a, b),
  /** a^k for a public exponent k (variable time). */
  pow(a: GtElement, k: bigint): GtElement {
    let x = k % ORDER;
    if (x < 0n) x += ORDER;
    const c = core();
    const mem = new Uint8Array(c.w.memory.buffer);
    mem.set(a.raw, c.io + IO_A);
    mem.set(bigIntToBytes(x, 32), c.io + IO_SCALAR);
    c.f('gt_pow_vt')(c.io + IO_OUT, c.io + IO_A, c.io + IO_SCALAR);
    return new GtElement(new Uint8Array(c.w.memory.buffer).slice(c.io + IO_OUT, c.io + IO_OUT + FP12_SIZE));
  },
  equals(a: GtElement, b: GtElement): boolean {
    const c = core();
    const mem = new Uint8Array(c.w.memory.buffer);
    mem.set(a.raw, c.io + IO_A);
    mem.set(b.raw, c.io + IO_B);
    return c.f('gt_eq')(c.io + IO_A, c.io + IO_B) !== 0;
  },
  isOne(a: GtElement): boolean {
    const c = core();
    new Uint8Array(c.w.memory.buffer).set(a.raw, c.io + IO_A);
    return c.f('gt_is_one')(c.io + IO_A) !== 0;
  }
};
