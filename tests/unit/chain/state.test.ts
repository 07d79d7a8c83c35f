/**
 * The state machine's rules (src/lib/chain/state.ts, validate.ts): every rule
 * with an accepted case and rejected forged / replayed / out-of-order /
 * unauthorised inputs, each leaving the input state byte-for-byte unchanged.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bls, ready } from '../../../src/lib/crypto';
import {
  applyBlock,
  applyPayload,
  blockId,
  checkTransaction,
  defaultHooks,
  genesisState,
  headerSigningBytes,
  hex,
  makeGenesis,
  makeMember,
  signFinality,
  signHeader,
  signTx,
  stateId,
  txId,
  validatorSetId,
  merkleRoot,
  type AuditMeta,
  type Block,
  type ChainState,
  type ConsensusHooks,
  type Hash,
  type Transaction,
  type TxBody
} from '../../../src/lib/chain';
import { apply, certify, finalise, makeWorld, next, party, PARAMS, pidOf, rawBlock, rejectKind, stateBytes, tx, type Party, type World } from './fixture';

let w: World;
beforeAll(async () => {
  await ready();
  w = makeWorld();
});

const audit = (p: Party): AuditMeta => ({ scheme: 'sw-priv', name: new Uint8Array(32).fill(7), n: 4, s: 2, v: p.pk });
const emrBody = (pid: Uint8Array, prev: Hash | null, p: Party, description = 'blood test'): TxBody => ({
  type: 'emr',
  pid,
  prev,
  info: { h3c: new Uint8Array(32).fill(1), index: 'cloud/obj/1', description, time: PARAMS.genesisTime },
  audit: audit(p),
  sealedKey: null
});

/** Flips one bit of a signature so it is a different valid-looking encoding, or garbage. */
function forge<T extends { sig: Uint8Array }>(o: T): T {
  const other = bls.sign(bls.keygen(new Uint8Array(32).fill(9)), new Uint8Array([1]));
  return { ...o, sig: other };
}

/** A chain with one EMR by h1 for the patient (state s1, emr id e1). */
function withEmr(): { s: ChainState; e1: Hash; emrTx: Transaction; block: Block } {
  const emrTx = tx(w, w.h1, emrBody(w.pid, null, w.h1));
  const b = next(w, w.state0, [emrTx]);
  return { s: b.state, e1: txId(emrTx), emrTx, block: b.block };
}

describe('genesis', () => {
  it('builds members, patients, credits and the initial validator set', () => {
    const s = w.state0;
    expect(s.height).toBe(0);
    expect(s.members.size).toBe(7);
    expect(s.patients.get(hex(w.pid))).toBe(hex(w.patient.pk));
    expect(s.credits.get(hex(w.h3.pk))).toBe(PARAMS.initialCredit);
    expect(s.validators.map(hex).sort()).toEqual([w.h1, w.h2, w.h3].map((p) => hex(p.pk)).sort());
    expect(s.finalized.height).toBe(0);
    expect(hex(s.chain)).toBe(hex(blockId(w.genesis)));
  });
  it('rejects a forged genesis, a bad PoP and a duplicate member', () => {
    const forged = { ...w.genesis, header: forge(w.genesis.header) };
    expect(genesisState(forged).ok).toBe(false);
    const g = w.genesis.txs[0].body;
    if (g.type !== 'genesis') throw new Error();
    const badPop = g.members.map((m, i) => (i === 2 ? { ...m, pop: g.members[3].pop } : m));
    const r1 = genesisState(makeGenesis(w.pkg.sk, { name: 'x', params: PARAMS, members: badPop }));
    expect(r1.ok ? 'ok' : r1.error.kind).toBe('bad-signature');
    const dup = [...g.members, g.members[1]];
    expect(() => makeGenesis(w.pkg.sk, { name: 'x', params: PARAMS, members: dup })).toThrow(expect.objectContaining({ kind: 'duplicate' }));
    // the same list signed by hand reaches genesisState, which rejects it too
    const gtx = signTx(w.pkg.sk, { chain: new Uint8Array(32), seq: 0, time: 0, body: { ...g, members: dup } });
    const blk = { ...w.genesis, txs: [gtx] };
    const r2 = genesisState({ ...blk, header: signHeader(w.pkg.sk, { ...w.genesis.header, txRoot: merkleRoot([txId(gtx)]) }) });
    expect(r2.ok ? 'ok' : r2.error.kind).toBe('duplicate');
  });
  it('rejects a genesis without a tier-3A validator', () => {
    const g = w.genesis.txs[0].body;
    if (g.type !== 'genesis') throw new Error();
    const no3A = g.members.map((m) => (m.role === 'hospital' ? { ...m, tier: '3B' as const } : m));
    const r = genesisState(makeGenesis(w.pkg.sk, { name: 'x', params: PARAMS, members: no3A }));
    expect(r.ok ? 'ok' : r.error.kind).toBe('not-producer');
  });
});

