/**
 * GT elements in proofs (the masking commitment R of sw-priv): a cheap
 * canonical-bytes check for decoders, and decoding into a GtElement through
 * the crypto layer, which also checks membership in the order-r subgroup.
 */
import { DecodeError, gt, GtElement, GT_BYTES } from '$lib/crypto';
import { FormatError } from '$lib/codec';

/** The BLS12-381 base field modulus p. */
export const FP_MODULUS = 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaabn;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
function coeff(bytes: Uint8Array, k: number): bigint {
  let h = '0x';
  for (let i = 48 * k; i < 48 * (k + 1); i++) h += HEX[bytes[i]];
  return BigInt(h);
}

/** Throws FormatError unless `bytes` are 576 bytes with every coefficient < p (cheap, no group work). */
export function checkGtBytes(bytes: Uint8Array, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== GT_BYTES) throw new FormatError('bad-length', `${what}: expected ${GT_BYTES} bytes`);
  for (let k = 0; k < 12; k++) if (coeff(bytes, k) >= FP_MODULUS) throw new FormatError('out-of-range', `${what}: coefficient ${k} is not below p`);
}

/** A GtElement from canonical SPEC bytes, checked to lie in GT; throws FormatError otherwise. */
export function gtFromBytes(bytes: Uint8Array, what = 'GT element'): GtElement {
  checkGtBytes(bytes, what);
  try {
    return gt.fromBytes(bytes);
  } catch (e) {
    if (e instanceof DecodeError) throw new FormatError('out-of-range', `${what}: ${e.message}`);
    throw e;
  }
}
