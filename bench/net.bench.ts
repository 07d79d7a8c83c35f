/**
 * `npm run bench:net` (BENCH_QUICK=1 for a smoke run): the network layer in
 * Debian's Chromium, because data channels exist only in a browser. This
 * script serves build/ with the one-port server (PWA + PeerServer, as `npm
 * start`), opens /bench-net, and runs src/lib/bench/net-bench.ts there:
 *
 * - blob_<n>MiB_webrtc: BlobService between two NetNodes over WebRtcTransport
 *   (`medchain`) against 60 KiB messages on a raw PeerJS DataConnection
 *   (`medchain-raw`); real loopback RTCDataChannels, MemoryBlobStore on both
 *   sides (IndexedDB is not measured; chunks are still hash-checked).
 * - blob_<n>MiB_broadcast: the same over BroadcastTransport against raw
 *   BroadcastChannel posts.
 * - sync_<n>_blocks: a late joiner's headers-first sync of a fast-forwarded
 *   chain, full validation; ops_per_s = blocks per second.
 *
 * Full runs (or BENCH_PROFILE=1) end with diagnostics, not rows
 * (bench/results/net-profile.json): per-chunk step costs; for each
 * transport, medchain and raw, a CPU profile of the page's main thread and
 * the CPU time of every Chromium thread (Linux) during one transfer, and
 * step timings of an instrumented fetch; flow-control what-ifs.
 *
 * Needs build/ with the /bench-net page: it runs `npx vite build` when that
 * page is missing (BENCH_REBUILD=1 forces it). BENCH_NET_OPS=webrtc,broadcast,sync
 * picks ops.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { createMedchainServer } from '../scripts/server/app.mjs';
import { assertWebRtcCapableHost, CHROMIUM, CHROMIUM_ARGS } from '../tests/e2e/browser';
import type { BenchNetApi, NetBenchOptions, Variant } from '../src/lib/bench/net-bench';
import { printTable, QUICK, writeResults, type Row } from './harness';

const MiB = 1 << 20;
const PROFILE = !QUICK || /^(1|true|yes)$/i.test(process.env.BENCH_PROFILE ?? '');
const OPS = (process.env.BENCH_NET_OPS ?? 'webrtc,broadcast,sync').split(',').map((s) => s.trim()) as NetBenchOptions['ops'];

const opts: NetBenchOptions = QUICK
  ? { blobBytes: 4 * MiB, runs: 2, warmup: 1, syncBlocks: 100, syncRuns: 1, syncWarmupBlocks: 0, ops: OPS }
  : { blobBytes: 50 * MiB, runs: 7, warmup: 1, syncBlocks: 1000, syncRuns: 3, syncWarmupBlocks: 50, ops: OPS };

type BenchWindow = { __benchNet?: BenchNetApi };

// ---------------------------------------------------------------- build

function newestUnder(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestUnder(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** build/ with the bench page; builds only when the page is missing (or BENCH_REBUILD=1). */
function ensureBuild(): void {
  const page = 'build/bench-net.html';
  const force = /^(1|true|yes)$/i.test(process.env.BENCH_REBUILD ?? '');
  if (existsSync(page) && !force) {
    const built = statSync(page).mtimeMs;
    const stale = newestUnder('src') > built;
    console.log(`using build/ of ${new Date(built).toISOString()}${stale ? ' (src/ has newer files: BENCH_REBUILD=1 to measure them)' : ''}`);
    return;
  }
  console.log(force ? 'BENCH_REBUILD=1: running vite build' : existsSync('build/index.html') ? 'build/ has no /bench-net page: running vite build' : 'no build/: running vite build');
  try {
    execFileSync('npx', ['vite', 'build'], { stdio: 'inherit' });
  } catch {
    throw new Error('vite build failed: fix the build (npm run build shows the errors), then run npm run bench:net again');
  }
  if (!existsSync(page)) throw new Error(`vite build did not produce ${page}`);
}

// ---------------------------------------------------------------- CPU profile of the page

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The minified source at a call frame, so a mangled name can still be recognised. */
function snippet(cf: CallFrame): string {
  try {
    const path = join('build', new URL(cf.url).pathname);
    const line = readFileSync(path, 'utf8').split('\n')[cf.lineNumber] ?? '';
    return line.slice(cf.columnNumber, cf.columnNumber + 90);
  } catch {
    return '';
  }
}

