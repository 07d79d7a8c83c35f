/** The sharing contract end to end: rewrap (default) and reencrypt (paper Algorithm 1). */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../src/lib/crypto';
import { h3 } from '../../../src/lib/hashes';
import { EncryptionSecretKey } from '../../../src/lib/crypto';
import { generateFileKey, open, seal, SealError, wrapKey } from '../../../src/lib/seal';
import {
  accessGrant,
  decodeRewrapDelivery,
  deliver,
  emrKeyContext,
  encodeRewrapDelivery,
  generateFingerprintKey,
  identifyLeak,
  openReencrypted,
  openReencryptedStream,
  openRewrap,
  reencrypt,
  reencryptStream,
  rewrap,
  unwrapDelivery,
  type ReencryptDelivery
} from '../../../src/lib/sharing';
import { chunked, drain, randomBytes } from '../seal/helpers';
import { fhirRecord, parse } from './fixtures';

beforeAll(async () => {
  await ready();
});

/** The hospital's state for one EMR after storage: c on the cloud, H3(c) on chain, k wrapped to itself. */
async function storedEmr(m: Uint8Array) {
  const executorKey = EncryptionSecretKey.generate();
  const k = generateFileKey();
  const c = await seal(k, m);
  const emrId = randomBytes(16);
  const executorContext = emrKeyContext(emrId);
  const executorCopy = await wrapKey(executorKey.publicKey, k, { context: executorContext });
  return { executorKey, executorCopy, executorContext, c, expectedH3: h3(c), k };
}

describe('rewrap (default)', () => {
  it('the user gets k, checks H3(c) itself and opens c', async () => {
    const m = fhirRecord(5);
    const emr = await storedEmr(m);
    const user = EncryptionSecretKey.generate();
    const grant = accessGrant(randomBytes(32), user.publicKey);
    expect(grant.mode).toBe('rewrap');
    const d = await rewrap({ ...emr, grant });
    expect(d.wrappedKey.length).toBe(122);
    const wire = decodeRewrapDelivery(encodeRewrapDelivery(d));
    expect(wire).toEqual(d);
    const r = await openRewrap(user, wire, emr.c, emr.expectedH3);
    if (!r.ok) throw new Error(r.check.message);
    expect(r.plaintext).toEqual(m);
    expect(await unwrapDelivery(user, d)).toEqual(emr.k);
  });

  it('a swapped c is caught by the H3 check as an outcome', async () => {
    const emr = await storedEmr(fhirRecord(5));
    const user = EncryptionSecretKey.generate();
    const d = await rewrap({ ...emr, grant: accessGrant(randomBytes(32), user.publicKey) });
    const other = await seal(emr.k, fhirRecord(6));
    const r = await openRewrap(user, d, other, emr.expectedH3);
    expect(r).toMatchObject({ ok: false, check: { reason: 'mismatch' } });
  });

  it('only the requester, and only for this access record, can unwrap', async () => {
    const emr = await storedEmr(randomBytes(100));
    const user = EncryptionSecretKey.generate();
    const d = await rewrap({ ...emr, grant: accessGrant(randomBytes(32), user.publicKey) });
    await expect(unwrapDelivery(EncryptionSecretKey.generate(), d)).rejects.toMatchObject({ kind: 'unwrap-failed' });
    await expect(unwrapDelivery(user, { ...d, recordId: randomBytes(32) })).rejects.toMatchObject({ kind: 'unwrap-failed' });
  });

  it("the executor's own copy is bound to its EMR", async () => {
    const emr = await storedEmr(randomBytes(100));
    const grant = accessGrant(randomBytes(32), EncryptionSecretKey.generate().publicKey);
    await expect(rewrap({ ...emr, executorContext: emrKeyContext(randomBytes(16)), grant })).rejects.toBeInstanceOf(SealError);
    await expect(rewrap({ ...emr, executorKey: EncryptionSecretKey.generate(), grant })).rejects.toMatchObject({ kind: 'unwrap-failed' });
  });

  it('a grant for the other mode is refused', async () => {
    const emr = await storedEmr(randomBytes(10));
    const grant = accessGrant(randomBytes(32), EncryptionSecretKey.generate().publicKey, 'reencrypt');
    await expect(rewrap({ ...emr, grant })).rejects.toThrow(TypeError);
    expect(() => accessGrant(new Uint8Array(0), grant.requester)).toThrow(TypeError);
    expect(() => accessGrant(randomBytes(65), grant.requester)).toThrow(TypeError);
    expect(() => accessGrant(randomBytes(8), new Uint8Array(48) as never)).toThrow(/EncryptionPublicKey/);
  });

  it('malformed deliveries are FormatErrors', () => {
    expect(() => decodeRewrapDelivery(new Uint8Array(600))).toThrow(expect.objectContaining({ kind: 'oversized' }));
    expect(() => decodeRewrapDelivery(new Uint8Array([0xa0]))).toThrow(expect.objectContaining({ name: 'FormatError' }));
  });
});

