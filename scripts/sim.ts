/**
 * `npm run sim -- --validators V --byzantine B --crash C --partition MS
 *   --drop P --delay MIN:MAX --blocks N --seed S [--sig bls|bls-memo|insecure-fast]
 *   [--slot MS] [--round SLOTS] [--spare K] [--byz-kind mixed|equivocate|withhold|invalid]
 *   [--crash-at MS] [--partition-at MS] [--emr N]`
 *
 * In the bls modes the blocks carry real ledger transactions: each producer
 * adds N (default 2) synthetic EMR entries, applied by the ledger's applyBlock.
 *
 * Runs the deterministic DPoS simulator (src/lib/chain/sim) and prints a JSON
 * summary as its last line:
 * {finalised_height, forks_finalised, safety_violations, blocks_per_s,
 *  mean_finality_ms, credits, finality: 'live'|'stopped', ...}.
 */
import { runSimulation, type ByzantineKind, type SigMode, type SimOptions } from '../src/lib/chain/sim/index.ts';

function parse(argv: string[]): SimOptions {
  const a = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith('--')) throw new RangeError(`unexpected argument ${k}`);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new RangeError(`${k}: missing value`);
    a.set(k.slice(2), v);
    i++;
  }
  const num = (k: string, d: number): number => {
    const v = a.get(k);
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new RangeError(`--${k}: not a non-negative number: ${v}`);
    return n;
  };
  const [dmin, dmax] = (a.get('delay') ?? '20:100').split(':').map(Number);
  const known = ['validators', 'byzantine', 'crash', 'partition', 'drop', 'delay', 'blocks', 'seed', 'sig', 'slot', 'round', 'spare', 'byz-kind', 'crash-at', 'partition-at', 'emr'];
  for (const k of a.keys()) if (!known.includes(k)) throw new RangeError(`unknown option --${k}`);
  return {
    validators: num('validators', 4),
    byzantine: num('byzantine', 0),
    crash: num('crash', 0),
    partitionMs: num('partition', 0),
    partitionAt: a.has('partition-at') ? num('partition-at', 0) : undefined,
    drop: num('drop', 0),
    delayMin: dmin,
    delayMax: dmax ?? dmin,
    blocks: num('blocks', 50),
    seed: a.get('seed') ?? '1',
    sig: (a.get('sig') ?? 'bls-memo') as SigMode,
    slotMs: num('slot', 1000),
    roundSlots: num('round', 8),
    spare: a.has('spare') ? num('spare', 0) : undefined,
    byzantineKind: (a.get('byz-kind') ?? 'mixed') as ByzantineKind,
    crashAt: num('crash-at', 0),
    emrPerBlock: a.has('emr') ? num('emr', 2) : undefined
  };
}

const opts = parse(process.argv.slice(2));
const summary = await runSimulation(opts);
console.log(JSON.stringify(summary));
