/**
 * One deterministic byte encoding for every object that is signed, hashed or
 * crosses a trust boundary: DAG-CBOR (sorted map keys, minimal integers, no
 * floats or undefined). Never JSON.stringify.
 *
 * Decoding is defensive: the size limit is checked before parsing, and the
 * `expect*` readers turn a decoded value into a typed shape or throw a
 * FormatError whose `kind` says what is wrong.
 */
import * as dagCbor from '@ipld/dag-cbor';

export type FormatErrorKind = 'oversized' | 'malformed' | 'wrong-type' | 'wrong-version' | 'missing-field' | 'bad-length' | 'out-of-range';

/** Bytes from outside that do not form a valid object of the expected shape. */
export class FormatError extends Error {
  readonly kind: FormatErrorKind;
  constructor(kind: FormatErrorKind, message: string) {
    super(message);
    this.name = 'FormatError';
    this.kind = kind;
  }
}

/** CBOR data model values we encode. */
export type Value = null | boolean | number | bigint | string | Uint8Array | Value[] | { [k: string]: Value };

/** Canonical DAG-CBOR bytes of `value`. Integers above 2^53 must be bigints. */
export function encode(value: Value): Uint8Array {
  return dagCbor.encode(value);
}

/** Decodes DAG-CBOR after checking the size limit; throws FormatError. */
export function decode(bytes: Uint8Array, maxBytes: number): unknown {
  if (!(bytes instanceof Uint8Array)) throw new FormatError('wrong-type', 'expected bytes');
  if (bytes.length > maxBytes) throw new FormatError('oversized', `${bytes.length} bytes, limit ${maxBytes}`);
  let value: unknown;
  try {
    value = dagCbor.decode(bytes);
  } catch (e) {
    throw new FormatError('malformed', `not DAG-CBOR: ${e instanceof Error ? e.message : String(e)}`);
  }
  // The decoder accepts unsorted map keys; one object must have one encoding
  // (signatures and hashes are over bytes), so re-encode and compare.
  const again = dagCbor.encode(value);
  if (!sameBytes(again, bytes)) {
    throw new FormatError('malformed', 'not in canonical DAG-CBOR form');
  }
  return value;
}

// A plain loop: \`Array.prototype.some\` with a callback costs ~7x more per
// byte, which showed up as 30% of a blob transfer's main-thread time.
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function expectMap(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) throw new FormatError('wrong-type', `${what}: expected a map`);
  return v as Record<string, unknown>;
}

export function expectBytes(v: unknown, what: string, length?: number): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new FormatError(v === undefined ? 'missing-field' : 'wrong-type', `${what}: expected bytes`);
  if (length !== undefined && v.length !== length) throw new FormatError('bad-length', `${what}: expected ${length} bytes, got ${v.length}`);
  return v;
}

export function expectString(v: unknown, what: string, maxLength = 4096): string {
  if (typeof v !== 'string') throw new FormatError(v === undefined ? 'missing-field' : 'wrong-type', `${what}: expected a string`);
  if (v.length > maxLength) throw new FormatError('out-of-range', `${what}: longer than ${maxLength}`);
  return v;
}

/** A non-negative safe integer (DAG-CBOR decodes small integers as numbers). */
export function expectUint(v: unknown, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v === 'bigint' && v >= 0n && v <= BigInt(max)) return Number(v);
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new FormatError(v === undefined ? 'missing-field' : 'wrong-type', `${what}: expected an unsigned integer`);
  if (v < 0 || v > max) throw new FormatError('out-of-range', `${what}: ${v} not in [0, ${max}]`);
  return v;
}

export function expectArray(v: unknown, what: string, maxItems: number): unknown[] {
  if (!Array.isArray(v)) throw new FormatError(v === undefined ? 'missing-field' : 'wrong-type', `${what}: expected an array`);
  if (v.length > maxItems) throw new FormatError('out-of-range', `${what}: more than ${maxItems} items`);
  return v;
}

/** Checks a `{ t: type, v: version }` header. */
export function expectHeader(m: Record<string, unknown>, type: string, version: number): void {
  if (m.t !== type) throw new FormatError('wrong-type', `expected a ${type}, got ${String(m.t)}`);
  if (m.v !== version) throw new FormatError('wrong-version', `${type}: version ${String(m.v)}, expected ${version}`);
}
