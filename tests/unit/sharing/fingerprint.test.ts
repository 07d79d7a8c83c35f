/** Per-access fingerprints: FHIR-neutral, name the right recipient, survive trivial leaks, never frame. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../src/lib/crypto';
import { EncryptionSecretKey } from '../../../src/lib/crypto';
import {
  accessGrant,
  deriveFingerprintKey,
  fingerprintStream,
  generateFingerprintKey,
  identifyLeak,
  readTrailer,
  readWatermark,
  trailer,
  type AccessGrant
} from '../../../src/lib/sharing';
import { chunked, drain, randomBytes } from '../seal/helpers';
import { fhirRecord, parse } from './fixtures';

beforeAll(async () => {
  await ready();
});

async function mark(fk: Uint8Array, rid: Uint8Array, body: Uint8Array, sizes = [4096], watermark?: 'auto' | 'json' | 'off'): Promise<Uint8Array> {
  const r = await drain(chunked(body, sizes).pipeThrough(fingerprintStream(fk, rid, { watermark })));
  expect(r.error).toBeUndefined();
  return r.bytes;
}

const trimEnd = (b: Uint8Array) => {
  let e = b.length;
  while (e > 0 && [0x20, 0x09, 0x0a, 0x0d].includes(b[e - 1])) e--;
  return b.slice(0, e);
};

describe('fingerprints', () => {
  const fk = generateFingerprintKey();
  const body = fhirRecord();
  let grants: AccessGrant[];
  let copies: Uint8Array[];
  beforeAll(async () => {
    grants = [0, 1, 2, 3].map(() => accessGrant(randomBytes(32), EncryptionSecretKey.generate().publicKey, 'reencrypt'));
    copies = await Promise.all(grants.map((g) => mark(fk, g.recordId, body)));
  });

  it('the copy is still the same JSON, and copies differ per recipient', () => {
    for (const c of copies) expect(parse(c)).toEqual(parse(body));
    expect(Buffer.from(copies[0]).equals(Buffer.from(copies[1]))).toBe(false);
    expect(readWatermark(copies[0]).length).toBe(2048);
  });

  it('embedding does not depend on chunk boundaries', async () => {
    const a = await mark(fk, grants[0].recordId, body, [1, 2, 3, 5, 7, 11]);
    expect(Buffer.from(a).equals(Buffer.from(copies[0]))).toBe(true);
  });

  it('the copy as delivered names its recipient (trailer)', () => {
    copies.forEach((c, i) => expect(identifyLeak(c, grants, fk)).toEqual({ recipient: grants[i], evidence: 'trailer' }));
  });

  it('without the trailer, the watermark still names the recipient', () => {
    copies.forEach((c, i) => {
      const stripped = trimEnd(c);
      expect(readTrailer(stripped)).toBeNull();
      const r = identifyLeak(stripped, grants, fk);
      expect(r.recipient).toBe(grants[i]);
      expect(r).toMatchObject({ evidence: 'watermark', slots: 2048, matches: 2048 });
    });
  });

  it('a leaked excerpt from the start names the recipient', () => {
    const part = copies[2].subarray(0, Math.floor(copies[2].length / 8));
    expect(identifyLeak(part, grants, fk).recipient).toBe(grants[2]);
  });

  it('an unfingerprinted copy names nobody', () => {
    const r = identifyLeak(body, grants, fk);
    expect(r.recipient).toBeNull();
    expect(r).toMatchObject({ reason: 'no-match' });
    expect(identifyLeak(new Uint8Array(0), grants, fk)).toMatchObject({ recipient: null, reason: 'no-fingerprint' });
  });

  it('re-serialising the JSON removes both marks (documented limit)', () => {
    const reserialised = new TextEncoder().encode(JSON.stringify(parse(copies[1])));
    expect(identifyLeak(reserialised, grants, fk).recipient).toBeNull();
  });

  it('another executor key, or a grant list without the recipient, names nobody', () => {
    expect(identifyLeak(copies[0], grants, generateFingerprintKey()).recipient).toBeNull();
    expect(identifyLeak(copies[0], grants.slice(1), fk).recipient).toBeNull();
  });

  it('a recipient cannot frame another: a forged trailer is no evidence', () => {
    // User 0 strips everything (no JSON watermark: minified) and appends a trailer naming user 1, made with a guessed key.
    const minified = new TextEncoder().encode(JSON.stringify(parse(copies[0])));
    const forged = Uint8Array.from([...minified, ...trailer(generateFingerprintKey(), grants[1].recordId)]);
    expect(readTrailer(forged)?.recordId).toEqual(grants[1].recordId);
    expect(identifyLeak(forged, grants, fk).recipient).toBeNull();
    // And if user 0 keeps the watermark but swaps the trailer, the watermark still names user 0.
    const swapped = Uint8Array.from([...trimEnd(copies[0]), ...trailer(generateFingerprintKey(), grants[1].recordId)]);
    expect(identifyLeak(swapped, grants, fk).recipient).toBe(grants[0]);
  });

  it('binary bodies get the trailer only', async () => {
    const bin = Uint8Array.from([0x25, 0x50, 0x44, 0x46, ...randomBytes(5000)]); // "%PDF..."
    const c = await mark(fk, grants[3].recordId, bin);
    expect(c.subarray(0, bin.length)).toEqual(bin);
    expect(identifyLeak(c, grants, fk)).toEqual({ recipient: grants[3], evidence: 'trailer' });
    expect(identifyLeak(c.subarray(0, bin.length), grants, fk).recipient).toBeNull();
    const off = await mark(fk, grants[3].recordId, body, [4096], 'off');
    expect(off.subarray(0, body.length)).toEqual(body);
  });

  it('a derived fingerprint key is stable and distinct per executor', () => {
    const sk = EncryptionSecretKey.generate();
    expect(deriveFingerprintKey(sk)).toEqual(deriveFingerprintKey(EncryptionSecretKey.fromBytes(sk.toBytes())));
    expect(deriveFingerprintKey(sk)).not.toEqual(deriveFingerprintKey(EncryptionSecretKey.generate()));
    expect(() => fingerprintStream(new Uint8Array(3), new Uint8Array(1))).toThrow(TypeError);
  });
});