/** Self time by function (ms) over the profile, largest first. */
function summarise(p: CpuProfile, top = 25): { total_ms: number; functions: { fn: string; at: string; ms: number; pct: number; src: string }[] } {
  const byNode = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, { cf: CallFrame; us: number }>();
  // timeDeltas[i + 1] is the time until the next sample: the time spent where sample i was.
  for (let i = 0; i < p.samples.length; i++) {
    const cf = byNode.get(p.samples[i]) as CallFrame;
    const us = p.timeDeltas[i + 1] ?? 0;
    const key = `${cf.functionName}|${cf.url}|${cf.lineNumber}|${cf.columnNumber}`;
    const e = self.get(key) ?? { cf, us: 0 };
    e.us += us;
    self.set(key, e);
  }
  const total = p.endTime - p.startTime;
  const functions = [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map(({ cf, us }) => ({
      fn: cf.functionName || '(anonymous)',
      at: cf.url ? `${cf.url.split('/').pop()}:${cf.lineNumber + 1}:${cf.columnNumber + 1}` : '',
      ms: Math.round(us / 100) / 10,
      pct: Math.round((us / total) * 1000) / 10,
      src: cf.url ? snippet(cf) : ''
    }));
  return { total_ms: Math.round(total / 100) / 10, functions };
}

// ---------------------------------------------------------------- CPU time per Chromium thread (Linux /proc)

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU ms so far of every thread of this process's descendants, by "process type:thread name"; empty without /proc. */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync('/proc/self/stat')) return out;
  const parent = new Map<number, number>();
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  const statFields = (path: string) => readFileSync(path, 'utf8').replace(/^.*\) /s, '').split(' ');
  for (const pid of pids) {
    try {
      parent.set(pid, Number(statFields(`/proc/${pid}/stat`)[1]));
    } catch {
      /* exited */
    }
  }
  const ours = (pid: number) => {
    for (let p = pid; p > 1; p = parent.get(p) ?? 0) if (p === process.pid) return p !== pid;
    return false;
  };
  for (const pid of pids) {
    if (!ours(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('chrom')) continue;
      const type = /--utility-sub-type=([\w.]+)/.exec(cmd)?.[1] ?? /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser';
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        const f = statFields(`/proc/${pid}/task/${tid}/stat`);
        const ms = ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
        const key = `${type}:${name}`;
        out.set(key, (out.get(key) ?? 0) + ms);
      }
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** CPU ms per thread group between two `threadCpu` snapshots, largest first, with ms per 10^6 bytes. */
function cpuDelta(a: Map<string, number>, b: Map<string, number>, bytes: number): { thread: string; ms: number; ms_per_mb: number }[] {
  return [...b]
    .map(([k, v]) => ({ thread: k, ms: Math.round(v - (a.get(k) ?? 0)), ms_per_mb: Math.round(((v - (a.get(k) ?? 0)) / (bytes / 1e6)) * 10) / 10 }))
    .filter((x) => x.ms >= 20)
    .sort((x, y) => y.ms - x.ms);
}

/** CPU profile, CPU per Chromium thread, and (medchain) step timings of one transfer over `kind`, on a pair of its own. */
async function profileKind(page: Page, kind: 'webrtc' | 'broadcast', raw: boolean, bytes: number): Promise<unknown> {
  const label = `${raw ? 'medchain-raw' : 'medchain'} ${kind}`;
  const prepare = () => page.evaluate((n) => (window as BenchWindow).__benchNet!.profilePrepare(n), bytes);
  const transfer = (instrument: boolean) => page.evaluate((i) => (window as BenchWindow).__benchNet!.profileFetch(i), instrument);
  await page.evaluate(([k, r]) => (window as BenchWindow).__benchNet!.startProfile(k, r), [kind, raw] as const);
  await prepare();
  await transfer(false); // warm-up
  await prepare();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
  await cdp.send('Profiler.start');
  const plain = await transfer(false);
  const { profile: cpu } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
  await cdp.detach();
  const summary = summarise(cpu, raw ? 10 : 25);
  console.log(`\n== profile: ${label}, the page's main thread during one ${bytes / MiB} MiB transfer (${plain.ms} ms, ${plain.mb_per_s} MB/s); self time`);
  for (const f of summary.functions) console.log(`  ${String(f.ms).padStart(8)} ms ${String(f.pct).padStart(5)}%  ${f.fn.padEnd(20)} ${f.at.padEnd(26)} ${f.src.replace(/\s+/g, ' ')}`);
  // CPU of every Chromium thread (another transfer: the sampling profiler costs CPU itself).
  await prepare();
  const before = threadCpu();
  const counted = await transfer(false);
  const threads = cpuDelta(before, threadCpu(), bytes);
  if (threads.length) {
    console.log(`\n== profile: ${label}, CPU by Chromium thread during one transfer (${counted.ms} ms, ${counted.mb_per_s} MB/s)`);
    for (const t of threads) console.log(`  ${t.thread.padEnd(50)} ${String(t.ms).padStart(6)} ms  ${String(t.ms_per_mb).padStart(6)} ms per MB`);
  }
  let timed: unknown;
  if (!raw) {
    await prepare();
    const t = await transfer(true);
    timed = t;
    console.log(`\n== profile: ${label}, one instrumented fetch (${t.ms} ms, ${t.mb_per_s} MB/s): wall time summed over the fetch`);
    for (const [k, x] of Object.entries(t.timings)) console.log(`  ${k.padEnd(66)} ${String(x.ms).padStart(8)} ms over ${String(x.n).padStart(4)} (${(x.ms / x.n).toFixed(3)} ms each)`);
  }
  await page.evaluate(() => (window as BenchWindow).__benchNet!.stopProfile());
  return { cpu: { transfer: plain, ...summary }, threads: { transfer: counted, threads }, instrumented: timed };
}

async function profile(page: Page, bytes: number): Promise<unknown> {
  console.log('\n== profile: per-chunk step costs (µs per 60 KiB chunk, main thread, in a loop)');
  const steps = await page.evaluate(() => (window as BenchWindow).__benchNet!.profileSteps());
  for (const [k, v] of Object.entries(steps)) console.log(`  ${k.padEnd(62)} ${v}`);
  const webrtc = await profileKind(page, 'webrtc', false, bytes);
  const webrtcRaw = await profileKind(page, 'webrtc', true, bytes);
  const broadcast = await profileKind(page, 'broadcast', false, bytes);
  const broadcastRaw = await profileKind(page, 'broadcast', true, bytes);
  // Does more data in flight help? (The rows use the defaults.)
  const variants: Variant[] = [
    { name: 'medchain, defaults (window 32, high-water 1 MiB)', medchain: {} },
    { name: 'medchain, window 64', medchain: { window: 64 } },
    { name: 'medchain, window 64, high-water 4 MiB', medchain: { window: 64, serveHighWater: 4 * MiB, linkHighWater: 4 * MiB } },
    { name: 'raw, pause above 1 MiB', raw: { highWater: MiB } },
    { name: 'raw, pause above 4 MiB', raw: { highWater: 4 * MiB } }
  ];
  const what_if = await page.evaluate(([n, v]) => (window as BenchWindow).__benchNet!.profileVariants(n, v, 3), [bytes, variants] as const);
  console.log(`\n== profile: flow-control what-ifs over WebRTC, MB/s (median of 3 interleaved ${bytes / MiB} MiB transfers)`);
  for (const [k, v] of Object.entries(what_if)) console.log(`  ${k.padEnd(52)} ${v}`);
  return { steps_us_per_chunk: steps, webrtc, webrtc_raw: webrtcRaw, broadcast, broadcast_raw: broadcastRaw, what_if };
}

// ---------------------------------------------------------------- main

ensureBuild();
assertWebRtcCapableHost();
if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);

