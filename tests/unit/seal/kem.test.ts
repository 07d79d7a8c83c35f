/** Enc_pkd: the G1 KEM key wrap, the envelope, and keeping encryption and signing keys apart. */
import { beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../../src/lib/codec';
import { bls, DecodeError, EncryptionPublicKey, EncryptionSecretKey, fr, g1, ready } from '../../../src/lib/crypto';
import {
  decodeWrappedKey,
  encodeWrappedKey,
  generateFileKey,
  openFrom,
  openFromStream,
  sealTo,
  sealToStream,
  SealError,
  unwrapKey,
  wrapKey,
  MAX_WRAPPED_BYTES
} from '../../../src/lib/seal';
import { chunked, drain, randomBytes } from './helpers';

beforeAll(async () => {
  await ready();
});

async function kindOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SealError);
    return (e as SealError).kind;
  }
  throw new Error('expected a SealError');
}

describe('encryption keys', () => {
  it('round-trip through bytes; the public key is P1^d in G1 (48 bytes)', () => {
    const sk = EncryptionSecretKey.generate();
    const again = EncryptionSecretKey.fromBytes(sk.toBytes());
    expect(again.publicKey.equals(sk.publicKey)).toBe(true);
    const pkBytes = sk.publicKey.toBytes();
    expect(pkBytes.length).toBe(48);
    expect(g1.equals(g1.mul(g1.generator(), fr.fromBytes(sk.toBytes())), sk.publicKey.point)).toBe(true);
    expect(EncryptionPublicKey.fromBytes(pkBytes).equals(sk.publicKey)).toBe(true);
  });

  it('a signing public key (G2, 96 bytes) is not an encryption key, and the identity is refused', () => {
    const signingPk = bls.publicKey(bls.keygen(randomBytes(32)));
    expect(() => EncryptionPublicKey.fromBytes(signingPk)).toThrow(DecodeError);
    expect(() => EncryptionPublicKey.fromBytes(g1.toBytes(g1.identity()))).toThrow(expect.objectContaining({ kind: 'infinity-not-allowed' }));
    expect(() => EncryptionSecretKey.fromBytes(new Uint8Array(32))).toThrow(DecodeError);
    // Types are nominal (private fields); at run time raw bytes are refused too.
    return expect(wrapKey(signingPk as never, generateFileKey())).rejects.toThrow(/EncryptionPublicKey/);
  });
});

