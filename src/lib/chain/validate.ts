/**
 * Per-transaction rules: who may write what (SPEC §5, §6, §7). `applyTx`
 * checks one transaction against the draft state and, if it is valid, applies
 * it. Signatures are checked by the caller (batched per block, state.ts).
 *
 * Common to every transaction: `chain` = the genesis id ('wrong-chain'); the
 * author is a registered member ('unknown-member'); `seq` equals the author's
 * next nonce ('replay' below it, 'out-of-order' above it) — so a transaction id
 * is applied at most once, and one author's transactions apply in order.
 *
 * | type | author | rules |
 * | --- | --- | --- |
 * | genesis | PKG | block 0 only (state.ts) |
 * | register | the PKG (registration authority) | new key and (patients) new pid; PoP verifies |
 * | regulator-update | the regulator named in genesis | target is a member hospital |
 * | vote | a member hospital | delegates distinct member hospitals, at most V |
 * | emr | a member hospital | patient registered; prev = the patient's EMR chain head; audit.v = author |
 * | access-request | a data user, hospital or patient | EMR exists and belongs to pid |
 * | access-record | the hospital that wrote the EMR | answers a pending request, same fields; prev = access chain head; granted only if consent allows |
 * | consent-grant | the patient of pid | listed records are this patient's EMRs; requesters are members |
 * | consent-revoke | the patient of pid | the grant is active and for pid |
 * | audit-request | the patient of pid, or the TPA itself | EMR of pid; tpa is a TPA member |
 * | audit-result | the TPA named in the request | request pending; seed block (request height + 1) finalised; seed = its id |
 * | trace | the PKG | – |
 * | evidence | any member | double-block / double-vote: same producer and slot (or validator and slot), different blocks, both signed; invalid-block: signed block whose txs/certs match its roots (re-validated by consensus); offender a member, not yet punished |
 * | delivery | the EMR's hospital (executor) | the granted record's block is finalised; not yet delivered; same pid/requester/mode; prev = access chain head |
 *
 * Consent (SPEC §5): default deny, except that a patient may always be
 * granted their own records. A grant allows a request when every field
 * matches: records 'any' or lists the EMR, requesters 'any' or lists the
 * requester, purposes 'any' or lists the purpose, and expires is null or later
 * than the block time.
 */
import { bls } from '$lib/crypto';
import { equalBytes, hex } from './bytes';
import { blockId, certRoot, merkleRoot, txId } from './encoding';
import type { Draft } from './state';
import { ChainError, type ConsentState, type Hash, type Hex, type PatientChainHeads, type Transaction } from './types';

const EMPTY_HEADS: PatientChainHeads = { emrHead: null, emrCount: 0, accessHead: null, accessCount: 0 };

function sameHashOrNull(a: Hash | null, b: Hash | null): boolean {
  return a === null || b === null ? a === b : equalBytes(a, b);
}

/** Whether the active grants allow `requester` to read `emr` for `purpose` at `time`. */
export function consentAllows(consents: Iterable<ConsentState>, pid: Hex, emr: Hex, requester: Hex, purpose: string, time: number): boolean {
  for (const c of consents) {
    if (hex(c.pid) !== pid) continue;
    if (c.expires !== null && c.expires <= time) continue;
    if (c.records !== 'any' && !c.records.some((r) => hex(r) === emr)) continue;
    if (c.requesters !== 'any' && !c.requesters.some((r) => hex(r) === requester)) continue;
    if (c.purposes !== 'any' && !c.purposes.includes(purpose)) continue;
    return true;
  }
  return false;
}

