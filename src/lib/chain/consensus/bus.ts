/**
 * The message bus consensus talks through, and its messages.
 *
 * The bus is an interface (publish to everyone, send to one peer, subscribe)
 * so that the same ConsensusNode runs over BroadcastChannel/WebRTC in a tab
 * (src/lib/net adapts its transports to it), over `InMemoryHub` in tests and
 * over the simulator's network. Messages are a discriminated union with a
 * protocol version; `encodeMessage`/`decodeMessage` give their DAG-CBOR bytes
 * for transports that carry bytes (decoding validates every field).
 */
import { decode, encode, expectArray, expectBytes, expectMap, FormatError, type Value } from '../../codec';
import { blockFromValue, blockValue, certFromValue, certValue, evidenceFromValue, evidenceValue, voteFromValue, voteValue } from '../encoding';
import type { Block, Evidence, FinalityCertificate, FinalityVote, Hash } from './types';

export const PROTOCOL_VERSION = 1;
export const MAX_MESSAGE_BYTES = 8 << 20;
export const MAX_SYNC_ITEMS = 64;

export type ConsensusMessage =
  | { t: 'block'; v: 1; block: Block }
  | { t: 'vote'; v: 1; vote: FinalityVote }
  | { t: 'cert'; v: 1; cert: FinalityCertificate }
  | { t: 'evidence'; v: 1; evidence: Evidence }
  /** Asks peers for blocks by id (and their ancestors, up to `depth`). */
  | { t: 'get-blocks'; v: 1; ids: Hash[]; depth: number }
  | { t: 'blocks'; v: 1; blocks: Block[] };

export type MessageType = ConsensusMessage['t'];
export type MessageOf<T extends MessageType> = Extract<ConsensusMessage, { t: T }>;

export function isMessage<T extends MessageType>(m: ConsensusMessage, t: T): m is MessageOf<T> {
  return m.t === t;
}

/** A peer's id on the bus (opaque string). */
export type PeerId = string;

export type Handler = (msg: ConsensusMessage, from: PeerId) => void;

export interface MessageBus {
  /** This endpoint's peer id. */
  readonly id: PeerId;
  /** To every other peer. Delivery is best effort (may be lost, delayed, reordered). */
  publish(msg: ConsensusMessage): void;
  /** To one peer, best effort. */
  send(to: PeerId, msg: ConsensusMessage): void;
  /** Returns an unsubscribe function. */
  subscribe(handler: Handler): () => void;
}

/** The body of a message (its fields besides `t` and `v`) as a CBOR value. */
export function messageBody(m: ConsensusMessage): Record<string, Value> {
  switch (m.t) {
    case 'block':
      return { block: blockValue(m.block) };
    case 'vote':
      return { vote: voteValue(m.vote) };
    case 'cert':
      return { cert: certValue(m.cert) };
    case 'evidence':
      return { evidence: evidenceValue(m.evidence) };
    case 'get-blocks':
      return { ids: m.ids, depth: m.depth };
    case 'blocks':
      return { blocks: m.blocks.map(blockValue) };
  }
}

/** A message of type `t` from its decoded body; throws FormatError. */
export function messageFromBody(t: MessageType, body: unknown): ConsensusMessage {
  const m = expectMap(body, t);
  switch (t) {
    case 'block':
      return { t, v: 1, block: blockFromValue(m.block) };
    case 'vote':
      return { t, v: 1, vote: voteFromValue(m.vote) };
    case 'cert':
      return { t, v: 1, cert: certFromValue(m.cert) };
    case 'evidence':
      return { t, v: 1, evidence: evidenceFromValue(m.evidence) };
    case 'get-blocks': {
      const depth = m.depth;
      if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 1 || depth > MAX_SYNC_ITEMS) throw new FormatError('out-of-range', 'get-blocks.depth');
      return { t, v: 1, ids: expectArray(m.ids, 'get-blocks.ids', MAX_SYNC_ITEMS).map((x, i) => expectBytes(x, `get-blocks.ids[${i}]`, 32)), depth };
    }
    case 'blocks':
      return { t, v: 1, blocks: expectArray(m.blocks, 'blocks.blocks', MAX_SYNC_ITEMS).map((b) => blockFromValue(b)) };
    default:
      throw new FormatError('wrong-type', `unknown message type ${String(t)}`);
  }
}

const MESSAGE_TYPES: ReadonlySet<string> = new Set<MessageType>(['block', 'vote', 'cert', 'evidence', 'get-blocks', 'blocks']);

/** Encoded bytes of a message (for byte transports). */
export function encodeMessage(m: ConsensusMessage): Uint8Array {
  return encode({ t: `medchain/consensus/${m.t}`, v: PROTOCOL_VERSION, ...messageBody(m) });
}

/** Decodes and validates a message; throws FormatError. */
export function decodeMessage(bytes: Uint8Array): ConsensusMessage {
  const m = expectMap(decode(bytes, MAX_MESSAGE_BYTES), 'message');
  if (m.v !== PROTOCOL_VERSION) throw new FormatError('wrong-version', `message version ${String(m.v)}, expected ${PROTOCOL_VERSION}`);
  const t = typeof m.t === 'string' && m.t.startsWith('medchain/consensus/') ? m.t.slice('medchain/consensus/'.length) : '';
  if (!MESSAGE_TYPES.has(t)) throw new FormatError('wrong-type', `unknown message type ${String(m.t)}`);
  const { t: _t, v: _v, ...body } = m;
  return messageFromBody(t as MessageType, body);
}

/**
 * In-process bus: every endpoint of one hub hears every other endpoint's
 * publications, delivered asynchronously (microtask) in order. With
 * `bytes: true` every message goes through encodeMessage/decodeMessage, as it
 * would between tabs.
 */
export class InMemoryHub {
  private readonly endpoints = new Map<PeerId, Set<Handler>>();
  constructor(private readonly opts: { bytes?: boolean; schedule?: (f: () => void) => void } = {}) {}

  endpoint(id: PeerId): MessageBus {
    if (this.endpoints.has(id)) throw new RangeError(`id: ${id} already on this hub`);
    const handlers = new Set<Handler>();
    this.endpoints.set(id, handlers);
    return {
      id,
      publish: (msg) => {
        for (const peer of this.endpoints.keys()) if (peer !== id) this.deliver(peer, msg, id);
      },
      send: (to, msg) => this.deliver(to, msg, id),
      subscribe: (h) => {
        handlers.add(h);
        return () => handlers.delete(h);
      }
    };
  }

  private deliver(to: PeerId, msg: ConsensusMessage, from: PeerId): void {
    const hs = this.endpoints.get(to);
    if (!hs) return;
    const payload = this.opts.bytes ? encodeMessage(msg) : null;
    const run = () => {
      const m = payload ? decodeMessage(payload) : msg;
      for (const h of hs) h(m, from);
    };
    (this.opts.schedule ?? queueMicrotask)(run);
  }
}