describe('blocks', () => {
  it('accept a valid block and are deterministic', () => {
    const { s, block } = withEmr();
    const again = applyBlock(w.state0, block);
    expect(again.ok && hex(stateId(again.state))).toBe(hex(stateId(s)));
    expect(s.height).toBe(1);
    expect(hex(s.head)).toBe(hex(blockId(block)));
  });
  it('reject a forged header, a wrong height / prev / slot, a replayed block', () => {
    const { s, block } = withEmr();
    expect(rejectKind(w.state0, { ...block, header: forge(block.header) })).toBe('bad-signature');
    expect(rejectKind(s, block)).toBe('out-of-order'); // the same block again
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [], { height: 2 }))).toBe('out-of-order');
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [], { prev: new Uint8Array(32) }))).toBe('out-of-order');
    expect(rejectKind(s, rawBlock(w, s, [], { slot: s.slot }))).toBe('out-of-order');
  });
  it('reject a producer that is not a tier-3A validator', () => {
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [], { producer: w.h3 }))).toBe('not-producer');
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [], { producer: w.user }))).toBe('not-producer');
  });
  it('reject wrong roots: txRoot, certRoot, validators, nextValidators', () => {
    const t = tx(w, w.pkg, { type: 'trace', pid: w.pid, requester: w.user.pk, reason: 'court order', time: 1 }, 1);
    const b = rawBlock(w, w.state0, [t]);
    const resign = (h: Block['header']) => signHeader(w.h1.sk, h);
    expect(rejectKind(w.state0, { ...b, txs: [] })).toBe('bad-root');
    expect(rejectKind(w.state0, { ...b, header: resign({ ...b.header, validators: new Uint8Array(32) }) })).toBe('bad-root');
    expect(rejectKind(w.state0, { ...b, header: resign({ ...b.header, nextValidators: new Uint8Array(32) }) })).toBe('bad-root');
    expect(rejectKind(w.state0, { ...b, header: resign({ ...b.header, certRoot: new Uint8Array(32) }) })).toBe('bad-root');
  });
  it('reject a genesis transaction after block 0', () => {
    const g = signTx(w.pkg.sk, { chain: w.state0.chain, seq: 1, time: 0, body: w.genesis.txs[0].body });
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [g]))).toBe('not-authorised');
  });
});

describe('transactions: common rules', () => {
  it('reject a forged transaction signature', () => {
    const t = forge(tx(w, w.pkg, { type: 'trace', pid: w.pid, requester: w.user.pk, reason: 'r', time: 1 }, 1));
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [t]))).toBe('bad-signature');
    expect(checkTransaction(w.state0, t)?.kind).toBe('bad-signature');
  });
  it('reject a replayed transaction (same tx in a later block, or twice in one block)', () => {
    const t = tx(w, w.pkg, { type: 'trace', pid: w.pid, requester: w.user.pk, reason: 'r', time: 1 }, 1);
    const s1 = apply(w.state0, rawBlock(w, w.state0, [t]));
    expect(rejectKind(s1, rawBlock(w, s1, [t]))).toBe('replay');
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [t, t]))).toBe('replay');
    expect(checkTransaction(s1, t)?.kind).toBe('replay');
  });
  it('reject a sequence gap, another chain, an unknown author', () => {
    const ahead = tx(w, w.pkg, { type: 'trace', pid: w.pid, requester: w.user.pk, reason: 'r', time: 1 }, 5);
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [ahead]))).toBe('out-of-order');
    const other = signTx(w.pkg.sk, { chain: new Uint8Array(32).fill(3), seq: 1, time: 0, body: { type: 'trace', pid: w.pid, requester: w.user.pk, reason: 'r', time: 1 } });
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [other]))).toBe('wrong-chain');
    const stranger = party('stranger', 'data-user');
    const t = signTx(stranger.sk, { chain: w.state0.chain, seq: 0, time: 0, body: { type: 'vote', delegates: [] } });
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [t]))).toBe('unknown-member');
  });
  it('checkTransaction accepts a valid transaction without changing the state', () => {
    const before = stateBytes(w.state0);
    const t = tx(w, w.pkg, { type: 'trace', pid: w.pid, requester: w.user.pk, reason: 'r', time: 1 }, 1);
    expect(checkTransaction(w.state0, t)).toBeNull();
    expect(stateBytes(w.state0)).toBe(before);
  });
});

