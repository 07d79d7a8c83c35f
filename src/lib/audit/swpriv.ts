/**
 * `sw-priv`: the sound public audit, the default (SPEC §4). Compact proofs of
 * retrievability of Shacham and Waters (Asiacrypt 2008, §3.3 public
 * verification, BLS-based), with the privacy-preserving masking and the batch
 * verification of Wang, Chow, Wang, Ren, Lou (IEEE TC 62(2), 2013, §3.4 and
 * §4.1 "batch auditing").
 *
 * Symbols:
 *
 * | paper | here | what |
 * | --- | --- | --- |
 * | x, v = g^x | `key.x`, `key.v` (G2) | hospital (admin) key; `v` on chain |
 * | name | `file.name` | 32 random bytes per file |
 * | n, s | `file.n`, `file.s` | blocks, sectors per block |
 * | m_ij | `blockSectors(data, i, s)[j]` | sector j of block i, 31 bytes BE |
 * | H(name‖i) | `blockName(name, i)` | hash to G1, DST MEDCHAIN-V1-BLOCK |
 * | u_j | `sectorBase(name, j)` | hash to G1, DST MEDCHAIN-V1-U |
 * | σ_i | `tags[i]` | block tag (G1) |
 * | Q = {(i, ν_i)} | `deriveChallenge(seed, n, c)` | challenge.ts |
 * | μ_j, σ | `mu`, `sigma` | aggregated sectors and tag |
 * | r_j, R, γ | `r[j]`, `proof.R` (GT bytes), `gamma` | masking |
 * | μ'_j | `proof.mu[j]` | masked sums |
 * | w_k | `weights` | 64-bit batch weights |
 *
 * Equations (Shacham-Waters eq. (2) with the masking of Wang et al. eq. (4)):
 *
 *   tag      σ_i = (H(name‖i) · Π_j u_j^{m_ij})^x
 *            computed as H(name‖i)^x · Π_j (u_j^x)^{m_ij}: bases u_j^x once per
 *            file (constant-time mul by x), the product as one MSM over the
 *            public sectors, H(name‖i)^x with constant-time mul.
 *   prove    μ_j = Σ ν_i m_ij,  σ = Π σ_i^{ν_i},
 *            R = e(Π u_j^{r_j}, v),  γ = H3(bytes(R)),  μ'_j = r_j + γ μ_j
 *   verify   R · e(σ^γ, P2) == e((Π H(name‖i)^{ν_i})^γ · Π u_j^{μ'_j}, v)
 *            checked as  bytes(e(X, v) · e(-σ^γ, P2)) == bytes(R)  with one
 *            two-pair Miller loop and one final exponentiation (R is a GT
 *            element, not a pairing, so it is compared rather than paired).
 *   batch    Π_k R_k^{w_k} · e(Σ_k w_k γ_k σ_k, P2) · Π_v e(-Σ_{k: v_k = v} w_k X_k, v) == 1
 *            one Miller loop with (1 + #distinct v) pairs, one final
 *            exponentiation; points shared between proofs (same file) are
 *            folded before the MSM.
 *
 * Cost per phase (c challenged blocks, s sectors per block; E1 = G1 scalar
 * multiplication, H = hash to G1, P = pairing, ML/FE = Miller loop / final
 * exponentiation, MSM_k = multi-scalar multiplication of k points):
 *
 * | phase | who | operations | bytes |
 * | --- | --- | --- | --- |
 * | key | admin | 1 E2 | v: 96 |
 * | prepare | admin | s H + s E1 (u_j^x, per file) | name 32, n, s on chain |
 * | tag | admin | per block: 1 H + 1 E1 (ct) + MSM_s (248-bit) | 48 per block |
 * | challenge | TPA / chain | c' SHA-256 (c' ≈ c) + c SHA-256 | seed 32 + c |
 * | prove | cloud | MSM_c (128-bit) + s E1 (ct, r_j) + s H (cached) + 1 P + c·s Fr mul | 48 + 32 s + 576 |
 * | verify | TPA | c H (cached) + s H (cached) + MSM_c (128-bit) + MSM_s + 2 E1 + ML(2) + FE | – |
 * | batch K | TPA | MSM over the distinct points + MSM_K + K GT^64 + ML(1 + #v) + FE | – |
 *
 * Constant time: x (tag, key) and r_j (masking) only meet `g1.mul` / `g2.mul`
 * (constant time); `msm` and `mulPublic` see only public scalars (sectors of
 * the uploaded ciphertext, challenge coefficients, γ, μ', batch weights).
 */
