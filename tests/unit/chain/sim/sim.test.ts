/**
 * Simulator properties over many seeds, with real BLS at small V
 * ('bls-memo': every distinct signature is verified by real BLS once).
 */
import { describe, expect, it } from 'vitest';
import { runSimulation, type ByzantineKind, type SimSummary } from '../../../../src/lib/chain/sim';

const KINDS: ByzantineKind[] = ['equivocate', 'withhold', 'invalid', 'mixed'];
const strip = (s: SimSummary) => ({ ...s, wall_ms: 0 });

describe('safety: with B < V/3 byzantine no two conflicting blocks are finalised', () => {
  it.each(Array.from({ length: 8 }, (_, i) => i))('V = 4, B = 1, lossy and slow network, seed %i', async (seed) => {
    const s = await runSimulation({ validators: 4, byzantine: 1, byzantineKind: KINDS[seed % 4], drop: 0.05, delayMin: 20, delayMax: 400, blocks: 20, seed: `v4-${seed}` });
    expect(s.safety_violations).toBe(0);
    expect(s.forks_finalised).toBe(0);
    expect(s.finalised_height).toBeGreaterThan(0);
  });

  it.each(Array.from({ length: 5 }, (_, i) => i))('V = 7, B = 2 mixed, drops, long delays, a partition, seed %i', async (seed) => {
    const s = await runSimulation({
      validators: 7,
      byzantine: 2,
      byzantineKind: 'mixed',
      drop: 0.1,
      delayMin: 20,
      delayMax: 900,
      partitionMs: seed % 2 ? 4000 : 0,
      blocks: 24,
      seed: `v7-${seed}`
    });
    expect(s.safety_violations).toBe(0);
    expect(s.forks_finalised).toBe(0);
  });
});

describe('ledger payloads', () => {
  it('producers fill blocks with real ledger transactions (synthetic EMR entries) that the ledger state machine applies', async () => {
    const s = await runSimulation({ validators: 4, blocks: 12, seed: 'ledger', emrPerBlock: 3 });
    expect(s.finalised_height).toBeGreaterThan(5);
    // every final block carries 3 EMR entries; the ledger state at the final block holds them all
    expect(s.ledger_txs_final).toBe(3 * s.finalised_height);
    expect(s.ledger_emr_entries).toBe(s.ledger_txs_final);
    // the chain itself proves finality at most two blocks behind the node's view
    expect(s.ledger_finalized_height).toBeGreaterThanOrEqual(s.finalised_height - 2);
    expect(s.ledger_finalized_height).toBeLessThan(s.finalised_height);
  });
});

describe('liveness', () => {
  it('finality resumes after a partition heals', async () => {
    const s = await runSimulation({ validators: 6, partitionMs: 8000, partitionAt: 3000, blocks: 24, seed: 'partition' });
    expect(s.safety_violations).toBe(0);
    // The halves (3 + 3) have no quorum (5 of 6) during [3 s, 11 s); after it, blocks finalise again.
    expect(s.last_final_slot).toBeGreaterThan(13);
    expect(s.finality).toBe('live');
    expect(s.finalised_height).toBeGreaterThan(10);
  });

  it('an equivocator is caught, punished and demoted; a spare hospital takes its place', async () => {
    const s = await runSimulation({ validators: 4, byzantine: 1, byzantineKind: 'equivocate', blocks: 30, roundSlots: 4, spare: 1, seed: 'equivocator' });
    const [cheat] = Object.keys(s.byzantine);
    expect(s.evidence_submitted).toBeGreaterThan(0);
    expect(s.credits[cheat]).toBeLessThan(50);
    expect(s.demoted).toEqual([cheat]);
    expect(s.validators_now).toContain('h004');
    expect(s.validators_now).not.toContain(cheat);
    expect(s.safety_violations).toBe(0);
    expect(s.finality).toBe('live');
  });

  it('an invalid-block producer is caught and loses credit', async () => {
    const s = await runSimulation({ validators: 4, byzantine: 1, byzantineKind: 'invalid', blocks: 24, roundSlots: 4, spare: 1, seed: 'invalid' });
    const [bad] = Object.keys(s.byzantine);
    expect(s.credits[bad]).toBeLessThan(50);
    expect(s.demoted).toEqual([bad]);
    expect(s.safety_violations).toBe(0);
  });

  it.each([
    { validators: 4, byzantine: 1, crash: 1 },
    { validators: 6, byzantine: 1, crash: 1 },
    { validators: 6, byzantine: 0, crash: 2 }
  ])('with byzantine + crashed >= V/3 finality stops, without a crash or a safety violation: %o', async (o) => {
    const s = await runSimulation({ ...o, byzantineKind: 'withhold', blocks: 16, seed: 'stop' });
    expect(s.finalised_height).toBe(0);
    expect(s.finality).toBe('stopped');
    expect(s.safety_violations).toBe(0);
  });

  it('finality stops when nodes crash mid-run (what was final stays final)', async () => {
    const s = await runSimulation({ validators: 6, byzantine: 1, crash: 1, byzantineKind: 'withhold', crashAt: 8000, blocks: 24, seed: 'crash-mid' });
    expect(s.finalised_height).toBeGreaterThan(0);
    expect(s.last_final_slot).toBeLessThanOrEqual(9);
    expect(s.finality).toBe('stopped');
    expect(s.safety_violations).toBe(0);
  });
});

describe('determinism and modes', () => {
  it('the same options give the same summary', async () => {
    const o = { validators: 5, byzantine: 1, drop: 0.1, delayMin: 10, delayMax: 500, partitionMs: 3000, blocks: 16, seed: 'same' };
    expect(strip(await runSimulation(o))).toEqual(strip(await runSimulation(o)));
  });

  it('runs V = 50 in the insecure throughput mode', async () => {
    const s = await runSimulation({ validators: 50, byzantine: 5, blocks: 12, seed: 'fast', sig: 'insecure-fast' });
    expect(s.sig).toBe('insecure-fast');
    expect(s.safety_violations).toBe(0);
    expect(s.finalised_height).toBeGreaterThan(5);
  });

  it('rejects impossible options', async () => {
    await expect(runSimulation({ validators: 3, byzantine: 2, crash: 2, blocks: 1, seed: 1 })).rejects.toThrow(RangeError);
    await expect(runSimulation({ validators: 3, drop: 1, blocks: 1, seed: 1 })).rejects.toThrow(RangeError);
  });
});
