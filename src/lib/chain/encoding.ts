/**
 * Deterministic byte encodings of the ledger's objects (DAG-CBOR via
 * $lib/codec: sorted map keys, minimal integers, no floats) and the ids and
 * roots derived from them. Every signed or hashed chain object goes through
 * here; decoders validate every field and throw `FormatError` (from
 * $lib/codec) with a `kind` and the field's name.
 *
 * | object | map tag `t` | signed bytes | id |
 * | --- | --- | --- | --- |
 * | transaction | `medchain/tx` | encoding without `sig` | SHA-256(encodeTx(tx)) |
 * | block header | `medchain/block` | encoding without `sig` | SHA-256(encodeHeader(h)) |
 * | block | `medchain/blk` (header, txs, certs) | – | = header id |
 * | evidence | (inside an `evidence` tx) double-block, double-vote, invalid-block (a whole block; nesting depth 1) | – | – |
 * | finality vote | `medchain/finality` | {t, v, chain, block, height, slot} | – |
 * | certificate | `medchain/cert` | – | – |
 * | validator set | `medchain/validators` | – | validatorSetId = SHA-256 |
 * | state | `medchain/state` | – | stateId = SHA-256 |
 *
 * Every map carries `v: 1` (CHAIN_VERSION); decoders reject other versions.
 *
 * Transaction Merkle root (txRoot): leaves `SHA-256(0x00 || txId)`, inner
 * nodes `SHA-256(0x01 || left || right)`, an odd last node is promoted
 * unchanged (never duplicated, so no two lists share a root); the empty list's
 * root is `SHA-256(0x02)`. `merkleProof`/`verifyMerkleProof` give and check
 * inclusion of one id given (index, count).
 */
import { decode, encode, expectArray, expectBytes, expectHeader, expectMap, expectString, expectUint, FormatError, type Value } from '$lib/codec';
import { concatBytes, sha256 } from './bytes';
import {
  CHAIN_VERSION,
  ENC_KEY_BYTES,
  HASH_BYTES,
  MAX_RATING,
  PID_BYTES,
  PUBLIC_KEY_BYTES,
  ROLES,
  SIGNATURE_BYTES,
  TIERS,
  type AuditMeta,
  type Block,
  type BlockHeader,
  type ChainParams,
  type ConsentScope,
  type EmrInfo,
  type Evidence,
  type FinalityCertificate,
  type FinalityVote,
  type Hash,
  type MemberRecord,
  type PublicKey,
  type Role,
  type Tier,
  type Transaction,
  type TxBody
} from './types';

export const T_TX = 'medchain/tx';
export const T_HEADER = 'medchain/block';
export const T_BLOCK = 'medchain/blk';
export const T_FINALITY = 'medchain/finality';
export const T_CERT = 'medchain/cert';
export const T_VALIDATORS = 'medchain/validators';

export const MAX_TX_BYTES = 1 << 20;
export const MAX_BLOCK_BYTES = 8 << 20;
export const MAX_TXS_PER_BLOCK = 2048;
export const MAX_CERTS_PER_BLOCK = 64;
export const MAX_MEMBERS = 4096;
export const MAX_VALIDATORS = 1024;
export const MAX_TEXT = 4096;
export const MAX_NAME = 128;
export const MAX_SCOPE = 256;
export const MAX_SEALED_KEY = 1024;

// ---------------------------------------------------------------- values

function paramsValue(p: ChainParams): Value {
  return { validators: p.validators, slotMs: p.slotMs, genesisTime: p.genesisTime, initialCredit: p.initialCredit, creditThreshold: p.creditThreshold, roundSlots: p.roundSlots };
}

export function memberValue(m: MemberRecord): Record<string, Value> {
  const v: Record<string, Value> = { role: m.role, key: m.key, pop: m.pop, enc: m.enc, name: m.name };
  if (m.rating !== undefined) v.rating = m.rating;
  if (m.tier !== undefined) v.tier = m.tier;
  if (m.pid !== undefined) v.pid = m.pid;
  return v;
}

function scopeValue<T extends Value>(s: ConsentScope<T>): Value {
  return s === 'any' ? 'any' : (s as Value[]);
}

