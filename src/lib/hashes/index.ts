/**
 * The scheme's hash functions (SPEC §2), each with its own domain separation
 * tag so no output of one can be confused with another's.
 *
 * | SPEC | here | output |
 * | --- | --- | --- |
 * | H1: {0,1}* -> {0,1}^n | `h1(msg, nBytes)` | expand_message_xmd, DST MEDCHAIN-V1-H1 |
 * | H2: {0,1}* -> G1 | `h2(msg)` | hash_to_curve G1 RO, DST MEDCHAIN-V1-H2 |
 * | H3: {0,1}* -> Fr | `h3(msg)` | hash_to_field over Fr (L = 48), DST MEDCHAIN-V1-H3 |
 * | H(name || i) | `blockName(name, i)` | G1, DST MEDCHAIN-V1-BLOCK, i as 8 bytes BE |
 * | u_j | `sectorBase(name, j)` | G1, DST MEDCHAIN-V1-U, j as 4 bytes BE |
 * | g1 (paper's 2nd generator) | `paramG1()` | G1, DST MEDCHAIN-V1-PARAM, msg "g1" |
 */
import { expandMessageXmd, fr, g1, type G1 } from '$lib/crypto';

export const DST = {
  H1: 'MEDCHAIN-V1-H1',
  H2: 'MEDCHAIN-V1-H2',
  H3: 'MEDCHAIN-V1-H3',
  BLOCK: 'MEDCHAIN-V1-BLOCK',
  U: 'MEDCHAIN-V1-U',
  PARAM: 'MEDCHAIN-V1-PARAM'
} as const;

export function h1(msg: Uint8Array, nBytes: number): Uint8Array {
  return expandMessageXmd(msg, DST.H1, nBytes);
}

export function h2(msg: string | Uint8Array): G1 {
  return g1.hashToCurve(msg, DST.H2);
}

export function h3(msg: string | Uint8Array): bigint {
  return fr.hashToField(msg, DST.H3, 1)[0];
}

function withIndex(name: Uint8Array, index: number, width: 4 | 8): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0 || (width === 4 && index > 0xffffffff)) throw new RangeError(`index: ${index} does not fit ${width} bytes`);
  const out = new Uint8Array(name.length + width);
  out.set(name, 0);
  const view = new DataView(out.buffer, name.length, width);
  if (width === 8) view.setBigUint64(0, BigInt(index));
  else view.setUint32(0, index);
  return out;
}

/** H(name || i): the block tag base for block i of file `name`. */
export function blockName(name: Uint8Array, i: number): G1 {
  return g1.hashToCurve(withIndex(name, i, 8), DST.BLOCK);
}

/** u_j for file `name`: nobody knows its discrete logarithm. */
export function sectorBase(name: Uint8Array, j: number): G1 {
  return g1.hashToCurve(withIndex(name, j, 4), DST.U);
}

let g1Param: G1 | undefined;
/** The paper's second generator g1 of G1. */
export function paramG1(): G1 {
  g1Param ??= g1.hashToCurve('g1', DST.PARAM);
  return g1Param;
}