/** Checks `tx` (id `id`) against the draft and applies it; returns the broken rule or null. */
export function applyTx(d: Draft, tx: Transaction, id: Hash, where: string): ChainError | null {
  const E = (kind: ConstructorParameters<typeof ChainError>[0], msg: string) => new ChainError(kind, msg, `${where} (${tx.body.type})`);
  const s = d.base;
  if (tx.v !== 1) return E('malformed', `version ${tx.v}`);
  if (!equalBytes(tx.chain, s.chain)) return E('wrong-chain', 'transaction is for another chain');
  const a = hex(tx.author);
  const author = d.members.get(a);
  if (!author) return E('unknown-member', 'author is not a registered member');
  const next = d.nonces.get(a) ?? 0;
  if (tx.seq < next) return E('replay', `seq ${tx.seq} already used (next is ${next})`);
  if (tx.seq > next) return E('out-of-order', `seq ${tx.seq} is ahead of ${next}`);
  const idHex = hex(id);
  const b = tx.body;
  const isPatientOf = (pid: Uint8Array) => d.patients.get(hex(pid)) === a;

  switch (b.type) {
    case 'genesis':
      return E('not-authorised', 'genesis only in block 0');

    case 'register': {
      if (!equalBytes(tx.author, s.pkg)) return E('not-authorised', 'only the PKG registers members');
      const k = hex(b.member.key);
      if (d.members.has(k)) return E('duplicate', 'key already registered');
      if (b.member.role === 'patient' && d.patients.has(hex(b.member.pid!))) return E('duplicate', 'pid already registered');
      if (!bls.popVerify(b.member.key, b.member.pop)) return E('bad-signature', 'proof of possession does not verify');
      d.members.set(k, { ...b.member, since: d.height });
      if (b.member.role === 'patient') d.patients.set(hex(b.member.pid!), k);
      if (b.member.role === 'hospital') d.credits.set(k, s.params.initialCredit);
      break;
    }

    case 'regulator-update': {
      if (!equalBytes(tx.author, s.regulator)) return E('not-authorised', 'only the regulator sets ratings and tiers');
      const k = hex(b.hospital);
      const m = d.members.get(k);
      if (!m || m.role !== 'hospital') return E('unknown-member', 'not a member hospital');
      d.members.set(k, { ...m, rating: b.rating, tier: b.tier });
      break;
    }

    case 'vote': {
      if (author.role !== 'hospital') return E('not-authorised', 'only member hospitals vote');
      if (b.delegates.length > s.params.validators) return E('malformed', `more than V = ${s.params.validators} delegates`);
      const ds = b.delegates.map(hex);
      if (new Set(ds).size !== ds.length) return E('malformed', 'a delegate is listed twice');
      for (const k of ds) if (d.members.get(k)?.role !== 'hospital') return E('unknown-member', 'a delegate is not a member hospital');
      if (ds.length === 0) d.votes.delete(a);
      else d.votes.set(a, [...ds].sort());
      break;
    }

    case 'emr': {
      if (author.role !== 'hospital') return E('not-authorised', 'only hospitals write EMR entries');
      const p = hex(b.pid);
      if (!d.patients.has(p)) return E('unknown-member', 'no patient with this pid');
      const heads = d.patientChains.get(p) ?? EMPTY_HEADS;
      if (!sameHashOrNull(b.prev, heads.emrHead)) return E('out-of-order', 'prev is not the head of the medical-record chain');
      if (!equalBytes(b.audit.v, tx.author)) return E('malformed', 'audit.v must be the writing hospital key');
      d.emrs.set(idHex, { id, pid: b.pid, hospital: tx.author, height: d.height, scheme: b.audit.scheme, info: b.info, audit: b.audit });
      d.patientChains.set(p, { ...heads, emrHead: id, emrCount: heads.emrCount + 1 });
      break;
    }

    case 'access-request': {
      if (author.role !== 'data-user' && author.role !== 'hospital' && author.role !== 'patient') return E('not-authorised', 'this role does not request records');
      const e = d.emrs.get(hex(b.emr));
      if (!e) return E('not-found', 'no such EMR entry');
      if (!equalBytes(e.pid, b.pid)) return E('malformed', 'the EMR belongs to another patient');
      if (b.purpose.length === 0) return E('malformed', 'purpose is empty');
      d.pending.set(idHex, { id, requester: tx.author, pid: b.pid, emr: b.emr, purpose: b.purpose, height: d.height });
      break;
    }

    case 'access-record': {
      const req = d.pending.get(hex(b.request));
      if (!req) return E('not-found', 'no pending access request with this id (unknown or already answered)');
      if (!equalBytes(req.pid, b.pid) || !equalBytes(req.emr, b.emr) || !equalBytes(req.requester, b.requester) || req.purpose !== b.purpose) {
        return E('malformed', 'fields do not match the request');
      }
      const e = d.emrs.get(hex(b.emr))!;
      if (!equalBytes(e.hospital, tx.author)) return E('not-authorised', 'only the hospital that wrote the EMR answers its requests');
      const p = hex(b.pid);
      const heads = d.patientChains.get(p) ?? EMPTY_HEADS;
      if (!sameHashOrNull(b.prev, heads.accessHead)) return E('out-of-order', 'prev is not the head of the access-record chain');
      const ownRecord = d.patients.get(p) === hex(b.requester);
      if (b.decision === 'granted' && !ownRecord && !consentAllows(d.consents.values(), p, hex(b.emr), hex(b.requester), b.purpose, d.time)) {
        return E('consent-denied', "the patient's consent does not allow this access");
      }
      d.pending.delete(hex(b.request));
      if (b.decision === 'granted') d.granted.set(idHex, { id, request: b.request, pid: b.pid, emr: b.emr, requester: b.requester, mode: b.mode, height: d.height, delivery: null });
      d.patientChains.set(p, { ...heads, accessHead: id, accessCount: heads.accessCount + 1 });
      break;
    }

    case 'consent-grant': {
      if (!isPatientOf(b.pid)) return E('not-authorised', "only the patient grants consent for their records");
      if (b.records !== 'any') for (const r of b.records) if (!d.emrs.get(hex(r)) || !equalBytes(d.emrs.get(hex(r))!.pid, b.pid)) return E('not-found', "a listed record is not this patient's EMR");
      if (b.requesters !== 'any') for (const r of b.requesters) if (!d.members.has(hex(r))) return E('unknown-member', 'a listed requester is not a member');
      d.consents.set(idHex, { id, pid: b.pid, records: b.records, requesters: b.requesters, purposes: b.purposes, expires: b.expires, height: d.height });
      break;
    }

    case 'consent-revoke': {
      if (!isPatientOf(b.pid)) return E('not-authorised', 'only the patient revokes consent');
      const g = d.consents.get(hex(b.grant));
      if (!g || !equalBytes(g.pid, b.pid)) return E('not-found', 'no active grant with this id for this patient');
      d.consents.delete(hex(b.grant));
      break;
    }

    case 'audit-request': {
      const byPatient = isPatientOf(b.pid);
      const byTpa = author.role === 'tpa' && equalBytes(b.tpa, tx.author);
      if (!byPatient && !byTpa) return E('not-authorised', 'only the patient, or the TPA itself, requests an audit');
      if (d.members.get(hex(b.tpa))?.role !== 'tpa') return E('unknown-member', 'tpa is not a registered TPA');
      const e = d.emrs.get(hex(b.emr));
      if (!e || !equalBytes(e.pid, b.pid)) return E('not-found', "no such EMR entry of this patient");
      d.audits.set(idHex, { id, pid: b.pid, emr: b.emr, tpa: b.tpa, c: b.c, height: d.height, seed: null });
      break;
    }

    case 'audit-result': {
      const r = d.audits.get(hex(b.request));
      if (!r) return E('not-found', 'no pending audit request with this id');
      if (author.role !== 'tpa' || !equalBytes(r.tpa, tx.author)) return E('not-authorised', 'only the TPA named in the request reports');
      if (r.seed === null || d.finalized.height < r.height + 1) return E('not-final', 'the seed block (request height + 1) is not finalised yet');
      if (!equalBytes(r.seed, b.seed)) return E('malformed', 'seed is not the id of the block after the request');
      d.audits.delete(hex(b.request));
      break;
    }

    case 'trace': {
      if (!equalBytes(tx.author, s.pkg)) return E('not-authorised', 'only the PKG records traces');
      break;
    }

    case 'evidence': {
      const ev = b.evidence;
      let offender: Uint8Array;
      let at: number;
      if (ev.kind === 'double-block') {
        if (!equalBytes(ev.a.producer, ev.b.producer) || ev.a.slot !== ev.b.slot) return E('bad-evidence', 'headers are not by one producer for one slot');
        if (!equalBytes(ev.a.chain, s.chain) || !equalBytes(ev.b.chain, s.chain)) return E('bad-evidence', 'headers are for another chain');
        if (equalBytes(blockId(ev.a), blockId(ev.b))) return E('bad-evidence', 'the two headers are the same block');
        offender = ev.a.producer;
        at = ev.a.slot;
      } else if (ev.kind === 'invalid-block') {
        // The ledger cannot re-validate the accused block (it has no state of
        // its parent): it checks what binds the producer to it (signature, in
        // the block's signature batch; chain; roots). Consensus re-validates
        // it before a producer may carry it (BlockTree.verifyEvidence).
        const h = ev.block.header;
        if (!equalBytes(h.chain, s.chain)) return E('bad-evidence', 'the block is for another chain');
        if (!equalBytes(merkleRoot(ev.block.txs.map(txId)), h.txRoot) || !equalBytes(certRoot(ev.block.certs), h.certRoot)) return E('bad-evidence', 'the transactions or certificates do not match the signed roots');
        offender = h.producer;
        at = h.slot;
      } else {
        if (!equalBytes(ev.a.validator, ev.b.validator) || ev.a.slot !== ev.b.slot) return E('bad-evidence', 'votes are not by one validator for one slot');
        if (!equalBytes(ev.a.chain, s.chain) || !equalBytes(ev.b.chain, s.chain)) return E('bad-evidence', 'votes are for another chain');
        if (equalBytes(ev.a.block, ev.b.block)) return E('bad-evidence', 'the two votes are for the same block');
        offender = ev.a.validator;
        at = ev.a.slot;
      }
      if (!d.members.has(hex(offender))) return E('unknown-member', 'the offender is not a member');
      const key = `${ev.kind}:${hex(offender)}:${at}`;
      if (d.punished.has(key)) return E('duplicate', 'this misbehaviour was already recorded');
      d.punished.add(key);
      break;
    }

    case 'delivery': {
      const g = d.granted.get(hex(b.record));
      if (!g) return E('not-found', 'no granted access record with this id');
      if (g.delivery !== null) return E('duplicate', 'already delivered');
      const e = d.emrs.get(hex(g.emr))!;
      if (!equalBytes(e.hospital, tx.author)) return E('not-authorised', 'only the executor (the EMR hospital) acknowledges delivery');
      if (!equalBytes(g.pid, b.pid) || !equalBytes(g.requester, b.requester) || g.mode !== b.mode) return E('malformed', 'fields do not match the access record');
      if (d.finalized.height < g.height) return E('not-final', 'the access record is not finalised: nothing may be delivered');
      const p = hex(b.pid);
      const heads = d.patientChains.get(p) ?? EMPTY_HEADS;
      if (!sameHashOrNull(b.prev, heads.accessHead)) return E('out-of-order', 'prev is not the head of the access-record chain');
      d.granted.set(hex(b.record), { ...g, delivery: id });
      d.patientChains.set(p, { ...heads, accessHead: id, accessCount: heads.accessCount + 1 });
      break;
    }
  }
  d.nonces.set(a, next + 1);
  return null;
}
