/**
 * What the network panel shows about one node of a room, shared by the demo
 * rooms of /network (network-room.ts) and the role pages (role-session.ts):
 * peers, transports, traffic, drops, sync, gossip, the head and final block,
 * the tail of the chain and the blobs this node published or fetched.
 */
import { hex } from '$lib/chain';
import type { Entry } from '$lib/chain/consensus';
import type { BlobEvent, BlobProgress } from '$lib/net/blob';
import type { NetStats } from '$lib/net/node';
import type { SyncProgress } from '$lib/net/sync';
import type { RoomPeer } from './room-peer';

export interface ChainTailBlock {
  height: number;
  id: string;
  producer: string;
  txs: number;
  state: 'final' | 'certified' | 'pending';
}

export interface RoomSnapshot {
  room: string;
  /** The demo seat (-1 for a participant with its own keys). */
  seat: number;
  role: string;
  validator: boolean;
  net: NetStats;
  sync: SyncProgress;
  gossip: { received: number; duplicates: number; relayed: number; published: number };
  head: { height: number; id: string };
  final: { height: number; id: string };
  tail: ChainTailBlock[];
  blobs: BlobRow[];
}

/** A blob this seat published or fetched, as the panel shows it. */
export interface BlobRow extends BlobProgress {
  /** Times the transfer continued from chunks stored earlier, and holders lost on the way. */
  resumed: number;
  lost: number;
}

/** The panel's snapshot of `peer` (who it is: `me`). */
export function snapshotOf(peer: RoomPeer, me: { seat: number; role: string; validator: boolean }, blobRows: ReadonlyMap<string, BlobRow>, tailLength = 12): RoomSnapshot {
  const tree = peer.consensus.tree;
  const head = tree.head();
  const tail: ChainTailBlock[] = [];
  for (let e: Entry | null = head; e && e.block && tail.length < tailLength; e = e.parent) {
    tail.push({ height: e.height, id: e.hex, producer: hex(e.block.header.producer), txs: e.block.txs.length, state: e.final ? 'final' : e.certified ? 'certified' : 'pending' });
  }
  return {
    room: peer.room,
    seat: me.seat,
    role: me.role,
    validator: me.validator,
    net: peer.net.stats(),
    sync: peer.sync.progress,
    gossip: { ...peer.gossip.stats },
    head: { height: head.height, id: head.hex },
    final: { height: tree.final.height, id: tree.final.hex },
    tail: tail.reverse(),
    blobs: [...blobRows.values()].map((b) => ({ ...b }))
  };
}

/** Updates the blob rows from one blob service event. */
export function trackBlobEvent(rows: Map<string, BlobRow>, e: BlobEvent): void {
  const row = rows.get(e.id) ?? { id: e.id, state: 'finding', received: 0, total: 0, bytes: 0, size: 0, peers: 0, resumed: 0, lost: 0 };
  if (e.type === 'progress') Object.assign(row, e.progress);
  else if (e.type === 'resumed') row.resumed++;
  else if (e.type === 'holder-lost') row.lost++;
  else if (e.type === 'completed') row.state = 'done';
  else if (e.type === 'failed') row.state = 'failed';
  if (e.type !== 'announced') rows.set(e.id, row);
}
