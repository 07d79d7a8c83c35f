/**
 * yang2019 (SPEC §3), the paper's audit: honest proofs verify, AND a cloud
 * that deleted everything still passes, AND it can forge tags. This test
 * documents why yang2019 is never the default.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready, g1, fr } from '$lib/crypto';
import { attackYang2019, deriveChallenge, yangBlocks, yangPatientKey, yangProve, yangTag, yangVerify, decodeYangProof, encodeYangProof } from '$lib/audit';
import { refYangTags } from './reference';

const rand = (n: number) => crypto.getRandomValues(new Uint8Array(n));

beforeAll(async () => {
  await ready();
});

describe('yang2019, faithful to the paper', () => {
  it('the admin tags with A_p = g1^{sk_p} only; honest proofs satisfy equation (1); tags match the noble reference', () => {
    const patient = yangPatientKey();
    const data = rand(31 * 25 + 3);
    const r = fr.random();
    const { pub, tags } = yangTag('hospital-7', patient.A, patient.pk, data, r);
    expect(pub.n).toBe(26);
    const ref = refYangTags('hospital-7', patient.a, r, data);
    expect(tags.map((t) => Buffer.from(g1.toBytes(t)).toString('hex'))).toEqual(ref.tags.map((t) => Buffer.from(t).toString('hex')));
    for (const c of [1, 5, 26]) {
      const chal = { seed: rand(32), c };
      const proof = yangProve(pub, data, tags, chal);
      expect(yangVerify(pub, chal, decodeYangProof(encodeYangProof(proof)))).toEqual({ ok: true });
    }
    // The equation is not vacuous: a wrong lambda fails.
    const chal = { seed: rand(32), c: 5 };
    const p = yangProve(pub, data, tags, chal);
    expect(yangVerify(pub, chal, { ...p, lambda: fr.add(p.lambda, 1n) }).ok).toBe(false);
  });

  it('ATTACK: from two stored tags the cloud answers every challenge with all data deleted', () => {
    const patient = yangPatientKey();
    const data = rand(31 * 40);
    const { pub, tags } = yangTag('hospital-7', patient.A, patient.pk, data);
    const m = yangBlocks(data);
    const forgery = attackYang2019([
      { m: m[0], delta: tags[0] },
      { m: m[1], delta: tags[1] }
    ]);
    // The data and the tags are gone; the cloud keeps A and B (96 bytes).
    data.fill(0);
    tags.length = 0;
    for (let k = 0; k < 10; k++) {
      const chal = { seed: rand(32), c: 1 + ((k * 7) % 40) };
      expect(yangVerify(pub, chal, forgery.prove(pub.n, chal))).toEqual({ ok: true });
    }
    // Even the recovered constants are what SPEC §3 says: B = P1^{r^2} is R1^r, A = g1^{a} H2(IDm)^r.
    expect(g1.isIdentity(forgery.B)).toBe(false);
  });

  it('ATTACK: a forged tag for content that was never stored verifies, and blocks can be swapped', () => {
    const patient = yangPatientKey();
    const data = rand(31 * 8);
    const { pub, tags } = yangTag('hospital-9', patient.A, patient.pk, data);
    const m = yangBlocks(data);
    const forgery = attackYang2019([
      { m: m[2], delta: tags[2] },
      { m: m[5], delta: tags[5] }
    ]);
    // Replace block 3 by content that was never stored, with a forged tag; the cloud's proof passes.
    const fake = rand(31);
    const forged = data.slice();
    forged.set(fake, 31 * 3);
    const forgedTags = tags.slice();
    forgedTags[3] = forgery.forgeTag(yangBlocks(fake)[0]);
    const chal = { seed: rand(32), c: 8 };
    expect(deriveChallenge(chal.seed, pub.n, chal.c).indices).toContain(3);
    expect(yangVerify(pub, chal, yangProve(pub, forged, forgedTags, chal))).toEqual({ ok: true });
    // Nothing binds a tag to its position: swapping two blocks with their tags passes.
    const swapped = data.slice();
    swapped.set(data.subarray(0, 31), 31);
    swapped.set(data.subarray(31, 62), 0);
    const st = tags.slice();
    [st[0], st[1]] = [st[1], st[0]];
    expect(yangVerify(pub, chal, yangProve(pub, swapped, st, chal)).ok).toBe(true);
  });

  it('the attack needs two different blocks', () => {
    const patient = yangPatientKey();
    const data = new Uint8Array(62);
    const { tags } = yangTag('h', patient.A, patient.pk, data);
    expect(() => attackYang2019([{ m: 0n, delta: tags[0] }, { m: 0n, delta: tags[1] }])).toThrow(RangeError);
  });
});
