/**
 * Scalars of the prime-order groups: Fr = Z_r, r the BLS12-381 group order.
 * At the API boundary scalars are bigints in [0, r) or 32-byte big-endian.
 * Arithmetic on bigints here is for public values and glue; secret-scalar
 * group operations happen in WASM with constant-time code.
 */
import { DecodeError } from './errors';
import { asBytes, bigIntToBytes, bytesToBigInt, expandMessageXmd } from './hash';

/** The group order r (the paper's q). */
export const ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
/** Bytes of an encoded scalar. */
export const SCALAR_BYTES = 32;
/** hash_to_field security parameter: L = ceil((255 + 128) / 8) = 48 bytes per element. */
const L = 48;

export function mod(a: bigint): bigint {
  const x = a % ORDER;
  return x < 0n ? x + ORDER : x;
}

/** Decodes a 32-byte big-endian scalar; throws DecodeError if it is not < r. */
export function fromBytes(bytes: Uint8Array): bigint {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected Uint8Array');
  if (bytes.length !== SCALAR_BYTES) throw new DecodeError('wrong-length', `scalar: expected ${SCALAR_BYTES} bytes, got ${bytes.length}`);
  const x = bytesToBigInt(bytes);
  if (x >= ORDER) throw new DecodeError('scalar-out-of-range', 'scalar: not below the group order');
  return x;
}

/** Encodes a scalar in [0, r) as 32 bytes big-endian. */
export function toBytes(x: bigint): Uint8Array {
  if (typeof x !== 'bigint' || x < 0n || x >= ORDER) throw new RangeError('scalar: expected a bigint in [0, r)');
  return bigIntToBytes(x, SCALAR_BYTES);
}

/** A uniformly random nonzero scalar (48 random bytes reduced mod r: bias < 2^-128). */
export function random(): bigint {
  for (;;) {
    const x = mod(bytesToBigInt(crypto.getRandomValues(new Uint8Array(L))));
    if (x !== 0n) return x;
  }
}

/** RFC 9380 hash_to_field(msg, count) over Fr with expand_message_xmd(SHA-256), L = 48. */
export function hashToField(msg: string | Uint8Array, dst: string | Uint8Array, count = 1): bigint[] {
  const m = asBytes(msg, 'msg');
  const uniform = expandMessageXmd(m, dst, count * L);
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) out.push(mod(bytesToBigInt(uniform.subarray(i * L, (i + 1) * L))));
  return out;
}

export function add(a: bigint, b: bigint): bigint {
  return mod(a + b);
}
export function sub(a: bigint, b: bigint): bigint {
  return mod(a - b);
}
export function mul(a: bigint, b: bigint): bigint {
  return mod(a * b);
}
export function neg(a: bigint): bigint {
  return mod(-a);
}
/** Inverse mod r (variable time: for public values). Throws on 0. */
export function inv(a: bigint): bigint {
  let [r0, r1] = [mod(a), ORDER];
  if (r0 === 0n) throw new RangeError('inverse of zero');
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0);
}
