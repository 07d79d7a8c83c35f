/**
 * Patient registration through the PKG (SPEC §1 "PKG: pseudonyms, patient
 * keys", §3 "PID = ID xor H1(E_pkR(ID))", §7 escrow for tracing).
 *
 * A patient joins the room as a guest (no ledger record) and asks the PKG,
 * over rpc, for a pseudonym:
 *
 * | step | who | what |
 * | --- | --- | --- |
 * | 1 | patient | ID = `registrationIdentity(nationalId, name)`; `sealed = sealTo(pkR, padIdentity(ID), context = REG_CONTEXT ‖ patient signing key)` (pkR = the PKG member's `enc` in the ledger) |
 * | 2 | patient → PKG | `pkg.register` `{ v: 1, sealed, key (G2 96), pop (G1 48), enc (G1 48) }` |
 * | 3 | PKG | `key` must be the caller's node key; PoP and `enc` checked; `sealed` opened with skR under the same context (a sealed identity cannot be replayed under another key); `unpadIdentity` |
 * | 4 | PKG | refuses a national id already registered (`duplicate-identity`), a key already a member (`already-member`); waits for the desk's click unless `auto` |
 * | 5 | PKG | `issuePseudonym(ID, pkR)` → {pid, E}; E goes to the escrow book (sealed to pkR at rest); signs and gossips `register` {role 'patient', key, pop, enc, name = pseudonymText(pid), pid} |
 * | 6 | PKG → patient | `{ pid (64 B), tx (32 B) }` |
 * | 7 (optional) | patient → PKG | `pkg.certify` `{ request: encodeCertificateRequest(requestCertificate(patientKey, pid, signing)) }` → `{ certificate: encodeCertificate(...) }` (holder must be the caller and the pid's registered key) |
 *
 * The identity never goes on chain or over the wire in clear; the member's
 * display name on chain is its pseudonym text, never a person's name. The
 * duplicate check keys on the national id (case-folded), so a name typed two
 * ways cannot give one person two pseudonyms. Errors are RpcError codes:
 * `bad-request` (malformed body or identity), `not-caller` (the key is not
 * the caller's), `duplicate-identity`, `already-member`, `refused` (by the
 * desk or by the ledger), `unknown-pseudonym` / `not-holder` (certify).
 *
 * The escrow book is as sensitive as a list of identities: it is kept in
 * memory and, sealed to the PKG's own encryption key, in `localStorage`
 * (`medchain-escrow-<room>-<key16>`); it opens only with skR, which lives
 * in the passphrase-protected identity. The patient keeps its pid (and
 * certificate) under `medchain-pid-<room>-<key16>`.
 */
import { hex, unhex, type Hash } from '$lib/chain';
import { bls, EncryptionPublicKey, type EncryptionSecretKey } from '$lib/crypto';
import { expectBytes, expectMap, type Value } from '$lib/codec';
import {
  addToEscrow,
  certifyPatientKey,
  decodeCertificate,
  decodeCertificateRequest,
  decodeEscrowBook,
  encodeCertificate,
  encodeCertificateRequest,
  encodeEscrowBook,
  IdentityError,
  issuePseudonym,
  padIdentity,
  pidKey,
  requestCertificate,
  signingKeyFromSecret,
  trace,
  unpadIdentity,
  type EscrowBook,
  type KeyCertificate,
  type PatientKeyPair,
  type SigningKeyPair
} from '$lib/identity';
import type { PeerPort } from '$lib/net/protocol';
import { RpcError } from '$lib/net/rpc';
import { openFrom, sealTo } from '$lib/seal';
import type { RoomPeer } from './room-peer';
import { finalState, headState, pseudonymText, submitTx, TxRefused } from './records';

export const M_REGISTER = 'pkg.register';
export const M_CERTIFY = 'pkg.certify';

/** Domain of the sealed identity; the patient's signing key follows it in the context. */
export const REG_CONTEXT = new TextEncoder().encode('medchain/registration-id/v1|');
const ESCROW_CONTEXT = new TextEncoder().encode('medchain/escrow-book/v1');

/** Separates the national id from the name in the identity string. */
export const ID_SEPARATOR = '|';

/** Bad registration input typed by a person (shown with its `kind`). */
export class RegistrationError extends Error {
  constructor(
    readonly kind: 'national-id' | 'name' | 'too-long' | 'no-pkg' | 'bad-answer',
    message: string,
    options?: ErrorOptions
  ) {
    super(message, options);
    this.name = 'RegistrationError';
  }
}

/**
 * The identity string ID of a person: `<national id>|<name>`, national id
 * without spaces and upper-cased (a Chinese id may end in X), name trimmed
 * with runs of spaces collapsed, NFC. Throws RegistrationError; at most 63
 * UTF-8 bytes in all (ID_MAX_BYTES: the identity module never truncates).
 */