export function emrInfoValue(i: EmrInfo): Value {
  return { h3c: i.h3c, index: i.index, description: i.description, time: i.time };
}

export function auditValue(a: AuditMeta): Value {
  return a.scheme === 'sw-priv'
    ? { scheme: a.scheme, name: a.name, n: a.n, s: a.s, v: a.v }
    : { scheme: a.scheme, n: a.n, r1: a.r1, r2: a.r2, idm: a.idm, pkP: a.pkP, v: a.v };
}

export function voteValue(x: FinalityVote): Value {
  return { chain: x.chain, block: x.block, height: x.height, slot: x.slot, validator: x.validator, sig: x.sig };
}

export function evidenceValue(e: Evidence): Value {
  switch (e.kind) {
    case 'double-block':
      return { kind: e.kind, a: headerValue(e.a, true), b: headerValue(e.b, true) };
    case 'double-vote':
      return { kind: e.kind, a: voteValue(e.a), b: voteValue(e.b) };
    case 'invalid-block':
      return { kind: e.kind, block: blockValue(e.block) };
  }
}

export function bodyValue(b: TxBody): Value {
  switch (b.type) {
    case 'genesis':
      return { type: b.type, name: b.name, params: paramsValue(b.params), pkg: b.pkg, regulator: b.regulator, members: b.members.map(memberValue) };
    case 'register':
      return { type: b.type, member: memberValue(b.member) };
    case 'regulator-update':
      return { type: b.type, hospital: b.hospital, rating: b.rating, tier: b.tier };
    case 'vote':
      return { type: b.type, delegates: b.delegates };
    case 'emr':
      return { type: b.type, pid: b.pid, prev: b.prev, info: emrInfoValue(b.info), audit: auditValue(b.audit), sealedKey: b.sealedKey };
    case 'access-request':
      return { type: b.type, pid: b.pid, emr: b.emr, purpose: b.purpose };
    case 'access-record':
      return { type: b.type, request: b.request, pid: b.pid, emr: b.emr, requester: b.requester, purpose: b.purpose, prev: b.prev, decision: b.decision, reason: b.reason, mode: b.mode };
    case 'consent-grant':
      return { type: b.type, pid: b.pid, records: scopeValue(b.records), requesters: scopeValue(b.requesters), purposes: scopeValue(b.purposes), expires: b.expires };
    case 'consent-revoke':
      return { type: b.type, pid: b.pid, grant: b.grant };
    case 'audit-request':
      return { type: b.type, pid: b.pid, emr: b.emr, tpa: b.tpa, c: b.c };
    case 'audit-result':
      return { type: b.type, request: b.request, seed: b.seed, passed: b.passed, proof: b.proof, detail: b.detail };
    case 'trace':
      return { type: b.type, pid: b.pid, requester: b.requester, reason: b.reason, time: b.time };
    case 'evidence':
      return { type: b.type, evidence: evidenceValue(b.evidence) };
    case 'delivery':
      return { type: b.type, record: b.record, pid: b.pid, requester: b.requester, mode: b.mode, digest: b.digest, prev: b.prev };
  }
}

export function txValue(tx: Omit<Transaction, 'sig'> & { sig?: Uint8Array }, withSig: boolean): Record<string, Value> {
  const v: Record<string, Value> = { t: T_TX, v: CHAIN_VERSION, chain: tx.chain, author: tx.author, seq: tx.seq, time: tx.time, body: bodyValue(tx.body) };
  if (withSig) v.sig = tx.sig as Uint8Array;
  return v;
}

export function headerValue(h: Omit<BlockHeader, 'sig'> & { sig?: Uint8Array }, withSig: boolean): Record<string, Value> {
  const v: Record<string, Value> = {
    t: T_HEADER,
    v: CHAIN_VERSION,
    chain: h.chain,
    height: h.height,
    slot: h.slot,
    prev: h.prev,
    txRoot: h.txRoot,
    certRoot: h.certRoot,
    validators: h.validators,
    nextValidators: h.nextValidators,
    producer: h.producer
  };
  if (withSig) v.sig = h.sig as Uint8Array;
  return v;
}

