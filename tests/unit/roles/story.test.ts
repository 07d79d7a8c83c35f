/**
 * The paper's storage story end to end, in Node over the in-memory
 * transport with real consensus (the records hospital is the one validator):
 * a patient submits a FHIR bundle; the hospital seals it, tags the
 * ciphertext (sw-priv, audit worker pool), publishes both blobs, writes the
 * EMR and uploads the file to the room's cloud; the TPA audits it with a
 * seed from the chain and the result becomes final; the cloud's classroom
 * switch (`delete` 1 %) makes the next audit fail. With no cloud connected
 * the upload waits, and happens once a cloud comes up.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bls, EncryptionSecretKey, ready } from '../../../src/lib/crypto';
import { hex, makeGenesis, makeMember, type Block } from '../../../src/lib/chain';
import { MemoryHub } from '../../../src/lib/net/memory';
import { MemoryBlobStore } from '../../../src/lib/store';
import { CloudService, MemoryCloudCatalog, cloudPeers } from '../../../src/lib/roles/cloud';
import { HospitalRole, type StoreProgress } from '../../../src/lib/roles/hospital';
import { PatientRole } from '../../../src/lib/roles/patient';
import { RoomPeer } from '../../../src/lib/roles/room-peer';
import { TpaService } from '../../../src/lib/roles/tpa';

const fixture = new Uint8Array(readFileSync(new URL('../../fixtures/fhir/ada-quill.json', import.meta.url)));

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Party {
  name: string;
  keys: { sk: Uint8Array; pk: Uint8Array };
  enc: EncryptionSecretKey;
}
const party = (seed: string, name: string): Party => {
  const sk = bls.keygen(new TextEncoder().encode(`medchain story test | ${seed} | ${name} | not a real key`));
  return { name, keys: { sk, pk: bls.publicKey(sk) }, enc: EncryptionSecretKey.generate() };
};

let genesis: Block;
let hospitalParty: Party, patientParty: Party, cloudParty: Party, tpaParty: Party;
const pid = new Uint8Array(64).fill(9);
const peers: RoomPeer[] = [];
let hp: RoomPeer, cp: RoomPeer;
let hub: MemoryHub;
let hospital: HospitalRole;
let patient: PatientRole;
let cloud: CloudService;
let tpa: TpaService;
const progress: StoreProgress[] = [];

beforeAll(async () => {
  await ready();
  const seed = `story-${Math.random()}`;
  const pkg = party(seed, 'PKG');
  hospitalParty = party(seed, 'Hospital');
  patientParty = party(seed, 'Patient');
  cloudParty = party(seed, 'Cloud');
  tpaParty = party(seed, 'TPA');
  genesis = makeGenesis(pkg.keys.sk, {
    name: `story ${seed}`,
    params: { validators: 1, slotMs: 300, genesisTime: Date.now() + 300, initialCredit: 100, creditThreshold: 50, roundSlots: 8 },
    members: [
      makeMember(pkg.keys.sk, { role: 'pkg', enc: pkg.enc.publicKey.toBytes(), name: pkg.name }),
      makeMember(hospitalParty.keys.sk, { role: 'hospital', enc: hospitalParty.enc.publicKey.toBytes(), name: hospitalParty.name, rating: 900, tier: '3A' }),
      makeMember(patientParty.keys.sk, { role: 'patient', enc: patientParty.enc.publicKey.toBytes(), name: patientParty.name, pid }),
      makeMember(cloudParty.keys.sk, { role: 'cloud', enc: cloudParty.enc.publicKey.toBytes(), name: cloudParty.name }),
      makeMember(tpaParty.keys.sk, { role: 'tpa', enc: tpaParty.enc.publicKey.toBytes(), name: tpaParty.name })
    ]
  });
  hub = new MemoryHub();
  const mk = (who: Party, role: string, extra: Partial<ConstructorParameters<typeof RoomPeer>[0]> = {}) => {
    const p = new RoomPeer({ genesis, keys: who.keys, role, transports: () => [hub.transport(who.name)], ...extra });
    peers.push(p);
    return p;
  };
  const hospitalStore = new MemoryBlobStore();
  hp = mk(hospitalParty, 'hospital', { blobStore: hospitalStore, onFinal: () => hospital?.onFinal() });
  const pp = mk(patientParty, 'patient', { blobStore: new MemoryBlobStore() });
  cp = mk(cloudParty, 'cloud', { blobStore: new MemoryBlobStore() });
  const tp = mk(tpaParty, 'tpa');
  hospital = new HospitalRole({ peer: hp, keys: hospitalParty.keys, enc: hospitalParty.enc, blobStore: hospitalStore, onProgress: (p) => progress.push(p), pollMs: 200 }).start();
  patient = new PatientRole({ peer: pp, keys: patientParty.keys, enc: patientParty.enc });
  cloud = new CloudService(cp, cp.rpc, { catalog: new MemoryCloudCatalog() }, { fetchTimeoutMs: 10_000 });
  tpa = new TpaService(tp, tp.rpc, tpaParty.keys, { proveTimeoutMs: 20_000, seedTimeoutMs: 30_000, includeTimeoutMs: 20_000, pollMs: 30 });
  await Promise.all(peers.map((p) => p.start()));
  await until(() => peers.every((p) => p.net.peers().length === peers.length - 1), 10_000, 'everyone connected');
}, 30_000);

afterAll(() => {
  hospital?.stop();
  for (const p of peers) p.stop();
});

/** Phases in the order first seen, consecutive repeats folded. */
const phases = (ps: StoreProgress[]) => ps.map((p) => p.phase).filter((p, i, a) => i === 0 || a[i - 1] !== p);

