/**
 * Finality certificates (SPEC §6): floor(2n/3) + 1 of the n validators that
 * certify a block sign `finalityMessage(chain, block, height, slot)`; the signatures
 * are aggregated into one BLS signature (G1) with a signer bitmap. The keys
 * carry proofs of possession (checked at registration), so the aggregate is
 * checked with fastAggregateVerify (one hash, one 2-pairing check).
 *
 * Bitmap: bit i = byte i >> 3, bit (i & 7) least significant first, is
 * validator i of the ordered set; length ceil(n / 8); unused high bits zero.
 *
 * consensus/ (helper-12) collects votes and builds certificates with
 * `makeCertificate`; applyBlock and verifyPatientChains check them with
 * `verifyCertificate`.
 */
import { bls } from '$lib/crypto';
import { finalityMessage } from './encoding';
import { ChainError, type FinalityCertificate, type Hash, type PublicKey } from './types';

export function quorum(n: number): number {
  return Math.floor((2 * n) / 3) + 1;
}

export function bitmapLength(n: number): number {
  return Math.ceil(n / 8);
}

export function bitmapFromIndices(n: number, indices: Iterable<number>): Uint8Array {
  const out = new Uint8Array(bitmapLength(n));
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`indices: ${i} not in [0, ${n})`);
    out[i >> 3] |= 1 << (i & 7);
  }
  return out;
}

/** Indices of set bits, or null if the bitmap has the wrong length or stray high bits. */
export function bitmapIndices(bitmap: Uint8Array, n: number): number[] | null {
  if (bitmap.length !== bitmapLength(n)) return null;
  const out: number[] = [];
  for (let i = 0; i < bitmap.length * 8; i++) {
    if (bitmap[i >> 3] & (1 << (i & 7))) {
      if (i >= n) return null;
      out.push(i);
    }
  }
  return out;
}

/** One validator's finality vote signature. */
export function signFinality(sk: Uint8Array, chain: Hash, block: Hash, height: number, slot: number): Uint8Array {
  return bls.sign(sk, finalityMessage(chain, block, height, slot));
}

/**
 * Aggregates votes into a certificate. `votes` maps validator index (in
 * `validators`) to its signature; each signature must already be checked (or
 * the certificate will simply fail verification).
 */
export function makeCertificate(validators: readonly PublicKey[], block: Hash, height: number, slot: number, votes: ReadonlyMap<number, Uint8Array>): FinalityCertificate {
  if (votes.size === 0) throw new RangeError('votes: none');
  const idx = [...votes.keys()].sort((a, b) => a - b);
  return { block, height, slot, signers: bitmapFromIndices(validators.length, idx), sig: bls.aggregate(idx.map((i) => votes.get(i)!)) };
}

/**
 * Checks a certificate against the ordered validator set of the certified
 * block. Returns null when valid, else a ChainError of kind 'bad-certificate'.
 */
export function verifyCertificate(cert: FinalityCertificate, validators: readonly PublicKey[], chain: Hash, where = 'certificate'): ChainError | null {
  const n = validators.length;
  if (n === 0) return new ChainError('bad-certificate', 'empty validator set', where);
  const idx = bitmapIndices(cert.signers, n);
  if (idx === null) return new ChainError('bad-certificate', `signer bitmap does not fit ${n} validators`, where);
  if (idx.length < quorum(n)) return new ChainError('bad-certificate', `${idx.length} signers, need ${quorum(n)} of ${n}`, where);
  if (!bls.fastAggregateVerify(idx.map((i) => validators[i]), finalityMessage(chain, cert.block, cert.height, cert.slot), cert.sig)) {
    return new ChainError('bad-certificate', 'aggregate signature does not verify', where);
  }
  return null;
}
