/**
 * The patient on the record path (SPEC §1, §3, §5, §6):
 *
 * - `prepare(bytes, fileName, mime)`: a file that looks like a FHIR Bundle
 *   (`isFhirBundle`) must parse (`parseBundle`; a `PatientError` `bad-fhir`
 *   carries the FhirError, whose `messageKey` the page shows) and is
 *   pseudonymised (`pseudonymise`) with the patient's pseudonym before it
 *   leaves the tab; any other file goes as it is. The pseudonym is
 *   `pseudonymText(pid)` of the pid the ledger lists for this key; a patient
 *   not yet registered gets `placeholderPseudonym(key)` (marked
 *   `placeholder: true`; the hospital still refuses to store for a key with
 *   no pid, since the EMR must name one).
 * - `submit(hospital, prepared, M)`: rpc `hospital.submit` to the chosen
 *   hospital; keeps the k-wrapped-to-me it answers with, to read the record.
 * - `chains()`: the patient's two chains from the final ledger: EMR entries
 *   and access entries (access records, deliveries), oldest first.
 * - `grantConsent` / `revokeConsent`: signed, admitted to the local mempool,
 *   gossiped (`submitTx`).
 * - `readOwn(emr)`: fetch the blob, unwrap k with the patient's encryption
 *   key, open, parse as FHIR where it is one.
 * - `register(identity)`: registration through the PKG (registration.ts);
 *   the pid (and certificate) are kept in the tab and in the `KeyValue`
 *   store under room + key, so a reload knows it before the chain is synced.
 */
import { equalBytes, hex, unhex, type BodyOf, type ConsentScope, type ConsentState, type EmrIndexEntry, type Hash, type MemberState } from '$lib/chain';
import type { EncryptionSecretKey } from '$lib/crypto';
import { FhirError, isFhirBundle, parseBundle, pseudonymise, type Bundle } from '$lib/fhir';
import { open, unwrapKey } from '$lib/seal';
import { emrKeyContext } from '$lib/sharing';
import { expectBytes, expectMap, expectString } from '$lib/codec';
import type { RoomPeer } from './room-peer';
import { M_SUBMIT, MAX_SUBMIT_BYTES, finalState, finalTxs, headState, placeholderPseudonym, pseudonymText, submitTx, type ChainTx } from './records';
import type { PatientKeyPair } from '$lib/identity';
import { loadRegistration, requestRegistration, saveRegistration, type KeyValue, type StoredRegistration } from './registration';

export type PatientErrorKind = 'bad-fhir' | 'too-large' | 'empty-description' | 'no-hospital' | 'not-registered' | 'unknown-record' | 'no-key' | 'fetch-failed' | 'open-failed';

export class PatientError extends Error {
  constructor(
    readonly kind: PatientErrorKind,
    message: string,
    options?: ErrorOptions
  ) {
    super(message, options);
    this.name = 'PatientError';
  }
}

export interface PreparedRecord {
  fileName: string;
  mime: string;
  fhir: boolean;
  /** What leaves the patient: the pseudonymised bundle's JSON, or the file as is. */
  data: Uint8Array;
  /** pseudonymise's list of what it removed or replaced (FHIR only). */
  removed: string[];
  pseudonym: string;
  placeholder: boolean;
}

export interface ChainsView {
  emr: (ChainTx & { body: BodyOf<'emr'> })[];
  access: (ChainTx & { body: BodyOf<'access-record'> | BodyOf<'delivery'> })[];
}

export interface ConsentInput {
  records: ConsentScope<Hash>;
  requesters: ConsentScope<Uint8Array>;
  purposes: ConsentScope<string>;
  expires: number | null;
}

export interface OwnRecord {
  bytes: Uint8Array;
  bundle: Bundle | null;
  entry: EmrIndexEntry;
}

export class PatientRole {
  /** k wrapped to this patient, per EMR id hex (from the hospital's answers). */
  readonly keys = new Map<string, { patientKey: Uint8Array; h3c: Uint8Array }>();

  /** What the PKG answered (this tab or a stored earlier one), or null. */
  registration: StoredRegistration | null;