describe('registration and regulation', () => {
  it('the PKG registers members; others may not; keys and pids are unique; PoPs are checked', () => {
    const nu = party('new-user', 'data-user');
    const m = makeMember(nu.sk, { role: 'data-user', enc: new Uint8Array(48), name: 'n' });
    const ok = rawBlock(w, w.state0, [tx(w, w.pkg, { type: 'register', member: m }, 1)]);
    const s = apply(w.state0, ok);
    expect(s.members.get(hex(nu.pk))?.since).toBe(1);
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.h1, { type: 'register', member: m }, 0)]))).toBe('not-authorised');
    expect(rejectKind(s, rawBlock(w, s, [tx(w, w.pkg, { type: 'register', member: m }, 2)]))).toBe('duplicate');
    const np = party('new-patient', 'patient');
    const samePid = makeMember(np.sk, { role: 'patient', enc: new Uint8Array(48), name: 'p', pid: w.pid });
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.pkg, { type: 'register', member: samePid }, 1)]))).toBe('duplicate');
    const badPop = { ...makeMember(np.sk, { role: 'patient', enc: new Uint8Array(48), name: 'p', pid: pidOf(2) }), pop: m.pop };
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.pkg, { type: 'register', member: badPop }, 1)]))).toBe('bad-signature');
  });
  it('the regulator (the PKG here) sets rating and tier; nobody else; only for hospitals', () => {
    const body: TxBody = { type: 'regulator-update', hospital: w.h3.pk, rating: 950, tier: '3A' };
    const p = next(w, w.state0, [tx(w, w.pkg, body, 1)]);
    expect(p.state.members.get(hex(w.h3.pk))).toMatchObject({ rating: 950, tier: '3A' });
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.h1, body, 0)]))).toBe('not-authorised');
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.pkg, { ...body, hospital: w.user.pk }, 1)]))).toBe('unknown-member');
  });
  it('hospitals cast approval votes for member hospitals; votes enter standing', () => {
    const p = next(w, w.state0, [tx(w, w.h1, { type: 'vote', delegates: [w.h3.pk] }, 0)]);
    expect(p.state.votes.get(hex(w.h1.pk))).toEqual([hex(w.h3.pk)]);
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.user, { type: 'vote', delegates: [w.h3.pk] }, 0)]))).toBe('not-authorised');
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.h1, { type: 'vote', delegates: [w.user.pk] }, 0)]))).toBe('unknown-member');
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.h1, { type: 'vote', delegates: [w.h3.pk, w.h3.pk] }, 0)]))).toBe('malformed');
  });
});

