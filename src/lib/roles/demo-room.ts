/**
 * Demo rooms: a consortium made deterministically from a seed, for the
 * network diagnostics page, the classroom and the tests. Everyone who opens
 * the same demo URL (seed, validators, observers, genesis time, slot length)
 * computes the same genesis and thus the same room id, and takes a SEAT:
 * seats 0..V-1 are tier-3A hospitals (the validators), the others are
 * observers (TPA role) that follow the chain.
 *
 * NOT FOR REAL RECORDS: every seat's secret key is derived from the seed in
 * the URL, so anyone with the URL can act as any seat. Real rooms get their
 * genesis from a PKG and keys from each participant's key store.
 */
import { makeGenesis, makeMember, type Block } from '$lib/chain';
import { bls } from '$lib/crypto';
import { headerId, voteMessage, type ConsensusNode } from '$lib/chain/consensus';
import { roomIdOf } from '$lib/net/room';

export interface DemoRoomParams {
  seed: string;
  validators: number;
  observers: number;
  /** ms since the epoch of slot 0 (everyone must use the same value). */
  genesisTime: number;
  slotMs: number;
  roundSlots?: number;
}

export interface DemoSeat {
  index: number;
  role: 'hospital' | 'tpa';
  name: string;
  keys: { sk: Uint8Array; pk: Uint8Array };
  validator: boolean;
}

export interface DemoRoom {
  params: DemoRoomParams;
  genesis: Block;
  room: string;
  seats: DemoSeat[];
}

export const MAX_DEMO_SEATS = 64;

function demoKey(seed: string, who: string): { sk: Uint8Array; pk: Uint8Array } {
  const sk = bls.keygen(new TextEncoder().encode(`medchain demo room | ${seed} | ${who} | not a real key`));
  return { sk, pk: bls.publicKey(sk) };
}

/** The demo consortium of `p` (call `await ready()` from $lib/crypto first). */
export function demoRoom(p: DemoRoomParams): DemoRoom {
  const n = p.validators + p.observers;
  if (p.validators < 1 || p.observers < 0 || n > MAX_DEMO_SEATS) throw new RangeError(`demo room: 1..${MAX_DEMO_SEATS} seats with at least one validator`);
  const pkg = demoKey(p.seed, 'pkg');
  const seats: DemoSeat[] = [];
  for (let i = 0; i < n; i++) {
    const validator = i < p.validators;
    seats.push({ index: i, role: validator ? 'hospital' : 'tpa', name: validator ? `Hospital ${i + 1}` : `Observer ${i + 1 - p.validators}`, keys: demoKey(p.seed, `seat ${i}`), validator });
  }
  const enc = (i: number) => new Uint8Array(48).fill(i + 1);
  const genesis = makeGenesis(pkg.sk, {
    name: `demo room ${p.seed}`,
    params: { validators: p.validators, slotMs: p.slotMs, genesisTime: p.genesisTime, initialCredit: 100, creditThreshold: 50, roundSlots: p.roundSlots ?? 8 },
    members: [
      makeMember(pkg.sk, { role: 'pkg', enc: enc(0), name: 'PKG (demo)' }),
      ...seats.map((s) =>
        s.validator ? makeMember(s.keys.sk, { role: 'hospital', enc: enc(s.index + 1), name: s.name, rating: 900, tier: '3A' }) : makeMember(s.keys.sk, { role: 'tpa', enc: enc(s.index + 1), name: s.name })
      )
    ]
  });
  // The chain id (and so the room) is the genesis block's id.
  return { params: p, genesis, room: roomIdOf(headerId(genesis.header)), seats };
}

/**
 * Fills a chain quickly for tests and demos: the node, which must be the only
 * validator (V = 1, so its own vote is a certificate), produces and certifies
 * one block per past slot 1..`blocks` (genesis time must be that many slots
 * in the past). Returns the final height reached.
 */
export function fastForward(node: ConsensusNode, keys: { sk: Uint8Array; pk: Uint8Array }, blocks: number, onProgress?: (done: number) => void): number {
  if (node.config.validators !== 1) throw new RangeError('fastForward: only for a single-validator room');
  if (node.currentSlot() <= blocks) throw new RangeError(`fastForward: genesis must be more than ${blocks} slots in the past`);
  for (let slot = node.tree.head().slot + 1, made = 0; made < blocks; slot++, made++) {
    const [block] = node.produce(slot, node.tree.head());
    const e = node.tree.get(headerId(block.header));
    if (!e) throw new Error(`fastForward: block for slot ${slot} was not accepted`);
    const msg = { chain: node.config.chain, block: e.id, height: e.height, slot: e.slot };
    const vote = { ...msg, validator: keys.pk, sig: bls.sign(keys.sk, voteMessage(msg.chain, msg.block, msg.height, msg.slot)) };
    const r = node.handleVote(vote, node.id);
    if (!r.ok) throw new Error(`fastForward: vote for slot ${slot}: ${r.detail}`);
    if (made % 25 === 0) onProgress?.(made);
  }
  return node.tree.final.height;
}