describe('the storage story: patient → hospital (seal, tag) → cloud → TPA audit', () => {
  let emr = '';

  it('a submitted FHIR record is sealed, tagged, published, written as an EMR and stored at the cloud', async () => {
    const rec = patient.prepare(fixture, 'ada-quill.json', 'application/json');
    const r = await patient.submit(hex(hospitalParty.keys.pk), rec, 'Outpatient visit, March');
    emr = hex(r.emr);
    expect(phases(progress)).toEqual(['seal', 'tag', 'publish', 'chain', 'upload', 'done']);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', waiting: false });
    // tagging reported blocks done out of n and reached n
    const tagging = progress.filter((p) => p.phase === 'tag');
    const n = tagging[0].total!;
    expect(n).toBeGreaterThan(10);
    expect(tagging.at(-1)).toMatchObject({ value: 1, done: n, total: n });
    // the worker pool reports as it goes (the single-thread fallback would jump from 0 to 1)
    expect(tagging.some((p) => p.value > 0 && p.value < 1)).toBe(true);
    expect(tagging.map((p) => p.done!)).toEqual([...tagging.map((p) => p.done!)].sort((a, b) => a - b));
    // the cloud holds the file under the EMR's sw-priv name, with the EMR's n
    await until(() => patient.isFinal(r.emr), 20_000, 'the EMR final');
    const entry = hp.finalState()!.emrs.get(emr)!;
    expect(entry.audit.scheme).toBe('sw-priv');
    const files = await cloud.files();
    expect(files).toHaveLength(1);
    if (entry.audit.scheme !== 'sw-priv') return;
    expect(files[0]).toMatchObject({ file: hex(entry.audit.name), scheme: 'sw-priv', n: entry.audit.n, data: entry.info.index, uploader: hex(hospitalParty.keys.pk) });
    expect(entry.audit.n).toBe(n);
    expect(hospital.uploads).toMatchObject([{ emr, status: 'stored', cloud: hex(cloudParty.keys.pk), attempts: 1 }]);
    expect(hospital.waitingForCloud).toBe(false);
  }, 90_000);

  it('the TPA audits the stored file (c = 460, every block), it passes and the result becomes final', async () => {
    await until(() => tpa.files().some((f) => f.emr === emr), 20_000, 'the TPA sees the EMR');
    const out = await tpa.audit(emr, { c: 460 });
    expect(out).toMatchObject({ passed: true, reason: 'ok', c: 460 });
    expect(out.n).toBeLessThan(460);
    await until(() => tpa.history(emr).some((h) => h.result?.tx === out.result), 20_000, 'the audit-result final');
    expect(tpa.history(emr)[0].result).toMatchObject({ passed: true, reason: 'ok' });
  }, 60_000);

  it("the cloud's switch to 'delete' 1 % makes the next audit fail", async () => {
    cloud.setBehaviour('delete', 0.01);
    try {
      const out = await tpa.audit(emr, { c: 460 });
      expect(out).toMatchObject({ passed: false, reason: 'equation' });
      await until(() => tpa.history(emr).some((h) => h.result?.tx === out.result), 20_000, 'the failed result final');
      expect(tpa.history(emr)[0].result).toMatchObject({ passed: false, reason: 'equation' });
    } finally {
      cloud.setBehaviour('honest');
    }
  }, 60_000);

  it('with no cloud connected the EMR is still written and the upload waits; it happens once a cloud comes up', async () => {
    await cp.setOnline(false);
    await until(() => cloudPeers(hp).length === 0, 10_000, 'the cloud gone');
    progress.length = 0;
    const rec = patient.prepare(new TextEncoder().encode('%PDF-1.4 a scanned letter '.repeat(400)), 'letter.pdf', 'application/pdf');
    const r = await patient.submit(hex(hospitalParty.keys.pk), rec, 'Referral letter');
    expect(phases(progress)).toEqual(['seal', 'tag', 'publish', 'chain', 'upload', 'done']);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', waiting: true });
    expect(hospital.waitingForCloud).toBe(true);
    expect(hospital.uploads.at(-1)).toMatchObject({ emr: hex(r.emr), status: 'queued', attempts: 0 });
    // the EMR does not wait for the cloud
    await until(() => patient.isFinal(r.emr), 20_000, 'the EMR final without a cloud');
    expect(await cloud.files()).toHaveLength(1);
    await cp.setOnline(true);
    await until(() => !hospital.waitingForCloud, 20_000, 'the queued upload done');
    expect(hospital.uploads.at(-1)).toMatchObject({ emr: hex(r.emr), status: 'stored', cloud: hex(cloudParty.keys.pk), attempts: 1 });
    const entry = hp.finalState()!.emrs.get(hex(r.emr))!;
    const files = await cloud.files();
    expect(files.map((f) => f.file)).toContain(entry.audit.scheme === 'sw-priv' ? hex(entry.audit.name) : '');
    // the late upload is reported too: upload, then done without waiting
    expect(phases(progress).slice(-3)).toEqual(['done', 'upload', 'done']);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', waiting: false });
  }, 90_000);

  it('a cloud that vanishes mid-upload records nothing; the file goes to the next cloud that comes up', async () => {
    await cp.setOnline(false);
    await until(() => cloudPeers(hp).length === 0, 10_000, 'the cloud gone');
    // A second cloud (a guest) that takes the request and never answers, then leaves.
    const badParty = party(`bad-${Math.random()}`, 'Bad Cloud');
    const bad = new RoomPeer({ genesis, keys: badParty.keys, role: 'cloud', transports: () => [hub.transport(badParty.name)], blobStore: new MemoryBlobStore() });
    let asked = 0;
    bad.rpc.register('cloud.store', () => {
      asked++;
      return new Promise(() => {});
    });
    await bad.start();
    await until(() => cloudPeers(hp).length === 1, 10_000, 'the bad cloud linked');
    const before = (await cloud.files()).length;
    progress.length = 0;
    const rec = patient.prepare(new TextEncoder().encode('lab results '.repeat(300)), 'lab.txt', 'text/plain');
    const submitted = patient.submit(hex(hospitalParty.keys.pk), rec, 'Lab results');
    await until(() => asked === 1 && hospital.uploads.at(-1)?.status === 'uploading', 20_000, 'the upload under way at the bad cloud');
    bad.stop();
    const r = await submitted;
    expect(progress.at(-1)).toMatchObject({ phase: 'done', waiting: true });
    expect(hospital.uploads.at(-1)).toMatchObject({ emr: hex(r.emr), status: 'queued', attempts: 1 });
    expect(hospital.uploads.at(-1)!.lastError).toMatch(/went away/);
    await cp.setOnline(true);
    await until(() => !hospital.waitingForCloud, 20_000, 'the upload at the honest cloud');
    expect(hospital.uploads.at(-1)).toMatchObject({ status: 'stored', cloud: hex(cloudParty.keys.pk), attempts: 2 });
    expect(await cloud.files()).toHaveLength(before + 1);
  }, 90_000);
});