describe('EMR entries and the medical-record chain', () => {
  it('a hospital appends; prev must be the chain head', () => {
    const { s, e1 } = withEmr();
    expect(s.patientChains.get(hex(w.pid))).toMatchObject({ emrCount: 1 });
    expect(hex(s.patientChains.get(hex(w.pid))!.emrHead!)).toBe(hex(e1));
    const stale = tx(w, w.h2, emrBody(w.pid, null, w.h2), 0);
    expect(rejectKind(s, rawBlock(w, s, [stale]))).toBe('out-of-order');
    const good = tx(w, w.h2, emrBody(w.pid, e1, w.h2), 0);
    const s2 = apply(s, rawBlock(w, s, [good]));
    expect(s2.patientChains.get(hex(w.pid))!.emrCount).toBe(2);
  });
  it('rejects EMRs from non-hospitals, for unknown patients, with audit.v not the author', () => {
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.user, emrBody(w.pid, null, w.user), 0)]))).toBe('not-authorised');
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.h1, emrBody(pidOf(9), null, w.h1), 0)]))).toBe('unknown-member');
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.h1, emrBody(w.pid, null, w.h2), 0)]))).toBe('malformed');
  });
});

/** s: EMR e1 by h1; request r1 by the user; optionally a consent grant. */
function withRequest(consent?: Partial<Extract<TxBody, { type: 'consent-grant' }>>) {
  const { s, e1 } = withEmr();
  const req = tx(w, w.user, { type: 'access-request', pid: w.pid, emr: e1, purpose: 'research' }, 0);
  const txs = [req];
  if (consent) txs.push(tx(w, w.patient, { type: 'consent-grant', pid: w.pid, records: 'any', requesters: 'any', purposes: 'any', expires: null, ...consent }, 0));
  const p = next(w, s, txs);
  return { s: p.state, e1, r1: txId(req), grant: consent ? txId(txs[1]) : undefined };
}

const recordBody = (e1: Hash, r1: Hash, decision: 'granted' | 'refused', prev: Hash | null = null, over: Partial<Extract<TxBody, { type: 'access-record' }>> = {}): TxBody => ({
  type: 'access-record',
  request: r1,
  pid: w.pid,
  emr: e1,
  requester: w.user.pk,
  purpose: 'research',
  prev,
  decision,
  reason: decision === 'granted' ? 'consent on file' : 'no consent',
  mode: 'rewrap',
  ...over
});

