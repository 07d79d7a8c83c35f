/**
 * A role page in a room (`/<role>?room=<id>`): find the room's genesis, then
 * run this participant's node (RoomPeer) with the keys of the identity the
 * person unlocked, and tell the page what the network panel and the member
 * status show. No Svelte here; the component is $lib/ui/RoleShell.svelte.
 *
 * | step | what runs |
 * | --- | --- |
 * | findGenesis | the rooms store (`medchain-rooms`), else `fetchGenesis` over BroadcastChannel + WebRTC (checked against the room id and by `genesisState`), then stored |
 * | RoleSession.start | RoomPeer with the identity's BLS signing keys, its final chain in `medchain-room-<room>-<key16>` and blobs in `medchain-blobs-room-<room>-<key16>`; `restore()` (replays and re-validates the stored final chain), `start()`, `watchConnectivity()` |
 * | status | member or guest (final ledger state), validator of the current round or not, the room's PKG or not |
 *
 * Each identity keeps its own chain store per room, so two identities in one
 * browser never share a database. The signing key is copied into the node
 * and wiped when the session stops; the page stops the session when the
 * identity is locked.
 */
import { blockId, hex, type Block } from '$lib/chain';
import { roundOf } from '$lib/chain/consensus';
import { BroadcastTransport } from '$lib/net/broadcast';
import { fetchGenesis } from '$lib/net/genesis';
import { isRoomId, roomIdOf } from '$lib/net/room';
import type { SyncProgress } from '$lib/net/sync';
import type { Transport } from '$lib/net/transport';
import { WebRtcTransport } from '$lib/net/webrtc';
import { DexieBlobStore, DexieChainStore } from '$lib/store';
import { defaultRooms, type RoomsStore } from '$lib/store/rooms';
import type { UnlockedIdentity } from './identity-session';
import { ledgerRoleOf } from './member-card';
import { RoomPeer } from './room-peer';
import { snapshotOf, trackBlobEvent, type BlobRow, type RoomSnapshot } from './room-snapshot';

/** How long `findGenesis` looks for a peer by default. */
export const GENESIS_TIMEOUT_MS = 30_000;

export type RoomErrorKind = 'bad-room' | 'no-peers';

/** The room cannot be opened; `kind` says why. */
export class RoomError extends Error {
  constructor(
    readonly kind: RoomErrorKind,
    message: string,
    options?: ErrorOptions
  ) {
    super(message, options);
    this.name = 'RoomError';
  }
}

/** BroadcastChannel (tabs of this browser) and WebRTC (other machines), as the room's node uses them. */
export function roomTransports(room: string): Transport[] {
  return [new BroadcastTransport({ room }), new WebRtcTransport({ room })];
}

/** A transport whose failure to start is reported, not thrown (no PeerServer must not hide the tabs). */
function tolerant(t: Transport, onError: (e: unknown) => void): Transport {
  return {
    get kind() {
      return t.kind;
    },
    get address() {
      return t.address;
    },
    start: () => t.start().catch(onError),
    stop: () => t.stop(),
    connect: (a) => t.connect(a),
    get onLink() {
      return t.onLink;
    },
    set onLink(f) {
      t.onLink = f;
    }
  };
}

