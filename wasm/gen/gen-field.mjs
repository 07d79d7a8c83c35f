// Generates the limb-level Montgomery arithmetic of a prime field as
// AssemblyScript (wasm/fp_mont.ts for BLS12-381 Fp, wasm/fr_mont.ts for Fr)
// and the Frobenius constants of the Fp12 tower (wasm/tower_consts.ts).
//
//   node wasm/gen/gen-field.mjs            # 30-bit limbs (the chosen layout) into wasm/
//   node wasm/gen/gen-field.mjs 32 /tmp/x  # 32-bit limbs into /tmp/x (benchmark of the rejected layout)
//
// Layouts (see docs/wasm-layout.md):
//  - w = 30 (or 29): N limbs of w bits stored as u32, Montgomery R = 2^(N*w).
//    Products x_i*y_j (< 2^60) are accumulated in u64 without carrying
//    ("lazy reduction", Mitscha-Baude 2022); the generator tracks an upper
//    bound of every accumulator and inserts a carry step only when the next
//    addition could overflow 2^64.
//  - w = 32: 12 limbs of 32 bits, classic CIOS Montgomery with a carry after
//    every product.
// Everything is fully unrolled; moduli limbs are immediates.

import { writeFileSync, mkdirSync } from 'node:fs';
import { bls12_381 } from '@noble/curves/bls12-381.js';

const P = 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaabn;
const R_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
const U64MAX = (1n << 64n) - 1n;

function modpow(b, e, m) {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}
/** Inverse of an odd a modulo a power of two m (Newton iteration). */
function inv2k(a, m) {
  let x = 1n;
  for (let i = 0; i < 8; i++) x = (x * (2n - a * x)) % m;
  return ((x % m) + m) % m;
}

function limbsOf(x, w, n) {
  const out = [];
  const mask = (1n << BigInt(w)) - 1n;
  for (let i = 0; i < n; i++) {
    out.push(x & mask);
    x >>= BigInt(w);
  }
  if (x !== 0n) throw new Error('value does not fit');
  return out;
}
function words32(x) {
  const out = [];
  while (x > 0n) {
    out.push(x & 0xffffffffn);
    x >>= 32n;
  }
  return out;
}
const hex = (x) => '0x' + x.toString(16);
const u32arr = (arr) => `memory.data<u32>([${arr.map(hex).join(', ')}])`;

