/**
 * The signed hello each side sends first on every link, and the status
 * updates that follow it.
 *
 * A hello names the room and its chain (genesis id), the sender's node key
 * (BLS, 96-byte compressed G2), role, transport address and chain status,
 * with a time and a random nonce, signed by the node key over the canonical
 * encoding of everything else under the domain tag `medchain/net/hello`.
 * The receiver checks the room and chain, the signature, that the key is a
 * member (the room's genesis and later registrations decide), that the time
 * is within `HELLO_MAX_SKEW_MS` of its clock and that the nonce is new: an
 * old hello replayed over a new link is refused as 'replay'.
 */
import { encode, expectBytes, expectMap, expectString, expectUint, type Value } from '../codec';
import { equalBytes, hex } from '../chain/bytes';
import { readBody, WireError } from './wire';

export const T_HELLO = 'medchain/net/hello';
export const HELLO_MAX_SKEW_MS = 5 * 60_000;
const NONCE_BYTES = 16;

/** A chain position: height and block id. */
export interface ChainPoint {
  height: number;
  id: Uint8Array;
}

/** Where a node is: its best (head) block and its last final block. */
export interface ChainStatus {
  head: ChainPoint;
  final: ChainPoint;
}

export interface Hello {
  room: string;
  chain: Uint8Array;
  node: Uint8Array;
  role: string;
  /** The transport address of the link the hello was sent on (informational). */
  address: string;
  status: ChainStatus;
  time: number;
  nonce: Uint8Array;
  sig: Uint8Array;
}

/** Signature operations the hello needs (the app passes BLS; tests may pass the same). */
export interface HelloSigner {
  sign(sk: Uint8Array, msg: Uint8Array): Uint8Array;
  verify(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean;
}

function pointValue(p: ChainPoint): Value {
  return { height: p.height, id: p.id };
}
function readPoint(v: unknown, what: string): ChainPoint {
  const m = expectMap(v, what);
  return { height: expectUint(m.height, `${what}.height`), id: expectBytes(m.id, `${what}.id`, 32) };
}
export function statusValue(s: ChainStatus): Value {
  return { head: pointValue(s.head), final: pointValue(s.final) };
}
export function readStatus(v: unknown): ChainStatus {
  const m = expectMap(v, 'status');
  return { head: readPoint(m.head, 'status.head'), final: readPoint(m.final, 'status.final') };
}

function unsignedValue(h: Omit<Hello, 'sig'>): { [k: string]: Value } {
  return { room: h.room, chain: h.chain, node: h.node, role: h.role, address: h.address, status: statusValue(h.status), time: h.time, nonce: h.nonce };
}

/** The bytes a hello's signature covers. */
export function helloSigningBytes(h: Omit<Hello, 'sig'>): Uint8Array {
  return encode({ t: T_HELLO, ...unsignedValue(h) });
}

export function makeHello(fields: Omit<Hello, 'sig' | 'nonce' | 'time'> & { time?: number; nonce?: Uint8Array }, sk: Uint8Array, signer: HelloSigner): Hello {
  const nonce = fields.nonce ?? crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const unsigned = { ...fields, time: fields.time ?? Date.now(), nonce };
  return { ...unsigned, sig: signer.sign(sk, helloSigningBytes(unsigned)) };
}

export function helloValue(h: Hello): Value {
  return { ...unsignedValue(h), sig: h.sig };
}

/** Decodes a hello body (throws WireError('malformed')). */
export function readHello(body: unknown): Hello {
  return readBody('hello', () => {
    const m = expectMap(body, 'hello');
    return {
      room: expectString(m.room, 'hello.room', 128),
      chain: expectBytes(m.chain, 'hello.chain', 32),
      node: expectBytes(m.node, 'hello.node', 96),
      role: expectString(m.role, 'hello.role', 32),
      address: expectString(m.address, 'hello.address', 128),
      status: readStatus(m.status),
      time: expectUint(m.time, 'hello.time'),
      nonce: expectBytes(m.nonce, 'hello.nonce', NONCE_BYTES),
      sig: expectBytes(m.sig, 'hello.sig', 48)
    };
  });
}

export interface HelloContext {
  room: string;
  chain: Uint8Array;
  now: number;
  isMember(node: Uint8Array): boolean;
  /** Nonces already accepted (the caller keeps a bounded set). */
  seenNonce(nonceHex: string): boolean;
  signer: HelloSigner;
}

/** Checks a decoded hello; throws WireError with the drop reason. */
export function checkHello(h: Hello, ctx: HelloContext): void {
  if (h.room !== ctx.room || !equalBytes(h.chain, ctx.chain)) throw new WireError('wrong-room', `hello for room ${h.room}, this is ${ctx.room}`);
  if (Math.abs(h.time - ctx.now) > HELLO_MAX_SKEW_MS) throw new WireError('replay', `hello time ${new Date(h.time).toISOString()} is too far from now`);
  if (!ctx.signer.verify(h.node, helloSigningBytes(h), h.sig)) throw new WireError('forged', 'hello signature does not verify');
  if (!ctx.isMember(h.node)) throw new WireError('not-member', 'hello from a key that is not a member of this room');
  if (ctx.seenNonce(hex(h.nonce))) throw new WireError('replay', 'hello nonce already used');
}
