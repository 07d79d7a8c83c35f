/** What a block adds to the indexes every store keeps (shared by both stores). */
import { blockId, hex, txId, type Block, type ChainState, type FinalityCertificate, type PatientChainName, type PublicKey } from '$lib/chain';

export interface IndexedEntry {
  pid: string;
  chain: PatientChainName;
  txId: Uint8Array;
  block: Uint8Array;
  height: number;
  index: number;
}

export interface BlockIndexes {
  id: Uint8Array;
  entries: IndexedEntry[];
  certs: FinalityCertificate[];
  handoff: boolean;
  txIds: Uint8Array[];
  validatorSets: [string, readonly PublicKey[]][];
}

export function indexesOf(block: Block, state: ChainState): BlockIndexes {
  const id = blockId(block);
  const entries: IndexedEntry[] = [];
  const txIds = block.txs.map(txId);
  block.txs.forEach((tx, index) => {
    const b = tx.body;
    const chain: PatientChainName | null = b.type === 'emr' ? 'emr' : b.type === 'access-record' || b.type === 'delivery' ? 'access' : null;
    if (chain && 'pid' in b) entries.push({ pid: hex(b.pid), chain, txId: txIds[index], block: id, height: block.header.height, index });
  });
  const h = block.header;
  const handoff = h.height > 0 && hex(h.validators) !== hex(h.nextValidators);
  return { id, entries, certs: block.certs, handoff, txIds, validatorSets: [...state.validatorSets.entries()] };
}

export function checkExtends(head: { height: number; id: Uint8Array } | undefined, block: Block, state: ChainState): void {
  const h = block.header;
  const id = blockId(block);
  if (hex(state.head) !== hex(id) || state.height !== h.height) throw new RangeError('state: not the state after this block');
  if (head === undefined) {
    if (h.height !== 0) throw new RangeError(`block: height ${h.height} on an empty store`);
    return;
  }
  if (h.height !== head.height + 1 || hex(h.prev) !== hex(head.id)) throw new RangeError(`block: height ${h.height} does not extend the head ${head.height}`);
}
