/**
 * `yang2019`: the paper's integrity audit, faithfully (SPEC §3; Yang Ming et
 * al. 2019, §2.3 "数据存储" (b) and "完整性审计" (a)-(c), eq. (1)).
 * NOT SOUND: kept to reproduce the paper and to demonstrate the attack
 * (`attackYang2019`). Never the default.
 *
 * Symbols (the paper's symmetric pairing becomes G1 x G2, SPEC §2):
 *
 * | paper | here | what |
 * | --- | --- | --- |
 * | g (first slot) / g (second slot) | P1 = g1.generator() / P2 = g2.generator() | generators |
 * | g_1 | `paramG1()` | second generator of G1 (hash, nobody knows its log) |
 * | sk_p = a, pk_p = g^a | `patient.a`, `patient.pk` = P2^a (G2) | patient key |
 * | g_1^{sk_p} | `patient.A` = A_p | what the admin receives, never a |
 * | r_PIDp, R_PIDp = g^r | `r`, `R1 = P1^r` (G1), `R2 = P2^r` (G2) | per-file randomness |
 * | H2(IDm) | `h2(IDm)` | admin identity hashed to G1 |
 * | m'_i | `sectors[i]` | i-th 31-byte ciphertext block (s = 1) |
 * | δ_i | `tags[i]` | block tag |
 * | chal = {i, v_i} | `deriveChallenge(seed, n, c)` | same derivation as sw-priv |
 * | p = {λ, σ} | `{ lambda, sigma }` | proof |
 *
 * Equations:
 *   tag     δ_i = g_1^{sk_p} · (H2(IDm) · R1^{m'_i})^r
 *   prove   λ = Σ v_i m'_i (mod q),  σ = Π δ_i^{v_i}
 *   verify  (1)  e(σ, P2) == e(g_1^{Σ v_i}, pk_p) · e(H2(IDm)^{Σ v_i} · R1^λ, R2)
 *           checked as one pairingCheck of three pairs with σ's partners negated.
 *
 * Cost per phase:
 *
 * | phase | operations | bytes |
 * | --- | --- | --- |
 * | tag (per 31-byte block) | 2 E1 (one ct in r) + 1 add; H2(IDm) once | 48 per 31 bytes (155 %) |
 * | prove | MSM_c (128-bit) + c Fr mul | λ 32 + σ 48 |
 * | verify | 1 H + 3 E1 + ML(3) + FE | – |
 *
 * What is broken and how (SPEC §3): expanding the tag,
 *   δ_i = A · B^{m'_i}  with  A = g_1^{sk_p} · H2(IDm)^r  and  B = R1^r = P1^{r^2},
 * two constants per file. Anyone holding two stored pairs (m'_1, δ_1),
 * (m'_2, δ_2) with m'_1 ≠ m'_2 — the cloud holds them all — computes
 *   B = (δ_1 / δ_2)^{1/(m'_1 - m'_2)},   A = δ_1 / B^{m'_1},
 * deletes the data, and answers any challenge with any λ and
 *   σ = A^{Σ v_i} · B^λ,
 * which satisfies (1) because it is exactly what honest tags aggregate to.
 * The same A, B give a valid tag A · B^m for content m that was never
 * stored, and nothing binds a tag to its index i, so blocks can be swapped.
 * λ itself is unconstrained: (1) never ties it to any stored data.
 */
import { fr, g1, g2, pairingCheck, type G1, type G2 } from '$lib/crypto';
import { h2, paramG1 } from '$lib/hashes';
import { deriveChallenge, type ChallengeSpec } from './challenge';
import { blockCount, sectorAt } from './sectors';

/** Patient key pair, and A_p = g_1^{sk_p}, the only thing the admin receives. */
export interface YangPatient {
  a: bigint;
  pk: G2;
  A: G1;
}

export function yangPatientKey(a: bigint = fr.random()): YangPatient {
  if (typeof a !== 'bigint' || a <= 0n || a >= fr.ORDER) throw new RangeError('a: expected a scalar in [1, q)');
  return { a, pk: g2.mul(g2.generator(), a), A: g1.mul(paramG1(), a) };
}

/** The public per-file values a verifier needs (R1, R2 published by the admin). */
export interface YangFilePublic {
  idm: string;
  R1: G1;
  R2: G2;
  pk: G2;
  /** blocks (= 31-byte sectors) */
  n: number;
  length: number;
}

export interface YangProof {
  lambda: bigint;
  sigma: G1;
}

/** The 31-byte blocks m'_i of a ciphertext as scalars. */
export function yangBlocks(data: Uint8Array): bigint[] {
  return Array.from({ length: blockCount(data.length, 1) }, (_, i) => sectorAt(data, i));
}

