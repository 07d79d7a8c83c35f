/**
 * Per-patient chains: export from a store, verify alone, and fail on any
 * tampering (dropped, reordered or altered entries, bad certificates, another
 * chain). Includes a validator hand-off (a new hospital joins the set).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../src/lib/crypto';
import {
  decodeBundle,
  encodeBundle,
  exportPatientChains,
  hex,
  makeMember,
  txId,
  verifyPatientChains,
  type Block,
  type BundleVerdict,
  type ChainState,
  type FinalityCertificate,
  type PatientChainBundle,
  type Transaction,
  type TxBody
} from '../../../src/lib/chain';
import { MemoryChainStore } from '../../../src/lib/store';
import { certify, makeWorld, next, party, PARAMS, tx, type World } from './fixture';

let w: World;
let store: MemoryChainStore;
let bundle: PatientChainBundle;
let final: ChainState;

const emr = (prev: Uint8Array | null, by: World['h1'], d: string): TxBody => ({
  type: 'emr',
  pid: w.pid,
  prev,
  info: { h3c: new Uint8Array(32).fill(2), index: `obj-${d}`, description: d, time: PARAMS.genesisTime },
  audit: { scheme: 'sw-priv', name: new Uint8Array(32).fill(3), n: 8, s: 4, v: by.pk },
  sealedKey: null
});

/** Appends a block with `txs`, carrying a certificate of the previous block. */
async function step(state: ChainState, prevBlock: Block | null, txs: Transaction[]): Promise<{ state: ChainState; block: Block }> {
  const certs: FinalityCertificate[] = prevBlock && prevBlock.header.height > 0 ? [certify(w, state, prevBlock)] : [];
  const b = next(w, state, txs, certs);
  await store.commitBlock(b.block, b.state);
  return b;
}

beforeAll(async () => {
  await ready();
  w = makeWorld();
  store = new MemoryChainStore();
  await store.commitBlock(w.genesis, w.state0);
  const e1 = tx(w, w.h1, emr(null, w.h1, 'first visit'), 0);
  const e2 = tx(w, w.h2, emr(txId(e1), w.h2, 'x-ray'), 0);
  const grant = tx(w, w.patient, { type: 'consent-grant', pid: w.pid, records: 'any', requesters: [w.user.pk], purposes: 'any', expires: null }, 0);
  const req = tx(w, w.user, { type: 'access-request', pid: w.pid, emr: txId(e2), purpose: 'second opinion' }, 0);
  const rec = tx(w, w.h2, { type: 'access-record', request: txId(req), pid: w.pid, emr: txId(e2), requester: w.user.pk, purpose: 'second opinion', prev: null, decision: 'granted', reason: 'consent', mode: 'rewrap' }, 1);
  // a new, better-rated hospital joins and takes h3's validator seat (hand-off)
  const h4 = party('h4', 'hospital');
  w.all.push(h4);
  const reg = tx(w, w.pkg, { type: 'register', member: makeMember(h4.sk, { role: 'hospital', enc: new Uint8Array(48), name: 'h4', rating: 1000, tier: '3A' }) }, 1);
  const del = tx(w, w.h2, { type: 'delivery', record: txId(rec), pid: w.pid, requester: w.user.pk, mode: 'rewrap', digest: new Uint8Array(32).fill(9), prev: txId(rec) }, 2);
  const e3 = tx(w, w.h1, emr(txId(e2), w.h1, 'follow-up'), 1);

  let b = await step(w.state0, null, [e1]);
  b = await step(b.state, b.block, [e2, grant, req]);
  b = await step(b.state, b.block, [rec, reg]);
  expect(hex(b.block.header.validators)).not.toBe(hex(b.block.header.nextValidators));
  b = await step(b.state, b.block, []);
  b = await step(b.state, b.block, [del]);
  b = await step(b.state, b.block, [e3]);
  b = await step(b.state, b.block, []);
  final = b.state;
  // The certificate of the newest block, as a node gathers it from votes:
  // with it blocks 5, 6, 7 are certified in consecutive slots, so block 6
  // (e3) is final by the Streamlet rule.
  await store.putCertificate(certify(w, b.state, b.block));
  bundle = await exportPatientChains(store, w.pid);
});

const kind = (v: BundleVerdict) => (v.ok ? 'ok' : v.error.kind);
const clone = (b: PatientChainBundle): PatientChainBundle => decodeBundle(encodeBundle(b));