export function certValue(c: FinalityCertificate): Record<string, Value> {
  return { t: T_CERT, v: CHAIN_VERSION, block: c.block, height: c.height, slot: c.slot, signers: c.signers, sig: c.sig };
}

// ---------------------------------------------------------------- encoders, ids

/** The bytes the author signs: the transaction without `sig`. */
export function txSigningBytes(tx: Omit<Transaction, 'sig'>): Uint8Array {
  return encode(txValue(tx, false));
}
export function encodeTx(tx: Transaction): Uint8Array {
  return encode(txValue(tx, true));
}
export function txId(tx: Transaction): Hash {
  return sha256(encodeTx(tx));
}

/** The bytes the producer signs: the header without `sig`. */
export function headerSigningBytes(h: Omit<BlockHeader, 'sig'>): Uint8Array {
  return encode(headerValue(h, false));
}
export function encodeHeader(h: BlockHeader): Uint8Array {
  return encode(headerValue(h, true));
}
export function blockId(b: Block | BlockHeader): Hash {
  return sha256(encodeHeader('header' in b ? b.header : b));
}

export function encodeCert(c: FinalityCertificate): Uint8Array {
  return encode(certValue(c));
}
/** SHA-256 of the encoded certificate list (the header's certRoot). */
export function certRoot(certs: readonly FinalityCertificate[]): Hash {
  return sha256(encode({ t: T_CERT, v: CHAIN_VERSION, certs: certs.map(certValue) }));
}

export function blockValue(b: Block): Value {
  return { t: T_BLOCK, v: CHAIN_VERSION, header: headerValue(b.header, true), txs: b.txs.map((t) => txValue(t, true)), certs: b.certs.map(certValue) };
}
export function encodeBlock(b: Block): Uint8Array {
  return encode(blockValue(b));
}

/** The one message every validator signs to certify `block` (at `height`, `slot`) of chain `chain`. */
export function finalityMessage(chain: Hash, block: Hash, height: number, slot: number): Uint8Array {
  return encode({ t: T_FINALITY, v: CHAIN_VERSION, chain, block, height, slot });
}

/** Id of an ordered validator set (the order is the certificate bitmap's order). */
export function validatorSetId(keys: readonly PublicKey[]): Hash {
  return sha256(encode({ t: T_VALIDATORS, v: CHAIN_VERSION, keys: keys as Uint8Array[] }));
}

// ---------------------------------------------------------------- Merkle

const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);
export const EMPTY_ROOT: Hash = sha256(Uint8Array.of(2));

function levelUp(level: Hash[]): Hash[] {
  const out: Hash[] = [];
  for (let i = 0; i < level.length; i += 2) out.push(i + 1 < level.length ? sha256(concatBytes(NODE, level[i], level[i + 1])) : level[i]);
  return out;
}

export function merkleRoot(ids: readonly Hash[]): Hash {
  if (ids.length === 0) return EMPTY_ROOT;
  let level: Hash[] = ids.map((id) => sha256(concatBytes(LEAF, id)));
  while (level.length > 1) level = levelUp(level);
  return level[0];
}

/** Sibling hashes from leaf `index` up to the root (promoted levels contribute none). */
export function merkleProof(ids: readonly Hash[], index: number): Hash[] {
  if (!Number.isInteger(index) || index < 0 || index >= ids.length) throw new RangeError(`index: ${index} not in [0, ${ids.length})`);
  const path: Hash[] = [];
  let level: Hash[] = ids.map((id) => sha256(concatBytes(LEAF, id)));
  let i = index;
  while (level.length > 1) {
    const sib = i ^ 1;
    if (sib < level.length) path.push(level[sib]);
    level = levelUp(level);
    i >>= 1;
  }
  return path;
}

export function verifyMerkleProof(root: Hash, id: Hash, index: number, count: number, path: readonly Hash[]): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(count) || index < 0 || index >= count) return false;
  let h = sha256(concatBytes(LEAF, id));
  let i = index;
  let n = count;
  let used = 0;
  while (n > 1) {
    const sib = i ^ 1;
    if (sib < n) {
      if (used >= path.length) return false;
      const s = path[used++];
      h = i & 1 ? sha256(concatBytes(NODE, s, h)) : sha256(concatBytes(NODE, h, s));
    }
    n = Math.ceil(n / 2);
    i >>= 1;
  }
  if (used !== path.length) return false;
  return h.length === root.length && h.every((b, k) => b === root[k]);
}

