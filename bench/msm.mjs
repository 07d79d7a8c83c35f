// Scratch benchmark of the MSM (wasm/msm.ts, msm_g2.ts) vs mcl-wasm mulVec and noble.
//   node bench/msm.mjs [file.wasm] [--sweep] [--profile] [--small] [--quick]
// Medians in ms; ours and mcl interleaved round by round in the same process.
import { readFileSync } from 'node:fs';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import mcl from 'mcl-wasm';
import { pippenger } from '@noble/curves/abstract/curve.js';

const args = process.argv.slice(2);
const file = args.find((a) => a.endsWith('.wasm')) ?? 'src/lib/crypto/wasm/medchain.wasm';
const flag = (f) => args.includes(f);
const { instance } = await WebAssembly.instantiate(readFileSync(file), { env: { abort() { throw new Error('abort'); } } });
const e = instance.exports;
await mcl.init(mcl.BLS12_381);
mcl.setETHserialization?.(true);

const P = bls12_381.fields.Fp.ORDER, R = bls12_381.fields.Fr.ORDER;
const MR = (1n << 390n) % P;
const modp = (a) => ((a % P) + P) % P;
const dv = () => new DataView(e.memory.buffer);
function wfp(ptr, v) { let m = modp(v * MR); const d = dv(); for (let i = 0; i < 13; i++) { d.setUint32(ptr + 4 * i, Number(m & 0x3fffffffn), true); m >>= 30n; } }
function wsc(ptr, k) { const m = new Uint8Array(e.memory.buffer); for (let i = 31; i >= 0; i--) { m[ptr + i] = Number(k & 0xffn); k >>= 8n; } }
let seed = 987654321n;
const rnd = () => { seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n); return seed; };
const big = () => ((rnd() << 192n) | (rnd() << 128n) | (rnd() << 64n) | rnd()) % R;

// random points: multiples of the generator (cheap: k*G via a few additions of precomputed points)
const G1 = bls12_381.G1.Point.BASE, G2 = bls12_381.G2.Point.BASE;
function points(G, n) {
  const base = []; for (let i = 0; i < 64; i++) base.push(G.multiply(big()));
  const out = []; for (let i = 0; i < n; i++) out.push(base[i % 64].add(base[(i * 13 + 7) % 64].multiply(BigInt(i + 1))));
  return out;
}
const cache = {};
function data(g, n) {
  const key = g + n;
  if (!cache[key]) {
    const pts = points(g === 'g1' ? G1 : G2, n), sc = Array.from({ length: n }, big);
    const aff = pts.map((p) => p.toAffine());
    // mcl objects
    const mp = pts.map((p) => { const q = g === 'g1' ? new mcl.G1() : new mcl.G2(); q.deserialize(p.toBytes(true)); return q; });
    const ms = sc.map((k) => { const f = new mcl.Fr(); f.setStr(k.toString(16), 16); return f; });
    cache[key] = { pts, sc, aff, mp, ms };
  }
  return cache[key];
}
function load(g, n) {
  const d = data(g, n);
  const PS = g === 'g1' ? 156 : 312;
  const ptr = g === 'g1' ? e.g1_msm_reserve(n) : e.g2_msm_reserve(n);
  for (let i = 0; i < n; i++) {
    const a = d.aff[i], o = ptr + PS * i;
    if (g === 'g1') { wfp(o, a.x); wfp(o + 52, a.y); wfp(o + 104, 1n); }
    else { wfp(o, a.x.c0); wfp(o + 52, a.x.c1); wfp(o + 104, a.y.c0); wfp(o + 156, a.y.c1); wfp(o + 208, 1n); wfp(o + 260, 0n); }
  }
  const sp = ptr + n * PS;
  for (let i = 0; i < n; i++) wsc(sp + 32 * i, d.sc[i]);
}
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
function time(fn) { const t = performance.now(); fn(); return performance.now() - t; }
/** Interleaved rounds of several named functions; returns medians (ms). */
function race(fns, minMs = 1500, minRounds = 5) {
  for (const f of Object.values(fns)) f();
  const ts = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  const t0 = performance.now();
  let r = 0;
  while ((performance.now() - t0 < minMs || r < minRounds) && r < 200) {
    for (const [k, f] of Object.entries(fns)) ts[k].push(time(f));
    r++;
  }
  return Object.fromEntries(Object.entries(ts).map(([k, v]) => [k, median(v)]));
}
const out = e.io_ptr();
const ours = (g, n) => () => { if (g === 'g1') e.g1_msm(out, n); else e.g2_msm(out, n); };
const mclf = (g, n) => { const d = data(g, n); return () => mcl.mulVec(d.mp, d.ms); };
const noblef = (g, n) => { const d = data(g, n); const Pt = g === 'g1' ? bls12_381.G1.Point : bls12_381.G2.Point; return () => pippenger(Pt, d.pts, d.sc); };
const cfg = (g, ...a) => (g === 'g1' ? e.msm_g1_config(...a) : e.msm_g2_config(...a));