/** Emits the field module for modulus `p` with `w`-bit limbs. */
function genField({ pre, name, p, w, bytes, wideChunk, exps, sqrStyle, mulStyle, fp2 = false }) {
  const bits = p.toString(2).length;
  const N = Math.ceil((bits + 1) / w); // room for values < 2p
  if (N * w < bytes * 8 && w === 32) throw new Error('layout');
  const W = BigInt(w);
  const MASK = (1n << W) - 1n;
  const R = 1n << BigInt(N * w);
  const mu = (-inv2k(p, 1n << W)) & MASK;
  if (((p * mu + 1n) & MASK) !== 0n) throw new Error('mu');
  const pl = limbsOf(p, w, N);
  const PRE = pre.toUpperCase();
  const L = [];
  const e = (s) => L.push(s);
  const lit = (x) => `${hex(x)}`;

  // ----- helpers emitting straight-line code -----
  // Conditional subtraction of p from limbs `t` (u64 locals, each < 2^w, value < 2p), store to out.
  function emitFinal(t, indent = '  ') {
    e(`${indent}let fc: i64 = 0;`);
    for (let j = 0; j < N; j++) {
      e(`${indent}let fd${j}: i64 = <i64>${t[j]} - ${lit(pl[j])} + fc; fc = fd${j} >> ${w}; fd${j} &= ${lit(MASK)};`);
    }
    e(`${indent}// fc = -1 if t < p (keep t), 0 if t >= p (take t - p)`);
    e(`${indent}const fm: u64 = <u64>fc;`);
    for (let j = 0; j < N; j++) {
      e(`${indent}store<u32>(out, <u32>((${t[j]} & fm) | (<u64>fd${j} & ~fm)), ${4 * j});`);
    }
  }

  // out = t + k p - sum(subs) fully reduced, for a Montgomery result t < p + p/64 (products
  // of operands a < p, b < 4p: T < 4p^2, so T/R < p/150) in normalised limbs: v is in
  // (0, (k + 1) p + p/64) with k <= 2, below 4p; subtract 2p if v >= 2p, then p if v >= p.
  function emitFinalSub(t, subs, k) {
    e(`  let sc: i64 = 0;`);
    for (let j = 0; j < N; j++) {
      const terms = subs.map((sp) => ` - <i64>load<u32>(${sp}, ${4 * j})`).join('');
      e(`  let v${j}: i64 = <i64>${t[j]} + ${lit(BigInt(k) * pl[j])}${terms} + sc; sc = v${j} >> ${w}; v${j} &= ${lit(MASK)};`);
    }
    const p2 = limbsOf(2n * p, w, N);
    e(`  let gc: i64 = 0;`);
    for (let j = 0; j < N; j++) e(`  let g${j}: i64 = v${j} - ${lit(p2[j])} + gc; gc = g${j} >> ${w}; g${j} &= ${lit(MASK)};`);
    e(`  // gc = -1 if v < 2p (keep v)`);
    for (let j = 0; j < N; j++) e(`  v${j} = (v${j} & gc) | (g${j} & ~gc);`);
    emitFinal([...Array(N).keys()].map((j) => `(<u64>v${j})`));
  }

  // ----- squaring, operand scanning with interleaved reduction (lazy, like mul) -----
  // Row i adds x_i^2 to column 2i and x_i * 2x_j (j > i) to column i + j; after i
  // one-limb shifts accumulator t_k holds column i + k, so row i touches t_i .. t_{N-1}.
  function genSqrLazy(sub2 = false) {
    if (sub2) {
      e(`/** out = a^2/R - c - d mod p (fused, for affine additions: x3 = lambda^2 - x1 - x2).`);
      e(` *  a < 2p allowed; c, d < p. out may alias anything. */`);
      e(`export function ${pre}_sqr_sub2(out: usize, a: usize, c: usize, d: usize): void {`);
    } else {
    e(`/** out = a^2/R mod p. Operand scanning with interleaved reduction (lazy, as ${pre}_mul),`);
    e(` *  each cross product once against the doubled limb. */`);
    e(`export function ${pre}_sqr(out: usize, a: usize): void {`);
    }
    for (let j = 0; j < N; j++) e(`  const d${j}: u64 = <u64>load<u32>(a, ${4 * j}) << 1;`);
    e(`  let x: u64, q: u64;`);
    const names = [];
    for (let j = 0; j < N; j++) names.push(`t${j}`);
    e(`  let ${names.map((n) => `${n}: u64 = 0`).join(', ')};`);
    let bound = Array(N).fill(0n);
    let zero = Array(N).fill(true);
    const carryPass = (why) => {
      e(`  // carry pass (${why})`);
      for (let j = 0; j < N - 1; j++) {
        if (zero[j]) continue;
        const op = zero[j + 1] ? '=' : '+=';
        e(`  ${names[j + 1]} ${op} ${names[j]} >> ${w}; ${names[j]} &= ${lit(MASK)};`);
        zero[j + 1] = false;
        bound[j + 1] += bound[j] >> W;
        bound[j] = MASK;
      }
    };
    for (let i = 0; i < N; i++) {
      e(`  // i = ${i}`);
      e(`  x = <u64>load<u32>(a, ${4 * i});`);
      const add = [];
      // column 2i is accumulator i, column i + j (j > i) is accumulator j
      for (let k = 0; k < N; k++) add.push(k < i ? null : k === i ? [`x * x`, MASK * MASK] : [`x * d${k}`, 2n * MASK * MASK]);
      if (add.some((t, k) => t && bound[k] + t[1] > U64MAX)) carryPass('bound would overflow');
      add.forEach((t, k) => {
        if (!t) return;
        const [ex, b] = t;
        if (zero[k]) e(`  ${names[k]} = ${ex};`);
        else e(`  ${names[k]} += ${ex};`);
        zero[k] = false;
        bound[k] += b;
      });
      e(`  q = (${names[0]} * ${lit(mu)}) & ${lit(MASK)};`);
      if (bound.some((b, j) => b + MASK * pl[j] > U64MAX)) carryPass('bound would overflow');
      for (let j = 0; j < N; j++) {
        if (pl[j] === 0n) continue;
        if (zero[j]) e(`  ${names[j]} = q * ${lit(pl[j])};`);
        else e(`  ${names[j]} += q * ${lit(pl[j])};`);
        zero[j] = false;
        bound[j] += MASK * pl[j];
      }
      e(`  ${names[1]} += ${names[0]} >> ${w};`);
      bound[1] += bound[0] >> W;
      const freed = names.shift();
      names.push(freed);
      bound.shift();
      bound.push(0n);
      zero.shift();
      zero.push(true);
    }
    carryPass('normalise');
    if (sub2) emitFinalSub(names.slice(0, N), ['c', 'd'], 2);
    else emitFinal(names.slice(0, N));
    e(`}`);
    e('');
  }

  // Loads N limbs of `ptr + off` into u64 locals `${nm}0..`.
  function emitLoad(nm, ptr, off) {
    for (let j = 0; j < N; j++) e(`  const ${nm}${j}: u64 = <u64>load<u32>(${ptr}, ${off + 4 * j});`);
    return [...Array(N).keys()].map((j) => `${nm}${j}`);
  }
  // Emits normalised limbs of an unreduced linear combination: sum of (sign, names) plus
  // optionally p (value must stay in [0, 2^(N*w))). Returns the u64 names.
  function emitLin(nm, parts, addP) {
    e(`  let ${nm}c: i64 = 0;`);
    const out = [];
    for (let j = 0; j < N; j++) {
      let expr = parts.map(([sg, ns]) => `${sg < 0 ? '- ' : '+ '}<i64>${ns[j]}`).join(' ');
      if (addP) expr += ` + ${lit(pl[j])}`;
      e(`  const ${nm}s${j}: i64 = ${expr} + ${nm}c; ${nm}c = ${nm}s${j} >> ${w};`);
      e(`  const ${nm}${j}: u64 = <u64>(${nm}s${j} & ${lit(MASK)});`);
      out.push(`${nm}${j}`);
    }
    return out;
  }

  function genFp2Fused() {
    const FS = 4 * N;
    e(`/** Scratch for the fused Fp2 functions (single-threaded wasm; never live across calls). */`);
    e(`const ${PRE}2M_SCR: usize = memory.data(${3 * FS}, 8);`);
    e('');
    e(`/** Fp2 = Fp[u]/(u^2+1) product (fp2.ts's fp2_mul calls it): c0 = (a0*b0 + a1*(p - b1))/R,`);
    e(` *  c1 = (a0*b1 + a1*b0)/R, each one lazy sum of two products with one reduction.`);
    e(` *  out may alias a or b (c1 goes through the scratch). */`);
    e(`export function ${pre}2m_mul(out: usize, a: usize, b: usize): void {`);
    // (A variant fusing the negation into the second sum (n = p - b1 in locals) measured
    // ~10% slower in V8: more long-lived locals, more spills.)
    e(`  ${pre}_neg(${PRE}2M_SCR + ${FS}, b + ${FS});`);
    e(`  ${pre}_mul_sum2(${PRE}2M_SCR, a, b + ${FS}, a + ${FS}, b);`);
    e(`  ${pre}_mul_sum2(out, a, b, a + ${FS}, ${PRE}2M_SCR + ${FS});`);
    e(`  ${pre}_copy(out + ${FS}, ${PRE}2M_SCR);`);
    e(`}`);
    e('');
    e(`/** s = a0 + a1, d = a0 - a1 + p, e = 2 a1 (unreduced, < 2p, normalised limbs) into scratch. */`);
    e(`function ${pre}2m_sqr_prep(a: usize): void {`);
    const u = emitLoad('a', 'a', 0);
    const v = emitLoad('b', 'a', FS);
    const st = (nm, off) => { for (let j = 0; j < N; j++) e(`  store<u32>(${PRE}2M_SCR, <u32>${nm}${j}, ${off + 4 * j});`); };
    emitLin('s', [[1, u], [1, v]], false); st('s', 0);
    emitLin('d', [[1, u], [-1, v]], true); st('d', FS);
    emitLin('e', [[1, v], [1, v]], false); st('e', 2 * FS);
    e(`}`);
    e('');
    e(`/** Fp2 square (fp2.ts's fp2_sqr calls it): complex squaring on unreduced operands,`);
    e(` *  c0 = (a0 + a1)(a0 - a1 + p)/R, c1 = a0*(2 a1)/R (operands < 2p, products < 4p^2,`);
    e(` *  so ${pre}_mul's result is < 2p before its final subtraction). out may alias a. */`);
    e(`export function ${pre}2m_sqr(out: usize, a: usize): void {`);
    e(`  ${pre}2m_sqr_prep(a);`);
    e(`  ${pre}_mul(out + ${FS}, a, ${PRE}2M_SCR + ${2 * FS});`);
    e(`  ${pre}_mul(out, ${PRE}2M_SCR, ${PRE}2M_SCR + ${FS});`);
    e(`}`);
    e('');
  }

  // ----- double-width (unreduced) products and a separate Montgomery reduction -----
  // A "wide" value is 2N limbs of w bits stored as u32 (WIDE_SIZE = 8N bytes), normalised
  // (every limb < 2^w), value < 2^(2Nw). Products of operands < 2^(Nw) (in particular
  // anything < 2p, 4p, ...) are exact integers; sums/differences of them are formed with
  // a multiple of p^2 added so that they stay non-negative; the reduction is valid for
  // values < pR (Montgomery: (T + qp)/R < 2p, then one conditional subtraction).
  // WASM SIMD product: columns in groups of 4 (two i64x2 accumulators), x_i splatted,
  // y read as 4 consecutive limbs from a zero-padded copy; products via
  // i64x2.extmul_{low,high}_i32x4_u (two 32x32->64 products each). Columns < 13 * 2^60.
  function genMulwSimd() {
    const PAD = 3;
    e(`/** Zero-padded copy of the second operand of ${pre}_mulw (${PAD} zero limbs either side). */`);
    e(`const ${PRE}W_YS: usize = memory.data(${4 * (N + 2 * PAD + 1)}, 16);`);
    e(`export function ${pre}_mulw(w: usize, a: usize, b: usize): void {`);
    for (let j = 0; j < N; j++) e(`  store<u32>(${PRE}W_YS, load<u32>(b, ${4 * j}), ${4 * (j + PAD)});`);
    if (!mulwXLoad) for (let i = 0; i < N; i++) e(`  const X${i}: v128 = v128.load32_splat(a, ${4 * i});`);
    const X = (i) => (mulwXLoad ? `v128.load32_splat(a, ${4 * i})` : `X${i}`);
    e(`  let lo: v128, hi: v128, V: v128;`);
    e(`  let acc: u64 = 0;`);
    let col = 0;
    for (let k = 0; k <= 2 * N - 2; k += 4) {
      let first = true;
      for (let i = Math.max(0, k - N + 1); i <= Math.min(N - 1, k + 3); i++) {
        e(`  V = v128.load(${PRE}W_YS, ${4 * (k - i + PAD)});`);
        if (first) {
          e(`  lo = i64x2.extmul_low_i32x4_u(${X(i)}, V); hi = i64x2.extmul_high_i32x4_u(${X(i)}, V);`);
          first = false;
        } else {
          e(`  lo = i64x2.add(lo, i64x2.extmul_low_i32x4_u(${X(i)}, V)); hi = i64x2.add(hi, i64x2.extmul_high_i32x4_u(${X(i)}, V));`);
        }
      }
      const lanes = [['lo', 0], ['lo', 1], ['hi', 0], ['hi', 1]];
      for (const [v, l] of lanes) {
        if (col > 2 * N - 2) break;
        e(`  acc += <u64>i64x2.extract_lane(${v}, ${l}); store<u32>(w, <u32>(acc & ${lit(MASK)}), ${4 * col}); acc >>= ${w};`);
        col++;
      }
    }
    e(`  store<u32>(w, <u32>acc, ${4 * (2 * N - 1)});`);
    e(`}`);
    e('');
  }
  function genWide() {
    const N2 = 2 * N;
    const FS = 4 * N;
    const WS = 8 * N;
    const P2 = p * p;
    const maxT = (R * p) / P2; // T < maxT * p^2 is required by the reduction
    e(`/** Bytes of a double-width (unreduced product) value: ${N2} limbs of ${w} bits as u32. */`);
    e(`export const ${PRE}W_SIZE: usize = ${WS};`);
    e(`/** Wide zero (for unused operands of the combination kernels). */`);
    e(`export const ${PRE}W_ZERO: usize = memory.data(${WS}, 8);`);
    e('');
    // product scanning: columns k = 0..2N-2 carried as they are produced
    e(`/** w = a*b as a double-width integer (no reduction). a, b: normalised limbs, any value`);
    e(` *  < 2^${N * w} (so unreduced sums < 2p, 4p are fine). w may alias neither a nor b`);
    e(` *  partially; w == a is not allowed either (w is ${N2} limbs). Product scanning. */`);
    if (mulwSimd) {
      genMulwSimd();
    } else {
    e(`export function ${pre}_mulw(w: usize, a: usize, b: usize): void {`);
    for (let j = 0; j < N; j++) e(`  const x${j}: u64 = <u64>load<u32>(a, ${4 * j});`);
    // (Loading y_j from memory at each use instead of keeping 26 operand limbs in locals,
    // to relieve V8's register allocator, measured slower: fp2_mul 331 -> 350 ns.)
    for (let j = 0; j < N; j++) e(`  const y${j}: u64 = <u64>load<u32>(b, ${4 * j});`);
    e(`  let acc: u64;`);
    for (let k = 0; k <= 2 * N - 2; k++) {
      const terms = [];
      for (let i = Math.max(0, k - N + 1); i <= Math.min(k, N - 1); i++) terms.push(`x${i} * y${k - i}`);
      if (k === 0) e(`  acc = ${terms.join(' + ')};`);
      else e(`  acc += ${terms.join(' + ')};`);
      e(`  store<u32>(w, <u32>(acc & ${lit(MASK)}), ${4 * k}); acc >>= ${w};`);
    }
    e(`  store<u32>(w, <u32>acc, ${4 * (2 * N - 1)});`);
    e(`}`);
    e('');
    }

    // reduction of a signed combination sum(plus) - sum(minus) + K p^2, streamed
    const emitted = new Set();
    const redc = (np, nm, kMul, coef = 1, post = 0) => {
      // coef 3, post = +-1: out = (3 (sum p - sum m) + K) / R + post * 2 g (Karabina / Granger-Scott
      // combinations z' = 3 h +- 2 z); the operands are then wide squares < 16 p^2.
      const nmName = coef === 1 ? `${pre}_redc_p${np}m${nm}` : post ? `${pre}_redc3_p${np}m${nm}${post > 0 ? '_pg' : '_mg'}` : `${pre}_redc${coef}_p${np}m${nm}`;
      if (emitted.has(nmName)) return;
      emitted.add(nmName);
      const K = BigInt(kMul) * P2;
      const Kl = kMul ? limbsOf(K, w, N2) : null;
      const params = [...Array(np).keys()].map((i) => `p${i}: usize`).concat([...Array(nm).keys()].map((i) => `m${i}: usize`));
      if (post) params.push('g: usize');
      const lin = `${[...Array(np).keys()].map((i) => `p${i}`).join(' + ')}${[...Array(nm).keys()].map((i) => ` - m${i}`).join('')}`;
      if (coef === 1) {
        e(`/** out = (${lin}${kMul ? ` + ${kMul} p^2` : ''}) / R mod p, fully reduced.`);
        e(` *  Operands are wide values < 32 p^2 (every ${pre}2w_mul output is): the sum is non-negative`);
        e(` *  and < ${32 * (np + nm)} p^2 < pR (${maxT} p^2, the reduction bound). out may alias anything. */`);
      } else if (!post) {
        e(`/** out = (${coef} (${lin})${kMul ? ` + ${kMul} p^2` : ''}) / R mod p, fully reduced. Wide operands < 16 p^2`);
        e(` *  (${pre}2w_sqr of coefficients < 2p): the sum is < ${16 * coef * (np + nm)} p^2 < pR. out may alias anything. */`);
      } else {
        e(`/** out = (3 (${lin}) + ${kMul} p^2) / R ${post > 0 ? '+' : '-'} 2 g mod p, fully reduced. Wide operands < 16 p^2`);
        e(` *  (${pre}2w_sqr of coefficients < 2p), g < p (an element). The wide sum is < ${48 * (np + nm)} p^2 < pR,`);
        e(` *  the Montgomery result before correction < p + ${48 * (np + nm)} p^2 / R < 1.5p; with ${post > 0 ? '+ 2g' : '+ 2p - 2g'}`);
        e(` *  it is < 4p, then 2p and p are conditionally subtracted. out may alias anything. */`);
      }
      e(`export function ${nmName}(out: usize, ${params.join(', ')}): void {`);
      e(`  let cc: i64 = 0, v: i64;`);
      const limb = (j, name) => {
        const terms = [];
        for (let i = 0; i < np; i++) terms.push(`+ <i64>load<u32>(p${i}, ${4 * j})`);
        for (let i = 0; i < nm; i++) terms.push(`- <i64>load<u32>(m${i}, ${4 * j})`);
        if (coef !== 1) terms.splice(0, terms.length, `+ ${coef} * (${terms.join(' ').replace(/^\+ /, '')})`);
        if (Kl && Kl[j] !== 0n) terms.push(`+ ${lit(Kl[j])}`);
        e(`  v = cc ${terms.join(' ')}; cc = v >> ${w};`);
        e(`  ${name} = <u64>(v & ${lit(MASK)});`);
      };
      const names = [];
      for (let j = 0; j < N; j++) names.push(`t${j}`);
      e(`  let ${names.map((n) => `${n}: u64`).join(', ')}, q: u64, nx: u64;`);
      for (let j = 0; j < N; j++) limb(j, names[j]);
      let bound = Array(N).fill(MASK);
      const carryPass = (why) => {
        e(`  // carry pass (${why})`);
        for (let j = 0; j < N - 1; j++) {
          e(`  ${names[j + 1]} += ${names[j]} >> ${w}; ${names[j]} &= ${lit(MASK)};`);
          bound[j + 1] += bound[j] >> W;
          bound[j] = MASK;
        }
      };
      for (let i = 0; i < N; i++) {
        e(`  // row ${i}`);
        e(`  q = (${names[0]} * ${lit(mu)}) & ${lit(MASK)};`);
        if (bound.some((b, j) => b + MASK * pl[j] > U64MAX)) carryPass('bound would overflow');
        for (let j = 0; j < N; j++) {
          if (pl[j] === 0n) continue;
          e(`  ${names[j]} += q * ${lit(pl[j])};`);
          bound[j] += MASK * pl[j];
        }
        e(`  ${names[1]} += ${names[0]} >> ${w};`);
        bound[1] += bound[0] >> W;
        const freed = names.shift();
        names.push(freed);
        bound.shift();
        bound.push(MASK);
        limb(N + i, freed);
      }
      carryPass('normalise');
      if (!post) emitFinal(names.slice(0, N));
      else {
        // v = t + 2g (post > 0) or t + 2p - 2g, < 4p; subtract 2p if >= 2p, then p if >= p
        e(`  let sc: i64 = 0;`);
        for (let j = 0; j < N; j++) {
          const gterm = post > 0 ? `+ (<i64>load<u32>(g, ${4 * j}) << 1)` : `+ ${lit(2n * pl[j])} - (<i64>load<u32>(g, ${4 * j}) << 1)`;
          e(`  let v${j}: i64 = <i64>${names[j]} ${gterm} + sc; sc = v${j} >> ${w}; v${j} &= ${lit(MASK)};`);
        }
        const p2 = limbsOf(2n * p, w, N);
        e(`  let gc: i64 = 0;`);
        for (let j = 0; j < N; j++) e(`  let h${j}: i64 = v${j} - ${lit(p2[j])} + gc; gc = h${j} >> ${w}; h${j} &= ${lit(MASK)};`);
        for (let j = 0; j < N; j++) e(`  v${j} = (v${j} & gc) | (h${j} & ~gc);`);
        emitFinal([...Array(N).keys()].map((j) => `(<u64>v${j})`));
      }
      e(`}`);
      e('');
    };
    // K multiples: each subtrahend < 32 p^2 (every wide Fp2 re / im of fp2w_mul is), so
    // K = 32 nm p^2 and the total is < (np + nm) * 32 p^2 <= 288 p^2 < maxT (= 630).
    const kinds = [[1, 0], [1, 1], [1, 2], [1, 3], [2, 0], [2, 1], [3, 0], [2, 2], [2, 3], [3, 2], [3, 4], [4, 3], [5, 0], [4, 4], [3, 5]];
    for (const [np, nm] of kinds) {
      if (BigInt(32 * (np + nm)) >= maxT) throw new Error('reduction bound too small');
      redc(np, nm, 32 * nm);
    }
    // Karabina / Granger-Scott: 3 (sum) +- 2g, operands < 16 p^2, K = 48 p^2 per subtrahend.
    for (const [np, nm, post] of [[3, 3, 1], [2, 4, 1], [2, 1, -1], [3, 0, -1], [1, 2, 1]]) {
      if (BigInt(48 * (np + nm)) * 2n >= maxT) throw new Error('reduction bound too small');
      redc(np, nm, 48 * nm, 3, post);
    }
    // Line doubling of the Miller loop: 3 X^2 and 3b' Z^2 = 12 xi Z^2 from wide squares (< 16 p^2).
    for (const [coef, np, nm] of [[3, 1, 0], [12, 1, 1], [12, 2, 0]]) {
      if (BigInt(16 * coef * (np + nm)) >= maxT) throw new Error('reduction bound too small');
      redc(np, nm, 16 * coef * nm, coef, 0);
    }

    // Karatsuba combination for a wide Fp2 product: re = W0 - W1 + 16p^2, im = W2 - W0 - W1.
    const K8 = limbsOf(16n * P2, w, N2);
    e(`/** Wide Fp2 product from the three Karatsuba products: out.re = w0 - w1 + 16p^2,`);
    e(` *  out.im = w2 - w0 - w1 (exact, >= 0); bounds in ${pre}2w_mul. */`);
    e(`function ${pre}w_kara(out: usize, w0: usize, w1: usize, w2: usize): void {`);
    e(`  let cr: i64 = 0, ci: i64 = 0, a: i64, b: i64, v: i64;`);
    for (let j = 0; j < N2; j++) {
      e(`  a = <i64>load<u32>(w0, ${4 * j}); b = <i64>load<u32>(w1, ${4 * j});`);
      e(`  v = cr + a - b${K8[j] ? ` + ${lit(K8[j])}` : ''}; cr = v >> ${w}; store<u32>(out, <u32>(v & ${lit(MASK)}), ${4 * j});`);
      e(`  v = ci + <i64>load<u32>(w2, ${4 * j}) - a - b; ci = v >> ${w}; store<u32>(out, <u32>(v & ${lit(MASK)}), ${WS + 4 * j});`);
    }
    e(`}`);
    e('');
    e(`/** Scratch of the wide Fp2 kernels (single-threaded; never live across calls). */`);
    e(`const ${PRE}2W_SCR: usize = memory.data(${3 * WS + 3 * FS}, 8);`);
    e(`/** sa = a0 + a1, sb = b0 + b1 unreduced (normalised limbs) into the scratch. */`);
    e(`function ${pre}2w_prep(a: usize, b: usize): void {`);
    {
      const u = emitLoad('a', 'a', 0);
      const v = emitLoad('b', 'a', FS);
      emitLin('s', [[1, u], [1, v]], false);
      for (let j = 0; j < N; j++) e(`  store<u32>(${PRE}2W_SCR, <u32>s${j}, ${3 * WS + 4 * j});`);
      const u2 = emitLoad('c', 'b', 0);
      const v2 = emitLoad('d', 'b', FS);
      emitLin('t', [[1, u2], [1, v2]], false);
      for (let j = 0; j < N; j++) e(`  store<u32>(${PRE}2W_SCR, <u32>t${j}, ${3 * WS + FS + 4 * j});`);
    }
    e(`}`);
    e('');
    e(`/** Karatsuba Fp2 product a*b = (a0 b0 - a1 b1) + (a0 b1 + a1 b0) u (fp2.ts's fp2_mul):`);
    e(` *  3 double-width products, 2 reductions. out may alias a or b. */`);
    e(`export function ${pre}2k_mul(out: usize, a: usize, b: usize): void {`);
    e(`  ${pre}2w_prep(a, b);`);
    e(`  ${pre}_mulw(${PRE}2W_SCR, a, b);`);
    e(`  ${pre}_mulw(${PRE}2W_SCR + ${WS}, a + ${FS}, b + ${FS});`);
    e(`  ${pre}_mulw(${PRE}2W_SCR + ${2 * WS}, ${PRE}2W_SCR + ${3 * WS}, ${PRE}2W_SCR + ${3 * WS + FS});`);
    e(`  ${pre}_redc_p1m2(out + ${FS}, ${PRE}2W_SCR + ${2 * WS}, ${PRE}2W_SCR, ${PRE}2W_SCR + ${WS});`);
    e(`  ${pre}_redc_p1m1(out, ${PRE}2W_SCR, ${PRE}2W_SCR + ${WS});`);
    e(`}`);
    e('');
    e(`/** Wide Fp2 square: out (2 wide values) = a^2 unreduced, for coefficients < 2p (normalised`);
    e(` *  limbs): re = (a0 + a1)(a0 - a1 + 2p) = a0^2 - a1^2 + 2p (a0 + a1) in [0, 16p^2), im = 2 a0 a1 < 8p^2. */`);
    e(`export function ${pre}2w_sqr(out: usize, a: usize): void {`);
    e(`  ${pre}2w_sqr_prep(a);`);
    e(`  ${pre}_mulw(out, ${PRE}2W_SCR + ${3 * WS}, ${PRE}2W_SCR + ${3 * WS + FS});`);
    e(`  ${pre}_mulw(out + ${WS}, a, ${PRE}2W_SCR + ${3 * WS + 2 * FS});`);
    e(`}`);
    e('');
    e(`/** s = a0 + a1, d = a0 - a1 + 2p, e = 2 a1 (unreduced, < 4p) into the scratch. */`);
    e(`function ${pre}2w_sqr_prep(a: usize): void {`);
    {
      const u = emitLoad('a', 'a', 0);
      const v = emitLoad('b', 'a', FS);
      const st = (nm, off) => { for (let j = 0; j < N; j++) e(`  store<u32>(${PRE}2W_SCR, <u32>${nm}${j}, ${off + 4 * j});`); };
      emitLin('s', [[1, u], [1, v]], false); st('s', 3 * WS);
      const p2 = limbsOf(2n * p, w, N);
      e(`  let dc: i64 = 0;`);
      for (let j = 0; j < N; j++) {
        e(`  const ds${j}: i64 = <i64>a${j} - <i64>b${j} + ${lit(p2[j])} + dc; dc = ds${j} >> ${w};`);
        e(`  store<u32>(${PRE}2W_SCR, <u32>(ds${j} & ${lit(MASK)}), ${3 * WS + FS + 4 * j});`);
      }
      emitLin('e', [[1, v], [1, v]], false); st('e', 3 * WS + 2 * FS);
    }
    e(`}`);
    e('');
    e(`/** Wide Fp2 product: out (2 wide values, re then im) = a*b unreduced. Operand`);
    e(` *  coefficients a_i < alpha p, b_i < beta p (normalised limbs) with alpha beta <= 16 (e.g. both`);
    e(` *  < 4p, or < 2p and < 8p): re = a0b0 - a1b1 + 16p^2 in (0, 32p^2), im = a0b1 + a1b0 in`);
    e(` *  [0, 32p^2). Both are valid operands (and subtrahends) of ${pre}_redc_p*m*. */`);
    e(`export function ${pre}2w_mul(out: usize, a: usize, b: usize): void {`);
    e(`  ${pre}2w_prep(a, b);`);
    e(`  ${pre}_mulw(${PRE}2W_SCR, a, b);`);
    e(`  ${pre}_mulw(${PRE}2W_SCR + ${WS}, a + ${FS}, b + ${FS});`);
    e(`  ${pre}_mulw(${PRE}2W_SCR + ${2 * WS}, ${PRE}2W_SCR + ${3 * WS}, ${PRE}2W_SCR + ${3 * WS + FS});`);
    e(`  ${pre}w_kara(out, ${PRE}2W_SCR, ${PRE}2W_SCR + ${WS}, ${PRE}2W_SCR + ${2 * WS});`);
    e(`}`);
    e('');
  }

  function header() {
    e(`// GENERATED by wasm/gen/gen-field.mjs (limb width ${w}) - do not edit by hand.`);
    e(`// ${name}: p = ${hex(p)} (${bits} bits)`);
    e(`// ${N} limbs of ${w} bits, little-endian, each stored as a u32 (${4 * N} bytes).`);
    e(`// Elements are kept in Montgomery form a*R mod p, R = 2^${N * w}, fully reduced (< p).`);
    e(`// All functions here are constant time (no secret-dependent branches or addresses)`);
    e(`// except ${pre}_pow's dependence on the (public) exponent. Every \`out\` may alias any input.`);
    e(`import { tmp_alloc, tmp_mark, tmp_reset } from './mem';`);
    e('');
    e(`/** Number of limbs of an ${name} element. */`);
    e(`export const ${PRE}_LIMBS: i32 = ${N};`);
    e(`/** Bits per limb. */`);
    e(`export const ${PRE}_LIMB_BITS: i32 = ${w};`);
    e(`/** Bytes of one ${name} element in linear memory. */`);
    e(`export const ${PRE}_SIZE: usize = ${4 * N};`);
    e(`/** Bytes of the canonical big-endian encoding. */`);
    e(`export const ${PRE}_BYTES: usize = ${bytes};`);
    e(`const ${PRE}_MASK: u64 = ${lit(MASK)};`);
    e('');
    e(`/** p in limbs (normal form, not Montgomery). */`);
    e(`export const ${PRE}_P: usize = ${u32arr(pl)};`);
    e(`/** 1 in Montgomery form (R mod p). */`);
    e(`export const ${PRE}_ONE: usize = ${u32arr(limbsOf(R % p, w, N))};`);
    e(`/** R^2 mod p: montmul(x, R2) converts x to Montgomery form. */`);
    e(`export const ${PRE}_R2: usize = ${u32arr(limbsOf((R * R) % p, w, N))};`);
    e(`/** R^3 mod p. */`);
    e(`export const ${PRE}_R3: usize = ${u32arr(limbsOf((R * R * R) % p, w, N))};`);
    e(`/** The integer 1 in limbs: montmul(x, RAW_ONE) leaves Montgomery form. */`);
    e(`export const ${PRE}_RAW_ONE: usize = ${u32arr(limbsOf(1n, w, N))};`);
    e(`/** (p-1)/2 in limbs (normal form), for lexicographic comparisons. */`);
    e(`export const ${PRE}_HALF: usize = ${u32arr(limbsOf((p - 1n) / 2n, w, N))};`);
    for (const [k, v] of Object.entries(exps)) {
      e(`/** Exponent ${k} as little-endian u32 words (${words32(v).length} words). */`);
      e(`export const ${PRE}_EXP_${k}: usize = ${u32arr(words32(v))};`);
      e(`export const ${PRE}_EXP_${k}_WORDS: i32 = ${words32(v).length};`);
    }
    // wide reduction constants: chunk i of `wideChunk` bytes (from the least significant end)
    const nChunks = Math.ceil(64 / wideChunk);
    const ks = [];
    for (let i = 0; i < nChunks; i++) ks.push(...limbsOf(((1n << BigInt(8 * wideChunk * i)) * R * R) % p, w, N));
    e(`/** 2^(${8 * wideChunk}*i) * R^2 mod p, i = 0..${nChunks - 1}, for ${pre}_from_bytes_wide. */`);
    e(`const ${PRE}_WIDE_K: usize = ${u32arr(ks)};`);
    e('');
  }

  // ----- mul, operand scanning -----
  // Row-blocked operand scanning: B rows (x_i .. x_{i+B-1}) and their B reduction
  // multipliers per pass over the accumulators, so every accumulator is read and written
  // once per 2B products (the single-row version does one read-modify-write per 2
  // products, and V8 keeps most of the 13 accumulators in stack slots).
  function genMulBlocked(sum2, sub1, B, yload) {
    if (sub1) {
      e(`/** out = a*b/R - c mod p (fused, for affine additions: y3 = lambda (x1 - x3) - y1).`);
      e(` *  a < p, b < 4p (e.g. an ${pre}_sub_nr result), c < p. out may alias anything. */`);
      e(`export function ${pre}_mul_sub(out: usize, a: usize, b: usize, c: usize): void {`);
    } else if (sum2) {
      e(`/** out = (a*b + c*d)/R mod p: a sum of two Montgomery products with a single`);
      e(` *  reduction (lazy reduction; 2p^2 < pR keeps the result below 2p). */`);
      e(`export function ${pre}_mul_sum2(out: usize, a: usize, b: usize, c: usize, d: usize): void {`);
    } else {
      e(`/** out = a*b/R mod p (Montgomery product). Lazy-reduction operand scanning, ${B} rows`);
      e(` *  (and their ${B} reduction multipliers) per pass over the accumulators. */`);
      e(`export function ${pre}_mul(out: usize, a: usize, b: usize): void {`);
    }
    const Y = (j) => (yload ? `(<u64>load<u32>(b, ${4 * j}))` : `y${j}`);
    const Z = (j) => (yload ? `(<u64>load<u32>(d, ${4 * j}))` : `z${j}`);
    if (!yload) {
      for (let j = 0; j < N; j++) e(`  const y${j}: u64 = <u64>load<u32>(b, ${4 * j});`);
      if (sum2) for (let j = 0; j < N; j++) e(`  const z${j}: u64 = <u64>load<u32>(d, ${4 * j});`);
    }
    const idx = [...Array(B).keys()];
    e(`  let u: u64, cy: u64;`);
    e(`  let ${idx.map((r) => `x${r}: u64, q${r}: u64`).join(', ')};`);
    if (sum2) e(`  let ${idx.map((r) => `xc${r}: u64`).join(', ')};`);
    const names = [...Array(N).keys()].map((j) => `t${j}`);
    e(`  let ${names.map((n) => `${n}: u64 = 0`).join(', ')};`);
    let bound = Array(N).fill(0n);
    let zero = Array(N).fill(true);
    const carryPass = (why = 'bound would overflow') => {
      e(`  // carry pass (${why})`);
      for (let j = 0; j < N - 1; j++) {
        if (zero[j]) continue;
        const op = zero[j + 1] ? '=' : '+=';
        e(`  ${names[j + 1]} ${op} ${names[j]} >> ${w}; ${names[j]} &= ${lit(MASK)};`);
        zero[j + 1] = false;
        bound[j + 1] += bound[j] >> W;
        bound[j] = MASK;
      }
    };
    const per = (sum2 ? 2n : 1n) * MASK * MASK;
    for (let i = 0; i < N; i += B) {
      const Bp = Math.min(B, N - i);
      // bounds of the columns of this pass
      const colBounds = () => {
        const cb = [];
        let cyB = 0n;
        for (let c = 0; c <= N + Bp - 2; c++) {
          let s = c < N ? bound[c] : 0n;
          for (let r = 0; r < Bp; r++) {
            const j = c - r;
            if (j < 0 || j >= N) continue;
            s += per + MASK * pl[j];
          }
          s += cyB;
          cb.push(s);
          cyB = c < Bp ? s >> W : 0n;
        }
        return cb;
      };
      let cb = colBounds();
      if (cb.some((b) => b > U64MAX)) {
        carryPass();
        cb = colBounds();
        if (cb.some((b) => b > U64MAX)) throw new Error('blocked: column overflow');
      }
      e(`  // rows ${i} .. ${i + Bp - 1}`);
      for (let r = 0; r < Bp; r++) {
        e(`  x${r} = <u64>load<u32>(a, ${4 * (i + r)});`);
        if (sum2) e(`  xc${r} = <u64>load<u32>(c, ${4 * (i + r)});`);
      }
      const nb = Array(N).fill(0n);
      const nz = Array(N).fill(true);
      for (let c = 0; c <= N + Bp - 2; c++) {
        const terms = [];
        if (c < N && !zero[c]) terms.push(names[c]);
        if (c === Bp && Bp > 0) terms.push('cy');
        for (let r = 0; r < Bp; r++) {
          const j = c - r;
          if (j < 0 || j >= N) continue;
          terms.push(`x${r} * ${Y(j)}`);
          if (sum2) terms.push(`xc${r} * ${Z(j)}`);
          if (r < c && pl[j] !== 0n) terms.push(`q${r} * ${lit(pl[j])}`);
        }
        if (c < Bp) {
          if (c > 0) terms.push('cy');
          e(`  u = ${terms.join(' + ')};`);
          e(`  q${c} = (u * ${lit(mu)}) & ${lit(MASK)};`);
          e(`  cy = (u + q${c} * ${lit(pl[0])}) >> ${w};`);
        } else {
          const k = c - Bp;
          e(`  ${names[k]} = ${terms.join(' + ')};`);
          nb[k] = cb[c];
          nz[k] = false;
        }
      }
      bound = nb;
      zero = nz;
    }
    carryPass('normalise');
    if (zero[N - 1]) throw new Error('top limb unset');
    if (sub1) emitFinalSub(names.slice(0, N), ['c'], 1);
    else emitFinal(names.slice(0, N));
    e(`}`);
    e('');
  }
  function genMulLazy(sum2 = false, sub1 = false) {
    if (mulViaWide && fp2 && !sum2 && !sub1) {
      // experiment: product via ${pre}_mulw (SIMD) + separate reduction
      e(`const ${PRE}_MULV_SCR: usize = memory.data(${8 * N}, 16);`);
      e(`export function ${pre}_mul(out: usize, a: usize, b: usize): void {`);
      e(`  ${pre}_mulw(${PRE}_MULV_SCR, a, b);`);
      e(`  ${pre}_redc_p1m0(out, ${PRE}_MULV_SCR);`);
      e(`}`);
      e('');
      return;
    }
    if (mulBlock > 1 && (!sum2 || blockSum2)) return genMulBlocked(sum2, sub1, mulBlock, mulYLoad);
    // Mitscha-Baude style: t[j] += x_i*y_j ; q = t0*mu ; t[j] += q*p_j ; shift by one limb.
    if (sub1) {
      e(`/** out = a*b/R - c mod p (fused, for affine additions: y3 = lambda (x1 - x3) - y1).`);
      e(` *  a < p, b < 4p (e.g. an ${pre}_sub_nr result), c < p. out may alias anything. */`);
      e(`export function ${pre}_mul_sub(out: usize, a: usize, b: usize, c: usize): void {`);
    } else if (sum2) {
      e(`/** out = (a*b + c*d)/R mod p: a sum of two Montgomery products with a single`);
      e(` *  reduction (lazy reduction; 2p^2 < pR keeps the result below 2p). */`);
      e(`export function ${pre}_mul_sum2(out: usize, a: usize, b: usize, c: usize, d: usize): void {`);
      for (let j = 0; j < N; j++) e(`  const z${j}: u64 = <u64>load<u32>(d, ${4 * j});`);
    } else {
      e(`/** out = a*b/R mod p (Montgomery product). Lazy-reduction operand scanning. */`);
      e(`export function ${pre}_mul(out: usize, a: usize, b: usize): void {`);
    }
    for (let j = 0; j < N; j++) e(`  const y${j}: u64 = <u64>load<u32>(b, ${4 * j});`);
    e(`  let x: u64, q: u64, xc: u64;`);
    const names = [];
    for (let j = 0; j < N; j++) {
      names.push(`t${j}`);
    }
    e(`  let ${names.map((n) => `${n}: u64 = 0`).join(', ')};`);
    let bound = Array(N).fill(0n);
    let zero = Array(N).fill(true);
    const carryPass = (why = 'bound would overflow') => {
      e(`  // carry pass (${why})`);
      for (let j = 0; j < N - 1; j++) {
        if (zero[j]) continue;
        const op = zero[j + 1] ? '=' : '+=';
        e(`  ${names[j + 1]} ${op} ${names[j]} >> ${w}; ${names[j]} &= ${lit(MASK)};`);
        zero[j + 1] = false;
        bound[j + 1] += bound[j] >> W;
        bound[j] = MASK;
      }
    };
    const ymax = MASK;
    for (let i = 0; i < N; i++) {
      e(`  // i = ${i}`);
      e(`  x = <u64>load<u32>(a, ${4 * i});`);
      if (sum2) e(`  xc = <u64>load<u32>(c, ${4 * i});`);
      const per = (sum2 ? 2n : 1n) * MASK * ymax;
      if (bound.some((b) => b + per > U64MAX)) carryPass();
      for (let j = 0; j < N; j++) {
        const term = sum2 ? `x * y${j} + xc * z${j}` : `x * y${j}`;
        if (zero[j]) e(`  ${names[j]} = ${term};`);
        else e(`  ${names[j]} += ${term};`);
        zero[j] = false;
        bound[j] += per;
      }
      e(`  q = (${names[0]} * ${lit(mu)}) & ${lit(MASK)};`);
      if (bound.some((b, j) => b + MASK * pl[j] > U64MAX)) carryPass();
      for (let j = 0; j < N; j++) {
        if (pl[j] === 0n) continue;
        e(`  ${names[j]} += q * ${lit(pl[j])};`);
        bound[j] += MASK * pl[j];
      }
      // shift
      e(`  ${names[1]} += ${names[0]} >> ${w};`);
      bound[1] += bound[0] >> W;
      const freed = names.shift();
      names.push(freed);
      bound.shift();
      bound.push(0n);
      zero.shift();
      zero.push(true);
    }
    // normalise
    carryPass('normalise');
    if (zero[N - 1]) throw new Error('top limb unset');
    if (sub1) emitFinalSub(names.slice(0, N), ['c'], 1);
    else emitFinal(names.slice(0, N));
    e(`}`);
    e('');
  }

  function genMulCios() {
    e(`/** out = a*b/R mod p (Montgomery product). CIOS with 32-bit limbs. */`);
    e(`export function ${pre}_mul(out: usize, a: usize, b: usize): void {`);
    for (let j = 0; j < N; j++) e(`  const y${j}: u64 = <u64>load<u32>(b, ${4 * j});`);
    e(`  let x: u64, m: u64, s: u64, C: u64;`);
    const t = [];
    for (let j = 0; j <= N; j++) t.push(`t${j}`);
    e(`  let ${t.map((n) => `${n}: u64 = 0`).join(', ')};`);
    for (let i = 0; i < N; i++) {
      e(`  // i = ${i}`);
      e(`  x = <u64>load<u32>(a, ${4 * i});`);
      for (let j = 0; j < N; j++) {
        const add = i === 0 ? '' : `${t[j]} + `;
        const cc = j === 0 ? '' : ' + C';
        e(`  s = ${add}x * y${j}${cc}; ${t[j]} = s & 0xffffffff; C = s >> 32;`);
      }
      e(`  ${t[N]} += C;`);
      e(`  m = (${t[0]} * ${lit(mu)}) & 0xffffffff;`);
      e(`  C = (${t[0]} + m * ${lit(pl[0])}) >> 32;`);
      for (let j = 1; j < N; j++) e(`  s = ${t[j]} + m * ${lit(pl[j])} + C; ${t[j - 1]} = s & 0xffffffff; C = s >> 32;`);
      e(`  s = ${t[N]} + C; ${t[N - 1]} = s & 0xffffffff; ${t[N]} = s >> 32;`);
    }
    emitFinal(t.slice(0, N));
    e(`}`);
    e('');
  }

  // ----- product scanning (Comba) Montgomery, used for sqr (and optionally mul) -----
  function genComba(kind) {
    const isSqr = kind === 'sqr';
    if (isSqr) {
      e(`/** out = a^2/R mod p. Product scanning, symmetric products doubled, reduction interleaved. */`);
      e(`export function ${pre}_sqr(out: usize, a: usize): void {`);
    } else {
      e(`/** out = a*b/R mod p. Product scanning (Comba) with interleaved reduction. */`);
      e(`export function ${pre}_mul(out: usize, a: usize, b: usize): void {`);
    }
    for (let j = 0; j < N; j++) e(`  const x${j}: u64 = <u64>load<u32>(a, ${4 * j});`);
    if (!isSqr) for (let j = 0; j < N; j++) e(`  const y${j}: u64 = <u64>load<u32>(b, ${4 * j});`);
    e(`  let acc: u64 = 0, hi: u64 = 0, s: u64 = 0;`);
    let accB = 0n;
    let hiB = 0n;
    let hiUsed = false;
    const flush = () => {
      e(`  hi += acc >> ${w}; acc &= ${lit(MASK)};`);
      hiB += accB >> W;
      accB = MASK;
      hiUsed = true;
    };
    const addTerm = (expr, b) => {
      if (accB + b > U64MAX) flush();
      if (accB + b > U64MAX) throw new Error('term too large');
      e(`  acc += ${expr};`);
      accB += b;
    };
    const outs = [];
    for (let k = 0; k <= 2 * N - 2; k++) {
      e(`  // column ${k}`);
      if (isSqr) {
        const pairs = [];
        for (let i = Math.max(0, k - N + 1); i < k - i; i++) pairs.push([i, k - i]);
        if (pairs.length) {
          let sB = 0n;
          e(`  s = ${pairs.map(([i, j]) => `x${i} * x${j}`).join(' + ')};`);
          sB = BigInt(pairs.length) * MASK * MASK;
          if (2n * sB > U64MAX) throw new Error('pairs overflow');
          addTerm('(s << 1)', 2n * sB);
        }
        if (k % 2 === 0) addTerm(`x${k / 2} * x${k / 2}`, MASK * MASK);
      } else {
        for (let i = Math.max(0, k - N + 1); i <= Math.min(k, N - 1); i++) addTerm(`x${i} * y${k - i}`, MASK * MASK);
      }
      for (let j = Math.max(0, k - N + 1); j < Math.min(k, N); j++) {
        if (pl[k - j] === 0n) continue;
        addTerm(`q${j} * ${lit(pl[k - j])}`, MASK * pl[k - j]);
      }
      if (k < N) {
        e(`  const q${k}: u64 = (acc * ${lit(mu)}) & ${lit(MASK)};`);
        addTerm(`q${k} * ${lit(pl[0])}`, MASK * pl[0]);
      } else {
        e(`  const r${k - N}: u64 = acc & ${lit(MASK)};`);
        outs.push(`r${k - N}`);
      }
      // carry to next column
      if (hiUsed) {
        e(`  acc = (acc >> ${w}) + hi; hi = 0;`);
        accB = (accB >> W) + hiB;
      } else {
        e(`  acc = acc >> ${w};`);
        accB = accB >> W;
      }
      hiB = 0n;
      hiUsed = false;
    }
    e(`  const r${N - 1}: u64 = acc;`);
    outs.push(`r${N - 1}`);
    emitFinal(outs);
    e(`}`);
    e('');
  }

  function genAddSub() {
    const ld = (ptr, j) => `<i64>load<u32>(${ptr}, ${4 * j})`;
    e(`/** out = a + b mod p. */`);
    e(`export function ${pre}_add(out: usize, a: usize, b: usize): void {`);
    e(`  let c: i64 = 0;`);
    for (let j = 0; j < N; j++) e(`  let s${j}: i64 = ${ld('a', j)} + ${ld('b', j)} + c; c = s${j} >> ${w}; s${j} &= ${lit(MASK)};`);
    emitFinal([...Array(N).keys()].map((j) => `<u64>s${j}`).map((x) => `(${x})`));
    e(`}`);
    e('');
    e(`/** out = a + b WITHOUT reduction (normalised limbs). For operands of multiplications only:`);
    e(` *  with a, b < p the result is < 2p, which ${pre}_mul / ${pre}_sqr / ${pre}_mul_sum2 / ${pre}_mulw accept`);
    e(` *  (products < 4p^2 < pR). Never store the result as a field element. */`);
    e(`export function ${pre}_add_nr(out: usize, a: usize, b: usize): void {`);
    e(`  let c: u32 = 0;`);
    for (let j = 0; j < N; j++) e(`  { const s: u32 = load<u32>(a, ${4 * j}) + load<u32>(b, ${4 * j}) + c; c = s >> ${w}; store<u32>(out, s & ${lit(MASK)}, ${4 * j}); }`);
    e(`}`);
    e('');
    e(`/** out = a - b + p WITHOUT reduction: in (0, 2p) for a, b < p; same use as ${pre}_add_nr. */`);
    e(`export function ${pre}_sub_nr(out: usize, a: usize, b: usize): void {`);
    e(`  let c: i32 = 0;`);
    for (let j = 0; j < N; j++) e(`  { const s: i32 = <i32>load<u32>(a, ${4 * j}) - <i32>load<u32>(b, ${4 * j}) + ${lit(pl[j])} + c; c = s >> ${w}; store<u32>(out, <u32>s & ${lit(MASK)}, ${4 * j}); }`);
    e(`}`);
    e('');
    e(`/** out = 2a mod p. */`);
    e(`export function ${pre}_double(out: usize, a: usize): void {`);
    e(`  let c: i64 = 0;`);
    for (let j = 0; j < N; j++) e(`  let s${j}: i64 = (${ld('a', j)} << 1) + c; c = s${j} >> ${w}; s${j} &= ${lit(MASK)};`);
    emitFinal([...Array(N).keys()].map((j) => `(<u64>s${j})`));
    e(`}`);
    e('');
    e(`/** out = a - b mod p. */`);
    e(`export function ${pre}_sub(out: usize, a: usize, b: usize): void {`);
    e(`  let c: i64 = 0;`);
    for (let j = 0; j < N; j++) e(`  let d${j}: i64 = ${ld('a', j)} - ${ld('b', j)} + c; c = d${j} >> ${w}; d${j} &= ${lit(MASK)};`);
    e(`  // c = -1 if a < b: add p back`);
    e(`  const m: i64 = c; c = 0;`);
    for (let j = 0; j < N; j++) {
      e(`  const s${j}: i64 = d${j} + (${lit(pl[j])} & m) + c; c = s${j} >> ${w}; store<u32>(out, <u32>(s${j} & ${lit(MASK)}), ${4 * j});`);
    }
    e(`}`);
    e('');
    e(`/** out = -a mod p (0 stays 0). */`);
    e(`export function ${pre}_neg(out: usize, a: usize): void {`);
    for (let j = 0; j < N; j++) e(`  const a${j}: i64 = ${ld('a', j)};`);
    e(`  const nz: i64 = -<i64>((${[...Array(N).keys()].map((j) => `a${j}`).join(' | ')}) != 0);`);
    e(`  let c: i64 = 0;`);
    for (let j = 0; j < N; j++) {
      e(`  const d${j}: i64 = ${lit(pl[j])} - a${j} + c; c = d${j} >> ${w}; store<u32>(out, <u32>(d${j} & ${lit(MASK)} & nz), ${4 * j});`);
    }
    e(`}`);
    e('');
  }

  function genMisc() {
    const idx = [...Array(N).keys()];
    e(`/** out = a. */`);
    e(`export function ${pre}_copy(out: usize, a: usize): void {`);
    for (const j of idx) e(`  const a${j} = load<u32>(a, ${4 * j});`);
    for (const j of idx) e(`  store<u32>(out, a${j}, ${4 * j});`);
    e(`}`);
    e('');
    e(`/** out = 0. */`);
    e(`export function ${pre}_set_zero(out: usize): void {`);
    for (const j of idx) e(`  store<u32>(out, 0, ${4 * j});`);
    e(`}`);
    e('');
    e(`/** out = 1 (Montgomery form). */`);
    e(`export function ${pre}_set_one(out: usize): void {`);
    e(`  ${pre}_copy(out, ${PRE}_ONE);`);
    e(`}`);
    e('');
    e(`/** 1 if a == 0 else 0. Constant time. */`);
    e(`export function ${pre}_is_zero(a: usize): bool {`);
    e(`  return (${idx.map((j) => `load<u32>(a, ${4 * j})`).join(' | ')}) == 0;`);
    e(`}`);
    e('');
    e(`/** 1 if a == b else 0. Constant time. */`);
    e(`export function ${pre}_eq(a: usize, b: usize): bool {`);
    e(`  return (${idx.map((j) => `(load<u32>(a, ${4 * j}) ^ load<u32>(b, ${4 * j}))`).join(' | ')}) == 0;`);
    e(`}`);
    e('');
    e(`/** out = flag ? a : out, without branching on flag (flag must be 0 or 1). */`);
    e(`export function ${pre}_cmov(out: usize, a: usize, flag: u32): void {`);
    e(`  const m: u32 = 0 - flag;`);
    for (const j of idx) e(`  store<u32>(out, (load<u32>(out, ${4 * j}) & ~m) | (load<u32>(a, ${4 * j}) & m), ${4 * j});`);
    e(`}`);
    e('');
    e(`/** out = flag ? b : a, without branching on flag (flag must be 0 or 1). */`);
    e(`export function ${pre}_select(out: usize, a: usize, b: usize, flag: u32): void {`);
    e(`  const m: u32 = 0 - flag;`);
    for (const j of idx) e(`  const v${j}: u32 = (load<u32>(a, ${4 * j}) & ~m) | (load<u32>(b, ${4 * j}) & m);`);
    for (const j of idx) e(`  store<u32>(out, v${j}, ${4 * j});`);
    e(`}`);
    e('');
    e(`/** Swaps a and b iff flag (0 or 1), constant time. */`);
    e(`export function ${pre}_cswap(a: usize, b: usize, flag: u32): void {`);
    e(`  const m: u32 = 0 - flag;`);
    for (const j of idx) {
      e(`  { const x = load<u32>(a, ${4 * j}), y = load<u32>(b, ${4 * j}); const d = (x ^ y) & m; store<u32>(a, x ^ d, ${4 * j}); store<u32>(b, y ^ d, ${4 * j}); }`);
    }
    e(`}`);
    e('');
    e(`/** 1 if the normal-form limbs x are < the normal-form limbs y (both < 2^${N * w}). Constant time. */`);
    e(`export function ${pre}_limbs_lt(x: usize, y: usize): bool {`);
    e(`  let c: i64 = 0;`);
    for (const j of idx) e(`  c = (<i64>load<u32>(x, ${4 * j}) - <i64>load<u32>(y, ${4 * j}) + c) >> ${w};`);
    e(`  return c != 0;`);
    e(`}`);
    e('');
  }

  function genGeneric() {
    e(`/** Reads \`len\` big-endian bytes (len*8 <= ${N * w}) into normal-form limbs. */`);
    e(`export function ${pre}_limbs_from_be(out: usize, src: usize, len: i32): void {`);
    e(`  let acc: u64 = 0;`);
    e(`  let nb: i32 = 0;`);
    e(`  let k: i32 = 0;`);
    e(`  for (let i = len - 1; i >= 0; i--) {`);
    e(`    acc |= (<u64>load<u8>(src + <usize>i)) << nb;`);
    e(`    nb += 8;`);
    e(`    if (nb >= ${w}) {`);
    e(`      store<u32>(out + (<usize>k << 2), <u32>(acc & ${PRE}_MASK));`);
    e(`      acc >>= ${w}; nb -= ${w}; k++;`);
    e(`    }`);
    e(`  }`);
    e(`  for (; k < ${N}; k++) { store<u32>(out + (<usize>k << 2), <u32>acc); acc = 0; }`);
    e(`}`);
    e('');
    e(`/** Writes normal-form limbs as ${bytes} big-endian bytes. */`);
    e(`export function ${pre}_limbs_to_be(dst: usize, x: usize): void {`);
    e(`  let acc: u64 = 0;`);
    e(`  let nb: i32 = 0;`);
    e(`  let k: i32 = 0;`);
    e(`  for (let i = ${bytes - 1}; i >= 0; i--) {`);
    e(`    if (nb < 8) {`);
    e(`      if (k < ${N}) acc |= (<u64>load<u32>(x + (<usize>k << 2))) << nb;`);
    e(`      nb += ${w}; k++;`);
    e(`    }`);
    e(`    store<u8>(dst + <usize>i, <u8>acc);`);
    e(`    acc >>= 8; nb -= 8;`);
    e(`  }`);
    e(`}`);
    e('');
    e(`/** Decodes ${bytes} big-endian bytes at src into Montgomery form.`);
    e(` *  Returns 0 on success, 1 if the value is >= p (out is then unspecified). */`);
    e(`export function ${pre}_from_bytes(out: usize, src: usize): i32 {`);
    e(`  const mk = tmp_mark();`);
    e(`  const t = tmp_alloc(${PRE}_SIZE);`);
    e(`  ${pre}_limbs_from_be(t, src, ${bytes});`);
    e(`  const ok = ${pre}_limbs_lt(t, ${PRE}_P);`);
    e(`  ${pre}_mul(out, t, ${PRE}_R2);`);
    e(`  tmp_reset(mk);`);
    e(`  return ok ? 0 : 1;`);
    e(`}`);
    e('');
    e(`/** Encodes a (Montgomery form) as ${bytes} canonical big-endian bytes at dst. */`);
    e(`export function ${pre}_to_bytes(dst: usize, a: usize): void {`);
    e(`  const mk = tmp_mark();`);
    e(`  const t = tmp_alloc(${PRE}_SIZE);`);
    e(`  ${pre}_mul(t, a, ${PRE}_RAW_ONE);`);
    e(`  ${pre}_limbs_to_be(dst, t);`);
    e(`  tmp_reset(mk);`);
    e(`}`);
    e('');
    e(`/** Writes the normal (non-Montgomery) limbs of a to out. */`);
    e(`export function ${pre}_from_mont(out: usize, a: usize): void {`);
    e(`  ${pre}_mul(out, a, ${PRE}_RAW_ONE);`);
    e(`}`);
    e('');
    e(`/** Converts normal-form limbs (< p) to Montgomery form. */`);
    e(`export function ${pre}_to_mont(out: usize, a: usize): void {`);
    e(`  ${pre}_mul(out, a, ${PRE}_R2);`);
    e(`}`);
    e('');
    const nChunks = Math.ceil(64 / wideChunk);
    e(`/** out = (64 big-endian bytes at src) mod p, Montgomery form. For hash_to_field`);
    e(` *  (RFC 9380, L = 64 for Fp and L = 48 or 64 for Fr: pad L = 48 with 16 leading zero bytes)`);
    e(` *  and uniform random elements. Constant time. */`);
    e(`export function ${pre}_from_bytes_wide(out: usize, src: usize): void {`);
    e(`  const mk = tmp_mark();`);
    e(`  const t = tmp_alloc(${PRE}_SIZE);`);
    e(`  const acc = tmp_alloc(${PRE}_SIZE);`);
    e(`  ${pre}_set_zero(acc);`);
    e(`  for (let i = 0; i < ${nChunks}; i++) {`);
    e(`    const end = 64 - i * ${wideChunk};`);
    e(`    const start = end > ${wideChunk} ? end - ${wideChunk} : 0;`);
    e(`    ${pre}_limbs_from_be(t, src + <usize>start, end - start);`);
    e(`    ${pre}_mul(t, t, ${PRE}_WIDE_K + <usize>i * ${PRE}_SIZE);`);
    e(`    ${pre}_add(acc, acc, t);`);
    e(`  }`);
    e(`  ${pre}_copy(out, acc);`);
    e(`  tmp_reset(mk);`);
    e(`}`);
    e('');
    e(`/** out = a^e for a public exponent e given as \`words\` little-endian u32 words at ep.`);
    e(` *  Sliding windows of up to 5 bits over a table of the 16 odd powers a, a^3, ..., a^31:`);
    e(` *  constant time in a (no table index or branch depends on a); time depends on e only. */`);
    e(`export function ${pre}_pow(out: usize, a: usize, ep: usize, words: i32): void {`);
    e(`  const mk = tmp_mark();`);
    e(`  const tab = tmp_alloc(16 * ${PRE}_SIZE);`);
    e(`  const r = tmp_alloc(${PRE}_SIZE);`);
    e(`  const a2 = tmp_alloc(${PRE}_SIZE);`);
    e(`  ${pre}_copy(tab, a);`);
    e(`  ${pre}_sqr(a2, a);`);
    e(`  for (let i: usize = 1; i < 16; i++) ${pre}_mul(tab + i * ${PRE}_SIZE, tab + (i - 1) * ${PRE}_SIZE, a2);`);
    e(`  ${pre}_set_one(r);`);
    e(`  let started = false;`);
    e(`  let i = words * 32 - 1;`);
    e(`  while (i >= 0) {`);
    e(`    if (((load<u32>(ep + (<usize>(i >> 5) << 2)) >> <u32>(i & 31)) & 1) == 0) {`);
    e(`      if (started) ${pre}_sqr(r, r);`);
    e(`      i--;`);
    e(`      continue;`);
    e(`    }`);
    e(`    // window [i - l + 1, i] of l <= 5 bits ending in a 1 bit`);
    e(`    let l = i + 1 < 5 ? i + 1 : 5;`);
    e(`    while (((load<u32>(ep + (<usize>((i - l + 1) >> 5) << 2)) >> <u32>((i - l + 1) & 31)) & 1) == 0) l--;`);
    e(`    let v: u32 = 0;`);
    e(`    for (let k = i; k > i - l; k--) v = (v << 1) | ((load<u32>(ep + (<usize>(k >> 5) << 2)) >> <u32>(k & 31)) & 1);`);
    e(`    if (started) {`);
    e(`      for (let k = 0; k < l; k++) ${pre}_sqr(r, r);`);
    e(`      ${pre}_mul(r, r, tab + <usize>(v >> 1) * ${PRE}_SIZE);`);
    e(`    } else {`);
    e(`      ${pre}_copy(r, tab + <usize>(v >> 1) * ${PRE}_SIZE);`);
    e(`      started = true;`);
    e(`    }`);
    e(`    i -= l;`);
    e(`  }`);
    e(`  ${pre}_copy(out, r);`);
    e(`  tmp_reset(mk);`);
    e(`}`);
    e('');
    // Fp's fp_inv is the constant-time binary GCD in fp.ts; Fermat stays available.
    const invName = pre === 'fp' ? `${pre}_inv_fermat` : `${pre}_inv`;
    e(`/** out = a^-1 = a^(p-2) (Fermat). Constant time. The inverse of 0 is 0. */`);
    e(`export function ${invName}(out: usize, a: usize): void {`);
    e(`  ${pre}_pow(out, a, ${PRE}_EXP_P_MINUS_2, ${PRE}_EXP_P_MINUS_2_WORDS);`);
    e(`}`);
    e('');
    e(`/** out = a * k mod p for a small public k (double-and-add, constant time in a). */`);
    e(`export function ${pre}_mul_small(out: usize, a: usize, k: u32): void {`);
    e(`  const mk = tmp_mark();`);
    e(`  const r = tmp_alloc(${PRE}_SIZE);`);
    e(`  const b = tmp_alloc(${PRE}_SIZE);`);
    e(`  ${pre}_set_zero(r);`);
    e(`  ${pre}_copy(b, a);`);
    e(`  while (k != 0) {`);
    e(`    if (k & 1) ${pre}_add(r, r, b);`);
    e(`    k >>= 1;`);
    e(`    if (k != 0) ${pre}_double(b, b);`);
    e(`  }`);
    e(`  ${pre}_copy(out, r);`);
    e(`  tmp_reset(mk);`);
    e(`}`);
    e('');
  }

  header();
  if (w === 32) genMulCios();
  else if (mulStyle === 'comba') genComba('mul');
  else genMulLazy();
  if (w !== 32 && fp2) {
    genMulLazy(false, true);
    genSqrLazy(true);
  }
  if (w !== 32) genMulLazy(true);
  else {
    e(`/** out = (a*b + c*d)/R mod p (two products, added). */`);
    e(`export function ${pre}_mul_sum2(out: usize, a: usize, b: usize, c: usize, d: usize): void {`);
    e(`  const mk = tmp_mark();`);
    e(`  const t = tmp_alloc(${PRE}_SIZE);`);
    e(`  ${pre}_mul(t, c, d);`);
    e(`  ${pre}_mul(out, a, b);`);
    e(`  ${pre}_add(out, out, t);`);
    e(`  tmp_reset(mk);`);
    e(`}`);
    e('');
  }
  if (w === 32 || sqrStyle === 'mul') {
    e(`/** out = a^2/R mod p (via ${pre}_mul). */`);
    e(`export function ${pre}_sqr(out: usize, a: usize): void {`);
    e(`  ${pre}_mul(out, a, a);`);
    e(`}`);
    e('');
  } else if (sqrStyle === 'lazy') genSqrLazy();
  else genComba('sqr');
  genAddSub();
  genMisc();
  genGeneric();
  if (fp2 && w !== 32) genFp2Fused();
  if (fp2 && w !== 32) genWide();
  return { src: L.join('\n'), N, R };
}

