/**
 * The cloud and TPA roles end to end in Node over the in-memory transport:
 * a hospital (the only validator, so blocks finalise) uploads a tagged file
 * to the cloud and writes its EMR entry; the TPA audits it with a seed from
 * the chain and writes the result; the classroom switch makes the next
 * audit fail with a reason; an unknown file is a clear RpcError; a cloud
 * that stops answering is a timeout and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bls, g1, g2, ready } from '../../../src/lib/crypto';
import { encodeSwTagSet, encodeYangTagSet, prepareFile, swKeyGen, tagFile, yangPatientKey, yangTag } from '../../../src/lib/audit';
import { hex, makeGenesis, makeMember, signTx, txId, type Block, type TxBody } from '../../../src/lib/chain';
import { MemoryHub } from '../../../src/lib/net/memory';
import { Rpc, RpcError } from '../../../src/lib/net/rpc';
import { MemoryBlobStore } from '../../../src/lib/store';
import { CloudService, MemoryCloudCatalog, storeAtCloud } from '../../../src/lib/roles/cloud';
import { RoomPeer } from '../../../src/lib/roles/room-peer';
import { TpaError, TpaService } from '../../../src/lib/roles/tpa';

type Keys = { sk: Uint8Array; pk: Uint8Array };
const key = (who: string): Keys => {
  const sk = bls.keygen(new TextEncoder().encode(`cloud-tpa test ${who} ${Math.random()} ..............................`));
  return { sk, pk: bls.publicKey(sk) };
};

const peers: RoomPeer[] = [];
let hospital: Keys, tpaKeys: Keys, cloudKeys: Keys, patient: Keys;
let genesis: Block;
let hosp: RoomPeer, cloudPeer: RoomPeer, tpaPeer: RoomPeer;
let hospRpc: Rpc, tpaRpc: Rpc, cloudRpc: Rpc;
let cloud: CloudService;
let tpa: TpaService;
const pid = new Uint8Array(64).fill(7);
let emrHead: Uint8Array | null = null;

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The hospital writes a transaction (it is the producer: its own mempool suffices). */
async function hospitalTx(body: TxBody): Promise<Uint8Array> {
  const state = hosp.executor.stateOf(hosp.consensus.tree.head())!;
  const seq = state.nonces.get(hex(hospital.pk)) ?? 0;
  const tx = signTx(hospital.sk, { chain: hosp.chain, seq, time: Date.now(), body });
  const err = hosp.mempool.submit(tx, state);
  if (err) throw err;
  hosp.gossip.publishTx(tx);
  const id = txId(tx);
  await until(() => !!tpaPeer.finalState()?.emrs.has(hex(id)) || body.type !== 'emr', 20_000, 'the EMR final at the TPA');
  return id;
}

/** Uploads a fresh sw-priv file of `bytes` bytes (s = 4) and writes its EMR; returns the EMR id hex. */
async function swFile(bytes: number, store = true): Promise<string> {
  const ct = crypto.getRandomValues(new Uint8Array(bytes));
  // One hospital key serves tags and votes (SPEC §2): x is the signing key's scalar, v its public key.
  const x = BigInt('0x' + hex(hospital.sk));
  expect(hex(g2.toBytes(swKeyGen(x).v))).toBe(hex(hospital.pk));
  const file = prepareFile(ct.length, 4);
  const tags = tagFile(file, ct, x);
  const fileKey = hex(file.name);
  if (store) {
    const data = await hosp.blobs!.publish(ct);
    const tagBlob = await hosp.blobs!.publish(encodeSwTagSet(file, tags));
    const r = await storeAtCloud(hospRpc, hex(cloudKeys.pk), { file: fileKey, scheme: 'sw-priv', data, tags: tagBlob }, 20_000);
    expect(r).toEqual({ file: fileKey, bytes: ct.length, n: file.n });
  }
  const id = await hospitalTx({
    type: 'emr',
    pid,
    prev: emrHead,
    info: { h3c: new Uint8Array(32).fill(1), index: fileKey, description: `sw file ${bytes} B`, time: Date.now() },
    audit: { scheme: 'sw-priv', name: file.name, n: file.n, s: file.s, v: hospital.pk },
    sealedKey: null
  });
  emrHead = id;
  return hex(id);
}

