/**
 * Benchmark harness (format: ../shared/BENCH.md). Every implementation of one
 * op is measured in the same process, interleaved round by round after a
 * warm-up, so that ratios hold on a noisy shared machine. An op that takes
 * less than `minSampleMs` is timed in batches and reported per call.
 */
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export const QUICK = /^(1|true|yes)$/i.test(process.env.BENCH_QUICK ?? '');

export interface Row {
  op: string;
  impl: string;
  median_us: number;
  min_us: number;
  max_us: number;
  runs: number;
  [extra: string]: number | string;
}

export type Impl = () => unknown | Promise<unknown>;

export interface OpOptions {
  /** Samples per impl (each sample is one batch). */
  runs?: number;
  /** Warm-up samples per impl, discarded. */
  warmup?: number;
  /** Target duration of one sample; short ops are repeated to reach it. */
  minSampleMs?: number;
  /** Extra fields added to every row of this op (e.g. bytes). */
  extra?: Record<string, number | string> | ((impl: string, medianUs: number) => Record<string, number | string>);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function timeBatch(fn: Impl, reps: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const r = fn();
    if (r instanceof Promise) await r;
  }
  return (performance.now() - t0) / reps;
}

/** Measures every impl of `op`, interleaved; returns one row per impl. */
export async function benchOp(op: string, impls: Record<string, Impl>, opts: OpOptions = {}): Promise<Row[]> {
  const runs = opts.runs ?? (QUICK ? 3 : 25);
  const warmup = opts.warmup ?? (QUICK ? 1 : 3);
  const minSampleMs = opts.minSampleMs ?? (QUICK ? 2 : 20);
  const names = Object.keys(impls);
  // Calibrate each impl's batch size so that one sample lasts ~minSampleMs.
  const reps: Record<string, number> = {};
  for (const name of names) {
    let n = 1;
    for (;;) {
      const ms = (await timeBatch(impls[name], n)) * n;
      if (ms >= minSampleMs || n >= 1 << 24) break;
      n = Math.min(1 << 24, Math.max(n * 2, Math.ceil((n * minSampleMs) / Math.max(ms, 1e-3))));
    }
    reps[name] = n;
  }
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < warmup + runs; round++) {
    // Rotate the order each round so no impl always runs first.
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      const ms = await timeBatch(impls[name], reps[name]);
      if (round >= warmup) samples[name].push(ms * 1000);
    }
  }
  return names.map((impl) => {
    const xs = samples[impl];
    const med = median(xs);
    const extra = typeof opts.extra === 'function' ? opts.extra(impl, med) : (opts.extra ?? {});
    return { op, impl, median_us: round3(med), min_us: round3(Math.min(...xs)), max_us: round3(Math.max(...xs)), runs: xs.length, ...extra };
  });
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Prints rows as a table with each impl's ratio to `baseline` (if present). */
export function printTable(rows: Row[], baseline = 'medchain'): void {
  const byOp = new Map<string, Row[]>();
  for (const r of rows) byOp.set(r.op, [...(byOp.get(r.op) ?? []), r]);
  const lines = [['op', 'impl', 'median_us', 'min_us', 'max_us', 'runs', `ratio ${baseline}/impl`]];
  for (const [op, rs] of byOp) {
    const base = rs.find((r) => r.impl === baseline);
    for (const r of rs) {
      const ratio = base && r.impl !== baseline ? (base.median_us / r.median_us).toFixed(3) : '';
      lines.push([op, r.impl, String(r.median_us), String(r.min_us), String(r.max_us), String(r.runs), ratio]);
    }
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const l of lines) console.log(l.map((c, i) => c.padEnd(widths[i])).join('  '));
}

/** Writes bench/results/<bench>.json in the BENCH.md format. */
export function writeResults(bench: string, rows: Row[]): string {
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/${bench}.json`;
  const doc = { bench, when: new Date().toISOString(), runtime: `node ${process.version}`, cpu: cpus()[0]?.model ?? 'unknown', quick: QUICK, rows };
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  console.log(`wrote ${file}`);
  return file;
}