function fp2Limbs(x, w, N, R) {
  return [...limbsOf((x.c0 * R) % P, w, N), ...limbsOf((x.c1 * R) % P, w, N)];
}

function genTower(w, N, R) {
  const { Fp2 } = bls12_381.fields;
  const xi = { c0: 1n, c1: 1n };
  const L = [];
  const e = (s) => L.push(s);
  e(`// GENERATED by wasm/gen/gen-field.mjs (limb width ${w}) - do not edit by hand.`);
  e(`// Frobenius constants of the tower, as Fp2 elements in Montgomery form (layout of fp2.ts).`);
  e(`// xi = u + 1. FP6_FROB_C1[k] = xi^((p^k-1)/3), FP6_FROB_C2[k] = xi^(2(p^k-1)/3),`);
  e(`// FP12_FROB_W[k] = xi^((p^k-1)/6), k = 0..11 (entry k at offset k*FP2_SIZE).`);
  e('');
  const c1 = [];
  const c2 = [];
  const cw = [];
  for (let k = 0; k < 12; k++) {
    const pk1 = P ** BigInt(k) - 1n;
    c1.push(...fp2Limbs(Fp2.pow(xi, pk1 / 3n), w, N, R));
    c2.push(...fp2Limbs(Fp2.pow(xi, (2n * pk1) / 3n), w, N, R));
    cw.push(...fp2Limbs(Fp2.pow(xi, pk1 / 6n), w, N, R));
  }
  e(`export const FP6_FROB_C1: usize = ${u32arr(c1)};`);
  e(`export const FP6_FROB_C2: usize = ${u32arr(c2)};`);
  e(`export const FP12_FROB_W: usize = ${u32arr(cw)};`);
  e('');
  return L.join('\n');
}

