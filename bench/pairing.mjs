// Scratch benchmark of wasm/pairing.ts against mcl-wasm (same process, interleaved, medians).
//   node scripts/build-wasm.mjs && node bench/pairing.mjs [rounds]
import { readFileSync } from 'node:fs';
import mcl from 'mcl-wasm';

const ROUNDS = Number(process.argv[2] ?? 30);
const file = process.env.MEDCHAIN_WASM ?? 'src/lib/crypto/wasm/medchain.wasm';
const { instance } = await WebAssembly.instantiate(readFileSync(file), { env: { abort() { throw new Error('abort'); } } });
const e = instance.exports;
await mcl.init(mcl.BLS12_381);

const io = e.io_ptr();
const P = io, Q = io + 160, OUT = io + 1024, F = io + 1664, K = io + 2400, PAIRS = io + 3072;
const k = new Uint8Array(32);
for (let i = 0; i < 32; i++) k[i] = (i * 37 + 11) & 255;
new Uint8Array(e.memory.buffer).set(k, K);
e.g1_generator(P); e.g1_mul_vt(P, P, K);
e.g2_generator(Q); e.g2_mul_vt(Q, Q, K);
// two pairs (aP, Q), (-P, aQ)
const b = new Uint8Array(e.memory.buffer);
b.copyWithin(PAIRS, P, P + 156); b.copyWithin(PAIRS + 156, Q, Q + 312);
e.g1_neg(PAIRS + 468, P); b.copyWithin(PAIRS + 468 + 156, Q, Q + 312);
e.miller_loop(F, P, Q);

const mP = mcl.hashAndMapToG1('p'), mQ = mcl.hashAndMapToG2('q');
const mF = mcl.millerLoop(mP, mQ);

const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
function time(fn, reps) { const t = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t) / reps; }
const cases = {
  pairing: [() => e.pairing(OUT, P, Q), () => mcl.pairing(mP, mQ)],
  miller_loop: [() => e.miller_loop(OUT, P, Q), () => mcl.millerLoop(mP, mQ)],
  final_exp: [() => e.final_exp(OUT, F), () => mcl.finalExp(mF)],
  pairing_check_2: [() => e.pairing_check_n(PAIRS, 2), () => mcl.finalExp(mcl.mul(mcl.millerLoop(mP, mQ), mcl.millerLoop(mP, mQ))).isOne()],
  pairing_ct: [() => e.pairing_ct(OUT, P, Q), null],
  final_exp_ct: [() => e.final_exp_ct(OUT, F), null]
};
const res = {};
for (const name in cases) res[name] = [[], []];
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, [ours, theirs]] of Object.entries(cases)) {
    res[name][0].push(time(ours, 3));
    if (theirs) res[name][1].push(time(theirs, 3));
  }
}
console.log('op                  ours ms   mcl ms   ratio');
for (const [name, [a, m]] of Object.entries(res)) {
  const x = med(a), y = m.length ? med(m) : NaN;
  console.log(name.padEnd(18), x.toFixed(3).padStart(8), (m.length ? y.toFixed(3) : '-').padStart(8), (m.length ? (x / y).toFixed(2) : '').padStart(7));
}

// counters
const CNT = io + 6000;
const names = ['fp12_sqr', 'fp12_mul', 'mul_by_014', 'cyclotomic_sqr', 'karabina_sqr', 'line_double', 'line_add', 'frobenius', 'inversions'];
function counts(fn) { e.pairing_counters_reset(); fn(); e.pairing_counters(CNT); return Array.from(new Uint32Array(e.memory.buffer, CNT, 9)); }
const cm = counts(() => e.miller_loop(OUT, P, Q)), cf = counts(() => e.final_exp(OUT, F)), cc = counts(() => e.final_exp_ct(OUT, F)), c2 = counts(() => e.pairing_check_n(PAIRS, 2));
console.log('\ncounts            miller  final_exp  final_exp_ct  check_2');
names.forEach((n, i) => console.log(n.padEnd(16), String(cm[i]).padStart(7), String(cf[i]).padStart(10), String(cc[i]).padStart(13), String(c2[i]).padStart(8)));

// unit costs inside wasm
const units = [['fp12_sqr', 0, 2000], ['fp12_mul', 1, 2000], ['mul_by_014', 2, 2000], ['cyclotomic_sqr', 3, 3000], ['exp_by_x (Karabina)', 4, 20], ['exp_by_x (GS)', 5, 20], ['line_double', 6, 3000], ['line_add', 7, 2000], ['frobenius(1)', 8, 3000], ['fp12_inv_vartime', 9, 500], ['fp12_inv (CT)', 10, 50], ['karabina_sqr', 13, 3000], ['sqr12 (= fp12_sqr)', 14, 2000]];
e.final_exp(OUT, F);  // OUT = a GT element
console.log('\nunit cost (us, loop inside wasm)');
for (const [n, op, it] of units) {
  const s = [];
  for (let r = 0; r < 7; r++) { const t = performance.now(); e.pairing_bench(op, it, OUT, Q); s.push((performance.now() - t) * 1000 / it); }
  console.log(n.padEnd(22), med(s).toFixed(2).padStart(8));
}

// field-layer unit costs (t_bench, loop inside wasm; inputs: small canonical values)
{
  const b = new Uint8Array(e.memory.buffer);
  b.fill(0, io, io + 2048);
  for (let i = 0; i < 12; i++) { b[io + 48 * i + 47] = 3 + i; b[io + 1024 + 48 * i + 47] = 5 + i; }
  console.log('\nfield unit cost (ns, t_bench)');
  for (const [n, op, it] of [['fp_mul', 0, 1e6], ['fp_sqr', 1, 1e6], ['fp_add', 2, 2e6], ['fp2_mul', 5, 5e5], ['fp2_sqr', 6, 5e5]]) {
    const s = [];
    for (let r = 0; r < 7; r++) { const t = performance.now(); e.t_bench(op, it); s.push((performance.now() - t) * 1e6 / it); }
    console.log(n.padEnd(22), med(s).toFixed(1).padStart(8));
  }
}