describe('patient chain bundles', () => {
  it('export and verify alone, after a validator hand-off', () => {
    expect(bundle.emr).toHaveLength(3);
    expect(bundle.access).toHaveLength(2);
    expect(bundle.validatorSets.length).toBe(2);
    expect(verifyPatientChains(bundle)).toEqual({ ok: true, emr: 3, access: 2 });
    expect(kind(verifyPatientChains(bundle, final.chain))).toBe('ok');
    expect(kind(verifyPatientChains(clone(bundle)))).toBe('ok');
  });
  it('fails on a pinned chain that is not the bundle genesis', () => {
    expect(kind(verifyPatientChains(bundle, new Uint8Array(32)))).toBe('wrong-chain');
  });
  it('fails on a dropped entry (first, middle) or reordered entries', () => {
    const a = clone(bundle);
    a.emr.splice(1, 1);
    expect(kind(verifyPatientChains(a))).toBe('out-of-order');
    const b = clone(bundle);
    b.emr.shift();
    expect(kind(verifyPatientChains(b))).toBe('out-of-order');
    const c = clone(bundle);
    [c.emr[0], c.emr[1]] = [c.emr[1], c.emr[0]];
    expect(kind(verifyPatientChains(c))).toBe('out-of-order');
    const d = clone(bundle);
    d.access.shift();
    expect(kind(verifyPatientChains(d))).toBe('out-of-order');
  });
  it('fails on an altered field (Merkle inclusion), or a re-signed altered transaction', () => {
    const a = clone(bundle);
    const t = a.emr[1].tx;
    if (t.body.type !== 'emr') throw new Error();
    a.emr[1].tx = { ...t, body: { ...t.body, info: { ...t.body.info, description: 'forged' } } };
    expect(kind(verifyPatientChains(a))).toBe('bad-root');
    const b = clone(bundle);
    b.emr[0].index = 1;
    expect(kind(verifyPatientChains(b))).toBe('bad-root');
  });
  it('fails on a bad or missing certificate, or an altered header', () => {
    const a = clone(bundle);
    a.certificates = a.certificates.map((c) => ({ ...c, sig: a.certificates[0].sig === c.sig ? a.certificates[1].sig : c.sig }));
    expect(kind(verifyPatientChains(a))).toBe('bad-certificate');
    const b = clone(bundle);
    b.certificates = b.certificates.map((c) => ({ ...c, signers: new Uint8Array([1]) }));
    expect(kind(verifyPatientChains(b))).toBe('bad-certificate');
    const c = clone(bundle);
    c.certificates = [];
    expect(kind(verifyPatientChains(c))).toBe('not-final');
    const d = clone(bundle);
    d.headers[0] = { ...d.headers[0], slot: d.headers[0].slot + 100 };
    expect(kind(verifyPatientChains(d))).toBe('malformed'); // its id changed: its certificate names no header
  });
  it('carries a Streamlet proof: one certificate above the newest entry is not enough', () => {
    // e3 sits in block 6; drop block 7's certificate: block 6 is certified (by 7) but has no certified child
    const top = Math.max(...bundle.certificates.map((c) => c.height));
    expect(top).toBe(7);
    const a = clone(bundle);
    a.certificates = a.certificates.filter((c) => c.height !== top);
    expect(kind(verifyPatientChains(a))).toBe('not-final');
    // a skipped slot breaks the triple too: claim block 7 at another slot (its id, hence its certificate, no longer match)
    const b = clone(bundle);
    b.headers = b.headers.map((h) => (h.height === top ? { ...h, slot: h.slot + 1 } : h));
    expect(kind(verifyPatientChains(b))).not.toBe('ok');
  });
  it('fails when the hand-off is missing (the new set is not trusted)', () => {
    const a = clone(bundle);
    const handoff = a.headers.find((h) => hex(h.validators) !== hex(h.nextValidators))!;
    a.headers = a.headers.filter((h) => h !== handoff);
    a.certificates = a.certificates.filter((c) => c.height !== handoff.height);
    expect(kind(verifyPatientChains(a))).toBe('not-final');
  });
  it('refuses to export an entry whose block has no Streamlet finality proof yet', async () => {
    const e4 = tx(w, w.h1, emr(final.patientChains.get(hex(w.pid))!.emrHead, w.h1, 'latest'), 2);
    const b = next(w, final, [e4]);
    await store.commitBlock(b.block, b.state);
    await expect(exportPatientChains(store, w.pid)).rejects.toMatchObject({ kind: 'not-final' });
  });
});
