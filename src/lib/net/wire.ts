/**
 * The wire format (issue 7): every message is one frame
 *
 *     0x4d ('M') | version (1 byte) | type code (1 byte) | body
 *
 * where body is canonical DAG-CBOR (src/lib/codec, re-encoding checked), so a
 * message has exactly one encoding. The three header bytes are read BEFORE
 * anything is decoded: a wrong magic or version, an unknown type code, or a
 * frame longer than its type's limit is dropped without parsing the body.
 *
 * This module owns the type registry (codes and limits) and the drop reasons
 * counted per peer; the bodies are defined by the modules that use them
 * (hello.ts, gossip.ts, sync.ts, blob/).
 */
import { decode, encode, FormatError, type Value } from '../codec';

export const WIRE_MAGIC = 0x4d;
export const WIRE_VERSION = 1;
export const FRAME_HEADER_BYTES = 3;

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Message types: code on the wire and the largest frame accepted (header
 * included). Codes are never reused; a new meaning gets a new code.
 */
export const WIRE_TYPES = {
  /** Signed hello: node key, role, room, chain status (hello.ts). */
  hello: { code: 1, max: 4 * KiB },
  /** Goodbye with a reason (the peer is cutting this link off). */
  bye: { code: 2, max: 1 * KiB },
  /** Chain status update (heads) after the hello. */
  status: { code: 3, max: 1 * KiB },
  /** Before any hello: "which genesis is this room?" (a joiner knows only the room id). */
  'genesis-want': { code: 4, max: 1 * KiB },
  /** The room's genesis block; the asker checks its id against the room id. */
  genesis: { code: 5, max: 1 * MiB },
  /** A signed ledger transaction (gossip). */
  tx: { code: 10, max: 256 * KiB },
  /** A block (gossip). */
  block: { code: 11, max: 2 * MiB },
  /** A finality vote (gossip). */
  vote: { code: 12, max: 1 * KiB },
  /** A finality certificate (gossip). */
  cert: { code: 13, max: 8 * KiB },
  /** Misbehaviour evidence (gossip; may embed a whole invalid block). */
  evidence: { code: 14, max: 2 * MiB },
  /** Consensus's own ancestor fetch (ConsensusMessage get-blocks / blocks). */
  'get-blocks': { code: 15, max: 4 * KiB },
  blocks: { code: 16, max: 4 * MiB },
  /** Sync: headers first (sync.ts). */
  'get-headers': { code: 20, max: 4 * KiB },
  headers: { code: 21, max: 1 * MiB },
  /** Sync: then bodies. */
  'get-bodies': { code: 22, max: 4 * KiB },
  bodies: { code: 23, max: 4 * MiB },
  /** Blob transfer (blob/). */
  'blob-want': { code: 30, max: 1 * KiB },
  'blob-manifest': { code: 31, max: 2 * MiB },
  'blob-get': { code: 32, max: 1 * KiB },
  'blob-chunk': { code: 33, max: 256 * KiB },
  'blob-have': { code: 34, max: 1 * KiB },
  'blob-none': { code: 35, max: 1 * KiB },
  /** Role requests to one peer and their answers (rpc.ts). */
  request: { code: 40, max: 4 * MiB },
  response: { code: 41, max: 4 * MiB }
} as const;

export type WireType = keyof typeof WIRE_TYPES;

const BY_CODE = new Map<number, WireType>(Object.entries(WIRE_TYPES).map(([t, d]) => [d.code, t as WireType]));

/** The largest frame of any type: transports refuse bigger ones before reassembly. */
export const MAX_WIRE_FRAME = Math.max(...Object.values(WIRE_TYPES).map((d) => d.max));

/**
 * Why a frame (or a peer) was dropped; counted per peer and shown in the
 * network panel. A peer whose penalised drops pass a threshold is cut off.
 */
export type DropReason =
  | 'malformed'
  | 'oversized'
  | 'unknown-type'
  | 'wrong-version'
  | 'replay'
  | 'forged'
  | 'invalid'
  | 'rate-limit'
  | 'unsolicited'
  | 'not-member'
  | 'wrong-room'
  | 'bad-chunk'
  | 'no-hello'
  | 'peer-limit';

/** Drops that say nothing bad about the sender (network races, our own limits). */
export const UNPENALISED_DROPS: ReadonlySet<DropReason> = new Set(['peer-limit']);

/** A frame refused before or during decoding, with the reason to count. */
export class WireError extends Error {
  constructor(
    readonly reason: DropReason,
    message: string
  ) {
    super(message);
    this.name = 'WireError';
  }
}

/** One frame of `type` with `body` encoded canonically. Throws RangeError if it would exceed the type's limit. */
export function frame(type: WireType, body: Value): Uint8Array {
  const d = WIRE_TYPES[type];
  const b = encode(body);
  if (b.length + FRAME_HEADER_BYTES > d.max) throw new RangeError(`${type}: ${b.length + FRAME_HEADER_BYTES} bytes, limit ${d.max}`);
  const out = new Uint8Array(b.length + FRAME_HEADER_BYTES);
  out[0] = WIRE_MAGIC;
  out[1] = WIRE_VERSION;
  out[2] = d.code;
  out.set(b, FRAME_HEADER_BYTES);
  return out;
}

/** The frame's type after checking magic, version, code and length; nothing is decoded. Throws WireError. */
export function frameType(f: Uint8Array): WireType {
  if (f.length < FRAME_HEADER_BYTES + 1 || f[0] !== WIRE_MAGIC) throw new WireError('malformed', 'not a MedChain frame');
  if (f[1] !== WIRE_VERSION) throw new WireError('wrong-version', `frame version ${f[1]}, expected ${WIRE_VERSION}`);
  const type = BY_CODE.get(f[2]);
  if (!type) throw new WireError('unknown-type', `unknown message type code ${f[2]}`);
  if (f.length > WIRE_TYPES[type].max) throw new WireError('oversized', `${type}: ${f.length} bytes, limit ${WIRE_TYPES[type].max}`);
  return type;
}

/** The decoded body of a frame already checked by `frameType`. Throws WireError('malformed'). */
export function frameBody(f: Uint8Array, type: WireType): unknown {
  try {
    return decode(f.subarray(FRAME_HEADER_BYTES), WIRE_TYPES[type].max);
  } catch (e) {
    if (e instanceof FormatError) throw new WireError(e.kind === 'oversized' ? 'oversized' : 'malformed', `${type}: ${e.message}`);
    throw e;
  }
}

/**
 * Runs a body reader (codec `expect*` style, throwing FormatError) and turns
 * its failure into WireError('malformed').
 */
export function readBody<T>(type: WireType, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof FormatError) throw new WireError('malformed', `${type}: ${e.message}`);
    throw e;
  }
}
