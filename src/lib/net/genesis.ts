/**
 * Joining a room from its id alone: a newcomer's URL names the room (the
 * first 80 bits of the genesis id), not the genesis itself. Before any hello
 * it asks every peer it links to for the genesis (`genesis-want`), and takes
 * the first answer whose block id starts with the room id and that is a
 * valid genesis block (the PKG's signature and the member records checked by
 * the ledger's `genesisState`). Every node that knows the genesis answers
 * (NetNode does so before the hello), so one peer online is enough.
 */
import { blockFromValue, blockValue, genesisState, type Block } from '../chain';
import { headerId } from '../chain/consensus/encoding';
import { expectMap, expectString } from '../codec';
import { roomIdOf } from './room';
import type { Link, Transport } from './transport';
import { frame, frameBody, frameType, readBody } from './wire';

export class GenesisError extends Error {
  constructor(
    readonly kind: 'timeout' | 'aborted',
    message: string
  ) {
    super(message);
    this.name = 'GenesisError';
  }
}

/** The frame a node answers a genesis-want with (null when the room is not this genesis's). */
export function genesisAnswer(body: unknown, genesis: Block): Uint8Array | null {
  const room = readBody('genesis-want', () => expectString(expectMap(body, 'genesis-want').room, 'room', 64));
  return room === roomIdOf(headerId(genesis.header)) ? frame('genesis', { block: blockValue(genesis) }) : null;
}

/** Checks a `genesis` frame's body against the room id; the block, or null when it is not that room's valid genesis. */
export function acceptGenesis(body: unknown, room: string): Block | null {
  try {
    const block = blockFromValue(expectMap(body, 'genesis').block);
    if (block.header.height !== 0 || roomIdOf(headerId(block.header)) !== room) return null;
    return genesisState(block).ok ? block : null;
  } catch {
    return null;
  }
}

/**
 * Finds the genesis of `room` through `transports` (started here, stopped
 * before returning). Rejects with GenesisError after `timeoutMs` or on abort.
 */
export function fetchGenesis(room: string, transports: Transport[], opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Block> {
  return new Promise<Block>((resolve, reject) => {
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const t of transports) t.stop();
      f();
    };
    const timer = setTimeout(() => finish(() => reject(new GenesisError('timeout', `no peer of room ${room} answered`))), opts.timeoutMs ?? 30_000);
    opts.signal?.addEventListener('abort', () => finish(() => reject(new GenesisError('aborted', 'aborted'))));
    const ask = frame('genesis-want', { room });
    const onLink = (l: Link) => {
      l.onFrame = (f) => {
        try {
          if (frameType(f) !== 'genesis') return;
          const block = acceptGenesis(frameBody(f, 'genesis'), room);
          if (block) finish(() => resolve(block));
        } catch {
          /* not for us: ignore and keep asking others */
        }
      };
      try {
        l.send(ask);
      } catch {
        /* closed meanwhile */
      }
    };
    for (const t of transports) t.onLink = onLink;
    Promise.all(transports.map((t) => t.start())).catch((e: unknown) => finish(() => reject(e)));
  });
}