export function registrationIdentity(nationalId: string, name: string): string {
  const nid = nationalId.normalize('NFC').replace(/\s+/g, '').toUpperCase();
  if (!/^[0-9A-Z-]{4,32}$/.test(nid)) throw new RegistrationError('national-id', 'the national id number must be 4 to 32 letters, digits or dashes');
  const n = name.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (!n || n.includes(ID_SEPARATOR) || /[\u0000-\u001f\u007f-\u009f]/.test(n)) throw new RegistrationError('name', 'the name is empty or holds "|" or control characters');
  const id = `${nid}${ID_SEPARATOR}${n}`;
  try {
    padIdentity(id);
  } catch (e) {
    if (e instanceof IdentityError) throw new RegistrationError('too-long', e.message, { cause: e });
    throw e;
  }
  return id;
}

/** The national id part of an identity string (the duplicate key). */
function nationalIdOf(id: string): string {
  const i = id.indexOf(ID_SEPARATOR);
  return (i < 0 ? id : id.slice(0, i)).toUpperCase();
}

function contextFor(key: Uint8Array): Uint8Array {
  const c = new Uint8Array(REG_CONTEXT.length + key.length);
  c.set(REG_CONTEXT);
  c.set(key, REG_CONTEXT.length);
  return c;
}

// ---------------------------------------------------------------- small key-value storage

/** Where registration keeps its small state (`localStorage` in a tab, a Map in tests). */
export interface KeyValue {
  get(key: string): string | null;
  set(key: string, value: string): void;
}

/** `localStorage` when there is one, otherwise a Map that lives as long as the page. */
export function localKeyValue(): KeyValue {
  const mem = new Map<string, string>();
  const ls = typeof localStorage === 'undefined' ? null : localStorage;
  return {
    get: (k) => (ls ? ls.getItem(k) : (mem.get(k) ?? null)),
    set: (k, v) => (ls ? ls.setItem(k, v) : void mem.set(k, v))
  };
}

export function memoryKeyValue(): KeyValue {
  const mem = new Map<string, string>();
  return { get: (k) => mem.get(k) ?? null, set: (k, v) => void mem.set(k, v) };
}

// ---------------------------------------------------------------- PKG side

/** A registration waiting for the desk (manual mode) or being processed. */
export interface PendingRegistration {
  /** Request number on this desk. */
  id: number;
  /** The caller's signing key (hex). */
  key: string;
  /** The identity as the PKG read it (the PKG is the registration authority: it sees it). */
  identity: string;
  received: number;
}

export interface RegisteredPatient {
  pid: Uint8Array;
  key: Uint8Array;
  name: string;
  since: number;
}

export interface RegistrarOptions {
  peer: RoomPeer;
  /** The PKG's signing key pair (signs `register` and certificates). */
  signing: SigningKeyPair;
  /** skR: opens sealed identities and the escrow book; pkR = its public key. */
  encryption: EncryptionSecretKey;
  /** Approve every well-formed request at once (default true); false = wait for `approve`. */
  auto?: boolean;
  /** How long a request waits for the desk in manual mode (default 5 min). */
  approvalTimeoutMs?: number;
  store?: KeyValue;
  now?: () => number;
  onChange?: () => void;
}

interface Waiting extends PendingRegistration {
  resolve: (ok: boolean) => void;
}

export class PkgRegistrar {
  /** hex(pid) -> E_pkR(ID): the escrow for tracing. Secret. */
  readonly escrow: EscrowBook = new Map();
  /** national id -> hex(pid), rebuilt from the escrow by tracing. */
  private readonly byNationalId = new Map<string, string>();
  /** national ids being processed (so two concurrent requests cannot both pass). */
  private readonly reserved = new Set<string>();
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  auto: boolean;
  private loaded: Promise<void> = Promise.resolve();

  constructor(private readonly o: RegistrarOptions) {
    this.auto = o.auto ?? true;
  }

  private get storeKey(): string {
    return `medchain-escrow-${this.o.peer.room}-${hex(this.o.signing.pk).slice(0, 16)}`;
  }

  /** Loads the sealed escrow book (if any) and serves `pkg.register` / `pkg.certify`. */
  start(): this {
    this.loaded = this.load();
    const rpc = this.o.peer.rpc;
    rpc.register(M_REGISTER, (body, from) => this.onRegister(body, from));
    rpc.register(M_CERTIFY, (body, from) => this.onCertify(body, from));
    return this;
  }

  /** Refuses every waiting request (the page is closing). */
  stop(): void {
    for (const w of this.waiting.values()) w.resolve(false);
    this.waiting.clear();
  }