if (flag('--sweep')) {
  for (const [g, ns] of JSON.parse(process.env.SWEEP ?? '[["g1",[8,16,32,64,128,256,460,1024,2048,4096]],["g2",[16,64,460,1024]]]')) {
    if (g === 'g2' && !e.g2_msm) continue;
    for (const n of ns) {
      load(g, n);
      const row = [];
      for (let c = +(process.env.CMIN ?? 3); c <= +(process.env.CMAX ?? 12); c++) {
        cfg(g, c, 0, 0, 0);
        row.push(`c${c}=` + race({ o: ours(g, n) }, +(process.env.CELL ?? 300), 5).o.toFixed(2));
      }
      cfg(g, 0, -1, 0, 0);
      console.log(g, n, row.join(' '));
    }
  }
}
if (flag('--small')) {
  for (const g of ['g1', 'g2']) for (const n of [1, 2, 3, 4, 6, 8, 12, 16, 24, 32]) {
    load(g, n);
    cfg(g, 0, 1000, 0, 0); const a = race({ o: ours(g, n) }, 200, 5).o;
    cfg(g, 0, 0, 0, 0); const b = race({ o: ours(g, n) }, 200, 5).o;
    cfg(g, 0, -1, 0, 0);
    console.log(g, n, 'single-muls', a.toFixed(3), 'pippenger', b.toFixed(3));
  }
}
if (flag('--profile')) {
  for (const [g, n] of [['g1', 64], ['g1', 460], ['g1', 4096], ['g2', 64], ['g2', 460]]) {
    load(g, n);
    const fns = {};
    for (let s = 1; s <= 5; s++) fns[s] = () => { cfg(g, 0, -1, s % 5, 0); ours(g, n)(); };
    const m = race(fns, n >= 4096 ? 6000 : 3000, 7);
    cfg(g, 0, -1, 0, 0);
    const [prep, rec, acc, red, all] = [1, 2, 3, 4, 5].map((s) => m[s]);
    console.log(`${g} n=${n}: prepare ${prep.toFixed(2)}  recode ${(rec - prep).toFixed(2)}  accumulate ${(acc - rec).toFixed(2)}  reduce ${(red - acc).toFixed(2)}  combine ${(all - red).toFixed(2)}  total ${all.toFixed(2)} ms`);
  }
}
if (!flag('--sweep') && !flag('--profile') && !flag('--small')) {
  const cases = flag('--quick') ? [['g1', 460]] : [['g1', 64], ['g1', 460], ['g1', 4096], ['g2', 64], ['g2', 460]];
  for (const [g, n] of cases) {
    if (g === 'g2' && !e.g2_msm) continue;
    load(g, n);
    const fns = { ours: ours(g, n), mcl: mclf(g, n) };
    if (!flag('--no-noble') && n <= 460) fns.noble = noblef(g, n);
    const m = race(fns, n >= 4096 ? 4000 : 2000);
    console.log(`${g}_msm_${n}`.padEnd(14), Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(2)} ms`).join('  '), ` ours/mcl ${(m.ours / m.mcl).toFixed(3)}`);
  }
}