describe('key wrapping to a G1 public key', () => {
  let sk: EncryptionSecretKey;
  const k = generateFileKey();
  beforeAll(() => {
    sk = EncryptionSecretKey.generate();
  });

  it('round trip on both backends, 122 bytes, one canonical encoding', async () => {
    for (const backend of ['webcrypto', 'noble'] as const) {
      const w = await wrapKey(sk.publicKey, k, { backend });
      expect(w.length).toBe(122);
      expect(await unwrapKey(sk, w, { backend: backend === 'noble' ? 'webcrypto' : 'noble' })).toEqual(k);
      expect(encodeWrappedKey(decodeWrappedKey(w))).toEqual(w);
    }
  });

  it('fresh ephemeral each time', async () => {
    const a = decodeWrappedKey(await wrapKey(sk.publicKey, k));
    const b = decodeWrappedKey(await wrapKey(sk.publicKey, k));
    expect(Buffer.from(a.y).equals(Buffer.from(b.y))).toBe(false);
  });

  it('the wrong secret key or the wrong context is rejected', async () => {
    const w = await wrapKey(sk.publicKey, k, { context: new Uint8Array([1, 2, 3]) });
    expect(await unwrapKey(sk, w, { context: new Uint8Array([1, 2, 3]) })).toEqual(k);
    expect(await kindOf(unwrapKey(EncryptionSecretKey.generate(), w, { context: new Uint8Array([1, 2, 3]) }))).toBe('unwrap-failed');
    expect(await kindOf(unwrapKey(sk, w, { context: new Uint8Array([1, 2, 4]) }))).toBe('unwrap-failed');
    expect(await kindOf(unwrapKey(sk, w))).toBe('unwrap-failed');
  });

  it('a tampered Y is rejected: another valid point, an invalid encoding, the identity', async () => {
    const w = decodeWrappedKey(await wrapKey(sk.publicKey, k));
    const other = g1.toBytes(g1.add(g1.fromBytes(w.y), g1.generator()));
    expect(await kindOf(unwrapKey(sk, encodeWrappedKey({ y: other, c: w.c })))).toBe('unwrap-failed');
    const flipped = w.y.slice();
    flipped[47] ^= 1;
    const kind = await kindOf(unwrapKey(sk, encodeWrappedKey({ y: flipped, c: w.c })));
    expect(['bad-point', 'unwrap-failed']).toContain(kind); // a flip may land on another curve point
    const offCurve = new Uint8Array(48);
    offCurve[0] = 0x80; // compressed flag, x = 0: not on the curve (0 + 4 is not a square)
    expect(await kindOf(unwrapKey(sk, encodeWrappedKey({ y: offCurve, c: w.c })))).toBe('bad-point');
    expect(await kindOf(unwrapKey(sk, encodeWrappedKey({ y: g1.toBytes(g1.identity()), c: w.c })))).toBe('bad-point');
  });

  it('a tampered wrapped key body is rejected', async () => {
    const w = decodeWrappedKey(await wrapKey(sk.publicKey, k));
    for (const i of [0, 31, 32, 47]) {
      const c = w.c.slice();
      c[i] ^= 0x10;
      expect(await kindOf(unwrapKey(sk, encodeWrappedKey({ y: w.y, c })))).toBe('unwrap-failed');
    }
  });

  it('malformed wrapped keys are rejected before any curve work', async () => {
    const w = decodeWrappedKey(await wrapKey(sk.publicKey, k));
    const cases = [
      new Uint8Array(MAX_WRAPPED_BYTES + 1),
      new Uint8Array([0xff]),
      encode({ t: 'wrapped-key', v: 2, y: w.y, c: w.c }),
      encode({ t: 'wrapped-key', v: 1, y: w.y.subarray(1), c: w.c }),
      encode({ t: 'wrapped-key', v: 1, y: w.y, c: w.c.subarray(1) }),
      encode({ t: 'wrapped-key', v: 1, y: w.y }),
      encode({ t: 'wrapped-key', v: 1, y: w.y, c: w.c, extra: 1 })
    ];
    for (const bytes of cases) {
      const e = await unwrapKey(sk, bytes).catch((x) => x);
      expect(e).toBeInstanceOf(SealError);
      expect(e.kind).toBe('malformed');
      expect(e.cause?.name).toBe('FormatError');
    }
  });
});

describe('envelopes: Enc_pkd of a whole stream', () => {
  it('round trip in memory and streamed; bound to its context', async () => {
    const sk = EncryptionSecretKey.generate();
    for (const n of [0, 1, 70000]) {
      const m = randomBytes(n);
      const env = await sealTo(sk.publicKey, m, { context: new Uint8Array([9]) });
      expect(await openFrom(sk, env, { context: new Uint8Array([9]) })).toEqual(m);
      const streamed = await drain(chunked(m, [5000]).pipeThrough(sealToStream(sk.publicKey, { context: new Uint8Array([9]) })));
      const back = await drain(chunked(streamed.bytes, [1, 50, 1000]).pipeThrough(openFromStream(sk, { context: new Uint8Array([9]) })));
      expect(back.error).toBeUndefined();
      expect(back.bytes).toEqual(m);
      expect(await kindOf(openFrom(sk, env))).toBe('unwrap-failed');
      expect(await kindOf(openFrom(EncryptionSecretKey.generate(), env, { context: new Uint8Array([9]) }))).toBe('unwrap-failed');
    }
  });

  it('tampering and truncation of an envelope are rejected', async () => {
    const sk = EncryptionSecretKey.generate();
    const env = await sealTo(sk.publicKey, randomBytes(200000));
    const flipped = env.slice();
    flipped[env.length - 100] ^= 1;
    expect(await kindOf(openFrom(sk, flipped))).toBe('segment-auth');
    expect(await kindOf(openFrom(sk, env.slice(0, 60)))).toBe('truncated');
    expect(await kindOf(openFrom(sk, env.slice(0, env.length - 16)))).toBe('truncated');
    const huge = env.slice();
    huge[0] = 0x7f;
    expect(await kindOf(openFrom(sk, huge))).toBe('malformed');
  });
});
