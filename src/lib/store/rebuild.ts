/**
 * Rebuilding the state from the stored blocks (genesis first, then
 * applyBlock for each), and checking it against the stored state byte for
 * byte (canonical state encoding).
 */
import { applyBlock, defaultHooks, encodeState, genesisState, ChainError, type ApplyOptions, type ChainState, type ConsensusHooks } from '$lib/chain';
import type { ChainStore } from './types';

export type RebuildResult = { ok: true; state: ChainState; height: number } | { ok: false; error: ChainError; height: number };

/** Replays every stored block. `verifySignatures: false` trusts blocks this store already verified once. */
export async function rebuildState(store: ChainStore, hooks: ConsensusHooks = defaultHooks, opts: ApplyOptions = {}): Promise<RebuildResult> {
  const genesis = await store.getBlockAt(0);
  if (!genesis) return { ok: false, error: new ChainError('not-found', 'no genesis block'), height: 0 };
  let r = genesisState(genesis, hooks);
  if (!r.ok) return { ok: false, error: r.error, height: 0 };
  let state = r.state;
  for (let h = 1; ; h++) {
    const b = await store.getBlockAt(h);
    if (!b) break;
    r = applyBlock(state, b, hooks, opts);
    if (!r.ok) return { ok: false, error: r.error, height: h };
    state = r.state;
  }
  return { ok: true, state, height: state.height };
}

/** True iff the state rebuilt from the blocks encodes exactly like the stored state. */
export async function checkStoredState(store: ChainStore, hooks: ConsensusHooks = defaultHooks, opts: ApplyOptions = {}): Promise<{ ok: boolean; detail: string }> {
  const [rebuilt, stored] = [await rebuildState(store, hooks, opts), await store.getState()];
  if (!rebuilt.ok) return { ok: false, detail: `block ${rebuilt.height} does not apply: ${rebuilt.error.message}` };
  if (!stored) return { ok: false, detail: 'no stored state' };
  const a = encodeState(rebuilt.state);
  const b = encodeState(stored);
  const same = a.length === b.length && a.every((x, i) => x === b[i]);
  return { ok: same, detail: same ? `equal at height ${rebuilt.height}` : 'the stored state differs from the state rebuilt from blocks' };
}