const w = Number(process.argv[2] ?? 30);
const outDir = process.argv[3] ?? new URL('..', import.meta.url).pathname;
const sqrStyle = process.env.SQR ?? 'lazy';
const mulStyle = process.env.MUL ?? 'lazy';
const mulBlock = Number(process.env.MULB ?? 1);
const mulwSimd = process.env.MULW === 'simd';
const mulViaWide = process.env.MULVIA === 'wide';
const mulwXLoad = process.env.MULWXLOAD === '1';
const mulYLoad = process.env.MULYLOAD === '1';
const blockSum2 = process.env.MULBSUM2 !== '0';
mkdirSync(outDir, { recursive: true });
const fp = genField({
  pre: 'fp',
  name: 'Fp',
  p: P,
  w,
  bytes: 48,
  wideChunk: 47,
  exps: {
    P_MINUS_2: P - 2n,
    SQRT: (P + 1n) / 4n,
    LEGENDRE: (P - 1n) / 2n
  },
  sqrStyle,
  mulStyle,
  fp2: true
});
const fr = genField({
  pre: 'fr',
  name: 'Fr',
  p: R_ORDER,
  w,
  bytes: 32,
  wideChunk: 31,
  exps: { P_MINUS_2: R_ORDER - 2n },
  sqrStyle,
  mulStyle
});
writeFileSync(`${outDir}/fp_mont.ts`, fp.src);
writeFileSync(`${outDir}/fr_mont.ts`, fr.src);
writeFileSync(`${outDir}/tower_consts.ts`, genTower(w, fp.N, fp.R));
console.log(`generated w=${w}: Fp ${fp.N} limbs, Fr ${fr.N} limbs -> ${outDir}`);