beforeAll(async () => {
  await ready();
  hospital = key('hospital');
  tpaKeys = key('tpa');
  cloudKeys = key('cloud');
  patient = key('patient');
  const enc = (i: number) => new Uint8Array(48).fill(i);
  const pkg = key('pkg');
  genesis = makeGenesis(pkg.sk, {
    name: 'cloud-tpa test',
    params: { validators: 1, slotMs: 300, genesisTime: Date.now() + 300, initialCredit: 100, creditThreshold: 50, roundSlots: 4 },
    members: [
      makeMember(pkg.sk, { role: 'pkg', enc: enc(1), name: 'PKG' }),
      makeMember(hospital.sk, { role: 'hospital', enc: enc(2), name: 'Hospital', rating: 900, tier: '3A' }),
      makeMember(tpaKeys.sk, { role: 'tpa', enc: enc(3), name: 'TPA' }),
      makeMember(cloudKeys.sk, { role: 'cloud', enc: enc(4), name: 'Cloud' }),
      makeMember(patient.sk, { role: 'patient', enc: enc(5), name: 'patient', pid })
    ]
  });
  const hub = new MemoryHub();
  const mk = (keys: Keys, role: string, blobs: boolean) => {
    const p = new RoomPeer({ genesis, keys, role, transports: () => [hub.transport(role)], blobStore: blobs ? new MemoryBlobStore() : undefined });
    peers.push(p);
    return p;
  };
  hosp = mk(hospital, 'hospital', true);
  cloudPeer = mk(cloudKeys, 'cloud', true);
  tpaPeer = mk(tpaKeys, 'tpa', false);
  hospRpc = hosp.rpc;
  tpaRpc = tpaPeer.rpc;
  cloudRpc = cloudPeer.rpc;
  cloud = new CloudService(cloudPeer, cloudRpc, { catalog: new MemoryCloudCatalog() }, { fetchTimeoutMs: 10_000 });
  tpa = new TpaService(tpaPeer, tpaRpc, tpaKeys, { proveTimeoutMs: 10_000, seedTimeoutMs: 30_000, includeTimeoutMs: 20_000, pollMs: 30 });
  await Promise.all(peers.map((p) => p.start()));
  await until(() => peers.every((p) => p.net.peers().length === 2), 10_000, 'the three peers linked');
}, 30_000);

afterAll(() => {
  for (const p of peers.splice(0)) p.stop();
});

