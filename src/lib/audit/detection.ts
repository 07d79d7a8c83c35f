/**
 * Detection probability of a spot-checking audit (Ateniese et al. 2007,
 * SPEC §4): if t of n blocks are lost or corrupted and c distinct blocks are
 * challenged uniformly at random, the audit misses every bad block with
 * probability prod_{k<c} (1 - t/(n-k)), so
 *
 *   P(n, t, c) = 1 - prod_{k=0}^{c-1} (1 - t / (n - k)).
 *
 * For c > n - t the product contains a zero factor: P = 1. For large n and
 * loss fraction f = t/n, P ≈ 1 - (1 - f)^c: c = 300 gives P > 95 % and
 * c = 460 gives P > 99 % at f = 1 %, independent of n.
 */

function check(n: number, t: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`n: expected a positive integer, got ${n}`);
  if (!Number.isSafeInteger(t) || t < 0 || t > n) throw new RangeError(`t: expected an integer in [0, n], got ${t}`);
}

/** P(n, t, c): probability that c distinct random challenges hit at least one of t bad blocks among n. */
export function detectionProbability(n: number, t: number, c: number): number {
  check(n, t);
  if (!Number.isSafeInteger(c) || c < 0) throw new RangeError(`c: expected a non-negative integer, got ${c}`);
  const cc = Math.min(c, n);
  // Sum of logs: the product of hundreds of factors close to 1 loses no precision this way.
  let logMiss = 0;
  for (let k = 0; k < cc; k++) {
    const f = 1 - t / (n - k);
    if (f <= 0) return 1;
    logMiss += Math.log(f);
  }
  return logMiss === 0 ? 0 : -Math.expm1(logMiss);
}

/** The smallest c with P(n, t, c) >= target (0 < target < 1); n if even c = n does not reach it (it always does for t >= 1). */
export function challengeSizeFor(n: number, t: number, target: number): number {
  check(n, t);
  if (!(target > 0 && target < 1)) throw new RangeError(`target: expected a probability in (0, 1), got ${target}`);
  if (t === 0) throw new RangeError('t: with no bad blocks no challenge detects anything');
  let logMiss = 0;
  const want = Math.log1p(-target);
  for (let c = 1; c <= n; c++) {
    const f = 1 - t / (n - (c - 1));
    if (f <= 0) return c;
    logMiss += Math.log(f);
    if (logMiss <= want) return c;
  }
  return n;
}

/** challengeSizeFor for a loss fraction f of a large file (n -> infinity): ceil(ln(1 - target) / ln(1 - f)). */
export function challengeSizeForFraction(f: number, target: number): number {
  if (!(f > 0 && f < 1)) throw new RangeError(`f: expected a fraction in (0, 1), got ${f}`);
  if (!(target > 0 && target < 1)) throw new RangeError(`target: expected a probability in (0, 1), got ${target}`);
  return Math.ceil(Math.log1p(-target) / Math.log1p(-f));
}