describe('access requests, access records and consent', () => {
  it('a request names an existing EMR of the pid; TPAs do not request', () => {
    const { s, r1 } = withRequest();
    expect(s.pending.has(hex(r1))).toBe(true);
    const { s: s1 } = withEmr();
    expect(rejectKind(s1, rawBlock(w, s1, [tx(w, w.user, { type: 'access-request', pid: w.pid, emr: new Uint8Array(32), purpose: 'x' }, 0)]))).toBe('not-found');
    const e1 = s1.patientChains.get(hex(w.pid))!.emrHead!;
    expect(rejectKind(s1, rawBlock(w, s1, [tx(w, w.tpa, { type: 'access-request', pid: w.pid, emr: e1, purpose: 'x' }, 0)]))).toBe('not-authorised');
  });
  it('granting without consent is invalid; refusing is fine', () => {
    const { s, e1, r1 } = withRequest();
    expect(rejectKind(s, rawBlock(w, s, [tx(w, w.h1, recordBody(e1, r1, 'granted'), 1)]))).toBe('consent-denied');
    const s2 = apply(s, rawBlock(w, s, [tx(w, w.h1, recordBody(e1, r1, 'refused'), 1)]));
    expect(s2.pending.size).toBe(0);
    expect(s2.granted.size).toBe(0);
    expect(s2.patientChains.get(hex(w.pid))!.accessCount).toBe(1);
  });
  it('granting with consent is valid and appends to the access-record chain', () => {
    const { s, e1, r1 } = withRequest({});
    const rec = tx(w, w.h1, recordBody(e1, r1, 'granted'), 1);
    const s2 = apply(s, rawBlock(w, s, [rec]));
    expect(s2.granted.get(hex(txId(rec)))?.delivery).toBeNull();
    expect(hex(s2.patientChains.get(hex(w.pid))!.accessHead!)).toBe(hex(txId(rec)));
    // answered: a second answer finds no pending request
    expect(rejectKind(s2, rawBlock(w, s2, [tx(w, w.h1, recordBody(e1, r1, 'refused', txId(rec)), 2)]))).toBe('not-found');
  });
  it('consent scopes: requester, purpose, record, expiry', () => {
    const { s: a, e1: ea, r1: ra } = withRequest({ requesters: [w.h2.pk] });
    expect(rejectKind(a, rawBlock(w, a, [tx(w, w.h1, recordBody(ea, ra, 'granted'), 1)]))).toBe('consent-denied');
    const { s: b, e1: eb, r1: rb } = withRequest({ purposes: ['treatment'] });
    expect(rejectKind(b, rawBlock(w, b, [tx(w, w.h1, recordBody(eb, rb, 'granted'), 1)]))).toBe('consent-denied');
    const { s: c, e1: ec, r1: rc } = withRequest({ expires: PARAMS.genesisTime + 1000 });
    expect(rejectKind(c, rawBlock(w, c, [tx(w, w.h1, recordBody(ec, rc, 'granted'), 1)], { slot: 5 }))).toBe('consent-denied');
  });
  it('only the EMR hospital answers; fields must match; prev must be the access head', () => {
    const { s, e1, r1 } = withRequest({});
    expect(rejectKind(s, rawBlock(w, s, [tx(w, w.h2, recordBody(e1, r1, 'refused'), 0)]))).toBe('not-authorised');
    expect(rejectKind(s, rawBlock(w, s, [tx(w, w.h1, recordBody(e1, r1, 'granted', null, { purpose: 'marketing' }), 1)]))).toBe('malformed');
    expect(rejectKind(s, rawBlock(w, s, [tx(w, w.h1, recordBody(e1, r1, 'granted', e1), 1)]))).toBe('out-of-order');
  });
  it('only the patient grants and revokes; a revoked grant no longer allows', () => {
    const { s, e1, r1, grant } = withRequest({});
    const body: TxBody = { type: 'consent-grant', pid: w.pid, records: 'any', requesters: 'any', purposes: 'any', expires: null };
    expect(rejectKind(s, rawBlock(w, s, [tx(w, w.h1, body, 1)]))).toBe('not-authorised');
    expect(rejectKind(s, rawBlock(w, s, [tx(w, w.patient, { ...body, records: [new Uint8Array(32)] }, 1)]))).toBe('not-found');
    const revoke: TxBody = { type: 'consent-revoke', pid: w.pid, grant: grant! };
    expect(rejectKind(s, rawBlock(w, s, [tx(w, w.user, revoke, 1)]))).toBe('not-authorised');
    const s2 = apply(s, rawBlock(w, s, [tx(w, w.patient, revoke, 1)]));
    expect(s2.consents.size).toBe(0);
    expect(rejectKind(s2, rawBlock(w, s2, [tx(w, w.patient, revoke, 2)]))).toBe('not-found');
    expect(rejectKind(s2, rawBlock(w, s2, [tx(w, w.h1, recordBody(e1, r1, 'granted'), 1)]))).toBe('consent-denied');
  });
});

