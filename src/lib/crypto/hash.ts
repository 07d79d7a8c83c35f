/**
 * RFC 9380 building blocks that run in JS: expand_message_xmd with SHA-256
 * (§5.3.1) and hash_to_field into Fr (§5.2, L = 48). The uniform bytes for
 * hash_to_curve are produced here and mapped to the curve in WASM.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

const B_IN_BYTES = 32; // SHA-256 output
const R_IN_BYTES = 64; // SHA-256 block

/** Bytes of a DST or message given as a string (UTF-8) or bytes. */
export function asBytes(x: string | Uint8Array, name: string): Uint8Array {
  if (typeof x === 'string') return utf8ToBytes(x);
  if (x instanceof Uint8Array) return x;
  throw new TypeError(`${name}: expected string or Uint8Array`);
}

/** expand_message_xmd(msg, DST, lenInBytes) with SHA-256 (RFC 9380 §5.3.1, §5.3.3 for long DSTs). */
export function expandMessageXmd(msg: Uint8Array, dst: string | Uint8Array, lenInBytes: number): Uint8Array {
  let dstBytes = asBytes(dst, 'dst');
  if (dstBytes.length > 255) dstBytes = sha256(concat(utf8ToBytes('H2C-OVERSIZE-DST-'), dstBytes));
  if (!Number.isInteger(lenInBytes) || lenInBytes < 0 || lenInBytes > 65535) throw new RangeError('lenInBytes: 0..65535');
  const ell = Math.ceil(lenInBytes / B_IN_BYTES);
  if (ell > 255) throw new RangeError('lenInBytes: too large for expand_message_xmd');
  const dstPrime = concat(dstBytes, Uint8Array.of(dstBytes.length));
  const lib = Uint8Array.of(lenInBytes >> 8, lenInBytes & 0xff);
  const b0 = sha256(concat(new Uint8Array(R_IN_BYTES), msg, lib, Uint8Array.of(0), dstPrime));
  const out = new Uint8Array(ell * B_IN_BYTES);
  let prev = sha256(concat(b0, Uint8Array.of(1), dstPrime));
  out.set(prev, 0);
  for (let i = 2; i <= ell; i++) {
    const x = new Uint8Array(B_IN_BYTES);
    for (let j = 0; j < B_IN_BYTES; j++) x[j] = b0[j] ^ prev[j];
    prev = sha256(concat(x, Uint8Array.of(i), dstPrime));
    out.set(prev, (i - 1) * B_IN_BYTES);
  }
  return out.subarray(0, lenInBytes);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesToBigInt(b: Uint8Array): bigint {
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return x;
}

export function bigIntToBytes(x: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  if (x !== 0n) throw new RangeError(`value does not fit in ${len} bytes`);
  return out;
}
