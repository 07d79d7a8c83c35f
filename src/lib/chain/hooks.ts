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
 * - validatorsFor: state.validators;
 * - finalize: `streamletFinalize` (Streamlet, docs/consensus.md: one
 *   certificate makes a block certified; three certified blocks in
 *   consecutive slots make the middle one and its ancestors final).
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
  validatorsFor: (state: ChainState) => state.validators,
  creditDeltas: () => new Map(),
  nextValidators: (state: ChainState, _block: Block) => topValidators(state),
  finalize: (finalizedHeight: number, unfinalized: readonly UnfinalizedBlock[]) => streamletFinalize(finalizedHeight, unfinalized)
};

/**
 * Streamlet finality over the blocks above the last final one (ascending):
 * the highest M that is certified, whose parent is certified with slot
 * M.slot - 1 and whose child is certified with slot M.slot + 1. The parent of
 * the first unfinalised block is the last final block: certified (or genesis,
 * slot 0, so M.slot must be 1); when it was made final by this rule its child
 * (that first block) has the next slot already.
 */
export function streamletFinalize(finalizedHeight: number, unfinalized: readonly UnfinalizedBlock[]): number {
  let h = finalizedHeight;
  for (let i = 0; i + 1 < unfinalized.length; i++) {
    const m = unfinalized[i];
    const c = unfinalized[i + 1];
    if (!m.certified || !c.certified || c.slot !== m.slot + 1) continue;
    const parentOk = i === 0 ? finalizedHeight > 0 || m.slot === 1 : unfinalized[i - 1].certified && unfinalized[i - 1].slot + 1 === m.slot;
    if (parentOk) h = m.height;
  }
  return h;
}

export function keyHex(k: PublicKey): Hex {
  return hex(k);
}