  constructor(private readonly o: { peer: RoomPeer; keys: { sk: Uint8Array; pk: Uint8Array }; enc: EncryptionSecretKey; store?: KeyValue }) {
    this.registration = o.store ? loadRegistration(o.store, o.peer.room, o.keys.pk) : null;
  }

  /** This patient's pid in the ledger (head state), else the one the PKG answered (not yet in this node's chain), else null. */
  pid(): Uint8Array | null {
    const me = hex(this.o.keys.pk);
    for (const [pid, key] of headState(this.o.peer).patients) if (key === me) return unhex(pid);
    return this.registration?.pid ?? null;
  }

  /** 'member' once the final ledger lists this key, 'pending' after the PKG answered, else 'none'. */
  registrationStatus(): 'none' | 'pending' | 'member' {
    if (finalState(this.o.peer).members.get(hex(this.o.keys.pk))?.role === 'patient') return 'member';
    return this.registration || this.pid() ? 'pending' : 'none';
  }

  /**
   * Registers with the PKG (rpc `pkg.register`, then `pkg.certify` with a
   * patient key) and keeps the answer. Throws RegistrationError or RpcError
   * (`duplicate-identity`, `already-member`, `refused`, `bad-request`, ...).
   */
  async register(identity: { nationalId: string; name: string }, opts: { patientKey?: PatientKeyPair; timeoutMs?: number } = {}): Promise<StoredRegistration> {
    const r = await requestRegistration(this.o.peer, { signing: this.o.keys, enc: this.o.enc.publicKey }, identity, opts);
    this.registration = r;
    if (this.o.store) saveRegistration(this.o.store, this.o.peer.room, this.o.keys.pk, r);
    return r;
  }

  pseudonym(): { text: string; placeholder: boolean } {
    const pid = this.pid();
    return pid ? { text: pseudonymText(pid), placeholder: false } : { text: placeholderPseudonym(this.o.keys.pk), placeholder: true };
  }

  /** Member hospitals of the room, with whether they are connected now. */
  hospitals(): (MemberState & { online: boolean })[] {
    const online = new Set(this.o.peer.net.peers().map((p) => p.key));
    return [...finalState(this.o.peer).members.values()].filter((m) => m.role === 'hospital').map((m) => ({ ...m, online: online.has(hex(m.key)) }));
  }

  /** Reads a file for submission. Throws PatientError `bad-fhir` (cause: FhirError) or `too-large`. */
  prepare(bytes: Uint8Array, fileName: string, mime = 'application/octet-stream'): PreparedRecord {
    if (bytes.length > MAX_SUBMIT_BYTES) throw new PatientError('too-large', `the file is larger than ${MAX_SUBMIT_BYTES} bytes`);
    const { text: pseudonym, placeholder } = this.pseudonym();
    if (!isFhirBundle(bytes)) return { fileName, mime, fhir: false, data: bytes, removed: [], pseudonym, placeholder };
    let bundle: Bundle;
    try {
      bundle = parseBundle(bytes);
      const r = pseudonymise(bundle, pseudonym);
      const data = new TextEncoder().encode(JSON.stringify(r.bundle));
      return { fileName, mime: 'application/fhir+json', fhir: true, data, removed: r.removed, pseudonym, placeholder };
    } catch (e) {
      if (e instanceof FhirError) throw new PatientError('bad-fhir', e.message, { cause: e });
      throw e;
    }
  }

  /** Sends a prepared record to `hospital` (its signing key hex); resolves with the EMR tx id. Throws RpcError or PatientError. */
  async submit(hospital: string, rec: PreparedRecord, description: string): Promise<{ emr: Hash; index: string }> {
    const pid = this.pid();
    if (!pid) throw new PatientError('not-registered', 'this key has no pid in the ledger yet: the PKG must register the patient first');
    if (description.trim().length === 0) throw new PatientError('empty-description', 'a description M is required');
    if (!this.o.peer.net.peer(hospital)) throw new PatientError('no-hospital', 'that hospital is not connected');
    const ans = expectMap(await this.o.peer.rpc.call(hospital, M_SUBMIT, { pid, description, mime: rec.mime, fhir: rec.fhir, data: rec.data }, { timeoutMs: 120_000 }), 'answer');
    const emr = expectBytes(ans.emr, 'emr', 32);
    this.keys.set(hex(emr), { patientKey: expectBytes(ans.patientKey, 'patientKey'), h3c: expectBytes(ans.h3c, 'h3c', 32) });
    return { emr, index: expectString(ans.index, 'index', 128) };
  }

