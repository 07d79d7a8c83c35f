/** The on-chain check H3(c) == recorded value, in memory and streamed. */
import { beforeAll, describe, expect, it } from 'vitest';
import { fr, ready } from '../../../src/lib/crypto';
import { h3 } from '../../../src/lib/hashes';
import { checkCiphertext, checkCiphertextStream, H3Hasher } from '../../../src/lib/sharing';
import { chunked, randomBytes } from '../seal/helpers';

beforeAll(async () => {
  await ready();
});

describe('H3 over a ciphertext', () => {
  it('H3Hasher equals h3 of the whole message for any chunking', () => {
    for (const n of [0, 1, 55, 64, 65, 1000, 200000]) {
      const m = randomBytes(n);
      const h = new H3Hasher();
      for (let o = 0; o < n; o += 997) h.update(m.subarray(o, o + 997));
      expect(h.digest()).toBe(h3(m));
    }
  });

  it('checkCiphertext accepts the recorded value as bigint or 32 bytes', () => {
    const c = randomBytes(5000);
    const v = h3(c);
    expect(checkCiphertext(c, v)).toEqual({ ok: true, h3: v });
    expect(checkCiphertext(c, fr.toBytes(v)).ok).toBe(true);
  });

  it('returns reasons instead of throwing', () => {
    const c = randomBytes(5000);
    const v = h3(c);
    const bad = c.slice();
    bad[4999] ^= 1;
    const r = checkCiphertext(bad, v);
    expect(r.ok).toBe(false);
    if (r.ok || r.reason !== 'mismatch') throw new Error('expected a mismatch');
    expect(r.expected).toBe(v);
    expect(r.actual).toBe(h3(bad));
    expect(checkCiphertext(c, fr.ORDER)).toMatchObject({ ok: false, reason: 'bad-expected' });
    expect(checkCiphertext(c, new Uint8Array(31))).toMatchObject({ ok: false, reason: 'bad-expected' });
    expect(checkCiphertext(c, new Uint8Array(32).fill(0xff))).toMatchObject({ ok: false, reason: 'bad-expected' });
    expect(checkCiphertext('c' as never, v)).toMatchObject({ ok: false, reason: 'not-bytes' });
    expect(checkCiphertext(c, 'x' as never)).toMatchObject({ ok: false, reason: 'bad-expected' });
  });

  it('checkCiphertextStream agrees, in constant memory', async () => {
    const c = randomBytes(300000);
    expect(await checkCiphertextStream(chunked(c, [4096, 1]), h3(c))).toEqual({ ok: true, h3: h3(c) });
    expect((await checkCiphertextStream(chunked(c.subarray(1)), h3(c))).ok).toBe(false);
  });
});
