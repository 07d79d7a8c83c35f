/**
 * What a protocol module (gossip, sync, blob transfer) sees of the network:
 * peers that have completed a signed hello, identified by their node key,
 * each reachable over one or more links (the node picks the best open one),
 * and typed frames to and from them. Modules never touch links or
 * transports; the node (`node.ts`) counts bytes, rate-limits, and cuts off a
 * peer whose penalised drops pass its threshold.
 */
import type { Value } from '../codec';
import type { ChainStatus } from './hello';
import type { DropReason, WireType } from './wire';

/** A peer's id: the hex of its node public key (stable across links and transports). */
export type PeerKey = string;

export interface PeerPort {
  readonly key: PeerKey;
  /** The peer's role from its hello (e.g. 'hospital', 'cloud', 'tpa'). */
  readonly role: string;
  /** Admitted without being a member of the room (NetNodeOptions.allowGuests). */
  readonly guest: boolean;
  /** The peer's chain status from its latest hello or status message. */
  readonly status: ChainStatus;
  /** True while at least one link to the peer is open. */
  readonly open: boolean;
  /** Sends one message; false if no link is open or the frame would exceed its type's limit. */
  send(type: WireType, body: Value): boolean;
  /** Sends an already framed message (wire.ts `frame`); false if no link is open. */
  sendFrame(frame: Uint8Array): boolean;
  /** Bytes queued on the link `send` uses now. */
  readonly bufferedAmount: number;
  /** Resolves once the current link's buffer is at most `threshold`, or the peer has no open link. */
  drained(threshold: number): Promise<void>;
}

/** A handler gets the frame's decoded body (canonical DAG-CBOR checked) and the raw frame (for relaying). */
export type FrameHandler = (body: unknown, from: PeerPort, frame: Uint8Array) => void;

export interface ProtocolHost {
  /** Peers with a completed hello and an open link. */
  peers(): PeerPort[];
  peer(key: PeerKey): PeerPort | undefined;
  /** Registers the handler of a message type (one per type). */
  handle(type: WireType, handler: FrameHandler): void;
  /** Counts a dropped message against a peer (and cuts it off past the threshold, unless the reason is unpenalised). */
  drop(from: PeerPort, reason: DropReason, detail?: string): void;
  /** Called with each peer that completes a hello (`up`) or loses its last link (`down`); returns an unsubscribe function. */
  onPeer(handler: (peer: PeerPort, event: 'up' | 'down') => void): () => void;
}