// ---------------------------------------------------------------- decoders

const hash = (v: unknown, what: string) => expectBytes(v, what, HASH_BYTES);
const key = (v: unknown, what: string) => expectBytes(v, what, PUBLIC_KEY_BYTES);
const sig = (v: unknown, what: string) => expectBytes(v, what, SIGNATURE_BYTES);
const pid = (v: unknown, what: string) => expectBytes(v, what, PID_BYTES);

function hashOrNull(v: unknown, what: string): Hash | null {
  return v === null ? null : hash(v, what);
}
function bool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') throw new FormatError(v === undefined ? 'missing-field' : 'wrong-type', `${what}: expected a boolean`);
  return v;
}
function oneOf<T extends string>(v: unknown, options: readonly T[], what: string): T {
  const s = expectString(v, what, 64);
  if (!(options as readonly string[]).includes(s)) throw new FormatError('out-of-range', `${what}: '${s}' is not one of ${options.join(', ')}`);
  return s as T;
}
/** Rejects maps with fields other than `allowed` (so one object has one encoding and nothing rides along unsigned by meaning). */
function onlyKeys(m: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(m)) if (!allowed.includes(k)) throw new FormatError('malformed', `${what}: unexpected field '${k}'`);
}

function decodeParams(v: unknown): ChainParams {
  const m = expectMap(v, 'params');
  onlyKeys(m, ['validators', 'slotMs', 'genesisTime', 'initialCredit', 'creditThreshold', 'roundSlots'], 'params');
  const p: ChainParams = {
    validators: expectUint(m.validators, 'params.validators', MAX_VALIDATORS),
    slotMs: expectUint(m.slotMs, 'params.slotMs'),
    genesisTime: expectUint(m.genesisTime, 'params.genesisTime'),
    initialCredit: expectUint(m.initialCredit, 'params.initialCredit'),
    creditThreshold: expectUint(m.creditThreshold, 'params.creditThreshold'),
    roundSlots: expectUint(m.roundSlots, 'params.roundSlots', 1 << 20)
  };
  if (p.validators < 1) throw new FormatError('out-of-range', 'params.validators: at least 1');
  if (p.slotMs < 1) throw new FormatError('out-of-range', 'params.slotMs: at least 1');
  if (p.roundSlots < 1) throw new FormatError('out-of-range', 'params.roundSlots: at least 1');
  return p;
}

export function decodeMember(v: unknown, what = 'member'): MemberRecord {
  const m = expectMap(v, what);
  onlyKeys(m, ['role', 'key', 'pop', 'enc', 'name', 'rating', 'tier', 'pid'], what);
  const role: Role = oneOf(m.role, ROLES, `${what}.role`);
  const r: MemberRecord = {
    role,
    key: key(m.key, `${what}.key`),
    pop: sig(m.pop, `${what}.pop`),
    enc: expectBytes(m.enc, `${what}.enc`, ENC_KEY_BYTES),
    name: expectString(m.name, `${what}.name`, MAX_NAME)
  };
  if (role === 'hospital') {
    r.rating = expectUint(m.rating, `${what}.rating`, MAX_RATING);
    r.tier = oneOf<Tier>(m.tier, TIERS, `${what}.tier`);
  } else if (m.rating !== undefined || m.tier !== undefined) throw new FormatError('malformed', `${what}: only hospitals have a rating and tier`);
  if (role === 'patient') r.pid = pid(m.pid, `${what}.pid`);
  else if (m.pid !== undefined) throw new FormatError('malformed', `${what}: only patients have a pid`);
  return r;
}

function decodeScope<T>(v: unknown, item: (x: unknown, what: string) => T, what: string): ConsentScope<T> {
  if (v === 'any') return 'any';
  const arr = expectArray(v, what, MAX_SCOPE);
  if (arr.length === 0) throw new FormatError('out-of-range', `${what}: empty (use 'any' or list at least one)`);
  return arr.map((x, i) => item(x, `${what}[${i}]`));
}

