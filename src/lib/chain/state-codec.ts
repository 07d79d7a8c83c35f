/**
 * The state's one canonical encoding (DAG-CBOR map `t: 'medchain/state'`, v 1):
 * every map becomes a CBOR map keyed by the same hex strings (DAG-CBOR sorts
 * keys), sets become sorted arrays. Two states are equal iff their encodings
 * are equal; `stateId` is SHA-256 of it. Used for snapshots in the store and to
 * check that a state rebuilt from blocks equals the stored one.
 */
import { decode, encode, expectArray, expectBytes, expectHeader, expectMap, expectString, expectUint, FormatError, type Value } from '$lib/codec';
import { sha256 } from './bytes';
import { auditValue, decodeAudit, decodeEmrInfo, decodeMember, emrInfoValue, memberValue } from './encoding';
import {
  CHAIN_VERSION,
  type ChainState,
  type ConsentScope,
  type ConsentState,
  type EmrIndexEntry,
  type GrantedAccess,
  type Hash,
  type Hex,
  type MemberState,
  type PatientChainHeads,
  type PendingAccess,
  type PendingAudit,
  type UnfinalizedBlock
} from './types';

export const T_STATE = 'medchain/state';
export const MAX_STATE_BYTES = 256 << 20;

function mapValue<V>(m: ReadonlyMap<Hex, V>, f: (v: V) => Value): Value {
  const o: Record<string, Value> = {};
  for (const [k, v] of m) o[k] = f(v);
  return o;
}
const scope = <T extends Value>(s: ConsentScope<T>): Value => (s === 'any' ? 'any' : (s as Value[]));
const nul = (h: Hash | null): Value => h;

export function stateValue(s: ChainState): Value {
  return {
    t: T_STATE,
    v: CHAIN_VERSION,
    chain: s.chain,
    name: s.name,
    params: { ...s.params },
    pkg: s.pkg,
    regulator: s.regulator,
    height: s.height,
    head: s.head,
    slot: s.slot,
    members: mapValue(s.members, (m) => ({ ...memberValue(m), since: m.since })),
    patients: mapValue(s.patients, (k) => k),
    nonces: mapValue(s.nonces, (n) => n),
    votes: mapValue(s.votes, (d) => [...d]),
    patientChains: mapValue(s.patientChains, (c) => ({ emrHead: nul(c.emrHead), emrCount: c.emrCount, accessHead: nul(c.accessHead), accessCount: c.accessCount })),
    emrs: mapValue(s.emrs, (e) => ({ id: e.id, pid: e.pid, hospital: e.hospital, height: e.height, scheme: e.scheme, info: emrInfoValue(e.info), audit: auditValue(e.audit) })),
    consents: mapValue(s.consents, (c) => ({ id: c.id, pid: c.pid, records: scope(c.records), requesters: scope(c.requesters), purposes: scope(c.purposes), expires: c.expires, height: c.height })),
    pending: mapValue(s.pending, (p) => ({ id: p.id, requester: p.requester, pid: p.pid, emr: p.emr, purpose: p.purpose, height: p.height })),
    granted: mapValue(s.granted, (g) => ({ id: g.id, request: g.request, pid: g.pid, emr: g.emr, requester: g.requester, mode: g.mode, height: g.height, delivery: nul(g.delivery) })),
    audits: mapValue(s.audits, (a) => ({ id: a.id, pid: a.pid, emr: a.emr, tpa: a.tpa, c: a.c, height: a.height, seed: nul(a.seed) })),
    credits: mapValue(s.credits, (c) => c),
    punished: [...s.punished].sort(),
    validators: [...s.validators],
    validatorSets: mapValue(s.validatorSets, (ks) => [...ks]),
    finalized: { height: s.finalized.height, id: s.finalized.id },
    unfinalized: s.unfinalized.map((u) => ({ height: u.height, slot: u.slot, id: u.id, validators: u.validators, certified: u.certified }))
  };
}

export function encodeState(s: ChainState): Uint8Array {
  return encode(stateValue(s));
}

export function stateId(s: ChainState): Hash {
  return sha256(encodeState(s));
}

// ---------------------------------------------------------------- decoding

const b32 = (v: unknown, w: string) => expectBytes(v, w, 32);
const b96 = (v: unknown, w: string) => expectBytes(v, w, 96);
const orNull = (v: unknown, w: string): Hash | null => (v === null ? null : b32(v, w));
const int = (v: unknown, w: string): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new FormatError('wrong-type', `${w}: expected an integer`);
  return v;
};
function readMap<V>(v: unknown, what: string, f: (x: Record<string, unknown>, w: string) => V): Map<Hex, V> {
  const m = expectMap(v, what);
  const out = new Map<Hex, V>();
  for (const [k, x] of Object.entries(m)) out.set(k, f(x as Record<string, unknown>, `${what}.${k}`));
  return out;
}
function readScope<T>(v: unknown, f: (x: unknown, w: string) => T, w: string): ConsentScope<T> {
  return v === 'any' ? 'any' : expectArray(v, w, 1 << 20).map((x, i) => f(x, `${w}[${i}]`));
}
const str = (x: unknown, w: string) => expectString(x, w);

