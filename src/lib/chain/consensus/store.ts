/**
 * Where a node keeps what it learned. The interface is small so that the
 * Dexie/IndexedDB store of src/lib/store can implement it; writes are
 * fire-and-forget from the node's point of view (the in-memory block tree is
 * the working copy, the store is the durable copy).
 */
import { hexOf } from './dpos';
import type { Block, FinalityCertificate, Hash, Hex } from './types';

export interface ConsensusStore {
  putBlock(id: Hash, block: Block): void | Promise<void>;
  putCertificate(cert: FinalityCertificate): void | Promise<void>;
  /** The node's last final block moved to `id` at `height`. */
  putFinal(id: Hash, height: number): void | Promise<void>;
}

export class MemoryConsensusStore implements ConsensusStore {
  readonly blocks = new Map<Hex, Block>();
  readonly certs = new Map<Hex, FinalityCertificate>();
  final: { id: Hash; height: number } | null = null;
  putBlock(id: Hash, block: Block): void {
    this.blocks.set(hexOf(id), block);
  }
  putCertificate(cert: FinalityCertificate): void {
    this.certs.set(hexOf(cert.block), cert);
  }
  putFinal(id: Hash, height: number): void {
    this.final = { id, height };
  }
}
