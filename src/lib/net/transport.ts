/**
 * The one interface every transport implements (issue 7): BroadcastChannel
 * between tabs of one browser, PeerJS/WebRTC between browsers, and an
 * in-memory hub for tests and benchmarks.
 *
 * A transport joins a room, finds the room's other endpoints by itself
 * (announcements on a BroadcastChannel, the PeerServer's peer list) and
 * reports each open link once through `onLink`. A link carries whole frames
 * (bytes) both ways, in order and reliably while it is open; transports that
 * must split frames (WebRTC's message size limit) reassemble them and never
 * deliver a frame larger than `maxFrameBytes` (they report `onDrop` instead).
 *
 * Links know nothing of peers, keys or message types: the node layer
 * (`node.ts`) binds a link to a peer after its signed hello, and counts,
 * rate-limits and cuts off peers.
 */

export type TransportKind = 'broadcast' | 'webrtc' | 'memory';

/** Why a link dropped bytes before any frame reached the node. */
export type LinkDropReason = 'oversized' | 'malformed';

export interface Link {
  readonly kind: TransportKind;
  /** The remote endpoint's transport address (BroadcastChannel endpoint id, PeerJS id). */
  readonly remote: string;
  /** False once closed by either side; `send` then throws LinkClosedError. */
  readonly open: boolean;
  /** Bytes accepted by `send` and not yet handed to the network (0 for transports without a buffer). */
  readonly bufferedAmount: number;
  /** Sends one frame (copied or transferred; the caller may reuse its buffer only if the transport copies). */
  send(frame: Uint8Array): void;
  /** Resolves once `bufferedAmount <= threshold`, or the link closes. */
  drained(threshold: number): Promise<void>;
  close(): void;
  /** A whole frame from the remote end. */
  onFrame: ((frame: Uint8Array) => void) | null;
  /** Bytes the transport refused before framing (counted by the node against the peer). */
  onDrop: ((reason: LinkDropReason, bytes: number) => void) | null;
  /** Called once when the link closes (`reason` is for people and logs). */
  onClose: ((reason: string) => void) | null;
}

export interface Transport {
  readonly kind: TransportKind;
  /** This endpoint's address on the transport (after `start`). */
  readonly address: string;
  /** Joins the room: starts discovery and accepts links. */
  start(): Promise<void>;
  /** Leaves the room and closes every link. */
  stop(): void;
  /** Dials an address explicitly (discovery normally does this). */
  connect(address: string): void;
  /** Each link once it is open, inbound or outbound. */
  onLink: ((link: Link) => void) | null;
}

export class LinkClosedError extends Error {
  constructor(remote: string) {
    super(`link to ${remote} is closed`);
    this.name = 'LinkClosedError';
  }
}

/** Default largest frame any transport delivers (a `blocks`/`bodies` batch fits; see wire.ts). */
export const MAX_FRAME_BYTES = 4 << 20;
