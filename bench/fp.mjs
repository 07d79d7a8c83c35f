// Micro-benchmark of the wasm field layer (scratch; figures go to docs/wasm-layout.md).
//
//   node scripts/build-wasm.mjs && node bench/fp.mjs            # the built module + mcl-wasm
//   node bench/fp.mjs --layouts                                 # also build and time the other limb layouts
//   node bench/fp.mjs --wasm a.wasm,b.wasm [--ops fp2_mul,fp2_sqr] [--rounds 5]
//                     # A/B: interleaves the modules, prints the median of the per-round best
//
// Timing runs inside wasm (t_bench(op, iters) loops over the operation), so no
// JS->wasm call overhead is included. mcl-wasm figures are per JS call (they
// include the JS wrapper, an allocation of the result object and copies).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bls12_381 } from '@noble/curves/bls12-381.js';

const OPS = [
  ['fp_mul', 0, 2_000_000],
  ['fp_sqr', 1, 2_000_000],
  ['fp_add', 2, 5_000_000],
  ['fp_sub', 16, 5_000_000],
  ['fp_inv (Fermat, CT)', 3, 5_000],
  ['fp_inv_vartime', 4, 20_000],
  ['fp_sqrt', 13, 5_000],
  ['fp2_mul', 5, 500_000],
  ['fp2_sqr', 6, 500_000],
  ['fp2_inv', 18, 5_000],
  ['fp2_sqrt', 14, 2_000],
  ['fp6_mul', 15, 100_000],
  ['fp12_mul', 7, 50_000],
  ['fp12_sqr', 8, 50_000],
  ['fp12_cyclotomic_sqr', 9, 50_000],
  ['fp12_mul_by_014', 10, 50_000],
  ['fp12_frobenius(1)', 19, 50_000],
  ['fp12_inv', 11, 5_000],
  ['fr_mul', 12, 2_000_000],
  ['fr_inv', 17, 5_000]
];

const P = bls12_381.fields.Fp.ORDER;
const be = (x, n = 48) => {
  const o = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    o[i] = Number(x & 255n);
    x >>= 8n;
  }
  return o;
};

async function instantiate(file) {
  const { instance } = await WebAssembly.instantiate(readFileSync(file), { env: { abort() { throw new Error('abort'); } } });
  return instance.exports;
}

const argVal = (k) => {
  const i = process.argv.indexOf(k);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const OPS_FILTER = argVal('--ops')?.split(',');

async function benchModule(file, w0) {
  const w = w0 ?? (await instantiate(file));
  const io = new Uint8Array(w.memory.buffer, w.io_ptr(), 8192);
  let seed = 0x1234567n;
  const rnd = () => {
    seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 384n) - 1n);
    return (seed * 0x9e3779b97f4a7c15n) % P;
  };
  for (let i = 0; i < 12; i++) {
    io.set(be(rnd()), i * 48);
    io.set(be(rnd()), 1024 + i * 48);
  }
  const res = {};
  for (const [name, op, iters] of OPS) {
    if (OPS_FILTER && !OPS_FILTER.some((f) => name.startsWith(f))) continue;
    w.t_bench(op, Math.max(1, iters / 10)); // warm up (tier-up to TurboFan)
    let best = Infinity;
    for (let rep = 0; rep < 3; rep++) {
      const t0 = performance.now();
      if (w.t_bench(op, iters) !== 0) throw new Error(`bench ${name} failed`);
      best = Math.min(best, ((performance.now() - t0) * 1e6) / iters);
    }
    res[name] = best;
  }
  return res;
}

