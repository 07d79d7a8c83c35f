/** The async crypto API over a worker pool (Node worker_threads). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready, g1, g2, fr, bls, pairingCheck } from '../../../src/lib/crypto';
import { createCryptoPool, type CryptoPool } from '../../../src/lib/crypto/async';
import { JobCancelled } from '../../../src/lib/crypto/pool';

let pool: CryptoPool;
beforeAll(async () => {
  await ready();
  pool = await createCryptoPool(2);
});
afterAll(() => pool.close());

describe('CryptoPool', () => {
  it('g1.msm across workers equals the in-thread msm (split and unsplit sizes)', async () => {
    for (const n of [3, 600]) {
      const pts = Array.from({ length: n }, () => g1.mulPublic(g1.generator(), fr.random()));
      const scs = pts.map(() => fr.random());
      expect(g1.equals(await pool.g1.msm(pts, scs), g1.msm(pts, scs)), `n=${n}`).toBe(true);
    }
  });

  it('g2.msm across workers equals the in-thread msm', async () => {
    const pts = Array.from({ length: 300 }, () => g2.mulPublic(g2.generator(), fr.random()));
    const scs = pts.map(() => fr.random());
    expect(g2.equals(await pool.g2.msm(pts, scs), g2.msm(pts, scs))).toBe(true);
  });

  it('pairingCheck and blsVerifyEach give the same answers as in-thread', async () => {
    const a = fr.random();
    const P = g1.mul(g1.generator(), a);
    const pairs = [[P, g2.generator()], [g1.neg(g1.generator()), g2.mul(g2.generator(), a)]] as const;
    expect(await pool.pairingCheck(pairs)).toBe(true);
    expect(await pool.pairingCheck([pairs[0]])).toBe(pairingCheck([pairs[0]]));
    const items = Array.from({ length: 5 }, (_, i) => {
      const sk = bls.keygen(crypto.getRandomValues(new Uint8Array(32)));
      const msg = new Uint8Array([i]);
      return { pk: bls.publicKey(sk), msg, sig: bls.sign(sk, msg) };
    });
    items[3] = { ...items[3], msg: new Uint8Array([99]) };
    expect(await pool.blsVerifyEach(items)).toEqual([true, true, true, false, true]);
  });

  it('rejects wrong groups and mismatched lengths, and honours an aborted signal', async () => {
    await expect(pool.g1.msm([g1.generator()], [])).rejects.toThrow(RangeError);
    await expect(pool.g1.msm([g2.generator() as never], [1n])).rejects.toThrow(TypeError);
    const ac = new AbortController();
    ac.abort();
    await expect(pool.g1.msm([g1.generator()], [1n], ac.signal)).rejects.toBeInstanceOf(JobCancelled);
  });
});
