/** Detection probability P(n, t, c) and its inverse, against simulation (SPEC §4). */
import { describe, expect, it } from 'vitest';
import { challengeSizeFor, challengeSizeForFraction, deriveChallenge, detectionProbability } from '$lib/audit';


describe('detection probability', () => {
  it('edge cases: t = 0 never detects, c > n - t always does, c = 0 never', () => {
    expect(detectionProbability(100, 0, 50)).toBe(0);
    expect(detectionProbability(100, 10, 91)).toBe(1);
    expect(detectionProbability(100, 10, 0)).toBe(0);
    expect(detectionProbability(100, 1, 1)).toBeCloseTo(0.01, 12);
    expect(detectionProbability(10, 1, 5)).toBeCloseTo(0.5, 12); // 1 - 9/10·8/9·7/8·6/7·5/6
    expect(() => detectionProbability(10, 11, 1)).toThrow(RangeError);
  });

  it('matches a simulation with the real challenge derivation within 4 binomial standard errors', () => {
    // n = 200 blocks, t = 6 lost, c = 20: P ≈ 0.47, the hardest place to estimate.
    const n = 200, t = 6, c = 20, trials = 4000;
    const lost = new Set<number>();
    while (lost.size < t) lost.add(Math.floor(Math.random() * n));
    let hits = 0;
    for (let k = 0; k < trials; k++) {
      const seed = crypto.getRandomValues(new Uint8Array(32));
      if (deriveChallenge(seed, n, c).indices.some((i) => lost.has(i))) hits++;
    }
    const p = detectionProbability(n, t, c);
    const se = Math.sqrt((p * (1 - p)) / trials); // ≈ 0.0079
    expect(Math.abs(hits / trials - p)).toBeLessThan(4 * se);
    // And the formula is not just "something near 0.5": a different t is far outside the band.
    expect(Math.abs(hits / trials - detectionProbability(n, 12, c))).toBeGreaterThan(4 * se);
  });

  it('matches simulation at high detection too (n = 150, t = 3, c = 60)', () => {
    const n = 150, t = 3, c = 60, trials = 2000;
    const lost = new Set([5, 77, 149]);
    let hits = 0;
    for (let k = 0; k < trials; k++) {
      if (deriveChallenge(crypto.getRandomValues(new Uint8Array(32)), n, c).indices.some((i) => lost.has(i))) hits++;
    }
    const p = detectionProbability(n, t, c);
    expect(Math.abs(hits / trials - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / trials));
  });

  it('inverse: at 1% loss c ≈ 300 for 95% and ≈ 460 for 99% (large n), and it is the smallest such c', () => {
    const n = 1_000_000, t = 10_000;
    const c95 = challengeSizeFor(n, t, 0.95);
    const c99 = challengeSizeFor(n, t, 0.99);
    expect(c95).toBeGreaterThanOrEqual(295);
    expect(c95).toBeLessThanOrEqual(300);
    expect(c99).toBeGreaterThanOrEqual(455);
    expect(c99).toBeLessThanOrEqual(460);
    expect(detectionProbability(n, t, c95)).toBeGreaterThanOrEqual(0.95);
    expect(detectionProbability(n, t, c95 - 1)).toBeLessThan(0.95);
    expect(detectionProbability(n, t, c99)).toBeGreaterThanOrEqual(0.99);
    expect(detectionProbability(n, t, c99 - 1)).toBeLessThan(0.99);
    expect(detectionProbability(n, t, 300)).toBeGreaterThan(0.95);
    expect(detectionProbability(n, t, 460)).toBeGreaterThan(0.99);
    expect(challengeSizeForFraction(0.01, 0.95)).toBe(299);
    expect(challengeSizeForFraction(0.01, 0.99)).toBe(459);
    // Small files need fewer: sampling without replacement.
    expect(challengeSizeFor(1000, 10, 0.99)).toBeLessThan(c99);
  });
});