export interface FindGenesisOptions {
  rooms?: RoomsStore;
  transports?: (room: string) => Transport[];
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The genesis of `room`: from this browser's rooms store, else from any peer
 * of the room (then stored). Throws RoomError `bad-room` for a malformed id,
 * `no-peers` when nobody answered within the timeout; GenesisError
 * `aborted` on abort. Call `await ready()` from $lib/crypto first.
 */
export async function findGenesis(room: string, opts: FindGenesisOptions = {}): Promise<{ genesis: Block; source: 'stored' | 'peers' }> {
  if (!isRoomId(room)) throw new RoomError('bad-room', `"${room}" is not a room id (20 hex digits)`);
  const rooms = opts.rooms ?? defaultRooms();
  const stored = await rooms.get(room);
  if (stored) {
    await rooms.touch(room);
    return { genesis: stored.genesis, source: 'stored' };
  }
  const transports = (opts.transports ?? roomTransports)(room).map((t) => tolerant(t, () => {}));
  let genesis: Block;
  try {
    genesis = await fetchGenesis(room, transports, { timeoutMs: opts.timeoutMs ?? GENESIS_TIMEOUT_MS, signal: opts.signal });
  } catch (e) {
    if (e instanceof Error && e.name === 'GenesisError' && (e as { kind?: string }).kind === 'timeout') throw new RoomError('no-peers', e.message, { cause: e });
    throw e;
  }
  await rooms.put(genesis);
  return { genesis, source: 'peers' };
}

/** What the page shows about this participant in the room. */
export interface MemberStatus {
  /** Listed in the final ledger state (genesis or a final registration). */
  member: boolean;
  /** The role the ledger lists it under (null for a guest). */
  ledgerRole: string | null;
  /** In the validator set of the current round. */
  validator: boolean;
  /** This participant is the room's PKG. */
  pkg: boolean;
}

export interface RoleSessionOptions {
  genesis: Block;
  identity: UnlockedIdentity;
  transports?: (room: string) => Transport[];
  onSync?: (p: SyncProgress) => void;
}

export class RoleSession {
  readonly peer: RoomPeer;
  readonly blobRows = new Map<string, BlobRow>();
  private readonly key: string;
  private readonly sk: Uint8Array;
  private stopped = false;
  /** The last transport that failed to start, and why (the others carry on). */
  transportError: string | null = null;

  private constructor(
    readonly genesis: Block,
    readonly identity: UnlockedIdentity,
    o: RoleSessionOptions
  ) {
    const signing = identity.keys.participant.signing;
    this.sk = Uint8Array.from(signing.sk);
    this.key = hex(signing.pk);
    const role = ledgerRoleOf(identity.role) ?? 'patient';
    // One chain store and one blob store per room and identity.
    const tag = `${roomIdOf(blockId(genesis))}-${this.key.slice(0, 16)}`;
    this.peer = new RoomPeer({
      genesis,
      keys: { sk: this.sk, pk: Uint8Array.from(signing.pk) },
      role,
      // A transport that cannot start (no PeerServer) must not keep the node out of the tabs' room.
      transports: (r) => (o.transports ?? roomTransports)(r).map((t) => tolerant(t, (e) => (this.transportError = e instanceof Error ? e.message : String(e)))),
      store: new DexieChainStore(`medchain-room-${tag}`),
      blobStore: new DexieBlobStore(`room-${tag}`),
      onBlobEvent: (e) => trackBlobEvent(this.blobRows, e),
      onSync: o.onSync
    });
  }

  /**
   * Makes the node, replays the stored final chain, joins the room and
   * follows the browser's online/offline events. `onRestore` reports replay
   * progress. Throws if the stored chain does not validate.
   */
  static async start(o: RoleSessionOptions, onRestore?: (height: number, of: number) => void): Promise<RoleSession> {
    const s = new RoleSession(o.genesis, o.identity, o);
    try {
      await s.peer.restore(onRestore);
      if (s.stopped) return s;
      await s.peer.start();
      if (typeof window !== 'undefined') s.peer.watchConnectivity();
    } catch (e) {
      s.stop();
      throw e;
    }
    return s;
  }

  get room(): string {
    return this.peer.room;
  }

  /** Member or guest, validator or not, PKG or not. */
  status(): MemberStatus {
    const state = this.peer.finalState() ?? this.peer.executor.genesisState;
    const m = state.members.get(this.key);
    return { member: !!m, ledgerRole: m?.role ?? null, validator: this.isValidator(), pkg: hex(state.pkg) === this.key };
  }

  /** In the validator set of the round of the next slot (on the current head). */
  private isValidator(): boolean {
    const node = this.peer.consensus;
    const tree = node.tree;
    try {
      const head = tree.head();
      const slot = Math.max(head.slot + 1, node.currentSlot(), 1);
      return tree.schedule(head, roundOf(slot, tree.config.roundSlots)).validators.some((v) => hex(v.key) === this.key);
    } catch {
      return false;
    }
  }

  snapshot(tailLength = 12): RoomSnapshot {
    const st = this.status();
    return snapshotOf(this.peer, { seat: -1, role: st.ledgerRole ?? ledgerRoleOf(this.identity.role) ?? 'patient', validator: st.validator }, this.blobRows, tailLength);
  }

  /** Leaves the room and wipes this node's copy of the signing key. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    try {
      this.peer.stop();
    } finally {
      this.sk.fill(0);
    }
  }
}