describe('finality, deliveries and audits', () => {
  it('certificates carried in a block certify; three certified consecutive slots finalise (Streamlet); bad certificates are rejected', () => {
    const { s, block } = withEmr();
    const c = certify(w, s, block);
    const b2 = rawBlock(w, s, [], { certs: [c] });
    const s2 = apply(s, b2);
    // one certificate makes block 1 certified, not final
    expect(s2.finalized.height).toBe(0);
    expect(s2.unfinalized.map((u) => [u.height, u.certified])).toEqual([
      [1, true],
      [2, false]
    ]);
    // block 2 certified too: block 1 (parent genesis at slot 0, child at slot 2) is final
    const s3 = apply(s2, rawBlock(w, s2, [], { certs: [certify(w, s2, b2)] }));
    expect(s3.finalized.height).toBe(1);
    expect(hex(s3.finalized.id)).toBe(hex(blockId(block)));
    // not across a skipped slot: block 2' at slot 3 certified by block 3' does not finalise block 1
    const g = rawBlock(w, s, [], { certs: [c], slot: s.slot + 2 });
    const sg = apply(s, g);
    expect(apply(sg, rawBlock(w, sg, [], { certs: [certify(w, sg, g)] })).finalized.height).toBe(0);
    const two = certify(w, s, block, [w.h1, w.h2]); // quorum of 3 is floor(2*3/3)+1 = 3
    expect(rejectKind(s, rawBlock(w, s, [], { certs: [two] }))).toBe('bad-certificate');
    const one = certify(w, s, block, [w.h1]);
    expect(rejectKind(s, rawBlock(w, s, [], { certs: [{ ...c, sig: one.sig }] }))).toBe('bad-certificate');
    expect(rejectKind(s, rawBlock(w, s, [], { certs: [{ ...c, block: new Uint8Array(32) }] }))).toBe('bad-certificate');
    expect(rejectKind(s2, rawBlock(w, s2, [], { certs: [c] }))).toBe('bad-certificate'); // replayed certificate
  });
  it('a delivery needs a finalised access record, the executor, and happens once', () => {
    const { s, e1, r1 } = withRequest({});
    const rec = tx(w, w.h1, recordBody(e1, r1, 'granted'), 1);
    const recBlock = rawBlock(w, s, [rec]);
    const s2 = apply(s, recBlock);
    const body = (prev: Hash | null): TxBody => ({ type: 'delivery', record: txId(rec), pid: w.pid, requester: w.user.pk, mode: 'rewrap', digest: new Uint8Array(32).fill(5), prev });
    expect(rejectKind(s2, rawBlock(w, s2, [tx(w, w.h1, body(txId(rec)), 2)]))).toBe('not-final');
    // a certificate alone does not make the record final
    const sc = apply(s2, rawBlock(w, s2, [], { certs: [certify(w, s2, recBlock)] }));
    expect(rejectKind(sc, rawBlock(w, sc, [tx(w, w.h1, body(txId(rec)), 2)]))).toBe('not-final');
    const s3 = finalise(w, s2);
    expect(rejectKind(s3, rawBlock(w, s3, [tx(w, w.h2, body(txId(rec)), 0)]))).toBe('not-authorised');
    const d = tx(w, w.h1, body(txId(rec)), 2);
    const s4 = apply(s3, rawBlock(w, s3, [d]));
    expect(hex(s4.granted.get(hex(txId(rec)))!.delivery!)).toBe(hex(txId(d)));
    expect(rejectKind(s4, rawBlock(w, s4, [tx(w, w.h1, body(txId(d)), 3)]))).toBe('duplicate');
  });
  it('audits: requested by the patient, answered by the named TPA with the seed of a final block', () => {
    const { s, e1 } = withEmr();
    const req = tx(w, w.patient, { type: 'audit-request', pid: w.pid, emr: e1, tpa: w.tpa.pk, c: 300 }, 0);
    expect(rejectKind(s, rawBlock(w, s, [tx(w, w.user, { type: 'audit-request', pid: w.pid, emr: e1, tpa: w.tpa.pk, c: 300 }, 0)]))).toBe('not-authorised');
    expect(rejectKind(s, rawBlock(w, s, [tx(w, w.patient, { type: 'audit-request', pid: w.pid, emr: e1, tpa: w.user.pk, c: 300 }, 0)]))).toBe('unknown-member');
    const b2 = rawBlock(w, s, [req]);
    const s2 = apply(s, b2);
    const b3 = rawBlock(w, s2, []);
    const s3 = apply(s2, b3);
    const seed = blockId(b3);
    expect(hex(s3.audits.get(hex(txId(req)))!.seed!)).toBe(hex(seed));
    const result = (sd: Hash): TxBody => ({ type: 'audit-result', request: txId(req), seed: sd, passed: true, proof: new Uint8Array(32), detail: 'ok' });
    expect(rejectKind(s3, rawBlock(w, s3, [tx(w, w.tpa, result(seed), 0)]))).toBe('not-final');
    const s4 = finalise(w, s3);
    expect(rejectKind(s4, rawBlock(w, s4, [tx(w, w.tpa, result(new Uint8Array(32)), 0)]))).toBe('malformed');
    expect(rejectKind(s4, rawBlock(w, s4, [tx(w, w.user, result(seed), 0)]))).toBe('not-authorised');
    const s5 = apply(s4, rawBlock(w, s4, [tx(w, w.tpa, result(seed), 0)]));
    expect(s5.audits.size).toBe(0);
  });
});

