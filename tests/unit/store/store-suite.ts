/**
 * The ChainStore acceptance suite: every implementation must pass it.
 * `setup()` returns a fresh, empty store (a new database per call) and
 * optionally `reopen()`, which closes it and opens the same data again
 * (persistence).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../src/lib/crypto';
import { blockId, encodeBlock, encodeState, hex, txId, type Block, type ChainState, type Transaction, type TxBody } from '../../../src/lib/chain';
import { checkStoredState, rebuildState, type ChainStore } from '../../../src/lib/store';
import { certify, makeWorld, next, PARAMS, tx, type World } from '../chain/fixture';

export interface StoreSetup {
  store: ChainStore;
  reopen?: () => Promise<ChainStore>;
  teardown?: () => Promise<void>;
}

interface Chain {
  w: World;
  blocks: Block[];
  states: ChainState[];
  pending: Transaction[];
}

const emr = (w: World, prev: Uint8Array | null, d: string): TxBody => ({
  type: 'emr',
  pid: w.pid,
  prev,
  info: { h3c: new Uint8Array(32).fill(2), index: d, description: d, time: PARAMS.genesisTime },
  audit: { scheme: 'sw-priv', name: new Uint8Array(32).fill(3), n: 8, s: 4, v: w.h1.pk },
  sealedKey: null
});

/** Genesis and four blocks: two EMRs, a consent and request, a refusal; block 1..3 certified by the next block. */
function buildChain(): Chain {
  const w = makeWorld();
  const e1 = tx(w, w.h1, emr(w, null, 'a'), 0);
  const e2 = tx(w, w.h1, emr(w, txId(e1), 'b'), 1);
  const req = tx(w, w.user, { type: 'access-request', pid: w.pid, emr: txId(e2), purpose: 'p' }, 0);
  const refuse = tx(w, w.h1, { type: 'access-record', request: txId(req), pid: w.pid, emr: txId(e2), requester: w.user.pk, purpose: 'p', prev: null, decision: 'refused', reason: 'no consent', mode: 'rewrap' }, 2);
  const blocks = [w.genesis];
  const states = [w.state0];
  const add = (txs: Transaction[]) => {
    const s = states[states.length - 1];
    const prev = blocks[blocks.length - 1];
    const b = next(w, s, txs, prev.header.height > 0 ? [certify(w, s, prev)] : []);
    blocks.push(b.block);
    states.push(b.state);
  };
  add([e1]);
  add([e2, req]);
  add([refuse]);
  add([]);
  const pending = [tx(w, w.pkg, { type: 'trace', pid: w.pid, requester: w.user.pk, reason: 'r', time: 1 }, 1), tx(w, w.h2, { type: 'vote', delegates: [w.h1.pk] }, 0)];
  return { w, blocks, states, pending };
}

async function commitAll(store: ChainStore, c: Chain, upTo = c.blocks.length - 1): Promise<void> {
  for (let i = 0; i <= upTo; i++) await store.commitBlock(c.blocks[i], c.states[i]);
}

