/** Small byte helpers shared by the chain modules. */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import type { Hash, Hex } from './types';

export { sha256, concatBytes };

export function hex(b: Uint8Array): Hex {
  return bytesToHex(b);
}

export function unhex(h: Hex): Uint8Array {
  return hexToBytes(h);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const ZERO_HASH: Hash = new Uint8Array(32);

export function isZero(b: Uint8Array): boolean {
  return b.every((x) => x === 0);
}
