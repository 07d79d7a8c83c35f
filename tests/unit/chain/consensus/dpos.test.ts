/** Standing, validator selection, producers, shuffle, schedule, quorum, credits. */
import { describe, expect, it } from 'vitest';
import { applyCredits, hexOf, initialCredits, makeSchedule, producerAt, quorum, roundOf, selectValidators, shuffle, shuffleSeed, standings } from '../../../../src/lib/chain/consensus/dpos';
import { DEFAULT_CREDITS, type ConsensusConfig, type Member, type Tier } from '../../../../src/lib/chain/consensus/types';

const key = (i: number) => new Uint8Array(96).fill(i + 1);
function member(i: number, rating: number, tier: Tier = '3A'): Member {
  return { key: key(i), pop: new Uint8Array(48), rating, tier };
}
function config(members: Member[], V: number, approvals: [number, number[]][] = []): ConsensusConfig {
  return {
    chain: new Uint8Array(32).fill(7),
    validators: V,
    slotMs: 1000,
    genesisTime: 0,
    roundSlots: 4,
    credits: DEFAULT_CREDITS,
    members,
    approvals: new Map(approvals.map(([v, ds]) => [hexOf(key(v)), ds.map((d) => hexOf(key(d)))]))
  };
}

describe('quorum and rounds', () => {
  it('is floor(2V/3)+1', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10, 50, 200].map(quorum)).toEqual([1, 2, 3, 3, 4, 5, 5, 7, 34, 134]);
    expect(() => quorum(-1)).toThrow(RangeError);
  });
  it('maps slots to rounds', () => {
    expect([0, 3, 4, 7, 8].map((s) => roundOf(s, 4))).toEqual([0, 0, 1, 1, 2]);
  });
});

describe('standing', () => {
  it('adds each approving hospital\'s rating split evenly among its delegates', () => {
    const ms = [member(0, 100), member(1, 50), member(2, 10)];
    const s = standings(ms, config(ms, 3, [[0, [1, 2]], [1, [2]]]).approvals);
    expect(s.get(hexOf(key(0)))).toBe(100);
    expect(s.get(hexOf(key(1)))).toBe(50 + 50);
    expect(s.get(hexOf(key(2)))).toBe(10 + 50 + 50);
  });
  it('ignores approvals by and for non-members', () => {
    const ms = [member(0, 100), member(1, 50)];
    const s = standings(ms, new Map([[hexOf(key(9)), [hexOf(key(0))]], [hexOf(key(1)), [hexOf(key(9))]]]));
    expect(s.get(hexOf(key(0)))).toBe(100);
  });
});

describe('validators and producers', () => {
  it('takes the top V qualified members by standing; votes can lift a hospital in', () => {
    const ms = [member(0, 100), member(1, 90), member(2, 80), member(3, 10)];
    expect(selectValidators(config(ms, 2), initialCredits(config(ms, 2))).map((m) => m.rating)).toEqual([100, 90]);
    const c = config(ms, 2, [[0, [3]], [1, [3]]]);
    expect(selectValidators(c, initialCredits(c)).map((m) => m.rating)).toEqual([10, 100]);
  });
  it('drops a member below the credit threshold; the next qualified one takes the place', () => {
    const ms = [member(0, 100), member(1, 90), member(2, 80)];
    const c = config(ms, 2);
    const s = applyCredits(initialCredits(c), c.credits, { missed: [], voters: [], certifiedProducer: null, evidence: [{ key: 'block:x:1', offender: hexOf(key(0)), kind: 'equivocation' }] });
    expect(s.credits.get(hexOf(key(0)))).toBe(c.credits.initial - c.credits.equivocation);
    expect(selectValidators(c, s).map((m) => m.rating)).toEqual([90, 80]);
  });
  it('only tier-3A validators produce', () => {
    const ms = [member(0, 100, '3B'), member(1, 90), member(2, 80, '2A'), member(3, 70)];
    const c = config(ms, 4);
    const s = makeSchedule(c, initialCredits(c), new Uint8Array(32), 0);
    expect(s.validators.length).toBe(4);
    expect(s.order.map((m) => m.rating).sort()).toEqual([70, 90]);
    for (let slot = 0; slot < 4; slot++) expect(['3A']).toContain(producerAt(s, slot, 4)?.tier);
  });
  it('has no producer when no validator is tier 3A', () => {
    const ms = [member(0, 100, '3B')];
    const c = config(ms, 1);
    expect(producerAt(makeSchedule(c, initialCredits(c), new Uint8Array(32), 0), 1, 4)).toBeNull();
  });
  it('awards and deducts credits', () => {
    const ms = [member(0, 100), member(1, 90)];
    const c = config(ms, 2);
    const s = applyCredits(initialCredits(c), c.credits, { missed: [hexOf(key(1))], voters: [hexOf(key(0)), hexOf(key(1))], certifiedProducer: hexOf(key(0)), evidence: [] });
    expect(s.credits.get(hexOf(key(0)))).toBe(100 + 1 + 1);
    expect(s.credits.get(hexOf(key(1)))).toBe(100 + 1 - 5);
  });
});

describe('shuffle', () => {
  const xs = Array.from({ length: 20 }, (_, i) => i);
  it('is a deterministic permutation of its input', () => {
    const seed = shuffleSeed(new Uint8Array(32), new Uint8Array(32).fill(1), 3);
    const a = shuffle(xs, seed);
    expect(a).toEqual(shuffle(xs, seed));
    expect([...a].sort((p, q) => p - q)).toEqual(xs);
    expect(a).not.toEqual(xs);
  });
  it('changes with the finalised block hash and the round', () => {
    const base = shuffle(xs, shuffleSeed(new Uint8Array(32), new Uint8Array(32).fill(1), 3));
    expect(shuffle(xs, shuffleSeed(new Uint8Array(32), new Uint8Array(32).fill(2), 3))).not.toEqual(base);
    expect(shuffle(xs, shuffleSeed(new Uint8Array(32), new Uint8Array(32).fill(1), 4))).not.toEqual(base);
  });
  it('puts every element first about equally often', () => {
    const counts = new Array(4).fill(0);
    for (let r = 0; r < 4000; r++) counts[shuffle([0, 1, 2, 3], shuffleSeed(new Uint8Array(32), new Uint8Array(32), r))[0]]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });
});