import { fr, g1, g2, gt, millerLoop, finalExponentiate, pairing, type G1, type G2, type GtElement } from '$lib/crypto';
import { blockName, h3 } from '$lib/hashes';
import { AuditCache, toHex } from './cache';
import { checkChallenge, deriveChallenge, type ChallengeSpec } from './challenge';
import { gtFromBytes } from './gtbytes';
import { blockCount, blockSectors, checkS } from './sectors';

/** Default sectors per block, chosen by bench/audit.bench.ts (docs/audit.md). */
export const DEFAULT_S = 64;
export const NAME_BYTES = 32;

/** The hospital's audit key: secret x, public v = P2^x. */
export interface SwKey {
  x: bigint;
  v: G2;
}

/** What the chain records about a file and a verifier needs. */
export interface SwFileInfo {
  name: Uint8Array;
  /** blocks */
  n: number;
  /** sectors per block */
  s: number;
  /** true ciphertext length in bytes */
  length: number;
}

/** A proof (Wang et al.: {σ, μ', R}); R is kept as its 576 canonical bytes. */
export interface SwProof {
  sigma: G1;
  mu: bigint[];
  R: Uint8Array;
}

/** Outcome of a verification: never an exception for a bad proof. */
export type AuditResult = { ok: true } | { ok: false; reason: AuditFailure; detail: string };
export type AuditFailure = 'equation' | 'shape' | 'bad-key' | 'batch';

/** A source of nonzero scalars (masking r_j); tests inject a fixed one. */
export type ScalarSource = () => bigint;

export function swKeyGen(x: bigint = fr.random()): SwKey {
  if (typeof x !== 'bigint' || x <= 0n || x >= fr.ORDER) throw new RangeError('x: expected a scalar in [1, q)');
  return { x, v: g2.mul(g2.generator(), x) };
}

/** File preparation: a fresh random 32-byte name (or the given one), n from the length. */
export function prepareFile(length: number, s: number = DEFAULT_S, name?: Uint8Array): SwFileInfo {
  checkS(s);
  const nm = name ?? crypto.getRandomValues(new Uint8Array(NAME_BYTES));
  if (!(nm instanceof Uint8Array) || nm.length !== NAME_BYTES) throw new RangeError(`name: expected ${NAME_BYTES} bytes`);
  return { name: nm, n: blockCount(length, s), s, length };
}

/** u_j^x for j < s: the per-file tagging bases (secret-derived: keep them with x). */
export function tagBases(name: Uint8Array, s: number, x: bigint, cache = new AuditCache(0)): G1[] {
  return cache.sectorBases(name, s).map((u) => g1.mul(u, x));
}

/** σ_i for one block from its sectors, with the bases of `tagBases`. */
export function tagBlock(name: Uint8Array, i: number, sectors: readonly bigint[], x: bigint, bases: readonly G1[]): G1 {
  if (sectors.length !== bases.length) throw new RangeError(`sectors: expected ${bases.length}, got ${sectors.length}`);
  return g1.add(g1.mul(blockName(name, i), x), g1.msm(bases, sectors));
}

/** Tags of blocks [from, to) of `data` (the whole ciphertext), single thread. */
export function tagRange(file: SwFileInfo, data: Uint8Array, x: bigint, from: number, to: number, bases = tagBases(file.name, file.s, x)): G1[] {
  const out: G1[] = [];
  for (let i = from; i < to; i++) out.push(tagBlock(file.name, i, blockSectors(data, i, file.s), x, bases));
  return out;
}

