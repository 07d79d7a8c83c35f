/**
 * Rooms: a room is a consortium (a classroom, a hospital network), named in
 * URLs by a short id derived from its genesis block id, so the URL alone
 * says which chain a peer must be on and a peer that offers a genesis can be
 * checked against it. Transports use the room id to scope discovery
 * (BroadcastChannel names, PeerJS id prefixes); hellos carry the full
 * genesis id and are refused on any mismatch.
 */
import { hex } from '../chain/bytes';

/** Hex characters of the genesis id used as the room id (80 bits). */
export const ROOM_ID_CHARS = 20;

/** The room id of the chain whose genesis block id is `chain`. */
export function roomIdOf(chain: Uint8Array): string {
  return hex(chain).slice(0, ROOM_ID_CHARS);
}

/** True when `room` is a well-formed room id. */
export function isRoomId(room: string): boolean {
  return new RegExp(`^[0-9a-f]{${ROOM_ID_CHARS}}$`).test(room);
}