/**
 * Storage step (b): the admin IDm tags the ciphertext with A_p (from the
 * patient) and fresh r. Returns the public file values and the tags δ_i.
 */
export function yangTag(idm: string, A: G1, pk: G2, data: Uint8Array, r: bigint = fr.random()): { pub: YangFilePublic; tags: G1[] } {
  if (typeof r !== 'bigint' || r <= 0n || r >= fr.ORDER) throw new RangeError('r: expected a scalar in [1, q)');
  const R1 = g1.mul(g1.generator(), r);
  const R2 = g2.mul(g2.generator(), r);
  const H = h2(idm);
  const tags = yangBlocks(data).map((m) =>
    // δ_i = A_p · (H2(IDm) · R1^{m'_i})^r: m'_i is public (variable-time ok), r is secret (constant time)
    g1.add(A, g1.mul(g1.add(H, g1.mulPublic(R1, m)), r))
  );
  return { pub: { idm, R1, R2, pk, n: tags.length, length: data.length }, tags };
}

/** The cloud's answer: λ = Σ v_i m'_i, σ = Π δ_i^{v_i}. */
export function yangProve(pub: YangFilePublic, data: Uint8Array, tags: readonly G1[], chal: ChallengeSpec): YangProof {
  if (tags.length !== pub.n) throw new RangeError(`tags: expected ${pub.n}, got ${tags.length}`);
  const { indices, coeffs } = deriveChallenge(chal.seed, pub.n, chal.c);
  let lambda = 0n;
  indices.forEach((i, k) => (lambda += coeffs[k] * sectorAt(data, i)));
  return { lambda: fr.mod(lambda), sigma: g1.msm(indices.map((i) => tags[i]), coeffs) };
}

export type YangResult = { ok: true } | { ok: false; reason: 'equation'; detail: string };

/** Equation (1) of the paper. */
export function yangVerify(pub: YangFilePublic, chal: ChallengeSpec, proof: YangProof): YangResult {
  const { coeffs } = deriveChallenge(chal.seed, pub.n, chal.c);
  const V = fr.mod(coeffs.reduce((a, b) => a + b, 0n));
  const left = g1.mulPublic(paramG1(), V);
  const right = g1.add(g1.mulPublic(h2(pub.idm), V), g1.mulPublic(pub.R1, proof.lambda));
  const ok = pairingCheck([
    [proof.sigma, g2.generator()],
    [g1.neg(left), pub.pk],
    [g1.neg(right), pub.R2]
  ]);
  return ok ? { ok: true } : { ok: false, reason: 'equation', detail: 'e(σ, P2) ≠ e(g1^{Σv}, pk_p) · e(H2(IDm)^{Σv} · R1^λ, R2)' };
}

/** What the attacker keeps after deleting the data: two group elements. */
export interface YangForgery {
  A: G1;
  B: G1;
  /** Answers any challenge without data: any λ, σ = A^{Σ v_i} · B^λ. */
  prove(n: number, chal: ChallengeSpec, lambda?: bigint): YangProof;
  /** A valid tag for content `m` (31-byte scalar) that was never stored. */
  forgeTag(m: bigint): G1;
}

/**
 * The attack (SPEC §3): from two stored pairs (m'_1, δ_1), (m'_2, δ_2) with
 * m'_1 ≠ m'_2, recover A = g_1^{sk_p} H2(IDm)^r and B = P1^{r^2}:
 *   B = (δ_1 / δ_2)^{1/(m'_1 - m'_2)},  A = δ_1 / B^{m'_1}.
 * Throws RangeError if the two blocks are equal (pick two different ones).
 */
export function attackYang2019(storedPairs: readonly [{ m: bigint; delta: G1 }, { m: bigint; delta: G1 }]): YangForgery {
  const [p1, p2] = storedPairs;
  const dm = fr.mod(p1.m - p2.m);
  if (dm === 0n) throw new RangeError('storedPairs: the two blocks must differ');
  const B = g1.mulPublic(g1.sub(p1.delta, p2.delta), fr.inv(dm));
  const A = g1.sub(p1.delta, g1.mulPublic(B, p1.m));
  return {
    A,
    B,
    prove(n, chal, lambda = fr.random()) {
      const { coeffs } = deriveChallenge(chal.seed, n, chal.c);
      const V = fr.mod(coeffs.reduce((a, b) => a + b, 0n));
      return { lambda, sigma: g1.add(g1.mulPublic(A, V), g1.mulPublic(B, lambda)) };
    },
    forgeTag: (m) => g1.add(A, g1.mulPublic(B, m))
  };
}