async function benchMcl() {
  const mcl = await import('mcl-wasm');
  await mcl.init(mcl.BLS12_381);
  const time = (fn, iters) => {
    for (let i = 0; i < iters / 10; i++) fn();
    let best = Infinity;
    for (let rep = 0; rep < 3; rep++) {
      const t0 = performance.now();
      for (let i = 0; i < iters; i++) fn();
      best = Math.min(best, ((performance.now() - t0) * 1e6) / iters);
    }
    return best;
  };
  const a = new mcl.Fp();
  a.setByCSPRNG();
  const b = new mcl.Fp();
  b.setByCSPRNG();
  const a2 = new mcl.Fp2();
  a2.set_a(a);
  a2.set_b(b);
  const b2 = a2.clone();
  const P1 = mcl.hashAndMapToG1('a');
  const Q2 = mcl.hashAndMapToG2('b');
  const g = mcl.pairing(P1, Q2);
  const h = mcl.pairing(mcl.hashAndMapToG1('c'), Q2);
  const ml = mcl.millerLoop(P1, Q2);
  let x = a;
  let x2 = a2;
  let gt = g;
  return {
    fp_mul: time(() => (x = mcl.mul(x, b)), 300_000),
    fp_sqr: time(() => (x = mcl.sqr(x)), 300_000),
    'fp_inv (Fermat, CT)': time(() => (x = mcl.inv(x)), 50_000),
    fp2_mul: time(() => (x2 = mcl.mul(x2, b2)), 200_000),
    fp2_sqr: time(() => (x2 = mcl.sqr(x2)), 200_000),
    fp12_mul: time(() => (gt = mcl.mul(gt, h)), 50_000),
    fp12_sqr: time(() => (gt = mcl.sqr(gt)), 50_000),
    fp12_inv: time(() => (gt = mcl.inv(gt)), 20_000),
    'pairing (mcl)': time(() => mcl.pairing(P1, Q2), 300),
    'millerLoop (mcl)': time(() => mcl.millerLoop(P1, Q2), 300),
    'finalExp (mcl)': time(() => mcl.finalExp(ml), 300)
  };
}

async function buildVariant(name, w, env) {
  const dir = join(tmpdir(), `medchain-fp-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync('wasm')) if (f.endsWith('.ts')) cpSync(join('wasm', f), join(dir, f));
  execFileSync(process.execPath, ['wasm/gen/gen-field.mjs', String(w), dir], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const out = join(dir, 'm.wasm');
  execFileSync(process.execPath, ['node_modules/assemblyscript/bin/asc.js', join(dir, 'index.ts'), '-O3', '--converge', '--noAssert', '--runtime', 'stub', '-o', out], { stdio: 'ignore' });
  return out;
}

if (argVal('--wasm')) {
  const files = argVal('--wasm').split(',');
  const rounds = Number(argVal('--rounds') ?? 5);
  const mods = [];
  for (const f of files) mods.push(await instantiate(f));
  const all = files.map(() => ({}));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < files.length; k++) {
      const res = await benchModule(files[k], mods[k]);
      for (const [n, v] of Object.entries(res)) (all[k][n] ??= []).push(v);
    }
  }
  const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  console.log(`| op (ns/op, median of ${rounds}) | ${files.join(' | ')} |`);
  console.log(`| --- | ${files.map(() => '---:').join(' | ')} |`);
  for (const n of Object.keys(all[0])) console.log(`| ${n} | ${all.map((c) => med(c[n]).toFixed(1)).join(' | ')} |`);
  process.exit(0);
}

const columns = { 'release (src/lib/crypto/wasm/medchain.wasm)': await benchModule('src/lib/crypto/wasm/medchain.wasm') };
if (process.argv.includes('--layouts')) {
  const variants = [
    ['30-bit lazy mul, lazy sqr (chosen)', 30, { MUL: 'lazy', SQR: 'lazy' }],
    ['30-bit lazy mul, comba sqr', 30, { MUL: 'lazy', SQR: 'comba' }],
    ['30-bit comba mul, comba sqr', 30, { MUL: 'comba', SQR: 'comba' }],
    ['30-bit lazy mul, sqr=mul', 30, { MUL: 'lazy', SQR: 'mul' }],
    ['29-bit lazy mul, comba sqr', 29, { MUL: 'lazy', SQR: 'comba' }],
    ['32-bit CIOS', 32, {}]
  ];
  for (const [name, w, env] of variants) columns[name] = await benchModule(await buildVariant(name.replace(/[^a-z0-9]+/gi, '-'), w, env));
}
columns['mcl-wasm (per JS call)'] = await benchMcl();

const names = [...new Set(Object.values(columns).flatMap((c) => Object.keys(c)))];
const heads = Object.keys(columns);
console.log(`| op (ns/op) | ${heads.join(' | ')} |`);
console.log(`| --- | ${heads.map(() => '---:').join(' | ')} |`);
for (const n of names) {
  const cells = heads.map((h) => (columns[h][n] === undefined ? '' : columns[h][n] >= 10000 ? (columns[h][n] / 1000).toFixed(1) + ' us' : columns[h][n].toFixed(1)));
  console.log(`| ${n} | ${cells.join(' | ')} |`);
}
