/**
 * G1 and G2 as TypeScript objects over the WASM core, written once for both
 * groups (`makeGroup`) and instantiated in g1.ts / g2.ts.
 *
 * A point is an immutable `CurvePoint` holding its own copy of the core's
 * projective image (X, Y, Z in Montgomery form; docs/wasm-curves.md). Every
 * operation copies inputs into the WASM I/O buffer, calls one export and
 * copies the result out, so no WASM pointer or lifetime leaks above this
 * layer. Copies cost ~0.1 µs; the operations cost microseconds.
 *
 * Scalars are bigints. `mul` is constant time in the scalar (secret keys,
 * nonces); `mulPublic` and `msm` are variable time and only for public scalars.
 * Decoding validates everything (flags, canonical coordinates, on curve, in
 * the prime-order subgroup) and throws a typed DecodeError.
 */
import { DecodeError, type DecodeErrorKind } from './errors';
import { asBytes, bigIntToBytes, expandMessageXmd } from './hash';
import { ORDER } from './fr';
import { wasm, type WasmExports } from './wasm';

export type GroupName = 'G1' | 'G2';

/** A point of G1 or G2. Compare with `equals`, never by bytes. */
export class CurvePoint<G extends GroupName = GroupName> {
  /** @internal the core's projective image; never interpret it above crypto/. */
  readonly raw: Uint8Array;
  readonly group: G;
  /** @internal use the group's constructors */
  constructor(group: G, raw: Uint8Array) {
    this.group = group;
    this.raw = raw;
  }
}

/** Decoder status codes of the core (wasm/serialize.ts) and what they mean. */
const DECODE_STATUS: Record<number, [DecodeErrorKind, string]> = {
  1: ['wrong-length', 'wrong length'],
  2: ['bad-flags', 'invalid flag bits'],
  3: ['non-canonical', 'a coordinate is not below the field modulus'],
  4: ['non-canonical-infinity', 'the point at infinity is not encoded canonically'],
  5: ['not-on-curve', 'the point is not on the curve'],
  6: ['not-in-subgroup', 'the point is not in the prime-order subgroup']
};

// Fixed offsets inside the core's I/O buffer (8 KiB).
const IO_A = 0;
const IO_B = 512;
const IO_OUT = 1024;
const IO_SCALAR = 1536;
const IO_BYTES = 2048;
const IO_UNIFORM = 4096;

interface GroupSpec<G extends GroupName> {
  name: G;
  prefix: 'g1' | 'g2';
  compressedBytes: number;
  uncompressedBytes: number;
  /** Bytes of RFC 9380 uniform output for hash_to_curve (2 elements) and encode_to_curve (1). */
  hashBytes: number;
}

type Fn = (...args: number[]) => number;

export interface Group<G extends GroupName> {
  readonly name: G;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
  generator(): CurvePoint<G>;
  identity(): CurvePoint<G>;
  /** Decodes a compressed or uncompressed ZCash encoding with every check; throws DecodeError. */
  fromBytes(bytes: Uint8Array): CurvePoint<G>;
  /** Like fromBytes without the subgroup check: only for bytes this program produced itself. */
  fromBytesUnchecked(bytes: Uint8Array): CurvePoint<G>;
  toBytes(p: CurvePoint<G>, compressed?: boolean): Uint8Array;
  /** RFC 9380 hash_to_curve (random oracle, SSWU, SHA-256). */
  hashToCurve(msg: string | Uint8Array, dst: string | Uint8Array): CurvePoint<G>;
  /** RFC 9380 encode_to_curve (nonuniform). */
  encodeToCurve(msg: string | Uint8Array, dst: string | Uint8Array): CurvePoint<G>;
  add(a: CurvePoint<G>, b: CurvePoint<G>): CurvePoint<G>;
  sub(a: CurvePoint<G>, b: CurvePoint<G>): CurvePoint<G>;
  double(a: CurvePoint<G>): CurvePoint<G>;
  neg(a: CurvePoint<G>): CurvePoint<G>;
  /** k·P in constant time in k (for secret scalars). k is reduced mod r. */
  mul(p: CurvePoint<G>, k: bigint): CurvePoint<G>;
  /** k·P in variable time: only for public scalars. */
  mulPublic(p: CurvePoint<G>, k: bigint): CurvePoint<G>;
  equals(a: CurvePoint<G>, b: CurvePoint<G>): boolean;
  isIdentity(p: CurvePoint<G>): boolean;
  /** Sum of a list of points. */
  sum(points: readonly CurvePoint<G>[]): CurvePoint<G>;
  /** sum k_i·P_i (Pippenger, variable time: public scalars only). */
  msm(points: readonly CurvePoint<G>[], scalars: readonly bigint[]): CurvePoint<G>;
  /** @internal size of the core's projective image */
  readonly rawSize: number;
}

