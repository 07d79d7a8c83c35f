/**
 * Consensus's view of the ledger encodings. There is one block format (the
 * ledger's, `../encoding.ts`); this module only names what consensus uses:
 *
 * | object | signed bytes | domain tag `t` |
 * | --- | --- | --- |
 * | block header | `headerSigningBytes(h)`: header without `sig` | `medchain/block` |
 * | vote | `voteMessage(chain, block, height, slot)` = `finalityMessage` | `medchain/finality` |
 * | shuffle seed | (hashed, not signed) | `medchain/shuffle` |
 *
 * A block id is SHA-256 of the encoded signed header (`blockId`), cached per
 * header object here (objects are never mutated once made).
 */
import { blockId, finalityMessage, headerSigningBytes, merkleRoot, txId } from '../encoding';
import { bitmapFromIndices, bitmapIndices } from '../certificate';
import type { BlockHeader, FinalityVote, Hash, Transaction } from '../types';

export { headerSigningBytes, bitmapIndices };

export const T_SHUFFLE = 'medchain/shuffle';

export const HASH_BYTES = 32;
export const PK_BYTES = 96;
export const SIG_BYTES = 48;
export const MAX_VALIDATORS = 1024;

const idCache = new WeakMap<BlockHeader, Hash>();
/** Block id: SHA-256 of the encoded signed header (ledger `blockId`), cached per header object. */
export function headerId(h: BlockHeader): Hash {
  let id = idCache.get(h);
  if (!id) {
    id = blockId(h);
    idCache.set(h, id);
  }
  return id;
}
const voteMsgCache = new WeakMap<object, Uint8Array>();
/** voteMessage of a vote's fields, cached per vote object. */
export function voteMessageOf(v: Pick<FinalityVote, 'chain' | 'block' | 'height' | 'slot'>): Uint8Array {
  let m = voteMsgCache.get(v);
  if (!m) {
    m = voteMessage(v.chain, v.block, v.height, v.slot);
    voteMsgCache.set(v, m);
  }
  return m;
}
/** The one message every validator signs for a block (and the certificate's aggregate covers): the ledger's finalityMessage. */
export function voteMessage(chain: Hash, block: Hash, height: number, slot: number): Uint8Array {
  return finalityMessage(chain, block, height, slot);
}
const rootCache = new WeakMap<readonly Transaction[], Hash>();
/** The header's txRoot for a transaction list (ledger merkleRoot of the ids), cached per list object. */
export function txRootOf(txs: readonly Transaction[]): Hash {
  let r = rootCache.get(txs);
  if (!r) {
    r = merkleRoot(txs.map(txId));
    rootCache.set(txs, r);
  }
  return r;
}

/** Bitmap of the given indices among n (LSB first within each byte). */
export function bitmapOf(n: number, set: Iterable<number>): Uint8Array {
  return bitmapFromIndices(n, set);
}