const { server } = createMedchainServer({ root: 'build' });
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => resolve());
});
const port = (server.address() as AddressInfo).port;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
let exitCode = 0;
try {
  // No service worker: its precache download would run during the first measurements.
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  page.on('console', (m) => console.log(`  ${m.text()}`));
  page.on('pageerror', (e) => console.log(`  page error: ${e.message}`));
  // 127.0.0.1 is a secure context: WebCrypto (chunk hashing) is available, as on https.
  await page.goto(`http://127.0.0.1:${port}/bench-net`);
  await page.waitForFunction(() => !!(window as BenchWindow).__benchNet, null, { timeout: 60_000 });
  console.log(`Chromium ${browser.version()}, ${QUICK ? 'quick' : 'full'} run: ${JSON.stringify(opts)}`);

  const rows = (await page.evaluate((o) => (window as BenchWindow).__benchNet!.run(o), opts)) as Row[];
  console.log('');
  printTable(rows);
  console.log('\nthroughput (10^6 bytes/s), medchain / medchain-raw (target on WebRTC: >= 0.70)');
  for (const op of [...new Set(rows.map((r) => r.op))]) {
    const m = rows.find((r) => r.op === op && r.impl === 'medchain');
    const raw = rows.find((r) => r.op === op && r.impl === 'medchain-raw');
    if (m?.mb_per_s === undefined || raw?.mb_per_s === undefined) continue;
    const ratio = Number(m.mb_per_s) / Number(raw.mb_per_s);
    console.log(`  ${op.padEnd(24)} medchain ${String(m.mb_per_s).padStart(7)} MB/s   raw ${String(raw.mb_per_s).padStart(7)} MB/s   ratio ${ratio.toFixed(3)}`);
  }
  for (const r of rows) if (r.ops_per_s !== undefined) console.log(`  ${r.op.padEnd(24)} ${r.ops_per_s} blocks/s (median ${(r.median_us / 1e6).toFixed(2)} s for ${r.blocks} blocks)`);
  writeResults('net', rows);

  if (PROFILE && opts.ops?.includes('webrtc')) {
    const prof = await profile(page, opts.blobBytes);
    writeFileSync('bench/results/net-profile.json', JSON.stringify({ when: new Date().toISOString(), browser: browser.version(), ...(prof as object) }, null, 2) + '\n');
    console.log('wrote bench/results/net-profile.json');
  }
} catch (e) {
  console.error(e);
  exitCode = 1;
} finally {
  await browser.close();
  server.closeAllConnections();
  server.close();
}
process.exit(exitCode);
