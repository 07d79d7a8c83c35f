/**
 * The record path through three roles, in Node over the in-memory
 * transport with real consensus (one validator hospital): a patient submits
 * a FHIR bundle to a records hospital (pseudonymised before it leaves), the
 * hospital seals, publishes the ciphertext as a blob and writes the EMR; the
 * patient grants consent; a data user requests, the hospital answers, the
 * sharing contract delivers (rewrap) on the final access record, and the user
 * checks H3(c), decrypts and gets the bundle's timeline. Revoked consent makes
 * the next request refused with a reason; a tampered ciphertext fails the
 * user's H3 check.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../src/lib/crypto';
import { hex, type Hash } from '../../../src/lib/chain';
import { parseBundle, pseudonymise, timeline } from '../../../src/lib/fhir';
import { MemoryHub } from '../../../src/lib/net/memory';
import { MemoryBlobStore, MemoryChainStore } from '../../../src/lib/store';
import { RoomPeer } from '../../../src/lib/roles/room-peer';
import { recordsRoom, pseudonymText, type RecordsRoom } from '../../../src/lib/roles/records';
import { HospitalRole, REFUSE_NO_CONSENT, type StoreProgress } from '../../../src/lib/roles/hospital';
import { PatientError, PatientRole } from '../../../src/lib/roles/patient';
import { UserRole } from '../../../src/lib/roles/user';

const fixture = new Uint8Array(readFileSync(new URL('../../fixtures/fhir/ada-quill.json', import.meta.url)));
const te = new TextDecoder();

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let room: RecordsRoom;
const peers: RoomPeer[] = [];
let hospital: HospitalRole;
let patient: PatientRole;
let user: UserRole;
let other: UserRole;
const progress: StoreProgress[] = [];
const ids: { emr?: Hash; grant?: Hash; record?: Hash } = {};

beforeAll(async () => {
  await ready();
  room = recordsRoom({ seed: `records-${Math.random()}`, genesisTime: Date.now() + 300, slotMs: 300, roundSlots: 8 });
  const hub = new MemoryHub();
  const mk = (who: RecordsRoom['validator'], role: string, extra: Partial<ConstructorParameters<typeof RoomPeer>[0]> = {}) => {
    const p = new RoomPeer({ genesis: room.genesis, keys: who.keys, role, transports: () => [hub.transport(who.name)], ...extra });
    peers.push(p);
    return p;
  };
  mk(room.validator, 'hospital');
  const hospitalStore = new MemoryBlobStore();
  const hp = mk(room.hospital, 'hospital', { store: new MemoryChainStore(), blobStore: hospitalStore, onFinal: () => hospital?.onFinal() });
  const pp = mk(room.patient, 'patient', { blobStore: new MemoryBlobStore() });
  const up = mk(room.user, 'data-user', { blobStore: new MemoryBlobStore() });
  const op = mk(room.other, 'data-user', { blobStore: new MemoryBlobStore() });
  hospital = new HospitalRole({ peer: hp, keys: room.hospital.keys, enc: room.hospital.enc, blobStore: hospitalStore, onProgress: (p) => progress.push(p), pollMs: 200 }).start();
  patient = new PatientRole({ peer: pp, keys: room.patient.keys, enc: room.patient.enc });
  user = new UserRole({ peer: up, keys: room.user.keys, enc: room.user.enc }).start();
  other = new UserRole({ peer: op, keys: room.other.keys, enc: room.other.enc }).start();
  await Promise.all(peers.map((p) => p.start()));
  await until(() => peers.every((p) => p.net.peers().length === peers.length - 1), 10_000, 'everyone connected');
}, 30_000);

afterAll(() => {
  hospital?.stop();
  for (const p of peers) p.stop();
});

describe('the record path: patient → hospital → data user', () => {
  it('a FHIR bundle is pseudonymised before it leaves the patient; a false FHIR file is refused clearly; other files go as they are', () => {
    const rec = patient.prepare(fixture, 'ada-quill.json', 'application/json');
    expect(rec.fhir).toBe(true);
    expect(rec.placeholder).toBe(false);
    expect(rec.pseudonym).toBe(pseudonymText(room.pid));
    const text = te.decode(rec.data);
    // (Brookhaven stays: it is the fictional hospital's name, which docs/fhir.md keeps on purpose)
    for (const name of ['Quill', 'Ada', 'Oakhart']) expect(text).not.toContain(name);
    expect(text).toContain(rec.pseudonym);
    expect(rec.removed.length).toBeGreaterThan(0);
    // Claims to be a Bundle but is not a valid one: a clear error, not a silent "any file".
    const bad = new TextEncoder().encode('{"resourceType":"Bundle","type":"not-a-type","entry":[]}');
    expect(() => patient.prepare(bad, 'bad.json')).toThrow(PatientError);
    try {
      patient.prepare(bad, 'bad.json');
    } catch (e) {
      expect((e as PatientError).kind).toBe('bad-fhir');
      expect(((e as PatientError).cause as { messageKey: string }).messageKey).toMatch(/^fhir\.error\./);
    }
    const pdf = new TextEncoder().encode('%PDF-1.4 not a bundle');
    const any = patient.prepare(pdf, 'scan.pdf', 'application/pdf');
    expect(any.fhir).toBe(false);
    expect(any.data).toEqual(pdf);
  });

  it('submit → sealed, published, EMR final; the hospital reported progress', async () => {
    const rec = patient.prepare(fixture, 'ada-quill.json', 'application/json');
    const { emr, index } = await patient.submit(hex(room.hospital.keys.pk), rec, 'Outpatient visit, March');
    ids.emr = emr;
    expect(emr).toHaveLength(32);
    expect(index).toMatch(/^[0-9a-f]+$/);
    await until(() => patient.isFinal(emr), 20_000, 'the EMR final');
    const phases = progress.map((p) => p.phase);
    expect(phases).toContain('seal');
    expect(phases).toContain('publish');
    expect(phases.at(-1)).toBe('done');
    const chains = patient.chains();
    expect(chains.emr.map((e) => hex(e.id))).toEqual([hex(emr)]);
    expect(chains.emr[0].body.info.description).toBe('Outpatient visit, March');
    expect(chains.emr[0].body.audit).toMatchObject({ scheme: 'sw-priv' });
    // The patient reads it back with its own key.
    const own = await patient.readOwn(emr, { timeoutMs: 10_000 });
    expect(own.bundle).not.toBeNull();
    expect(te.decode(own.bytes)).not.toContain('Quill');
  }, 40_000);

  it('consent → request → final access record → delivery → H3 check → the user reads the timeline', async () => {
    const emr = ids.emr!;
    ids.grant = patient.grantConsent({ records: [emr], requesters: [room.user.keys.pk], purposes: ['treatment'], expires: null });
    await until(() => patient.consents().length === 1, 20_000, 'consent final');
    await until(() => user.records(room.pid).length === 1, 20_000, 'the user sees the EMR');
    const listed = user.records(room.pid)[0];
    expect(listed.info.description).toBe('Outpatient visit, March');
    const request = user.request(room.pid, emr, 'treatment');
    const outcome = await user.waitOutcome(request, 30_000);
    expect(outcome.status).toBe('granted');
    if (outcome.status !== 'granted') return;
    ids.record = outcome.record;
    expect(outcome.mode).toBe('rewrap');
    const r = await user.read(outcome.record, { timeoutMs: 30_000 });
    if (!r.ok) throw new Error(`${r.reason}: ${r.message}`);
    expect(r.bundle).not.toBeNull();
    const expected = timeline(pseudonymise(parseBundle(fixture), pseudonymText(room.pid)).bundle);
    const got = timeline(r.bundle!);
    expect(got.length).toBeGreaterThan(10);
    expect(got.map((e) => e.ref)).toEqual(expected.map((e) => e.ref));
    expect(got.map((e) => e.title)).toEqual(expected.map((e) => e.title));
    // nothing that left the patient names her
    expect(te.decode(r.bytes)).not.toContain('Quill');
    // the delivery is acknowledged on chain and its digest matches what the user got
    await until(() => user.deliveryDigest(outcome.record) !== null, 20_000, 'the delivery final');
    const again = await user.open(outcome.record, user.payloads.get(hex(outcome.record))!, null);
    expect(again).toMatchObject({ ok: false, reason: 'fetch-failed' });
    await until(() => patient.chains().access.length === 2, 20_000, 'access chain on the patient side');
    expect(patient.chains().access.map((a) => a.body.type)).toEqual(['access-record', 'delivery']);
    expect(hospital.contractLog.filter((l) => l.status === 'done')).toHaveLength(1);
  }, 90_000);

  it('a tampered ciphertext fails the user H3 check with a clear reason', async () => {
    const record = ids.record!;
    const entry = user.records(room.pid)[0];
    const store = peers[3].blobStore!;
    const c = (await store.read(entry.info.index))!;
    const bad = c.slice();
    bad[bad.length - 5] ^= 1;
    const r = await user.open(record, user.payloads.get(hex(record))!, bad);
    expect(r).toMatchObject({ ok: false, reason: 'h3-mismatch' });
    if (!r.ok) expect(r.message).toMatch(/H3/);
  }, 20_000);

  it('without consent, or after the patient revokes it, the next request is refused with a reason', async () => {
    const emr = ids.emr!;
    await until(() => other.records(room.pid).length === 1, 20_000, 'the other user sees the EMR');
    const o = await other.waitOutcome(other.request(room.pid, emr, 'research'), 30_000);
    expect(o).toMatchObject({ status: 'refused', reason: REFUSE_NO_CONSENT });
    patient.revokeConsent(ids.grant!);
    await until(() => patient.consents().length === 0, 20_000, 'revocation final');
    const out = await user.waitOutcome(user.request(room.pid, emr, 'treatment'), 30_000);
    expect(out).toMatchObject({ status: 'refused', reason: REFUSE_NO_CONSENT });
    expect(hospital.decisions.map((d) => d.decision)).toEqual(['granted', 'refused', 'refused']);
  }, 90_000);
});
