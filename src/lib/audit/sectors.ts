/**
 * Data to scalars (SPEC §2): the ciphertext is cut into 31-byte sectors, each
 * read as a big-endian integer (< 2^248 < q, so no reduction and no loss);
 * the last sector is zero-padded and the true byte length is recorded beside
 * the tags. Blocks group `s` consecutive sectors; the last block is filled
 * with zero sectors. `n = ceil(ceil(len / 31) / s)`, at least 1 (an empty
 * file is one block of zero sectors, so that it can still be audited).
 *
 * Sector j of block i is sector number `i*s + j` of the file, i.e. bytes
 * `[31 (i s + j), 31 (i s + j + 1))`.
 */

/** Bytes per sector: the largest width whose integers are all below q. */
export const SECTOR_BYTES = 31;

/** Largest sectors-per-block the formats accept (a proof carries s scalars). */
export const MAX_S = 4096;

export function checkS(s: number): void {
  if (!Number.isInteger(s) || s < 1 || s > MAX_S) throw new RangeError(`s: expected an integer in [1, ${MAX_S}], got ${s}`);
}

/** Number of blocks of `s` sectors for `length` bytes. */
export function blockCount(length: number, s: number): number {
  checkS(s);
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError('length: expected a non-negative integer');
  return Math.max(1, Math.ceil(Math.ceil(length / SECTOR_BYTES) / s));
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** One sector of `data` as a scalar (zero-padded past the end). */
export function sectorAt(data: Uint8Array, sector: number): bigint {
  const a = sector * SECTOR_BYTES;
  if (a >= data.length) return 0n;
  const b = Math.min(a + SECTOR_BYTES, data.length);
  let h = '0x0';
  for (let i = a; i < b; i++) h += HEX[data[i]];
  for (let i = b; i < a + SECTOR_BYTES; i++) h += '00';
  return BigInt(h);
}

/** The s sectors of block i of `data` (zero sectors past the end). */
export function blockSectors(data: Uint8Array, i: number, s: number): bigint[] {
  const out = new Array<bigint>(s);
  for (let j = 0; j < s; j++) out[j] = sectorAt(data, i * s + j);
  return out;
}

/** All blocks of `data`: n arrays of s scalars. */
export function toBlocks(data: Uint8Array, s: number): bigint[][] {
  const n = blockCount(data.length, s);
  return Array.from({ length: n }, (_, i) => blockSectors(data, i, s));
}

/** The inverse of toBlocks: the first `length` bytes of the sectors. */
export function fromBlocks(blocks: readonly (readonly bigint[])[], length: number): Uint8Array {
  const out = new Uint8Array(blocks.length * (blocks[0]?.length ?? 0) * SECTOR_BYTES);
  let off = 0;
  for (const block of blocks) {
    for (const m of block) {
      if (m < 0n || m >> 248n) throw new RangeError('sector: not a 31-byte value');
      let x = m;
      for (let k = SECTOR_BYTES - 1; k >= 0; k--) {
        out[off + k] = Number(x & 0xffn);
        x >>= 8n;
      }
      off += SECTOR_BYTES;
    }
  }
  if (length > out.length) throw new RangeError('length: longer than the blocks');
  return out.slice(0, length);
}
