/**
 * Memoised hash-to-curve points of the audit schemes: `H(name || i)` and
 * `u_j = sectorBase(name, j)`. Hashing to G1 costs ~0.3 ms, which would
 * dominate verification (460 block names per proof), so a verifier (TPA)
 * that audits the same file again keeps one cache per file set, and a
 * batch shares one cache across its proofs. The cache only holds public
 * values; it is bounded (oldest entries go first).
 */
import { type G1 } from '$lib/crypto';
import { blockName, sectorBase } from '$lib/hashes';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
}

export class AuditCache {
  private readonly points = new Map<string, G1>();
  readonly limit: number;
  hits = 0;
  misses = 0;

  /** @param limit most points kept (each ~160 bytes plus key). */
  constructor(limit = 1 << 20) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError('limit: expected a non-negative integer');
    this.limit = limit;
  }

  private get(key: string, make: () => G1): G1 {
    const p = this.points.get(key);
    if (p) {
      this.hits++;
      return p;
    }
    this.misses++;
    const q = make();
    if (this.limit > 0) {
      if (this.points.size >= this.limit) this.points.delete(this.points.keys().next().value as string);
      this.points.set(key, q);
    }
    return q;
  }

  /** H(name || i). `nameHex` may be passed to save re-encoding the name. */
  blockName(name: Uint8Array, i: number, nameHex = toHex(name)): G1 {
    return this.get(`${nameHex}/b/${i}`, () => blockName(name, i));
  }

  /** u_0 .. u_{s-1} of file `name`. */
  sectorBases(name: Uint8Array, s: number, nameHex = toHex(name)): G1[] {
    return Array.from({ length: s }, (_, j) => this.get(`${nameHex}/u/${j}`, () => sectorBase(name, j)));
  }

  get size(): number {
    return this.points.size;
  }
}
