/**
 * Byte encodings of the consensus objects (DAG-CBOR through src/lib/codec;
 * never JSON). What is signed:
 *
 * | object | signed bytes | domain tag `t` |
 * | --- | --- | --- |
 * | header | encoding without `sig` | `medchain/cblock` |
 * | vote | `voteMessage(chain, block, height, slot)` | `medchain/finality` |
 * | shuffle seed | (hashed, not signed) | `medchain/shuffle` |
 *
 * A block id is SHA-256 of the encoded signed header (as in ../encoding.ts).
 * Decoders turn untrusted values into typed objects or throw FormatError.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { encode, expectArray, expectBytes, expectMap, expectUint, FormatError, type Value } from '../../codec';
import { CONSENSUS_VERSION, type Block, type Certificate, type Evidence, type Hash, type Header, type Vote } from './types';

export const T_CHEADER = 'medchain/cblock';
export const T_VOTE = 'medchain/finality';
export const T_SHUFFLE = 'medchain/shuffle';

export const HASH_BYTES = 32;
export const PK_BYTES = 96;
export const SIG_BYTES = 48;
export const MAX_PAYLOAD_ITEMS = 4096;
export const MAX_EVIDENCE = 16;
export const MAX_VALIDATORS = 1024;

export function certValue(c: Certificate): Value {
  return { block: c.block, height: c.height, slot: c.slot, signers: c.signers, sig: c.sig };
}
export function voteValue(v: Vote): Value {
  return { chain: v.chain, block: v.block, height: v.height, slot: v.slot, validator: v.validator, sig: v.sig };
}
export function evidenceValue(e: Evidence): Value {
  switch (e.kind) {
    case 'double-block':
      return { kind: e.kind, a: headerValue(e.a, true), b: headerValue(e.b, true) };
    case 'double-vote':
      return { kind: e.kind, a: voteValue(e.a), b: voteValue(e.b) };
    case 'invalid-block':
      return { kind: e.kind, header: headerValue(e.header, true), payload: e.payload };
  }
}
export function headerValue(h: Omit<Header, 'sig'> & { sig?: Uint8Array }, withSig: boolean): Record<string, Value> {
  const v: Record<string, Value> = {
    t: T_CHEADER,
    v: CONSENSUS_VERSION,
    chain: h.chain,
    height: h.height,
    slot: h.slot,
    prev: h.prev,
    payloadRoot: h.payloadRoot,
    parentCert: h.parentCert ? certValue(h.parentCert) : null,
    evidence: h.evidence.map(evidenceValue),
    producer: h.producer
  };
  if (withSig) v.sig = h.sig as Uint8Array;
  return v;
}
export function blockValue(b: Block): Value {
  return { header: headerValue(b.header, true), payload: b.payload };
}

/** The bytes a producer signs. */
export function headerSigningBytes(h: Omit<Header, 'sig'>): Uint8Array {
  return encode(headerValue(h, false));
}
/** Block id: SHA-256 of the encoded signed header. */
const idCache = new WeakMap<Header, Hash>();
export function headerId(h: Header): Hash {
  let id = idCache.get(h);
  if (!id) {
    id = sha256(encode(headerValue(h, true)));
    idCache.set(h, id);
  }
  return id;
}
const voteMsgCache = new WeakMap<Vote, Uint8Array>();
/** voteMessage of a vote's fields, cached per vote object. */
export function voteMessageOf(v: Vote): Uint8Array {
  let m = voteMsgCache.get(v);
  if (!m) {
    m = voteMessage(v.chain, v.block, v.height, v.slot);
    voteMsgCache.set(v, m);
  }
  return m;
}
/** The one message every validator signs for a block (and the certificate's aggregate covers). */
export function voteMessage(chain: Hash, block: Hash, height: number, slot: number): Uint8Array {
  return encode({ t: T_VOTE, v: CONSENSUS_VERSION, chain, block, height, slot });
}
/** Default payload root: SHA-256 of the payload's encoding (an Executor may use a Merkle root). */
export function payloadHash(payload: Value[]): Hash {
  return sha256(encode(payload));
}

// ---------------------------------------------------------------- decoding