export function decodeEmrInfo(v: unknown): EmrInfo {
  const m = expectMap(v, 'info');
  onlyKeys(m, ['h3c', 'index', 'description', 'time'], 'info');
  return { h3c: expectBytes(m.h3c, 'info.h3c', 32), index: expectString(m.index, 'info.index', 512), description: expectString(m.description, 'info.description', MAX_TEXT), time: expectUint(m.time, 'info.time') };
}

export function decodeAudit(v: unknown): AuditMeta {
  const m = expectMap(v, 'audit');
  const scheme = oneOf(m.scheme, ['sw-priv', 'yang2019'] as const, 'audit.scheme');
  if (scheme === 'sw-priv') {
    onlyKeys(m, ['scheme', 'name', 'n', 's', 'v'], 'audit');
    const a = { scheme, name: expectBytes(m.name, 'audit.name', 32), n: expectUint(m.n, 'audit.n', 2 ** 32), s: expectUint(m.s, 'audit.s', 4096), v: key(m.v, 'audit.v') };
    if (a.n < 1 || a.s < 1) throw new FormatError('out-of-range', 'audit: n and s must be at least 1');
    return a;
  }
  onlyKeys(m, ['scheme', 'n', 'r1', 'r2', 'idm', 'pkP', 'v'], 'audit');
  const a = { scheme, n: expectUint(m.n, 'audit.n', 2 ** 32), r1: expectBytes(m.r1, 'audit.r1', 48), r2: expectBytes(m.r2, 'audit.r2', 96), idm: expectBytes(m.idm, 'audit.idm'), pkP: key(m.pkP, 'audit.pkP'), v: key(m.v, 'audit.v') };
  if (a.idm.length > 256) throw new FormatError('out-of-range', 'audit.idm: longer than 256 bytes');
  if (a.n < 1) throw new FormatError('out-of-range', 'audit.n: at least 1');
  return a;
}

export function voteFromValue(v: unknown, what = 'vote'): FinalityVote {
  const m = expectMap(v, what);
  onlyKeys(m, ['chain', 'block', 'height', 'slot', 'validator', 'sig'], what);
  return { chain: hash(m.chain, `${what}.chain`), block: hash(m.block, `${what}.block`), height: expectUint(m.height, `${what}.height`), slot: expectUint(m.slot, `${what}.slot`), validator: key(m.validator, `${what}.validator`), sig: sig(m.sig, `${what}.sig`) };
}

let evidenceDepth = 0;
/** Decodes evidence; an invalid-block's block may not itself carry invalid-block evidence. */
export function evidenceFromValue(v: unknown): Evidence {
  const m = expectMap(v, 'evidence');
  const kind = oneOf(m.kind, ['double-block', 'double-vote', 'invalid-block'] as const, 'evidence.kind');
  if (kind === 'invalid-block') {
    onlyKeys(m, ['kind', 'block'], 'evidence');
    if (evidenceDepth > 0) throw new FormatError('out-of-range', 'evidence: invalid-block evidence nested in invalid-block evidence');
    evidenceDepth++;
    try {
      return { kind, block: blockFromValue(m.block) };
    } finally {
      evidenceDepth--;
    }
  }
  onlyKeys(m, ['kind', 'a', 'b'], 'evidence');
  if (kind === 'double-block') return { kind, a: headerFromValue(m.a, 'evidence.a'), b: headerFromValue(m.b, 'evidence.b') };
  return { kind, a: voteFromValue(m.a, 'evidence.a'), b: voteFromValue(m.b, 'evidence.b') };
}

const DECISIONS = ['granted', 'refused'] as const;
const MODES = ['rewrap', 'reencrypt'] as const;