describe('cloud and TPA', () => {
  let honest: string;

  it('the cloud stores a tagged file; the TPA audits it with a chain seed, it passes and the result becomes final', async () => {
    honest = await swFile(31 * 4 * 8 - 5); // n = 8 blocks of 4 sectors
    expect(await cloud.files()).toHaveLength(1);
    expect((await cloud.usage()).bytes).toBeGreaterThan(31 * 4 * 8 - 5);
    expect(tpa.files().map((f) => f.emr)).toContain(honest);
    const out = await tpa.audit(honest, { c: 460 });
    expect(out).toMatchObject({ passed: true, reason: 'ok', c: 460, n: 8 });
    expect(cloud.challengesAnswered).toBe(1);
    // The seed is the id of the block after the request, from the final chain.
    await until(() => tpa.history(honest).some((h) => h.result?.tx === out.result), 20_000, 'the audit-result final');
    const h = tpa.history(honest)[0];
    expect(h).toMatchObject({ request: out.request, c: 460, tpa: hex(tpaKeys.pk), result: { passed: true, reason: 'ok' } });
    expect(hex(h.result!.seed)).toBe(hex(out.seed));
    expect(tpaPeer.finalState()!.audits.has(out.request)).toBe(false);
  }, 60_000);

  it.each([
    ['delete', 'equation'],
    ['corrupt', 'equation'],
    ['forge-yang2019', 'equation']
  ] as const)('a cloud switched to %s fails the next audit (c = 460 covers all 8 blocks) with reason %s', async (behaviour, reason) => {
    cloud.setBehaviour(behaviour, behaviour === 'delete' ? 0.01 : undefined);
    try {
      if (behaviour !== 'forge-yang2019') expect(await cloud.damagedBlocks(await fileOf(honest))).toHaveLength(1);
      const out = await tpa.audit(honest, { c: 460 });
      expect(out.passed).toBe(false);
      expect(out.reason).toBe(reason);
      expect(out.detail).toMatch(/8 challenged blocks/);
      await until(() => tpa.history(honest).some((h) => h.result?.tx === out.result), 20_000, 'the failed result final');
      expect(tpa.history(honest)[0].result).toMatchObject({ passed: false, reason });
    } finally {
      cloud.setBehaviour('honest');
    }
  }, 60_000);

  it("the paper's yang2019 check is fooled by the forgery (why sw-priv is the default)", async () => {
    const ct = crypto.getRandomValues(new Uint8Array(31 * 6));
    const p = yangPatientKey();
    const { pub, tags } = yangTag('Hospital', p.A, p.pk, ct);
    const fileKey = hex(crypto.getRandomValues(new Uint8Array(32)));
    const data = await hosp.blobs!.publish(ct);
    const tagBlob = await hosp.blobs!.publish(encodeYangTagSet(ct.length, tags));
    await storeAtCloud(hospRpc, hex(cloudKeys.pk), { file: fileKey, scheme: 'yang2019', data, tags: tagBlob }, 20_000);
    const id = await hospitalTx({
      type: 'emr',
      pid,
      prev: emrHead,
      info: { h3c: new Uint8Array(32).fill(2), index: fileKey, description: 'yang2019 file', time: Date.now() },
      audit: { scheme: 'yang2019', n: pub.n, r1: g1.toBytes(pub.R1), r2: g2.toBytes(pub.R2), idm: new TextEncoder().encode('Hospital'), pkP: g2.toBytes(p.pk), v: hospital.pk },
      sealedKey: null
    });
    emrHead = id;
    expect(await tpa.audit(hex(id), { c: 460 })).toMatchObject({ passed: true, scheme: 'yang2019' });
    cloud.setBehaviour('forge-yang2019');
    try {
      // The cloud answers from two group elements, without the data, and passes.
      expect(await tpa.audit(hex(id), { c: 460 })).toMatchObject({ passed: true, reason: 'ok' });
      cloud.setBehaviour('corrupt');
      expect(await tpa.audit(hex(id), { c: 460 })).toMatchObject({ passed: false, reason: 'equation' });
    } finally {
      cloud.setBehaviour('honest');
    }
  }, 90_000);

  it('an unknown file is a clear RpcError; an EMR whose file the cloud never got fails as not-held', async () => {
    const err = (await tpaRpc.call(hex(cloudKeys.pk), 'cloud.prove', { file: '00'.repeat(32), seed: new Uint8Array(32), c: 1 }).catch((e) => e)) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err).toMatchObject({ code: 'unknown-file' });
    expect(err.message).toMatch(/holds no file 0000/);
    const bad = await tpaRpc.call(hex(cloudKeys.pk), 'cloud.prove', { file: 'not hex', seed: new Uint8Array(32), c: 1 }).catch((e) => e);
    expect(bad).toMatchObject({ code: 'bad-request' });
    const missing = await swFile(100, false);
    expect(await tpa.audit(missing, { c: 10 })).toMatchObject({ passed: false, reason: 'not-held' });
    await expect(tpa.audit('ab'.repeat(32))).rejects.toMatchObject({ kind: 'unknown-emr' });
  }, 60_000);

  it('batch: several files verified with one product check', async () => {
    const a = await swFile(31 * 4 * 3);
    const out = await tpa.auditMany([honest, a], { c: 460 });
    expect(out.outcomes.map((o) => o.passed)).toEqual([true, true]);
    expect(out.checks).toBe(1);
  }, 60_000);

  it('a cloud that stops answering mid-audit is a timeout, and no result is written', async () => {
    const slow = new TpaService(tpaPeer, tpaRpc, tpaKeys, { proveTimeoutMs: 800, seedTimeoutMs: 30_000, includeTimeoutMs: 20_000, pollMs: 30 });
    // The cloud vanishes mid-audit: its prove handler never answers.
    cloudRpc.register('cloud.prove', () => new Promise(() => {}));
    const err = await slow.audit(honest, { c: 100 }).catch((e) => e);
    expect(err).toBeInstanceOf(TpaError);
    expect(err).toMatchObject({ kind: 'timeout', code: 'timeout' });
    // The request is on chain and stays pending: no audit-result was written.
    const pending = [...tpaPeer.finalState()!.audits.values()].filter((a) => hex(a.emr) === honest && a.c === 100);
    expect(pending).toHaveLength(1);
    const seqBefore = tpaPeer.executor.stateOf(tpaPeer.consensus.tree.head())!.nonces.get(hex(tpaKeys.pk));
    await new Promise((r) => setTimeout(r, 1500));
    expect(tpaPeer.executor.stateOf(tpaPeer.consensus.tree.head())!.nonces.get(hex(tpaKeys.pk))).toBe(seqBefore);
    expect(tpaPeer.mempool.list().filter((t) => t.body.type === 'audit-result' && hex(t.body.request) === hex(pending[0].id))).toHaveLength(0);
  }, 60_000);
});

async function fileOf(emr: string): Promise<string> {
  return tpa.files().find((f) => f.emr === emr)!.file;
}