  /** Requests waiting for the desk, oldest first. */
  pending(): PendingRegistration[] {
    return [...this.waiting.values()].map(({ id, key, identity, received }) => ({ id, key, identity, received }));
  }

  approve(id: number): void {
    this.waiting.get(id)?.resolve(true);
  }

  refuse(id: number): void {
    this.waiting.get(id)?.resolve(false);
  }

  /** Patients in the final ledger state, newest first. */
  registered(): RegisteredPatient[] {
    const s = finalState(this.o.peer);
    return [...s.members.values()].filter((m) => m.role === 'patient' && m.pid).map((m) => ({ pid: m.pid!, key: m.key, name: m.name, since: m.since })).sort((a, b) => b.since - a.since);
  }

  /** The identity behind `pid` (for the PKG only; recording the trace on chain is the caller's). */
  identityOf(pid: Uint8Array): string | null {
    const r = trace(pid, this.escrow, this.o.encryption);
    return r.ok ? r.id : null;
  }

  private async load(): Promise<void> {
    const raw = this.o.store?.get(this.storeKey);
    if (!raw) return;
    const bytes = await openFrom(this.o.encryption, unhex(raw), { context: ESCROW_CONTEXT });
    for (const [k, e] of decodeEscrowBook(bytes)) {
      this.escrow.set(k, e);
      const r = trace(unhex(k), e, this.o.encryption);
      if (r.ok) this.byNationalId.set(nationalIdOf(r.id), k);
    }
  }

  private async save(): Promise<void> {
    if (!this.o.store) return;
    const sealed = await sealTo(this.o.encryption.publicKey, encodeEscrowBook(this.escrow), { context: ESCROW_CONTEXT });
    this.o.store.set(this.storeKey, hex(sealed));
  }

