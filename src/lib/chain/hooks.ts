/**
 * Default ConsensusHooks: what applyBlock uses when consensus/ passes none.
 * helper-12's DPoS module (src/lib/chain/consensus/) supplies the real ones
 * (round-based validator changes, slot schedule, credit points).
 *
 * Defaults:
 * - standing(h) = rating(h) + sum of rating(v) over member hospitals v whose
 *   approval votes name h (SPEC §6: votes weighted by rating enter standing);
 * - qualified = member hospital with credit >= params.creditThreshold;
 * - validator set = top params.validators qualified hospitals by standing
 *   (ties: key hex ascending), then ordered by key hex ascending (the order of
 *   the certificate bitmap), recomputed after every block;
 * - checkProducer: no extra rule beyond applyBlock's generic one (producer is a
 *   tier-3A member of the current validator set, slot strictly increasing);
 * - creditDeltas: none;
 * - finalize: the highest certified block is final (SPEC §6: a certificate
 *   makes a block irreversible).
 */
import { hex } from './bytes';
import type { Block, ChainState, ConsensusHooks, Hex, PublicKey, UnfinalizedBlock } from './types';

/** Standing of every member hospital (key hex -> points). */
export function standings(state: Pick<ChainState, 'members' | 'votes'>): Map<Hex, number> {
  const out = new Map<Hex, number>();
  for (const [k, m] of state.members) if (m.role === 'hospital') out.set(k, m.rating ?? 0);
  for (const [voter, delegates] of state.votes) {
    const w = state.members.get(voter)?.rating ?? 0;
    for (const d of delegates) if (out.has(d)) out.set(d, (out.get(d) ?? 0) + w);
  }
  return out;
}

/** Member hospitals whose credit is at least the threshold. */
export function qualified(state: Pick<ChainState, 'members' | 'credits' | 'params'>, key: Hex): boolean {
  const m = state.members.get(key);
  return m?.role === 'hospital' && (state.credits.get(key) ?? 0) >= state.params.creditThreshold;
}

/** Top V qualified hospitals by standing, ordered by key hex. */
export function topValidators(state: Pick<ChainState, 'members' | 'votes' | 'credits' | 'params'>): PublicKey[] {
  const s = standings(state);
  const ranked = [...s.entries()].filter(([k]) => qualified(state, k)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return ranked
    .slice(0, state.params.validators)
    .map(([k]) => k)
    .sort()
    .map((k) => state.members.get(k)!.key);
}

export const defaultHooks: ConsensusHooks = {
  checkProducer: () => null,
  creditDeltas: () => new Map(),
  nextValidators: (state: ChainState, _block: Block) => topValidators(state),
  finalize: (finalizedHeight: number, unfinalized: readonly UnfinalizedBlock[]) => {
    let h = finalizedHeight;
    for (const u of unfinalized) if (u.certified && u.height > h) h = u.height;
    return h;
  }
};

export function keyHex(k: PublicKey): Hex {
  return hex(k);
}