export function certFromValue(v: unknown, what = 'certificate'): Certificate {
  const m = expectMap(v, what);
  return {
    block: expectBytes(m.block, `${what}.block`, HASH_BYTES),
    height: expectUint(m.height, `${what}.height`),
    slot: expectUint(m.slot, `${what}.slot`),
    signers: expectBytes(m.signers, `${what}.signers`),
    sig: expectBytes(m.sig, `${what}.sig`, SIG_BYTES)
  };
}
export function voteFromValue(v: unknown, what = 'vote'): Vote {
  const m = expectMap(v, what);
  return {
    chain: expectBytes(m.chain, `${what}.chain`, HASH_BYTES),
    block: expectBytes(m.block, `${what}.block`, HASH_BYTES),
    height: expectUint(m.height, `${what}.height`),
    slot: expectUint(m.slot, `${what}.slot`),
    validator: expectBytes(m.validator, `${what}.validator`, PK_BYTES),
    sig: expectBytes(m.sig, `${what}.sig`, SIG_BYTES)
  };
}
export function evidenceFromValue(v: unknown, what = 'evidence', depth = 0): Evidence {
  const m = expectMap(v, what);
  switch (m.kind) {
    case 'double-block':
      return { kind: 'double-block', a: headerFromValue(m.a, `${what}.a`, depth + 1), b: headerFromValue(m.b, `${what}.b`, depth + 1) };
    case 'double-vote':
      return { kind: 'double-vote', a: voteFromValue(m.a, `${what}.a`), b: voteFromValue(m.b, `${what}.b`) };
    case 'invalid-block':
      return { kind: 'invalid-block', header: headerFromValue(m.header, `${what}.header`, depth + 1), payload: expectArray(m.payload, `${what}.payload`, MAX_PAYLOAD_ITEMS) as Value[] };
    default:
      throw new FormatError('wrong-type', `${what}.kind: unknown ${String(m.kind)}`);
  }
}
export function headerFromValue(v: unknown, what = 'header', depth = 0): Header {
  if (depth > 2) throw new FormatError('out-of-range', `${what}: evidence nested too deep`);
  const m = expectMap(v, what);
  if (m.t !== T_CHEADER) throw new FormatError('wrong-type', `${what}: expected ${T_CHEADER}`);
  if (m.v !== CONSENSUS_VERSION) throw new FormatError('wrong-version', `${what}: version ${String(m.v)}`);
  return {
    v: CONSENSUS_VERSION,
    chain: expectBytes(m.chain, `${what}.chain`, HASH_BYTES),
    height: expectUint(m.height, `${what}.height`),
    slot: expectUint(m.slot, `${what}.slot`),
    prev: expectBytes(m.prev, `${what}.prev`, HASH_BYTES),
    payloadRoot: expectBytes(m.payloadRoot, `${what}.payloadRoot`, HASH_BYTES),
    parentCert: m.parentCert === null ? null : certFromValue(m.parentCert, `${what}.parentCert`),
    evidence: expectArray(m.evidence, `${what}.evidence`, MAX_EVIDENCE).map((e, i) => evidenceFromValue(e, `${what}.evidence[${i}]`, depth)),
    producer: expectBytes(m.producer, `${what}.producer`, PK_BYTES),
    sig: expectBytes(m.sig, `${what}.sig`, SIG_BYTES)
  };
}
export function blockFromValue(v: unknown, what = 'block'): Block {
  const m = expectMap(v, what);
  return { header: headerFromValue(m.header, `${what}.header`), payload: expectArray(m.payload, `${what}.payload`, MAX_PAYLOAD_ITEMS) as Value[] };
}

/** Bitmap helpers (LSB first within each byte). */
export function bitmapOf(n: number, set: Iterable<number>): Uint8Array {
  const b = new Uint8Array(Math.ceil(n / 8));
  for (const i of set) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`bitmap index ${i} not in [0, ${n})`);
    b[i >> 3] |= 1 << (i & 7);
  }
  return b;
}
/** Indices of set bits, or null if the bitmap has the wrong length or a bit past n. */
export function bitmapIndices(bitmap: Uint8Array, n: number): number[] | null {
  if (bitmap.length !== Math.ceil(n / 8)) return null;
  const out: number[] = [];
  for (let i = 0; i < bitmap.length * 8; i++) {
    if (bitmap[i >> 3] & (1 << (i & 7))) {
      if (i >= n) return null;
      out.push(i);
    }
  }
  return out;
}