describe('reencrypt (paper Algorithm 1)', () => {
  it('each user gets a fingerprinted copy that opens only for them, and a leak names them', async () => {
    const fk = generateFingerprintKey();
    const m = fhirRecord(120);
    const emr = await storedEmr(m);
    const users = [0, 1, 2].map(() => EncryptionSecretKey.generate());
    const grants = users.map((u) => accessGrant(randomBytes(32), u.publicKey, 'reencrypt'));
    const deliveries: ReencryptDelivery[] = [];
    for (const grant of grants) {
      const r = await reencrypt({ ...emr, ciphertext: emr.c, grant, fingerprintKey: fk });
      if (!r.ok) throw new Error(r.check.message);
      deliveries.push(r.delivery);
    }
    for (let i = 0; i < 3; i++) {
      const copy = await openReencrypted(users[i], deliveries[i]);
      expect(parse(copy)).toEqual(parse(m)); // FHIR-neutral
      expect(identifyLeak(copy, grants, fk)).toEqual({ recipient: grants[i], evidence: 'trailer' });
      await expect(openReencrypted(users[(i + 1) % 3], deliveries[i])).rejects.toMatchObject({ kind: 'unwrap-failed' });
    }
  });

  it('rejects c unless H3(c) equals the on-chain value, delivering nothing', async () => {
    const emr = await storedEmr(randomBytes(1000));
    const grant = accessGrant(randomBytes(32), EncryptionSecretKey.generate().publicKey, 'reencrypt');
    const bad = emr.c.slice();
    bad[bad.length - 1] ^= 1;
    const r = await reencrypt({ ...emr, ciphertext: bad, grant, fingerprintKey: generateFingerprintKey() });
    expect(r.ok).toBe(false);
    expect(r).toMatchObject({ check: { reason: 'mismatch' } });
    expect('delivery' in r).toBe(false);
  });

  it('streams: 3 MiB through open, fingerprint and seal-to, then the user opens it streaming', async () => {
    const m = randomBytes(3 * 1024 * 1024 + 5);
    const emr = await storedEmr(m);
    const user = EncryptionSecretKey.generate();
    const grant = accessGrant(randomBytes(32), user.publicKey, 'reencrypt');
    const fk = generateFingerprintKey();
    const { writable, readable } = await reencryptStream({ ...emr, grant, fingerprintKey: fk });
    const [, env] = await Promise.all([chunked(emr.c, [100000]).pipeTo(writable), drain(readable)]);
    expect(env.error).toBeUndefined();
    const copy = await drain(chunked(env.bytes, [65536]).pipeThrough(openReencryptedStream(user, grant.recordId)));
    expect(copy.error).toBeUndefined();
    expect(Buffer.from(copy.bytes.subarray(0, m.length)).equals(Buffer.from(m))).toBe(true);
    expect(identifyLeak(copy.bytes, [grant], fk).recipient).toBe(grant);
    // A tampered c (e.g. from a cloud that skipped the H3 check) errors the stream.
    const bad = emr.c.slice();
    bad[200000] ^= 1;
    const s2 = await reencryptStream({ ...emr, grant, fingerprintKey: fk });
    const [, out] = await Promise.all([chunked(bad, [100000]).pipeTo(s2.writable).catch(() => undefined), drain(s2.readable)]);
    expect((out.error as SealError).kind).toBe('segment-auth');
  });

  it('deliver() dispatches on the grant mode', async () => {
    const m = fhirRecord(3);
    const emr = await storedEmr(m);
    const user = EncryptionSecretKey.generate();
    const fk = generateFingerprintKey();
    const a = await deliver({ ...emr, grant: accessGrant(randomBytes(8), user.publicKey, 'rewrap'), fingerprintKey: fk });
    expect(a.ok && a.delivery.mode).toBe('rewrap');
    const b = await deliver({ ...emr, ciphertext: emr.c, grant: accessGrant(randomBytes(8), user.publicKey, 'reencrypt'), fingerprintKey: fk });
    expect(b.ok && b.delivery.mode).toBe('reencrypt');
    if (b.ok && b.delivery.mode === 'reencrypt') expect(parse(await openReencrypted(user, b.delivery))).toEqual(parse(m));
    expect(await open(emr.k, emr.c)).toEqual(m);
  });
});