  private async onRegister(body: unknown, from: PeerPort): Promise<Value> {
    await this.loaded;
    let req: { sealed: Uint8Array; key: Uint8Array; pop: Uint8Array; enc: Uint8Array };
    try {
      const m = expectMap(body, 'registration');
      if (m.v !== 1) throw new Error('registration: version 1 expected');
      req = { sealed: expectBytes(m.sealed, 'sealed'), key: expectBytes(m.key, 'key', 96), pop: expectBytes(m.pop, 'pop', 48), enc: expectBytes(m.enc, 'enc', 48) };
      if (req.sealed.length > 1024) throw new Error('sealed: too long');
      EncryptionPublicKey.fromBytes(req.enc);
    } catch (e) {
      throw new RpcError('bad-request', e instanceof Error ? e.message : 'malformed registration');
    }
    if (hex(req.key) !== from.key) throw new RpcError('not-caller', 'a patient registers its own node key only');
    if (!bls.popVerify(req.key, req.pop)) throw new RpcError('bad-request', 'the proof of possession of the key does not verify');
    let id: string;
    try {
      id = unpadIdentity(await openFrom(this.o.encryption, req.sealed, { context: contextFor(req.key) }));
    } catch (e) {
      throw new RpcError('bad-request', `the sealed identity does not open for this PKG and key: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (headState(this.o.peer).members.has(from.key)) throw new RpcError('already-member', 'this key is already a member of the room');
    const nid = nationalIdOf(id);
    if (this.byNationalId.has(nid) || this.reserved.has(nid)) throw new RpcError('duplicate-identity', 'this identity is already registered with the PKG');
    this.reserved.add(nid);
    try {
      if (!this.auto && !(await this.ask(from.key, id))) throw new RpcError('refused', 'the PKG did not approve this registration');
      const p = issuePseudonym(id, this.o.encryption.publicKey);
      let tx: Hash;
      try {
        tx = submitTx(this.o.peer, this.o.signing, { type: 'register', member: { role: 'patient', key: req.key, pop: req.pop, enc: req.enc, name: pseudonymText(p.pid), pid: p.pid } }).id;
      } catch (e) {
        if (e instanceof TxRefused) throw new RpcError(e.kind === 'duplicate' ? 'already-member' : 'refused', `the ledger refuses the registration: ${e.message}`);
        throw e;
      }
      addToEscrow(this.escrow, p);
      this.byNationalId.set(nid, pidKey(p.pid));
      await this.save();
      return { pid: p.pid, tx };
    } finally {
      this.reserved.delete(nid);
      this.o.onChange?.();
    }
  }

  private ask(key: string, identity: string): Promise<boolean> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), this.o.approvalTimeoutMs ?? 300_000);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        this.o.onChange?.();
        resolve(ok);
      };
      this.waiting.set(id, { id, key, identity, received: (this.o.now ?? Date.now)(), resolve: done });
      this.o.onChange?.();
    });
  }

  private async onCertify(body: unknown, from: PeerPort): Promise<Value> {
    await this.loaded;
    let req;
    try {
      req = decodeCertificateRequest(expectBytes(expectMap(body, 'certify').request, 'request'));
    } catch (e) {
      throw new RpcError('bad-request', e instanceof Error ? e.message : 'malformed certificate request');
    }
    if (hex(req.holder) !== from.key) throw new RpcError('not-holder', 'the holder key must be the caller');
    const owner = headState(this.o.peer).patients.get(hex(req.pid));
    if (owner !== undefined && owner !== from.key) throw new RpcError('not-holder', 'this pid is registered to another key');
    const r = certifyPatientKey(this.o.signing, req, (this.o.now ?? Date.now)(), this.escrow);
    if (!r.ok) throw new RpcError(r.reason === 'unknown-pseudonym' ? 'unknown-pseudonym' : 'bad-request', r.detail);
    return { certificate: encodeCertificate(r.certificate) };
  }
}

// ---------------------------------------------------------------- patient side

export interface StoredRegistration {
  pid: Uint8Array;
  tx: Uint8Array;
  certificate?: KeyCertificate;
}

export function registrationKey(room: string, key: Uint8Array): string {
  return `medchain-pid-${room}-${hex(key).slice(0, 16)}`;
}

/** The registration kept for this room and key, or null (a damaged entry reads as none). */
export function loadRegistration(store: KeyValue, room: string, key: Uint8Array): StoredRegistration | null {
  try {
    const raw = store.get(registrationKey(room, key));
    if (!raw) return null;
    const j = JSON.parse(raw) as { pid: string; tx: string; cert?: string };
    const pid = unhex(j.pid);
    if (pid.length !== 64) return null;
    return { pid, tx: unhex(j.tx), certificate: j.cert ? decodeCertificate(unhex(j.cert)) : undefined };
  } catch {
    return null;
  }
}

export function saveRegistration(store: KeyValue, room: string, key: Uint8Array, r: StoredRegistration): void {
  store.set(registrationKey(room, key), JSON.stringify({ pid: hex(r.pid), tx: hex(r.tx), ...(r.certificate ? { cert: hex(encodeCertificate(r.certificate)) } : {}) }));
}

/** The PKG's node key (hex) and pkR from the ledger. */
export function pkgOf(peer: RoomPeer): { key: string; pkR: EncryptionPublicKey } {
  const s = finalState(peer);
  const m = s.members.get(hex(s.pkg));
  if (!m) throw new RegistrationError('no-pkg', 'the ledger names no PKG member');
  return { key: hex(s.pkg), pkR: EncryptionPublicKey.fromBytes(m.enc) };
}

/**
 * The patient's side: seals its identity to the PKG, sends `pkg.register`
 * with its keys and PoP, and (with a patient key) asks `pkg.certify`.
 * Throws RegistrationError (bad input, no PKG) or RpcError (the PKG's answer).
 */
export async function requestRegistration(
  peer: RoomPeer,
  me: { signing: { sk: Uint8Array; pk: Uint8Array }; enc: EncryptionPublicKey },
  identity: { nationalId: string; name: string },
  opts: { patientKey?: PatientKeyPair; timeoutMs?: number } = {}
): Promise<StoredRegistration> {
  const id = registrationIdentity(identity.nationalId, identity.name);
  const pkg = pkgOf(peer);
  if (!peer.net.peer(pkg.key)) throw new RpcError('unreachable', 'the PKG is not connected');
  const sealed = await sealTo(pkg.pkR, padIdentity(id), { context: contextFor(me.signing.pk) });
  const rpc = peer.rpc;
  const body = { v: 1, sealed, key: me.signing.pk, pop: bls.popProve(me.signing.sk), enc: me.enc.toBytes() };
  const ans = expectMap(await rpc.call(pkg.key, M_REGISTER, body, { timeoutMs: opts.timeoutMs ?? 310_000 }), 'answer');
  let out: StoredRegistration;
  try {
    out = { pid: expectBytes(ans.pid, 'pid', 64), tx: expectBytes(ans.tx, 'tx', 32) };
  } catch (e) {
    throw new RegistrationError('bad-answer', e instanceof Error ? e.message : 'the PKG answered with a malformed body', { cause: e });
  }
  if (opts.patientKey) {
    const request = encodeCertificateRequest(requestCertificate(opts.patientKey, out.pid, signingKeyFromSecret(me.signing.sk)));
    const c = expectMap(await rpc.call(pkg.key, M_CERTIFY, { request }, { timeoutMs: 30_000 }), 'answer');
    out.certificate = decodeCertificate(expectBytes(c.certificate, 'certificate'));
  }
  return out;
}