describe('traces and evidence', () => {
  it('only the PKG records traces', () => {
    const body: TxBody = { type: 'trace', pid: w.pid, requester: w.user.pk, reason: 'leak investigation', time: 5 };
    expect(apply(w.state0, rawBlock(w, w.state0, [tx(w, w.pkg, body, 1)])).nonces.get(hex(w.pkg.pk))).toBe(2);
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.h1, body, 0)]))).toBe('not-authorised');
  });
  it('double-block evidence: accepted once; same block, forged, or repeated is rejected', () => {
    const a = rawBlock(w, w.state0, [], { producer: w.h2, slot: 7 }).header;
    const b = rawBlock(w, w.state0, [], { producer: w.h2, slot: 7, prev: new Uint8Array(32).fill(1) }).header;
    const ev = (x: typeof a, y: typeof a): TxBody => ({ type: 'evidence', evidence: { kind: 'double-block', a: x, b: y } });
    const s = apply(w.state0, rawBlock(w, w.state0, [tx(w, w.user, ev(a, b), 0)]));
    expect(s.punished.has(`double-block:${hex(w.h2.pk)}:7`)).toBe(true);
    expect(rejectKind(s, rawBlock(w, s, [tx(w, w.user, ev(b, a), 1)]))).toBe('duplicate');
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.user, ev(a, a), 0)]))).toBe('bad-evidence');
    const c = rawBlock(w, w.state0, [], { producer: w.h2, slot: 8 }).header;
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.user, ev(a, c), 0)]))).toBe('bad-evidence');
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.user, ev(a, forge(b)), 0)]))).toBe('bad-signature');
  });
  it('invalid-block evidence: a signed block whose contents match its roots, recorded once; tampered contents or a forged header are rejected', () => {
    // h2 signs a block with a transaction the ledger refuses (only the PKG records traces)
    const bad = rawBlock(w, w.state0, [tx(w, w.h1, { type: 'trace', pid: w.pid, requester: w.user.pk, reason: 'x', time: 1 }, 0)], { producer: w.h2, slot: 9 });
    expect(rejectKind(w.state0, bad)).toBe('not-authorised');
    const ev = (block: typeof bad): TxBody => ({ type: 'evidence', evidence: { kind: 'invalid-block', block } });
    const s = apply(w.state0, rawBlock(w, w.state0, [tx(w, w.user, ev(bad), 0)]));
    expect(s.punished.has(`invalid-block:${hex(w.h2.pk)}:9`)).toBe(true);
    expect(rejectKind(s, rawBlock(w, s, [tx(w, w.user, ev(bad), 1)]))).toBe('duplicate');
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.user, ev({ ...bad, txs: [] }), 0)]))).toBe('bad-evidence');
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.user, ev({ ...bad, header: forge(bad.header) }), 0)]))).toBe('bad-signature');
    // nesting: invalid-block evidence inside the accused block's transactions does not decode
    const nested = rawBlock(w, w.state0, [tx(w, w.user, ev(bad), 0)], { producer: w.h2, slot: 10 });
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.user, ev(nested), 0)]))).toBe('malformed');
  });
  it('double-vote evidence', () => {
    const vote = (block: Uint8Array) => ({ chain: w.state0.chain, block, height: 3, slot: 3, validator: w.h3.pk, sig: signFinality(w.h3.sk, w.state0.chain, block, 3, 3) });
    const body: TxBody = { type: 'evidence', evidence: { kind: 'double-vote', a: vote(new Uint8Array(32).fill(1)), b: vote(new Uint8Array(32).fill(2)) } };
    const s = apply(w.state0, rawBlock(w, w.state0, [tx(w, w.h1, body, 0)]));
    expect(s.punished.has(`double-vote:${hex(w.h3.pk)}:3`)).toBe(true);
    const forged: TxBody = { type: 'evidence', evidence: { kind: 'double-vote', a: vote(new Uint8Array(32).fill(1)), b: { ...vote(new Uint8Array(32).fill(2)), sig: vote(new Uint8Array(32).fill(3)).sig } } };
    expect(rejectKind(w.state0, rawBlock(w, w.state0, [tx(w, w.h1, forged, 0)]))).toBe('bad-signature');
  });
});

