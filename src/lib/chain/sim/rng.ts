/** Seeded PRNG for the simulator (sfc32 seeded by SHA-256 of the seed string). Not for keys. */
import { sha256 } from '@noble/hashes/sha2.js';

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: string) {
    const h = sha256(new TextEncoder().encode(`medchain-sim:${seed}`));
    const v = new DataView(h.buffer);
    [this.a, this.b, this.c, this.d] = [v.getUint32(0), v.getUint32(4), v.getUint32(8), v.getUint32(12)];
    for (let i = 0; i < 16; i++) this.next();
  }
  /** Uniform in [0, 2^32). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 0x100000000;
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }
  /** A seeded permutation of `xs`. */
  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}
