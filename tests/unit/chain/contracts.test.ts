/** Contracts on finalised blocks: the sharing contract's trigger, executor and acknowledgement. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../src/lib/crypto';
import { sha256 as sha256Of } from '@noble/hashes/sha2.js';
import { applyBlock, defaultContracts, hex, txId, type Block, type ChainState, type SharingBackend, type SharingInput, type Transaction } from '../../../src/lib/chain';
import { apply, certify, makeWorld, next, PARAMS, rawBlock, tx, type World } from './fixture';

let w: World;
let s: ChainState; // record granted and final (Streamlet), the refusal after it certified only
let recBlock: Block;
let rec: Transaction;
let refusedBlock: Block;

beforeAll(async () => {
  await ready();
  w = makeWorld();
  const e1 = tx(w, w.h1, { type: 'emr', pid: w.pid, prev: null, info: { h3c: new Uint8Array(32).fill(4), index: 'obj-1', description: 'd', time: PARAMS.genesisTime }, audit: { scheme: 'sw-priv', name: new Uint8Array(32), n: 1, s: 1, v: w.h1.pk }, sealedKey: null });
  const grant = tx(w, w.patient, { type: 'consent-grant', pid: w.pid, records: 'any', requesters: 'any', purposes: 'any', expires: null });
  const req = tx(w, w.user, { type: 'access-request', pid: w.pid, emr: txId(e1), purpose: 'care' });
  const req2 = tx(w, w.user, { type: 'access-request', pid: w.pid, emr: txId(e1), purpose: 'care' }, 1);
  const b1 = next(w, w.state0, [e1, grant, req, req2]);
  let st = b1.state;
  rec = tx(w, w.h1, { type: 'access-record', request: txId(req), pid: w.pid, emr: txId(e1), requester: w.user.pk, purpose: 'care', prev: null, decision: 'granted', reason: 'ok', mode: 'rewrap' }, 1);
  recBlock = rawBlock(w, st, [rec]);
  st = apply(st, recBlock);
  const refused = tx(w, w.h1, { type: 'access-record', request: txId(req2), pid: w.pid, emr: txId(e1), requester: w.user.pk, purpose: 'care', prev: txId(rec), decision: 'refused', reason: 'no', mode: 'rewrap' }, 2);
  refusedBlock = rawBlock(w, st, [refused], { certs: [certify(w, st, b1.block), certify(w, st, recBlock)] });
  st = apply(st, refusedBlock);
  // refusedBlock certified too: recBlock (certified parent and child, consecutive slots) is final, refusedBlock only certified
  s = apply(st, rawBlock(w, st, [], { certs: [certify(w, st, refusedBlock)] }));
  expect(s.finalized.height).toBe(recBlock.header.height);
});

function backend(log: SharingInput[], sent: Uint8Array[]): SharingBackend {
  return {
    async deliver(input) {
      log.push(input);
      return { ok: true, payload: new Uint8Array([1, 2, 3]) };
    },
    async send(_to, _id, payload) {
      sent.push(payload);
    }
  };
}

describe('sharing contract', () => {
  it('runs on the executor for a finalised grant and returns a delivery acknowledgement that the ledger accepts', async () => {
    const log: SharingInput[] = [];
    const sent: Uint8Array[] = [];
    const out = await defaultContracts().runFinalized(s, recBlock, { self: w.h1.pk, sharing: backend(log, sent) });
    expect(out).toHaveLength(1);
    const o = out[0].outcome;
    expect(o.status).toBe('done');
    expect(log[0].emr.info.index).toBe('obj-1');
    expect(hex(log[0].requesterEnc)).toBe(hex(s.members.get(hex(w.user.pk))!.enc));
    expect(sent).toHaveLength(1);
    if (o.status !== 'done') throw new Error();
    const body = o.submit[0];
    expect(body.type === 'delivery' && hex(body.digest)).toBe(hex(sha256Of(new Uint8Array([1, 2, 3]))));
    const d = tx(w, w.h1, body, 3);
    const r = applyBlock(s, rawBlock(w, s, [d]));
    expect(r.ok).toBe(true);
    // after the acknowledgement the contract does nothing more (restart safety)
    if (!r.ok) throw new Error();
    const again = await defaultContracts().runFinalized({ ...r.state, finalized: s.finalized }, recBlock, { self: w.h1.pk, sharing: backend([], []) });
    expect(again[0].outcome).toMatchObject({ status: 'skipped', reason: 'already delivered' });
  });
  it('is skipped on other nodes and for refusals; never runs on an unfinalised block', async () => {
    const log: SharingInput[] = [];
    const other = await defaultContracts().runFinalized(s, recBlock, { self: w.h2.pk, sharing: backend(log, []) });
    expect(other[0].outcome.status).toBe('skipped');
    expect(log).toHaveLength(0);
    await expect(defaultContracts().runFinalized(s, refusedBlock, { self: w.h1.pk, sharing: backend(log, []) })).rejects.toThrow(RangeError);
    const sFinal = { ...s, finalized: { height: refusedBlock.header.height, id: s.head } };
    const refused = await defaultContracts().runFinalized(sFinal, refusedBlock, { self: w.h1.pk, sharing: backend(log, []) });
    expect(refused[0].outcome).toMatchObject({ status: 'skipped', reason: 'access refused' });
  });
  it('reports a backend refusal (H3 mismatch) as failed, and nothing is acknowledged', async () => {
    const bad: SharingBackend = { deliver: async () => ({ ok: false, reason: 'H3(c) does not match the chain' }), send: async () => {} };
    const out = await defaultContracts().runFinalized(s, recBlock, { self: w.h1.pk, sharing: bad });
    expect(out[0].outcome).toEqual({ status: 'failed', reason: 'H3(c) does not match the chain' });
    void rec;
  });
});
