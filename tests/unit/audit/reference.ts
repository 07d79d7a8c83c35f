/**
 * Test-only reference of the audit schemes on @noble/curves, written from
 * SPEC §2-§4 without any code of src/lib (own sectors, own challenge
 * derivation, own hashing calls), in the most direct form of the equations:
 * σ_i = (H(name‖i) · Π u_j^{m_ij})^x with one scalar multiplication per
 * sector. The differential tests and the benchmark (`noble`) compare ours
 * with it byte for byte. Never imported by src/.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { hash_to_field } from '@noble/curves/abstract/hash-to-curve.js';
import { sha256 } from '@noble/hashes/sha2.js';

const G1 = bls12_381.G1;
const G2 = bls12_381.G2;
const Fp12 = bls12_381.fields.Fp12;
const q = bls12_381.fields.Fr.ORDER;
type P1 = InstanceType<typeof G1.Point>;
type P2 = InstanceType<typeof G2.Point>;

const mod = (a: bigint) => ((a % q) + q) % q;
const enc = (s: string) => new TextEncoder().encode(s);

function withIndex(name: Uint8Array, i: number, width: number): Uint8Array {
  const out = new Uint8Array(name.length + width);
  out.set(name);
  let x = BigInt(i);
  for (let k = width - 1; k >= 0; k--) {
    out[name.length + k] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

export const refBlockName = (name: Uint8Array, i: number): P1 => G1.hashToCurve(withIndex(name, i, 8), { DST: 'MEDCHAIN-V1-BLOCK' }) as unknown as P1;
export const refSectorBase = (name: Uint8Array, j: number): P1 => G1.hashToCurve(withIndex(name, j, 4), { DST: 'MEDCHAIN-V1-U' }) as unknown as P1;
export const refH3 = (msg: Uint8Array): bigint => hash_to_field(msg, 1, { DST: 'MEDCHAIN-V1-H3', p: q, m: 1, k: 128, expand: 'xmd', hash: sha256 })[0][0];

function beInt(b: Uint8Array): bigint {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
}

/** SPEC §2: 31-byte sectors, big-endian, zero-padded; blocks of s sectors, at least one block. */
export function refBlocks(data: Uint8Array, s: number): bigint[][] {
  const sectors = Math.ceil(data.length / 31);
  const n = Math.max(1, Math.ceil(sectors / s));
  const padded = new Uint8Array(n * s * 31);
  padded.set(data);
  return Array.from({ length: n }, (_, i) => Array.from({ length: s }, (_, j) => beInt(padded.subarray((i * s + j) * 31, (i * s + j + 1) * 31))));
}

/** SPEC §4 challenge: distinct SHA-256(seed‖"I"‖k) u64 mod n; v_i = first 16 bytes of SHA-256(seed‖"V"‖i), 0 -> 1. */
export function refChallenge(seed: Uint8Array, n: number, c: number): { indices: number[]; coeffs: bigint[] } {
  const h = (label: string, k: number) => {
    const m = new Uint8Array(seed.length + 9);
    m.set(seed);
    m.set(enc(label), seed.length);
    m.set(withIndex(new Uint8Array(0), k, 8), seed.length + 1);
    return sha256(m);
  };
  const indices: number[] = [];
  for (let k = 0; indices.length < Math.min(c, n); k++) {
    const i = Number(beInt(h('I', k).subarray(0, 8)) % BigInt(n));
    if (!indices.includes(i)) indices.push(i);
  }
  return { indices, coeffs: indices.map((i) => beInt(h('V', i).subarray(0, 16)) || 1n) };
}

export const refSectorBases = (name: Uint8Array, s: number): P1[] => Array.from({ length: s }, (_, j) => refSectorBase(name, j));

export function refPublicKey(x: bigint): Uint8Array {
  return G2.Point.BASE.multiply(x).toBytes(true);
}

