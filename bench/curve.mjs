// Scratch benchmark of the curve layer vs mcl-wasm and noble (medians, µs). node bench/curve.mjs
import { readFileSync } from 'node:fs';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import mcl from 'mcl-wasm';

const { instance } = await WebAssembly.instantiate(readFileSync('src/lib/crypto/wasm/medchain.wasm'), { env: { abort() { throw new Error('abort'); } } });
const e = instance.exports;
const io = e.io_ptr();
const mem = () => new Uint8Array(e.memory.buffer);
function bench(name, fn, minMs = 400) {
  for (let i = 0; i < 3; i++) fn();
  const ts = [];
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || ts.length < 7) {
    const a = performance.now();
    fn();
    ts.push(performance.now() - a);
  }
  ts.sort((x, y) => x - y);
  const med = ts[ts.length >> 1] * 1000;
  console.log(name.padEnd(34), med.toFixed(1).padStart(9), 'us');
  return med;
}
const k = 0x5c1ee2de9f25bb3d0d1c1e7b5f8a7e0d2a7c1f6e3d4b5a697887766554433221n;
const kb = Buffer.from(k.toString(16).padStart(64, '0'), 'hex');
const A = io, OUT = io + 640, K = io + 960, SRC = io + 1024;
mem().set(kb, K);
const res = {};
const g1p = bls12_381.G1.Point.BASE.multiply(777n), g2p = bls12_381.G2.Point.BASE.multiply(777n);
const g1c = g1p.toBytes(true), g2c = g2p.toBytes(true);
// ours
e.g1_generator(A);
res.g1_mul_ct = bench('ours g1_mul_ct', () => e.g1_mul_ct(OUT, A, K));
res.g1_mul_vt = bench('ours g1_mul_vt', () => e.g1_mul_vt(OUT, A, K));
res.g1_sub = bench('ours g1_in_subgroup', () => e.g1_in_subgroup(A));
mem().set(g1c, SRC);
res.g1_dec = bench('ours g1_decode (compressed, checked)', () => e.g1_decode(A, SRC, 48));
res.g1_decu = bench('ours g1_decode_unchecked', () => e.g1_decode_unchecked(A, SRC, 48));
bench('ours g1_encode compressed', () => e.g1_encode(SRC + 200, A, 1));
e.g2_generator(A);
res.g2_mul_ct = bench('ours g2_mul_ct', () => e.g2_mul_ct(OUT, A, K));
res.g2_mul_vt = bench('ours g2_mul_vt', () => e.g2_mul_vt(OUT, A, K));
res.g2_sub = bench('ours g2_in_subgroup', () => e.g2_in_subgroup(A));
mem().set(g2c, SRC);
res.g2_dec = bench('ours g2_decode (compressed, checked)', () => e.g2_decode(A, SRC, 96));
res.g2_decu = bench('ours g2_decode_unchecked', () => e.g2_decode_unchecked(A, SRC, 96));
bench('ours g2_encode compressed', () => e.g2_encode(SRC + 200, A, 1));
e.g1_generator(A); e.g1_generator(A + 320);
bench('ours g1_add', () => e.g1_add(OUT, A, A + 320));
bench('ours g1_double', () => e.g1_double(OUT, A));
e.g2_generator(A); e.g2_generator(A + 320);
bench('ours g2_add', () => e.g2_add(OUT, A, A + 320));

// mcl
await mcl.init(mcl.BLS12_381);
mcl.setETHserialization?.(true);
mcl.verifyOrderG1(true);
mcl.verifyOrderG2(true);
const fr = new mcl.Fr();
fr.setStr(k.toString(16), 16);
const mg1 = new mcl.G1(); mg1.deserialize(bls12_381.G1.Point.BASE.toBytes(true));
const mg2 = new mcl.G2(); mg2.deserialize(bls12_381.G2.Point.BASE.toBytes(true));
const m = {};
m.g1_mul = bench('mcl G1 mul', () => mcl.mul(mg1, fr));
m.g2_mul = bench('mcl G2 mul', () => mcl.mul(mg2, fr));
m.g1_dec = bench('mcl G1 deserialize (checked)', () => { const p = new mcl.G1(); p.deserialize(g1c); });
m.g2_dec = bench('mcl G2 deserialize (checked)', () => { const p = new mcl.G2(); p.deserialize(g2c); });
mcl.verifyOrderG1(false); mcl.verifyOrderG2(false);
bench('mcl G1 deserialize (unchecked)', () => { const p = new mcl.G1(); p.deserialize(g1c); });
bench('mcl G2 deserialize (unchecked)', () => { const p = new mcl.G2(); p.deserialize(g2c); });
// noble
const nG1 = bls12_381.G1.Point.fromBytes(g1c), nG2 = bls12_381.G2.Point.fromBytes(g2c);
bench('noble G1 multiply (non-base)', () => nG1.multiply(k));
bench('noble G2 multiply (non-base)', () => nG2.multiply(k));
bench('noble G1 fromHex (checked)', () => bls12_381.G1.Point.fromBytes(g1c));
bench('noble G2 fromHex (checked)', () => bls12_381.G2.Point.fromBytes(g2c));
console.log('\nratios (ours / mcl):');
for (const [a, b] of [['g1_mul_ct', 'g1_mul'], ['g1_mul_vt', 'g1_mul'], ['g2_mul_ct', 'g2_mul'], ['g2_mul_vt', 'g2_mul'], ['g1_dec', 'g1_dec'], ['g2_dec', 'g2_dec']]) {
  console.log(a.padEnd(12), (res[a] / m[b]).toFixed(3));
}