export function decodeBody(v: unknown): TxBody {
  const m = expectMap(v, 'body');
  const type = expectString(m.type, 'body.type', 64);
  const only = (...keys: string[]) => onlyKeys(m, ['type', ...keys], `body (${type})`);
  switch (type) {
    case 'genesis': {
      only('name', 'params', 'pkg', 'regulator', 'members');
      return {
        type,
        name: expectString(m.name, 'genesis.name', MAX_NAME),
        params: decodeParams(m.params),
        pkg: key(m.pkg, 'genesis.pkg'),
        regulator: key(m.regulator, 'genesis.regulator'),
        members: expectArray(m.members, 'genesis.members', MAX_MEMBERS).map((x, i) => decodeMember(x, `genesis.members[${i}]`))
      };
    }
    case 'register':
      only('member');
      return { type, member: decodeMember(m.member) };
    case 'regulator-update':
      only('hospital', 'rating', 'tier');
      return { type, hospital: key(m.hospital, 'hospital'), rating: expectUint(m.rating, 'rating', MAX_RATING), tier: oneOf<Tier>(m.tier, TIERS, 'tier') };
    case 'vote':
      only('delegates');
      return { type, delegates: expectArray(m.delegates, 'delegates', MAX_VALIDATORS).map((x, i) => key(x, `delegates[${i}]`)) };
    case 'emr': {
      only('pid', 'prev', 'info', 'audit', 'sealedKey');
      const sealedKey = m.sealedKey === null ? null : expectBytes(m.sealedKey, 'sealedKey');
      if (sealedKey && sealedKey.length > MAX_SEALED_KEY) throw new FormatError('out-of-range', `sealedKey: longer than ${MAX_SEALED_KEY} bytes`);
      return { type, pid: pid(m.pid, 'pid'), prev: hashOrNull(m.prev, 'prev'), info: decodeEmrInfo(m.info), audit: decodeAudit(m.audit), sealedKey };
    }
    case 'access-request':
      only('pid', 'emr', 'purpose');
      return { type, pid: pid(m.pid, 'pid'), emr: hash(m.emr, 'emr'), purpose: expectString(m.purpose, 'purpose', MAX_NAME) };
    case 'access-record':
      only('request', 'pid', 'emr', 'requester', 'purpose', 'prev', 'decision', 'reason', 'mode');
      return {
        type,
        request: hash(m.request, 'request'),
        pid: pid(m.pid, 'pid'),
        emr: hash(m.emr, 'emr'),
        requester: key(m.requester, 'requester'),
        purpose: expectString(m.purpose, 'purpose', MAX_NAME),
        prev: hashOrNull(m.prev, 'prev'),
        decision: oneOf(m.decision, DECISIONS, 'decision'),
        reason: expectString(m.reason, 'reason', MAX_TEXT),
        mode: oneOf(m.mode, MODES, 'mode')
      };
    case 'consent-grant':
      only('pid', 'records', 'requesters', 'purposes', 'expires');
      return {
        type,
        pid: pid(m.pid, 'pid'),
        records: decodeScope(m.records, hash, 'records'),
        requesters: decodeScope(m.requesters, key, 'requesters'),
        purposes: decodeScope(m.purposes, (x, w) => expectString(x, w, MAX_NAME), 'purposes'),
        expires: m.expires === null ? null : expectUint(m.expires, 'expires')
      };
    case 'consent-revoke':
      only('pid', 'grant');
      return { type, pid: pid(m.pid, 'pid'), grant: hash(m.grant, 'grant') };
    case 'audit-request': {
      only('pid', 'emr', 'tpa', 'c');
      const c = expectUint(m.c, 'c', 1 << 16);
      if (c < 1) throw new FormatError('out-of-range', 'c: at least 1');
      return { type, pid: pid(m.pid, 'pid'), emr: hash(m.emr, 'emr'), tpa: key(m.tpa, 'tpa'), c };
    }
    case 'audit-result':
      only('request', 'seed', 'passed', 'proof', 'detail');
      return { type, request: hash(m.request, 'request'), seed: hash(m.seed, 'seed'), passed: bool(m.passed, 'passed'), proof: hash(m.proof, 'proof'), detail: expectString(m.detail, 'detail', MAX_TEXT) };
    case 'trace':
      only('pid', 'requester', 'reason', 'time');
      return { type, pid: pid(m.pid, 'pid'), requester: key(m.requester, 'requester'), reason: expectString(m.reason, 'reason', MAX_TEXT), time: expectUint(m.time, 'time') };
    case 'evidence':
      only('evidence');
      return { type, evidence: evidenceFromValue(m.evidence) };
    case 'delivery':
      only('record', 'pid', 'requester', 'mode', 'digest', 'prev');
      return { type, record: hash(m.record, 'record'), pid: pid(m.pid, 'pid'), requester: key(m.requester, 'requester'), mode: oneOf(m.mode, MODES, 'mode'), digest: hash(m.digest, 'digest'), prev: hashOrNull(m.prev, 'prev') };
    default:
      throw new FormatError('wrong-type', `unknown transaction type '${type}'`);
  }
}