/** σ_i = (H(name‖i) · Π_j u_j^{m_ij})^x, compressed. */
export function refTag(name: Uint8Array, blocks: bigint[][], x: bigint, from = 0, to = blocks.length, u = refSectorBases(name, blocks[0].length)): Uint8Array[] {
  const s = blocks[0].length;
  const out: Uint8Array[] = [];
  for (let i = from; i < to; i++) {
    let acc = refBlockName(name, i);
    for (let j = 0; j < s; j++) acc = acc.add(u[j].multiplyUnsafe(blocks[i][j]));
    out.push(acc.multiply(x).toBytes(true));
  }
  return out;
}

export interface RefProof {
  sigma: Uint8Array;
  mu: bigint[];
  R: Uint8Array;
}

/** The proof with masking randomness r (one scalar per sector). */
export function refProve(name: Uint8Array, vBytes: Uint8Array, blocks: bigint[][], tags: Uint8Array[], seed: Uint8Array, c: number, r: bigint[], u = refSectorBases(name, blocks[0].length)): RefProof {
  const s = blocks[0].length;
  const { indices, coeffs } = refChallenge(seed, blocks.length, c);
  let sigma = G1.Point.ZERO;
  const mu = new Array<bigint>(s).fill(0n);
  indices.forEach((i, k) => {
    sigma = sigma.add(G1.Point.fromBytes(tags[i]).multiplyUnsafe(coeffs[k]));
    for (let j = 0; j < s; j++) mu[j] = mod(mu[j] + coeffs[k] * blocks[i][j]);
  });
  let U = G1.Point.ZERO;
  for (let j = 0; j < s; j++) U = U.add(u[j].multiplyUnsafe(mod(r[j])));
  const R = Fp12.toBytes(bls12_381.pairing(U, G2.Point.fromBytes(vBytes)));
  const gamma = refH3(R);
  return { sigma: sigma.toBytes(true), mu: mu.map((m, j) => mod(r[j] + gamma * m)), R };
}

/** R · e(σ^γ, P2) == e((Π H(name‖i)^{ν_i})^γ · Π u_j^{μ'_j}, v), as GT equality. */
export function refVerify(name: Uint8Array, s: number, n: number, vBytes: Uint8Array, seed: Uint8Array, c: number, proof: RefProof): boolean {
  const { indices, coeffs } = refChallenge(seed, n, c);
  const gamma = refH3(proof.R);
  let Hs = G1.Point.ZERO;
  indices.forEach((i, k) => (Hs = Hs.add(refBlockName(name, i).multiplyUnsafe(coeffs[k]))));
  let X = Hs.multiplyUnsafe(gamma);
  for (let j = 0; j < s; j++) X = X.add(refSectorBase(name, j).multiplyUnsafe(proof.mu[j]));
  const R = Fp12.fromBytes(proof.R);
  const left = Fp12.mul(R, bls12_381.pairing(G1.Point.fromBytes(proof.sigma).multiplyUnsafe(gamma), G2.Point.BASE));
  const right = bls12_381.pairing(X, G2.Point.fromBytes(vBytes));
  return Fp12.eql(left, right);
}

/** yang2019 tag, the paper's formula: δ_i = g_1^{sk_p} · (H2(IDm) · R1^{m'_i})^r. */
export function refYangTags(idm: string, a: bigint, r: bigint, data: Uint8Array): { tags: Uint8Array[]; R1: Uint8Array } {
  const g1p = G1.hashToCurve(enc('g1'), { DST: 'MEDCHAIN-V1-PARAM' }) as unknown as P1;
  const H = G1.hashToCurve(enc(idm), { DST: 'MEDCHAIN-V1-H2' }) as unknown as P1;
  const R1 = G1.Point.BASE.multiply(r);
  const A = g1p.multiply(a);
  const tags = refBlocks(data, 1).map(([m]) => A.add(H.add(R1.multiplyUnsafe(m)).multiply(r)).toBytes(true));
  return { tags, R1: R1.toBytes(true) };
}

export type { P1, P2 };
