/** The two AES-256-GCM backends give the same bytes, and match a NIST-style known answer. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../src/lib/crypto';
import { aesGcm, hasWebCrypto, resolveBackend, seal, open, generateFileKey } from '../../../src/lib/seal';
import { hex, randomBytes } from './helpers';

beforeAll(async () => {
  await ready();
});

describe('AES-256-GCM backends', () => {
  it('Node has WebCrypto, and auto picks it', () => {
    expect(hasWebCrypto()).toBe(true);
    expect(resolveBackend('auto')).toBe('webcrypto');
    expect(resolveBackend('noble')).toBe('noble');
    expect(() => resolveBackend('x' as never)).toThrow(TypeError);
  });

  it('matches the McGrew-Viega GCM test case 16 (AES-256, 12-byte IV, AAD)', async () => {
    const key = Buffer.from('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308', 'hex');
    const iv = Buffer.from('cafebabefacedbaddecaf888', 'hex');
    const pt = Buffer.from(
      'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
      'hex'
    );
    const aad = Buffer.from('feedfacedeadbeeffeedfacedeadbeefabaddad2', 'hex');
    const want =
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662' +
      '76fc6ece0f4e1768cddf8853bb2d551b';
    for (const backend of ['webcrypto', 'noble'] as const) {
      const a = await aesGcm(new Uint8Array(key), backend);
      expect(hex(await a.encrypt(new Uint8Array(iv), new Uint8Array(pt), new Uint8Array(aad)))).toBe(want);
    }
  });

  it('WebCrypto and noble produce identical ciphertext for the same key, nonce and AAD, and open each other', async () => {
    const key = randomBytes(32);
    const w = await aesGcm(key, 'webcrypto');
    const n = await aesGcm(key, 'noble');
    for (const size of [0, 1, 15, 16, 17, 1000, 65536 + 3]) {
      const nonce = randomBytes(12);
      const aad = randomBytes(size % 40);
      const pt = randomBytes(size);
      const cw = await w.encrypt(nonce, pt, aad);
      const cn = await n.encrypt(nonce, pt, aad);
      expect(hex(cw)).toBe(hex(cn));
      expect(cw.length).toBe(size + 16);
      expect(await n.decrypt(nonce, cw, aad)).toEqual(pt);
      expect(await w.decrypt(nonce, cn, aad)).toEqual(pt);
      const bad = cw.slice();
      bad[bad.length - 1] ^= 1;
      expect(await w.decrypt(nonce, bad, aad)).toBeNull();
      expect(await n.decrypt(nonce, bad, aad)).toBeNull();
    }
    expect(await w.decrypt(randomBytes(12), new Uint8Array(5))).toBeNull();
  });

  it('whole sealed files are byte-identical across backends (same key and file id)', async () => {
    const key = generateFileKey();
    const fileId = randomBytes(32);
    for (const size of [0, 31, 5000]) {
      const m = randomBytes(size);
      const a = await seal(key, m, { backend: 'webcrypto', fileId, segmentSize: 1024 });
      const b = await seal(key, m, { backend: 'noble', fileId, segmentSize: 1024 });
      expect(hex(a)).toBe(hex(b));
      expect(await open(key, a, { backend: 'noble' })).toEqual(m);
      expect(await open(key, b, { backend: 'webcrypto' })).toEqual(m);
    }
  });

  it('rejects keys of the wrong size', async () => {
    await expect(aesGcm(new Uint8Array(16))).rejects.toThrow(TypeError);
  });
});