  /** True once the EMR is in the final ledger state. */
  isFinal(emr: Hash): boolean {
    return finalState(this.o.peer).emrs.has(hex(emr));
  }

  /** The patient's medical-record chain and access-record chain, from the final chain. */
  chains(): ChainsView {
    const pid = this.pid();
    if (!pid) return { emr: [], access: [] };
    const txs = finalTxs(this.o.peer, (b) => (b.type === 'emr' || b.type === 'access-record' || b.type === 'delivery') && equalBytes(b.pid, pid));
    return {
      emr: txs.filter((t) => t.tx.body.type === 'emr').map((t) => ({ ...t, body: t.tx.body as BodyOf<'emr'> })),
      access: txs.filter((t) => t.tx.body.type !== 'emr').map((t) => ({ ...t, body: t.tx.body as BodyOf<'access-record'> | BodyOf<'delivery'> }))
    };
  }

  /** Active consent grants of this patient (final state). */
  consents(): ConsentState[] {
    const pid = this.pid();
    return pid ? [...finalState(this.o.peer).consents.values()].filter((c) => equalBytes(c.pid, pid)) : [];
  }

  grantConsent(c: ConsentInput): Hash {
    const pid = this.pid();
    if (!pid) throw new PatientError('not-registered', 'this key has no pid in the ledger yet');
    return submitTx(this.o.peer, this.o.keys, { type: 'consent-grant', pid, records: c.records, requesters: c.requesters, purposes: c.purposes, expires: c.expires }).id;
  }

  revokeConsent(grant: Hash): Hash {
    const pid = this.pid();
    if (!pid) throw new PatientError('not-registered', 'this key has no pid in the ledger yet');
    return submitTx(this.o.peer, this.o.keys, { type: 'consent-revoke', pid, grant }).id;
  }

  /** Fetches, unwraps and opens one of the patient's records. Throws PatientError. */
  async readOwn(emr: Hash, opts: { timeoutMs?: number } = {}): Promise<OwnRecord> {
    const entry = finalState(this.o.peer).emrs.get(hex(emr)) ?? headState(this.o.peer).emrs.get(hex(emr));
    if (!entry) throw new PatientError('unknown-record', 'no such EMR entry in the ledger');
    const k = this.keys.get(hex(emr));
    if (!k) throw new PatientError('no-key', 'this tab holds no key for that record (it was submitted from another session)');
    const c = await fetchBlob(this.o.peer, entry.info.index, opts.timeoutMs);
    let bytes: Uint8Array;
    try {
      const key = await unwrapKey(this.o.enc, k.patientKey, { context: emrKeyContext(entry.info.h3c) });
      bytes = await open(key, c);
      key.fill(0);
    } catch (e) {
      throw new PatientError('open-failed', `the record does not open: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    return { bytes, bundle: isFhirBundle(bytes) ? parseBundle(bytes) : null, entry };
  }
}

/** The blob `index` from any peer holding it (BlobService), as bytes. Throws PatientError `fetch-failed`. */
export async function fetchBlob(peer: RoomPeer, index: string, timeoutMs = 30_000): Promise<Uint8Array> {
  const blobs = peer.blobs;
  const store = peer.blobStore;
  if (!blobs || !store) throw new PatientError('fetch-failed', 'this node keeps no blob store');
  try {
    await blobs.fetch(index, { timeoutMs });
  } catch (e) {
    throw new PatientError('fetch-failed', `the ciphertext could not be fetched: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const c = await store.read(index);
  if (!c) throw new PatientError('fetch-failed', 'the ciphertext is not in the blob store');
  return c;
}