/** All n tags of `data`, single thread (see tagging.ts for the worker pool). */
export function tagFile(file: SwFileInfo, data: Uint8Array, x: bigint): G1[] {
  checkFile(file, data);
  return tagRange(file, data, x, 0, file.n);
}

function checkFile(file: SwFileInfo, data: Uint8Array): void {
  if (data.length !== file.length) throw new RangeError(`data: ${data.length} bytes, file says ${file.length}`);
  if (blockCount(file.length, file.s) !== file.n) throw new RangeError('file: n does not match length and s');
}

/**
 * The cloud's answer to challenge (seed, c). `data` is what the cloud holds
 * (the whole ciphertext), `tags` the stored tags. `random` supplies r_j
 * (default: fr.random); it must be secret and fresh for every proof.
 */
export function prove(
  file: SwFileInfo,
  v: G2,
  data: Uint8Array,
  tags: readonly G1[],
  chal: ChallengeSpec,
  opts: { random?: ScalarSource; cache?: AuditCache } = {}
): SwProof {
  if (tags.length !== file.n) throw new RangeError(`tags: expected ${file.n}, got ${tags.length}`);
  const { indices, coeffs } = deriveChallenge(chal.seed, file.n, chal.c);
  const s = file.s;
  const mu = new Array<bigint>(s).fill(0n);
  for (let k = 0; k < indices.length; k++) {
    const m = blockSectors(data, indices[k], s);
    const nu = coeffs[k];
    for (let j = 0; j < s; j++) mu[j] += nu * m[j];
  }
  const sigma = g1.msm(
    indices.map((i) => tags[i]),
    coeffs
  );
  const random = opts.random ?? fr.random;
  const u = (opts.cache ?? new AuditCache(0)).sectorBases(file.name, s);
  let U = g1.identity();
  const r: bigint[] = [];
  for (let j = 0; j < s; j++) {
    const rj = fr.mod(random());
    r.push(rj);
    U = g1.add(U, g1.mul(u[j], rj)); // r_j are secret: constant-time mul, not msm
  }
  const R = gt.toBytes(pairing(U, v));
  const gamma = h3(R);
  return { sigma, mu: mu.map((m, j) => fr.mod(r[j] + gamma * m)), R };
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

function checkProofShape(file: SwFileInfo, v: G2, proof: SwProof): Extract<AuditResult, { ok: false }> | undefined {
  if (g2.isIdentity(v)) return { ok: false, reason: 'bad-key', detail: 'the hospital key v is the identity' };
  if (!Array.isArray(proof.mu) || proof.mu.length !== file.s) return { ok: false, reason: 'shape', detail: `proof has ${proof.mu?.length} masked sums, the file has s = ${file.s}` };
  if (!(proof.R instanceof Uint8Array) || proof.R.length !== 576) return { ok: false, reason: 'shape', detail: 'R is not 576 bytes' };
  return undefined;
}

/** X = (Π H(name‖i)^{ν_i})^γ · Π u_j^{μ'_j}, the G1 side of e(·, v). */
function rightSide(file: SwFileInfo, indices: number[], coeffs: bigint[], gamma: bigint, mu: readonly bigint[], cache: AuditCache): G1 {
  const nameHex = toHex(file.name);
  const H = indices.map((i) => cache.blockName(file.name, i, nameHex));
  const u = cache.sectorBases(file.name, file.s, nameHex);
  return g1.add(g1.mulPublic(g1.msm(H, coeffs), gamma), g1.msm(u, mu));
}

/**
 * Single verification of a proof for challenge (seed, c) on `file` under the
 * hospital key `v`. Returns a result with the reason; throws only on misuse
 * (wrong argument types, bad challenge parameters).
 */
export function verify(file: SwFileInfo, v: G2, chal: ChallengeSpec, proof: SwProof, opts: { cache?: AuditCache } = {}): AuditResult {
  checkChallenge(chal.seed, chal.c);
  const bad = checkProofShape(file, v, proof);
  if (bad) return bad;
  const { indices, coeffs } = deriveChallenge(chal.seed, file.n, chal.c);
  const gamma = h3(proof.R);
  const X = rightSide(file, indices, coeffs, gamma, proof.mu, opts.cache ?? new AuditCache());
  const lhs = finalExponentiate(
    millerLoop([
      [X, v],
      [g1.neg(g1.mulPublic(proof.sigma, gamma)), g2.generator()]
    ])
  );
  if (bytesEqual(gt.toBytes(lhs), proof.R)) return { ok: true };
  return { ok: false, reason: 'equation', detail: `R · e(σ^γ, P2) ≠ e(X, v) for the ${indices.length} challenged blocks` };
}

/** One proof in a batch. */
export interface BatchItem {
  file: SwFileInfo;
  v: G2;
  challenge: ChallengeSpec;
  proof: SwProof;
}

/** A uniformly random nonzero 64-bit weight. */
export function randomWeight(): bigint {
  const b = new DataView(new ArrayBuffer(8));
  for (;;) {
    crypto.getRandomValues(new Uint8Array(b.buffer));
    const w = b.getBigUint64(0);
    if (w !== 0n) return w;
  }
}

export interface BatchOptions {
  cache?: AuditCache;
  /** Source of the 64-bit weights (default: CSPRNG). Must be unpredictable to the provers. */
  weight?: () => bigint;
}

/**
 * Batch verification of K proofs (Wang et al. §4.1, small-exponent test):
 * accepts (up to probability 2^-64 per bad proof) iff every proof verifies.
 * One Miller loop over 1 + (number of distinct v) pairs, one final
 * exponentiation. Says only whether the whole batch holds: use
 * `verifyBatch` to learn which proofs fail.
 */
export function batchVerify(items: readonly BatchItem[], opts: BatchOptions = {}): AuditResult {
  if (items.length === 0) return { ok: true };
  const cache = opts.cache ?? new AuditCache();
  if (items.length === 1 && !opts.weight) {
    // One proof: the single check is the same pairing work without the GT exponentiation.
    const { file, v, challenge, proof } = items[0];
    const r = verify(file, v, challenge, proof, { cache });
    return r.ok ? r : { ok: false, reason: 'batch', detail: `proof 0: ${r.detail}` };
  }
  const weight = opts.weight ?? randomWeight;
  const sigmaPts: G1[] = [];
  const sigmaSc: bigint[] = [];
  let Rprod: GtElement | undefined;
  // Per distinct hospital key, per distinct file: the scalars of H(name‖i) and u_j, folded.
  type FileAcc = { file: SwFileInfo; nameHex: string; blocks: Map<number, bigint>; sectors: bigint[] };
  const groups = new Map<string, { v: G2; files: Map<string, FileAcc> }>();
  const vKeys = new Map<G2, string>();
  for (let idx = 0; idx < items.length; idx++) {
    const { file, v, challenge, proof } = items[idx];
    checkChallenge(challenge.seed, challenge.c);
    const bad = checkProofShape(file, v, proof);
    if (bad) return { ok: false, reason: 'batch', detail: `proof ${idx}: ${bad.detail}` };
    const w = weight();
    if (typeof w !== 'bigint' || w <= 0n || w >= 1n << 64n) throw new RangeError('weight: expected a nonzero 64-bit bigint');
    let Rk: GtElement;
    try {
      Rk = gtFromBytes(proof.R, `proof ${idx} R`);
    } catch {
      return { ok: false, reason: 'batch', detail: `proof ${idx}: R is not a canonical GT encoding` };
    }
    const Rw = gt.pow(Rk, w);
    Rprod = Rprod ? gt.mul(Rprod, Rw) : Rw;
    const wg = fr.mul(w, h3(proof.R));
    sigmaPts.push(proof.sigma);
    sigmaSc.push(wg);
    let vKey = vKeys.get(v);
    if (vKey === undefined) vKeys.set(v, (vKey = toHex(g2.toBytes(v))));
    let group = groups.get(vKey);
    if (!group) groups.set(vKey, (group = { v, files: new Map() }));
    const nameHex = toHex(file.name);
    // A file is identified by (name, n, s): a mismatching record under the same name is kept apart.
    const fKey = `${nameHex}/${file.n}/${file.s}`;
    let fa = group.files.get(fKey);
    if (!fa) group.files.set(fKey, (fa = { file, nameHex, blocks: new Map(), sectors: new Array<bigint>(file.s).fill(0n) }));
    const { indices, coeffs } = deriveChallenge(challenge.seed, file.n, challenge.c);
    const blocks = fa.blocks;
    for (let t = 0; t < indices.length; t++) {
      const i = indices[t];
      blocks.set(i, (blocks.get(i) ?? 0n) + wg * coeffs[t]);
    }
    for (let j = 0; j < file.s; j++) fa.sectors[j] += w * proof.mu[j];
  }
  const pairs: [G1, G2][] = [[g1.msm(sigmaPts, sigmaSc), g2.generator()]];
  for (const { v, files } of groups.values()) {
    const pts: G1[] = [];
    const sc: bigint[] = [];
    for (const { file, nameHex, blocks, sectors } of files.values()) {
      for (const [i, k] of blocks) {
        pts.push(cache.blockName(file.name, i, nameHex));
        sc.push(fr.mod(k));
      }
      cache.sectorBases(file.name, file.s, nameHex).forEach((u, j) => {
        pts.push(u);
        sc.push(fr.mod(sectors[j]));
      });
    }
    pairs.push([g1.neg(g1.msm(pts, sc)), v]);
  }
  const f = gt.mul(finalExponentiate(millerLoop(pairs)), Rprod!);
  if (gt.isOne(f)) return { ok: true };
  return { ok: false, reason: 'batch', detail: `the product check over ${items.length} proofs failed` };
}

/** Per-proof outcome of `verifyBatch`. */
export interface BatchReport {
  ok: boolean;
  /** Indices (into the input) of the proofs that fail, with their single-verification reasons. */
  bad: { index: number; result: AuditResult }[];
  /** Number of batch checks and single verifications run (for the UI and the tests). */
  checks: number;
}

/**
 * Verifies K proofs with one batch check; if it fails, finds the bad proofs
 * by bisection (each half is batch-checked again; a single proof is verified
 * alone, which also gives its reason). With b bad proofs out of K this costs
 * about 2 b log2(K) batch checks.
 */
export function verifyBatch(items: readonly BatchItem[], opts: BatchOptions = {}): BatchReport {
  const cache = opts.cache ?? new AuditCache();
  const o = { ...opts, cache };
  const bad: BatchReport['bad'] = [];
  let checks = 0;
  // Returns whether [lo, hi) holds a bad proof. A failed batch whose left
  // half is clean has a bad right half: no need to check that half again.
  const visit = (lo: number, hi: number, knownBad: boolean): boolean => {
    if (hi - lo === 1) {
      checks++;
      const it = items[lo];
      const r = verify(it.file, it.v, it.challenge, it.proof, { cache });
      if (!r.ok) bad.push({ index: lo, result: r });
      return !r.ok;
    }
    if (!knownBad) {
      checks++;
      if (batchVerify(items.slice(lo, hi), o).ok) return false;
    }
    const mid = (lo + hi) >> 1;
    const left = visit(lo, mid, false);
    const right = visit(mid, hi, !left);
    return left || right;
  };
  if (items.length > 0) visit(0, items.length, false);
  return { ok: bad.length === 0, bad, checks };
}

export { deriveChallenge };