export function runStoreTests(name: string, setup: () => Promise<StoreSetup>): void {
  describe(`ChainStore acceptance: ${name}`, () => {
    let c: Chain;
    beforeAll(async () => {
      await ready();
      c = buildChain();
    });

    it('is empty at first', async () => {
      const { store, teardown } = await setup();
      expect(await store.head()).toBeUndefined();
      expect(await store.getState()).toBeUndefined();
      expect(await store.getBlockAt(0)).toBeUndefined();
      expect(await store.mempool()).toEqual([]);
      await teardown?.();
    });

    it('commits blocks and reads them back by id and height; the state round-trips', async () => {
      const { store, teardown } = await setup();
      await commitAll(store, c);
      const last = c.blocks.length - 1;
      expect(await store.head()).toEqual({ height: last, id: blockId(c.blocks[last]) });
      for (const [i, b] of c.blocks.entries()) {
        expect(hex(encodeBlock((await store.getBlockAt(i))!))).toBe(hex(encodeBlock(b)));
        expect(hex(encodeBlock((await store.getBlock(blockId(b)))!))).toBe(hex(encodeBlock(b)));
      }
      expect(await store.getBlock(new Uint8Array(32))).toBeUndefined();
      expect(hex(encodeState((await store.getState())!))).toBe(hex(encodeState(c.states[last])));
      await teardown?.();
    });

    it('rejects a block that does not extend the head, or a state that is not after it, and stays unchanged', async () => {
      const { store, teardown } = await setup();
      await expect(store.commitBlock(c.blocks[1], c.states[1])).rejects.toThrow(RangeError);
      await commitAll(store, c, 1);
      await expect(store.commitBlock(c.blocks[3], c.states[3])).rejects.toThrow(RangeError);
      await expect(store.commitBlock(c.blocks[2], c.states[1])).rejects.toThrow(RangeError);
      expect((await store.head())!.height).toBe(1);
      await teardown?.();
    });

    it('a commit that fails midway leaves the previous block, indexes and state', async () => {
      const { store, teardown } = await setup();
      await commitAll(store, c, 2);
      await store.addToMempool(c.blocks[3].txs[0]);
      const before = hex(encodeState((await store.getState())!));
      // A state that cannot be encoded (undefined is not DAG-CBOR): the failure comes after the block was written.
      const broken = { ...c.states[3], name: undefined as unknown as string };
      await expect(store.commitBlock(c.blocks[3], broken)).rejects.toThrow();
      expect((await store.head())!.height).toBe(2);
      expect(await store.getBlockAt(3)).toBeUndefined();
      expect(hex(encodeState((await store.getState())!))).toBe(before);
      expect((await store.patientEntries(c.w.pid, 'access')).length).toBe(0);
      expect((await store.mempool()).length).toBe(1);
      // and the proper commit still works afterwards
      await store.commitBlock(c.blocks[3], c.states[3]);
      expect((await store.patientEntries(c.w.pid, 'access')).length).toBe(1);
      await teardown?.();
    });

    it('indexes patient chains, certificates, validator sets', async () => {
      const { store, teardown } = await setup();
      await commitAll(store, c);
      const e = await store.patientEntries(c.w.pid, 'emr');
      expect(e.map((x) => [x.height, x.index])).toEqual([
        [1, 0],
        [2, 0]
      ]);
      expect(hex(e[1].txId)).toBe(hex(txId(c.blocks[2].txs[0])));
      expect((await store.patientEntries(c.w.pid, 'access')).map((x) => x.height)).toEqual([3]);
      expect(await store.patientEntries(new Uint8Array(64), 'emr')).toEqual([]);
      const cert = await store.getCertificate(blockId(c.blocks[2]));
      expect(cert?.height).toBe(2);
      expect(await store.getCertificate(blockId(c.blocks[4]))).toBeUndefined();
      const extra = certify(c.w, c.states[4], c.blocks[4]);
      await store.putCertificate(extra);
      expect((await store.getCertificate(blockId(c.blocks[4])))?.height).toBe(4);
      const set = await store.getValidatorSet(c.blocks[1].header.validators);
      expect(set?.map(hex)).toEqual(c.states[0].validators.map(hex));
      expect(await store.validatorHandoffs()).toEqual([]);
      await teardown?.();
    });

    it('keeps a mempool in arrival order, without duplicates; committed transactions leave it', async () => {
      const { store, teardown } = await setup();
      await commitAll(store, c, 1);
      const inBlock2 = c.blocks[2].txs[1];
      expect(await store.addToMempool(c.pending[0])).toBe(true);
      expect(await store.addToMempool(inBlock2)).toBe(true);
      expect(await store.addToMempool(c.pending[1])).toBe(true);
      expect(await store.addToMempool(c.pending[0])).toBe(false);
      expect((await store.mempool()).map((t) => hex(txId(t)))).toEqual([c.pending[0], inBlock2, c.pending[1]].map((t) => hex(txId(t))));
      await store.commitBlock(c.blocks[2], c.states[2]);
      expect((await store.mempool()).length).toBe(2);
      await store.removeFromMempool([txId(c.pending[0])]);
      expect((await store.mempool()).map((t) => hex(txId(t)))).toEqual([hex(txId(c.pending[1]))]);
      await teardown?.();
    });

    it('reverts to an earlier height atomically', async () => {
      const { store, teardown } = await setup();
      await commitAll(store, c);
      await expect(store.revertTo(1, c.states[2])).rejects.toThrow(RangeError);
      await store.revertTo(1, c.states[1]);
      expect((await store.head())!.height).toBe(1);
      expect(await store.getBlockAt(2)).toBeUndefined();
      expect(await store.getBlock(blockId(c.blocks[2]))).toBeUndefined();
      expect((await store.patientEntries(c.w.pid, 'emr')).length).toBe(1);
      expect(hex(encodeState((await store.getState())!))).toBe(hex(encodeState(c.states[1])));
      await store.commitBlock(c.blocks[2], c.states[2]);
      expect((await store.head())!.height).toBe(2);
      await teardown?.();
    });

    it('the state rebuilt from the stored blocks equals the stored state', async () => {
      const { store, teardown } = await setup();
      await commitAll(store, c);
      const r = await rebuildState(store);
      expect(r.ok && hex(encodeState(r.state))).toBe(hex(encodeState(c.states[c.states.length - 1])));
      expect(await checkStoredState(store)).toMatchObject({ ok: true });
      await store.revertTo(2, c.states[2]);
      expect(await checkStoredState(store)).toMatchObject({ ok: true });
      await teardown?.();
    });

    it('persists across reopening (when the store is persistent)', async () => {
      const { store, reopen, teardown } = await setup();
      if (!reopen) return;
      await commitAll(store, c, 2);
      await store.addToMempool(c.pending[0]);
      const again = await reopen();
      expect((await again.head())!.height).toBe(2);
      expect(hex(encodeState((await again.getState())!))).toBe(hex(encodeState(c.states[2])));
      expect((await again.mempool()).length).toBe(1);
      expect(await checkStoredState(again)).toMatchObject({ ok: true });
      await teardown?.();
    });
  });
}