function scalarBytes(k: bigint): Uint8Array {
  if (typeof k !== 'bigint') throw new TypeError('scalar: expected a bigint');
  let x = k % ORDER;
  if (x < 0n) x += ORDER;
  return bigIntToBytes(x, 32);
}

export function makeGroup<G extends GroupName>(spec: GroupSpec<G>): Group<G> {
  const { name, prefix } = spec;
  let cache: { w: WasmExports; io: number; size: number; fn: Record<string, Fn> } | undefined;

  function core() {
    const w = wasm();
    if (cache?.w === w) return cache;
    const fn: Record<string, Fn> = {};
    const need = (n: string) => {
      const f = w[n];
      if (typeof f !== 'function') throw new Error(`medchain.wasm lacks ${n}: rebuild with npm run build:wasm`);
      return f as Fn;
    };
    for (const op of ['generator', 'identity', 'add', 'double', 'neg', 'eq', 'is_identity', 'mul_ct', 'mul_vt', 'encode', 'decode', 'decode_unchecked']) {
      fn[op] = need(`${prefix}_${op}`);
    }
    fn.msmReserve = need(`${prefix}_msm_reserve`);
    fn.msm = need(`${prefix}_msm`);
    fn.hash = need(`h2c_${prefix}_hash`);
    fn.encodeToCurve = need(`h2c_${prefix}_encode`);
    const io = (w.io_ptr as Fn)();
    const size = (w[`${prefix}_size`] as Fn)();
    cache = { w, io, size, fn };
    return cache;
  }

  const mem = () => new Uint8Array(core().w.memory.buffer);
  const put = (off: number, bytes: Uint8Array) => mem().set(bytes, core().io + off);
  const take = (off: number, len: number) => mem().slice(core().io + off, core().io + off + len);
  const point = (raw: Uint8Array) => new CurvePoint(name, raw);
  const check = (p: CurvePoint<G>, arg: string) => {
    if (!(p instanceof CurvePoint) || p.group !== name) throw new TypeError(`${arg}: expected a ${name} point`);
  };

  function unary(op: string, a: CurvePoint<G>): CurvePoint<G> {
    check(a, 'a');
    const c = core();
    put(IO_A, a.raw);
    c.fn[op](c.io + IO_OUT, c.io + IO_A);
    return point(take(IO_OUT, c.size));
  }
  function binary(op: string, a: CurvePoint<G>, b: CurvePoint<G>): CurvePoint<G> {
    check(a, 'a');
    check(b, 'b');
    const c = core();
    put(IO_A, a.raw);
    put(IO_B, b.raw);
    c.fn[op](c.io + IO_OUT, c.io + IO_A, c.io + IO_B);
    return point(take(IO_OUT, c.size));
  }
  function decode(op: 'decode' | 'decode_unchecked', bytes: Uint8Array): CurvePoint<G> {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected Uint8Array');
    if (bytes.length !== spec.compressedBytes && bytes.length !== spec.uncompressedBytes) {
      throw new DecodeError('wrong-length', `${name} point: expected ${spec.compressedBytes} or ${spec.uncompressedBytes} bytes, got ${bytes.length}`);
    }
    const c = core();
    put(IO_BYTES, bytes);
    const status = c.fn[op](c.io + IO_OUT, c.io + IO_BYTES, bytes.length);
    if (status !== 0) {
      const [kind, why] = DECODE_STATUS[status] ?? ['bad-flags', `decoder status ${status}`];
      throw new DecodeError(kind, `${name} point: ${why}`);
    }
    return point(take(IO_OUT, c.size));
  }
  function hashWith(op: 'hash' | 'encodeToCurve', count: number, msg: string | Uint8Array, dst: string | Uint8Array) {
    const uniform = expandMessageXmd(asBytes(msg, 'msg'), dst, count * spec.hashBytes);
    const c = core();
    put(IO_UNIFORM, uniform);
    c.fn[op](c.io + IO_OUT, c.io + IO_UNIFORM);
    return point(take(IO_OUT, c.size));
  }
  function mulWith(op: 'mul_ct' | 'mul_vt', p: CurvePoint<G>, k: bigint) {
    check(p, 'p');
    const c = core();
    put(IO_A, p.raw);
    put(IO_SCALAR, scalarBytes(k));
    c.fn[op](c.io + IO_OUT, c.io + IO_A, c.io + IO_SCALAR);
    return point(take(IO_OUT, c.size));
  }

  const group: Group<G> = {
    name,
    compressedBytes: spec.compressedBytes,
    uncompressedBytes: spec.uncompressedBytes,
    get rawSize() {
      return core().size;
    },
    generator() {
      const c = core();
      c.fn.generator(c.io + IO_OUT);
      return point(take(IO_OUT, c.size));
    },
    identity() {
      const c = core();
      c.fn.identity(c.io + IO_OUT);
      return point(take(IO_OUT, c.size));
    },
    fromBytes: (bytes) => decode('decode', bytes),
    fromBytesUnchecked: (bytes) => decode('decode_unchecked', bytes),
    toBytes(p, compressed = true) {
      check(p, 'p');
      const c = core();
      put(IO_A, p.raw);
      const len = c.fn.encode(c.io + IO_BYTES, c.io + IO_A, compressed ? 1 : 0);
      return take(IO_BYTES, len);
    },
    hashToCurve: (msg, dst) => hashWith('hash', 2, msg, dst),
    encodeToCurve: (msg, dst) => hashWith('encodeToCurve', 1, msg, dst),
    add: (a, b) => binary('add', a, b),
    sub: (a, b) => binary('add', a, unary('neg', b)),
    double: (a) => unary('double', a),
    neg: (a) => unary('neg', a),
    mul: (p, k) => mulWith('mul_ct', p, k),
    mulPublic: (p, k) => mulWith('mul_vt', p, k),
    equals(a, b) {
      check(a, 'a');
      check(b, 'b');
      const c = core();
      put(IO_A, a.raw);
      put(IO_B, b.raw);
      return c.fn.eq(c.io + IO_A, c.io + IO_B) !== 0;
    },
    isIdentity(p) {
      check(p, 'p');
      const c = core();
      put(IO_A, p.raw);
      return c.fn.is_identity(c.io + IO_A) !== 0;
    },
    sum(points) {
      let acc = group.identity();
      for (const p of points) acc = group.add(acc, p);
      return acc;
    },
    msm(points, scalars) {
      if (points.length !== scalars.length) throw new RangeError(`msm: ${points.length} points but ${scalars.length} scalars`);
      const c = core();
      const n = points.length;
      // Layout (wasm/api_msm.ts): n projective images, then n 32-byte scalars.
      const base = c.fn.msmReserve(n);
      const mem = new Uint8Array(c.w.memory.buffer);
      points.forEach((p, i) => {
        check(p, `points[${i}]`);
        mem.set(p.raw, base + i * c.size);
      });
      const sc = base + n * c.size;
      scalars.forEach((k, i) => mem.set(scalarBytes(k), sc + 32 * i));
      c.fn.msm(c.io + IO_OUT, n);
      return point(take(IO_OUT, c.size));
    }
  };
  return group;
}