export function txFromValue(v: unknown, what = 'transaction'): Transaction {
  const m = expectMap(v, what);
  expectHeader(m, T_TX, CHAIN_VERSION);
  onlyKeys(m, ['t', 'v', 'chain', 'author', 'seq', 'time', 'body', 'sig'], what);
  return { v: CHAIN_VERSION, chain: hash(m.chain, `${what}.chain`), author: key(m.author, `${what}.author`), seq: expectUint(m.seq, `${what}.seq`), time: expectUint(m.time, `${what}.time`), body: decodeBody(m.body), sig: sig(m.sig, `${what}.sig`) };
}

export function decodeTx(bytes: Uint8Array): Transaction {
  return txFromValue(decode(bytes, MAX_TX_BYTES));
}

export function headerFromValue(v: unknown, what = 'header'): BlockHeader {
  const m = expectMap(v, what);
  expectHeader(m, T_HEADER, CHAIN_VERSION);
  onlyKeys(m, ['t', 'v', 'chain', 'height', 'slot', 'prev', 'txRoot', 'certRoot', 'validators', 'nextValidators', 'producer', 'sig'], what);
  return {
    v: CHAIN_VERSION,
    chain: hash(m.chain, `${what}.chain`),
    height: expectUint(m.height, `${what}.height`),
    slot: expectUint(m.slot, `${what}.slot`),
    prev: hash(m.prev, `${what}.prev`),
    txRoot: hash(m.txRoot, `${what}.txRoot`),
    certRoot: hash(m.certRoot, `${what}.certRoot`),
    validators: hash(m.validators, `${what}.validators`),
    nextValidators: hash(m.nextValidators, `${what}.nextValidators`),
    producer: key(m.producer, `${what}.producer`),
    sig: sig(m.sig, `${what}.sig`)
  };
}

export function decodeHeader(bytes: Uint8Array): BlockHeader {
  return headerFromValue(decode(bytes, 4096));
}

export function certFromValue(v: unknown, what = 'certificate'): FinalityCertificate {
  const m = expectMap(v, what);
  expectHeader(m, T_CERT, CHAIN_VERSION);
  onlyKeys(m, ['t', 'v', 'block', 'height', 'slot', 'signers', 'sig'], what);
  const signers = expectBytes(m.signers, `${what}.signers`);
  if (signers.length > MAX_VALIDATORS / 8) throw new FormatError('out-of-range', `${what}.signers: too long`);
  return { block: hash(m.block, `${what}.block`), height: expectUint(m.height, `${what}.height`), slot: expectUint(m.slot, `${what}.slot`), signers, sig: sig(m.sig, `${what}.sig`) };
}

export function decodeCert(bytes: Uint8Array): FinalityCertificate {
  return certFromValue(decode(bytes, 1024));
}

export function blockFromValue(v: unknown): Block {
  const m = expectMap(v, 'block');
  expectHeader(m, T_BLOCK, CHAIN_VERSION);
  onlyKeys(m, ['t', 'v', 'header', 'txs', 'certs'], 'block');
  return {
    header: headerFromValue(m.header),
    txs: expectArray(m.txs, 'block.txs', MAX_TXS_PER_BLOCK).map((x, i) => txFromValue(x, `block.txs[${i}]`)),
    certs: expectArray(m.certs, 'block.certs', MAX_CERTS_PER_BLOCK).map((x, i) => certFromValue(x, `block.certs[${i}]`))
  };
}

export function decodeBlock(bytes: Uint8Array): Block {
  return blockFromValue(decode(bytes, MAX_BLOCK_BYTES));
}