export function decodeState(bytes: Uint8Array): ChainState {
  const m = expectMap(decode(bytes, MAX_STATE_BYTES), 'state');
  expectHeader(m, T_STATE, CHAIN_VERSION);
  const p = expectMap(m.params, 'state.params');
  const params = {
    validators: expectUint(p.validators, 'validators'),
    slotMs: expectUint(p.slotMs, 'slotMs'),
    genesisTime: expectUint(p.genesisTime, 'genesisTime'),
    initialCredit: expectUint(p.initialCredit, 'initialCredit'),
    creditThreshold: expectUint(p.creditThreshold, 'creditThreshold'),
    roundSlots: expectUint(p.roundSlots, 'roundSlots')
  };
  const fin = expectMap(m.finalized, 'state.finalized');
  return {
    v: CHAIN_VERSION,
    chain: b32(m.chain, 'chain'),
    name: expectString(m.name, 'name'),
    params,
    pkg: b96(m.pkg, 'pkg'),
    regulator: b96(m.regulator, 'regulator'),
    height: expectUint(m.height, 'height'),
    head: b32(m.head, 'head'),
    slot: expectUint(m.slot, 'slot'),
    members: readMap(m.members, 'members', (x, w): MemberState => {
      const { since, ...rest } = x;
      return { ...decodeMember(rest, w), since: expectUint(since, `${w}.since`) };
    }),
    patients: readMap(m.patients, 'patients', (x, w) => expectString(x, w)),
    nonces: readMap(m.nonces, 'nonces', (x, w) => expectUint(x, w)),
    votes: readMap(m.votes, 'votes', (x, w) => expectArray(x, w, 4096).map((d, i) => expectString(d, `${w}[${i}]`))),
    patientChains: readMap(m.patientChains, 'patientChains', (x, w): PatientChainHeads => ({
      emrHead: orNull(x.emrHead, `${w}.emrHead`),
      emrCount: expectUint(x.emrCount, `${w}.emrCount`),
      accessHead: orNull(x.accessHead, `${w}.accessHead`),
      accessCount: expectUint(x.accessCount, `${w}.accessCount`)
    })),
    emrs: readMap(m.emrs, 'emrs', (x, w): EmrIndexEntry => {
      const audit = decodeAudit(x.audit);
      return { id: b32(x.id, w), pid: expectBytes(x.pid, w), hospital: b96(x.hospital, w), height: expectUint(x.height, w), scheme: audit.scheme, info: decodeEmrInfo(x.info), audit };
    }),
    consents: readMap(m.consents, 'consents', (x, w): ConsentState => ({
      id: b32(x.id, w),
      pid: expectBytes(x.pid, w),
      records: readScope(x.records, b32, `${w}.records`),
      requesters: readScope(x.requesters, b96, `${w}.requesters`),
      purposes: readScope(x.purposes, str, `${w}.purposes`),
      expires: x.expires === null ? null : expectUint(x.expires, w),
      height: expectUint(x.height, w)
    })),
    pending: readMap(m.pending, 'pending', (x, w): PendingAccess => ({ id: b32(x.id, w), requester: b96(x.requester, w), pid: expectBytes(x.pid, w), emr: b32(x.emr, w), purpose: expectString(x.purpose, w), height: expectUint(x.height, w) })),
    granted: readMap(m.granted, 'granted', (x, w): GrantedAccess => ({
      id: b32(x.id, w),
      request: b32(x.request, w),
      pid: expectBytes(x.pid, w),
      emr: b32(x.emr, w),
      requester: b96(x.requester, w),
      mode: expectString(x.mode, w) as GrantedAccess['mode'],
      height: expectUint(x.height, w),
      delivery: orNull(x.delivery, w)
    })),
    audits: readMap(m.audits, 'audits', (x, w): PendingAudit => ({ id: b32(x.id, w), pid: expectBytes(x.pid, w), emr: b32(x.emr, w), tpa: b96(x.tpa, w), c: expectUint(x.c, w), height: expectUint(x.height, w), seed: orNull(x.seed, w) })),
    credits: readMap(m.credits, 'credits', (x, w) => int(x, w)),
    punished: new Set(expectArray(m.punished, 'punished', 1 << 20).map((x, i) => expectString(x, `punished[${i}]`))),
    validators: expectArray(m.validators, 'validators', 4096).map((x, i) => b96(x, `validators[${i}]`)),
    validatorSets: readMap(m.validatorSets, 'validatorSets', (x, w) => expectArray(x, w, 4096).map((k, i) => b96(k, `${w}[${i}]`))),
    finalized: { height: expectUint(fin.height, 'finalized.height'), id: b32(fin.id, 'finalized.id') },
    unfinalized: expectArray(m.unfinalized, 'unfinalized', 1 << 20).map((x, i): UnfinalizedBlock => {
      const u = expectMap(x, `unfinalized[${i}]`);
      if (typeof u.certified !== 'boolean') throw new FormatError('wrong-type', `unfinalized[${i}].certified`);
      return { height: expectUint(u.height, 'height'), slot: expectUint(u.slot, 'slot'), id: b32(u.id, 'id'), validators: b32(u.validators, 'validators'), certified: u.certified };
    })
  };
}