describe('consensus hooks', () => {
  it('credit deltas are applied; a hospital below the threshold leaves the validator set', () => {
    const hooks: ConsensusHooks = { ...defaultHooks, creditDeltas: (_b, _a, block) => new Map(block.header.height === 1 ? [[hex(w.h3.pk), -60]] : []) };
    const b = rawBlock(w, w.state0, []);
    const nextSet = w.state0.validators.filter((k) => hex(k) !== hex(w.h3.pk));
    const header = signHeader(w.h1.sk, { ...b.header, nextValidators: validatorSetId(nextSet) });
    const r = applyBlock(w.state0, { ...b, header }, hooks);
    if (!r.ok) throw r.error;
    expect(r.state.credits.get(hex(w.h3.pk))).toBe(40);
    expect(r.state.validators.map(hex)).toEqual(nextSet.map(hex));
    // the default hooks would keep h3: the header's nextValidators no longer matches
    expect(applyBlock(w.state0, { ...b, header }).ok).toBe(false);
  });
  it('a custom finality rule (no finality) keeps blocks unfinalised', () => {
    const hooks: ConsensusHooks = { ...defaultHooks, finalize: (h) => h };
    const { s, block } = withEmr();
    const r = applyBlock(s, rawBlock(w, s, [], { certs: [certify(w, s, block)] }), hooks);
    expect(r.ok && r.state.finalized.height).toBe(0);
    expect(r.ok && r.state.unfinalized.map((u) => [u.height, u.certified])).toEqual([
      [1, true],
      [2, false]
    ]);
  });
});

it('headerSigningBytes does not cover the signature', () => {
  const h = w.genesis.header;
  const other: typeof h = { ...h, sig: new Uint8Array(48) };
  expect(hex(headerSigningBytes(h))).toBe(hex(headerSigningBytes(other)));
});

describe('applyPayload (consensus owns the header)', () => {
  const ctx = (s: ChainState, txs: Transaction[], over: Partial<Parameters<typeof applyPayload>[1]> = {}) => ({ id: new Uint8Array(32).fill(s.height + 1), height: s.height + 1, slot: s.slot + 1, prev: s.head, producer: w.h1.pk, txs, ...over });
  it('applies the same rules as applyBlock', () => {
    const e = tx(w, w.h1, emrBody(w.pid, null, w.h1));
    const r = applyPayload(w.state0, ctx(w.state0, [e]));
    if (!r.ok) throw r.error;
    const viaBlock = withEmr().s;
    expect([...r.state.emrs.keys()]).toEqual([...viaBlock.emrs.keys()]);
    const before = stateBytes(r.state);
    const k = (x: ReturnType<typeof applyPayload>) => (x.ok ? 'accepted' : x.error.kind);
    expect(k(applyPayload(r.state, ctx(r.state, [e])))).toBe('replay');
    expect(k(applyPayload(w.state0, ctx(w.state0, [forge(e)])))).toBe('bad-signature');
    expect(k(applyPayload(r.state, ctx(r.state, [], { prev: new Uint8Array(32) })))).toBe('out-of-order');
    expect(k(applyPayload(r.state, ctx(r.state, [], { producer: w.h3.pk })))).toBe('not-producer');
    expect(stateBytes(r.state)).toBe(before);
    const f = applyPayload(r.state, ctx(r.state, [], { finalized: { height: 1, id: r.state.head } }));
    expect(f.ok && f.state.finalized.height).toBe(1);
  });
});

it('a patient may be granted their own record without a consent grant', () => {
  const { s, e1 } = withEmr();
  const req = tx(w, w.patient, { type: 'access-request', pid: w.pid, emr: e1, purpose: 'own copy' }, 0);
  const s1 = apply(s, rawBlock(w, s, [req]));
  const rec = tx(w, w.h1, { type: 'access-record', request: txId(req), pid: w.pid, emr: e1, requester: w.patient.pk, purpose: 'own copy', prev: null, decision: 'granted', reason: 'own record', mode: 'rewrap' }, 1);
  expect(rejectKind(s1, rawBlock(w, s1, [rec]))).toBe('accepted');
});
