// Multi-scalar multiplication on G1 (sum k_i P_i), VARIABLE TIME: the scalars
// and points are public in every MedChain use (storage-audit challenges,
// batch-verification randomisers). See docs/wasm-msm.md.
//
// Pippenger's bucket method:
// - GLV: k = k1 + k2 x^2 (msm_split_x2), kP = k1 P + k2 phi'(P) with
//   phi'(x, y) = (beta x, -y) = -phi(P) = x^2 P: 2n points with ~128-bit scalars;
// - signed c-bit digits (2^(c-1) buckets per window), c from a table by n;
// - bucket accumulation with BATCHED AFFINE additions: up to BATCH independent
//   additions share one inversion (Montgomery's trick); an addition whose
//   bucket is already in the pending batch is deferred to a queue and retried
//   after the batch is applied; doubling (P + P) and P + (-P) are handled;
// - bucket reduction by running sums, all windows (and chunks() sub-ranges of
//   each window) in parallel so that these additions are batched affine too;
// - windows combined by Horner's rule (Jacobian doublings + mixed additions).
//
// Memory: everything lives in the heap region of mem.ts (heap_reserve);
// nothing big on the tmp stack. Layout in g1_msm_layout.
//
// This file is the template of msm_g2.ts (same code over Fp2): keep them in
// step.

import { FP_SIZE, fp_mul, fp_sqr, fp_add, fp_sub, fp_add_nr, fp_sub_nr, fp_mul_sub, fp_sqr_sub2, fp_double, fp_copy, fp_set_one, fp_is_zero, fp_eq, fp_inv_vartime, fp_neg } from './fp';
import { G1_SIZE, G1_AFFINE_SIZE, G1_AFFINE_INF, G1_BETA, g1_set_identity, g1_add, g1j_double, g1j_add, g1j_add_affine, g1j_to_proj, g1_mul_vartime } from './g1';
import { heap_reserve, tmp_alloc, tmp_mark, tmp_reset } from './mem';
import { msm_scalar_load, msm_split_x2, msm_recode } from './msm_scalar';

// ---- field / group aliases (the G2 file replaces these) ----
const FS: usize = FP_SIZE;
const AS: usize = G1_AFFINE_SIZE; // x, y, u32 inf flag, u32 busy flag
const AINF: usize = G1_AFFINE_INF;
const ABUSY: usize = G1_AFFINE_INF + 4;
const PS: usize = G1_SIZE;
/** Scalar words per MSM point (GLV halves: 128 bits). */
const SW: i32 = 4;
const SBITS: i32 = 128;
/** Largest split scalar (all split scalars are <= it), as two u64. */
const SMAX_LO: u64 = 0x00000000ffffffff;
const SMAX_HI: u64 = 0xac45a4010001a402;
/** MSM points per input point (P, phi'(P)). */
const SPLIT: i32 = 2;

/** Max additions sharing one inversion. */
const BATCH: i32 = 512;
/** Deferred-queue capacity (<= BATCH / 2, see drain). */
const QCAP: i32 = 256;
/** Running-sum sub-ranges per window in the reduction (0 = automatic:
 *  enough for >= 32 parallel lanes, see chunks()). */
let cfgChunks: i32 = 0;

const FLAG_ADD: u8 = 0;
const FLAG_DBL: u8 = 1;
const FLAG_INF: u8 = 2;

// ---- configuration (benchmarks) ----
let cfgWindow: i32 = 0; // 0 = table
let cfgSmall: i32 = -1; // -1 = default threshold
let cfgStop: i32 = 0; // 0 = full; else stop after phase (profile)

/** Window size c for m MSM points (measured, docs/wasm-msm.md). */
function window_for(m: i32): i32 {
  if (cfgWindow > 0) return cfgWindow;
  if (m <= 48) return 4;
  if (m <= 96) return 5;
  if (m <= 192) return 6;
  if (m <= 400) return 7;
  if (m <= 1536) return 8;
  if (m <= 12288) return 10;
  if (m <= 32768) return 11;
  return 12;
}
/** Below this many input points: sum of single vartime multiplications. */
const SMALL_DEFAULT: i32 = 3;

export function msm_g1_config(window: i32, small: i32, stop: i32, chunks: i32): void {
  cfgWindow = window;
  cfgSmall = small;
  cfgStop = stop;
  cfgChunks = chunks > 0 ? (chunks > 16 ? 16 : chunks) : 0;
}

// ---- workspace (offsets set by layout) ----
let gN: i32 = 0;
let gBase: usize = 0;
let gInPts: usize = 0;
let gInSc: usize = 0;
let gPts: usize = 0; // SPLIT*n affine points
let gScl: usize = 0; // SPLIT*n scalars, SW words each
let gZp: usize = 0; // n Fp prefix products (batch normalisation)
let gBkt: usize = 0; // W*NB buckets (affine), NB = per-window stride
let gSum: usize = 0; // W*16 lane sums (affine)
let gTot: usize = 0; // W*16 lane totals (affine)
let gBA: usize = 0; // BATCH u32: accumulator pointer
let gBP: usize = 0; // BATCH u32: operand pointer | neg bit
let gBF: usize = 0; // BATCH u8 flags
let gQ: usize = 0; // QCAP x 2 u32
let gQ2: usize = 0; // QCAP x 2 u32
let gBD: usize = 0; // BATCH Fp denominators
let gPF: usize = 0; // (BATCH+1) Fp prefix products
let gDig: usize = 0; // W i32 digits
let gC: i32 = 0;
let gW: i32 = 0;
let gNB: i32 = 0;
let gCnt: i32 = 0;
let gQlen: i32 = 0;

@inline function al(x: usize): usize {
  return (x + 63) & ~(<usize>63);
}

/** Computes the layout for n input points; returns the total size. */
function layout(n: i32, base: usize): usize {
  const m = n * SPLIT;
  const c = window_for(m);
  // W windows cover SBITS bits; the top digit is left unsigned (no carry out
  // of it), in [0, top]; per-window bucket stride NB = a power of two >= both
  // 2^(c-1) and top (buckets beyond a window's digits stay empty)
  const W = (SBITS + c - 1) / c;
  const sh = (W - 1) * c;
  const topv: u64 = sh >= 64 ? SMAX_HI >> <u64>(sh - 64) : (SMAX_LO >> <u64>sh) | (sh == 0 ? 0 : SMAX_HI << <u64>(64 - sh));
  const top = <i32>topv + 1;
  let NB = 1 << (c - 1);
  while (NB < top) NB <<= 1;
  gN = n;
  gC = c;
  gW = W;
  gNB = NB;
  let p = base;
  gInPts = p;
  p += <usize>n * PS;
  gInSc = p; // exactly ptr + n * PS
  p = al(p + <usize>n * 32);
  gPts = p;
  p = al(p + <usize>m * AS);
  gScl = p;
  p = al(p + <usize>m * (<usize>SW << 2));
  gZp = p;
  p = al(p + <usize>n * FS);
  gBkt = p;
  p = al(p + <usize>W * <usize>NB * AS);
  gSum = p;
  p = al(p + <usize>(W * 16) * AS);
  gTot = p;
  p = al(p + <usize>(W * 16) * AS);
  gBA = p;
  p = al(p + <usize>BATCH * 4);
  gBP = p;
  p = al(p + <usize>BATCH * 4);
  gBF = p;
  p = al(p + <usize>BATCH);
  gQ = p;
  p = al(p + <usize>QCAP * 8);
  gQ2 = p;
  p = al(p + <usize>QCAP * 8);
  gBD = p;
  p = al(p + <usize>BATCH * FS);
  gPF = p;
  p = al(p + <usize>(BATCH + 1) * FS);
  gDig = p;
  p = al(p + <usize>W * 4 + 4);
  return p - base;
}

/** Reserves the region for n points and returns its address: TypeScript
 *  writes n projective points (PS bytes each) there, then n scalars (32 bytes
 *  big-endian each) at ptr + n * PS. Valid until the next heap_reserve. */
export function g1_msm_reserve(n: i32): usize {
  const size = layout(n, 0);
  const base = heap_reserve(size);
  gBase = base;
  layout(n, base);
  return base;
}

// ---------------------------------------------------------------------------
// Batched affine addition

/** Applies the pending batch: for every k, *A_k += (+-) *P_k (affine, both
 *  finite), with one inversion. Results with the point at infinity set A's
 *  flag. Clears A's busy flag. */
function flush(cnt: i32): void {
  if (cnt == 0) return;
  const mk = tmp_mark();
  const inv = tmp_alloc(FS);
  const t = tmp_alloc(FS);
  const lam = tmp_alloc(FS);
  const u = tmp_alloc(FS);
  fp_set_one(gPF);
  for (let k = 0; k < cnt; k++) {
    const A = <usize>load<u32>(gBA + (<usize>k << 2));
    const pr = <usize>load<u32>(gBP + (<usize>k << 2));
    const P = pr & ~(<usize>1);
    const d = gBD + <usize>k * FS;
    fp_sub(d, P, A);
    let flag = FLAG_ADD;
    if (fp_is_zero(d)) {
      // same x: P' = A (doubling) or P' = -A (infinity)
      if (pr & 1) fp_neg(u, P + FS);
      else fp_copy(u, P + FS);
      if (fp_eq(u, A + FS) && !fp_is_zero(u)) {
        flag = FLAG_DBL;
        fp_double(d, A + FS);
      } else {
        flag = FLAG_INF;
        fp_set_one(d);
      }
    }
    store<u8>(gBF + <usize>k, flag);
    fp_mul(gPF + <usize>(k + 1) * FS, gPF + <usize>k * FS, d);
  }
  fp_inv_vartime(inv, gPF + <usize>cnt * FS);
  for (let k = cnt - 1; k >= 0; k--) {
    const A = <usize>load<u32>(gBA + (<usize>k << 2));
    const pr = <usize>load<u32>(gBP + (<usize>k << 2));
    const P = pr & ~(<usize>1);
    const d = gBD + <usize>k * FS;
    // t = 1/d_k, inv = 1/(d_0 ... d_{k-1})
    if (k > 0) {
      fp_mul(t, inv, gPF + <usize>k * FS);
      fp_mul(inv, inv, d);
    } else fp_copy(t, inv);
    store<u32>(A + ABUSY, 0);
    const flag = load<u8>(gBF + <usize>k);
    if (flag == FLAG_INF) {
      store<u32>(A + AINF, 1);
      continue;
    }
    let neg = (pr & 1) != 0;
    if (flag == FLAG_DBL) {
      fp_sqr(lam, A);
      fp_double(u, lam);
      fp_add(lam, lam, u);
      neg = false;
    } else if (neg) {
      // lam' = -lam = (yP + yA) / (xP - xA); the sum is left unreduced (< 2p, fp_mul accepts it)
      fp_add_nr(lam, P + FS, A + FS);
    } else {
      fp_sub_nr(lam, P + FS, A + FS); // yP - yA + p in (0, 2p)
    }
    fp_mul(lam, lam, t);
    // x3 = lam^2 - xA - xP (one fused kernel)
    fp_sqr_sub2(t, lam, A, P);
    // y3 = lam (xA - x3) - yA   (neg: lam' (x3 - xA) - yA); the difference is unreduced
    // (< 2p), fp_mul_sub accepts a second factor < 4p
    if (neg) fp_sub_nr(u, t, A);
    else fp_sub_nr(u, A, t);
    fp_mul_sub(A + FS, lam, u, A + FS);
    fp_copy(A, t);
  }
  tmp_reset(mk);
}

@inline function copy_point(A: usize, pr: usize): void {
  const P = pr & ~(<usize>1);
  fp_copy(A, P);
  if (pr & 1) fp_neg(A + FS, P + FS);
  else fp_copy(A + FS, P + FS);
  store<u32>(A + AINF, 0);
}

/** Re-schedules the deferred entries after a flush (nothing is busy then). */
function drain(): void {
  const n = gQlen;
  if (n == 0) return;
  memory.copy(gQ2, gQ, <usize>n * 8);
  gQlen = 0;
  for (let i = 0; i < n; i++) {
    const A = <usize>load<u32>(gQ2 + (<usize>i << 3));
    const pr = <usize>load<u32>(gQ2 + (<usize>i << 3), 4);
    if (load<u32>(A + AINF) != 0) {
      copy_point(A, pr);
    } else if (load<u32>(A + ABUSY) == 0) {
      store<u32>(gBA + (<usize>gCnt << 2), <u32>A);
      store<u32>(gBP + (<usize>gCnt << 2), <u32>pr);
      store<u32>(A + ABUSY, 1);
      gCnt++; // <= QCAP <= BATCH / 2: no flush needed here
    } else {
      store<u32>(gQ + (<usize>gQlen << 3), <u32>A);
      store<u32>(gQ + (<usize>gQlen << 3), <u32>pr, 4);
      gQlen++;
    }
  }
}

function flush_and_drain(): void {
  flush(gCnt);
  gCnt = 0;
  drain();
}

/** Bucket A += (+-) point (pr = pointer | neg). */
function schedule(A: usize, pr: usize): void {
  while (true) {
    if (load<u32>(A + AINF) != 0) {
      copy_point(A, pr);
      return;
    }
    if (load<u32>(A + ABUSY) == 0) {
      store<u32>(gBA + (<usize>gCnt << 2), <u32>A);
      store<u32>(gBP + (<usize>gCnt << 2), <u32>pr);
      store<u32>(A + ABUSY, 1);
      gCnt++;
      if (gCnt >= BATCH) flush_and_drain();
      return;
    }
    if (gQlen < QCAP) {
      store<u32>(gQ + (<usize>gQlen << 3), <u32>A);
      store<u32>(gQ + (<usize>gQlen << 3), <u32>pr, 4);
      gQlen++;
      return;
    }
    flush_and_drain();
  }
}

/** Queues lane += operand (both finite affine) for the reduction. */
@inline function lane_add(A: usize, P: usize): void {
  store<u32>(gBA + (<usize>gCnt << 2), <u32>A);
  store<u32>(gBP + (<usize>gCnt << 2), <u32>P);
  gCnt++;
}

// ---------------------------------------------------------------------------
// Phases

/** Inputs -> affine MSM points and split scalars; returns the number m of
 *  MSM points (identities and zero scalars dropped). */
function prepare(n: i32): i32 {
  const mk = tmp_mark();
  const k8 = tmp_alloc(32);
  const one = tmp_alloc(FS);
  const inv = tmp_alloc(FS);
  const t = tmp_alloc(FS);
  fp_set_one(one);
  // pass 1: scalars, selection, prefix products of Z (stored at gZp)
  let cnt = 0;
  let prev = one;
  for (let i = 0; i < n; i++) {
    const P = gInPts + <usize>i * PS;
    if (fp_is_zero(P + 2 * FS)) continue;
    if (!msm_scalar_load(k8, gInSc + <usize>i * 32)) continue;
    const s = gScl + <usize>(cnt * SPLIT) * (<usize>SW << 2);
    msm_split_x2(s, s + (<usize>SW << 2), k8);
    // remember the source index in the affine slot's busy word for pass 2
    const o = gPts + <usize>(cnt * SPLIT) * AS;
    store<u32>(o + ABUSY, <u32>i);
    const z = gZp + <usize>cnt * FS;
    fp_mul(z, prev, P + 2 * FS);
    prev = z;
    cnt++;
  }
  if (cnt > 0) {
    fp_inv_vartime(inv, gZp + <usize>(cnt - 1) * FS);
    for (let j = cnt - 1; j >= 0; j--) {
      const o = gPts + <usize>(j * SPLIT) * AS;
      const P = gInPts + <usize>load<u32>(o + ABUSY) * PS;
      // t = 1/Z_j
      if (j > 0) {
        fp_mul(t, inv, gZp + <usize>(j - 1) * FS);
        fp_mul(inv, inv, P + 2 * FS);
      } else fp_copy(t, inv);
      fp_mul(o, P, t);
      fp_mul(o + FS, P + FS, t);
      store<u32>(o + AINF, 0);
      store<u32>(o + ABUSY, 0);
      // phi'(P) = (beta x, -y)
      const o2 = o + AS;
      fp_mul(o2, o, G1_BETA);
      fp_neg(o2 + FS, o + FS);
      store<u32>(o2 + AINF, 0);
      store<u32>(o2 + ABUSY, 0);
    }
  }
  tmp_reset(mk);
  return cnt * SPLIT;
}

/** Bucket accumulation over m MSM points (recode=false: recoding only, for the profile). */
function accumulate(m: i32, doAdd: bool): void {
  const W = gW, NB = gNB, c = gC;
  const nb = <usize>W * <usize>NB;
  for (let b: usize = 0; b < nb; b++) {
    const B = gBkt + b * AS;
    store<u32>(B + AINF, 1);
    store<u32>(B + ABUSY, 0);
  }
  gCnt = 0;
  gQlen = 0;
  for (let i = 0; i < m; i++) {
    const P = gPts + <usize>i * AS;
    msm_recode(gDig, gScl + <usize>i * (<usize>SW << 2), SW, c, W); // top digit unsigned
    if (!doAdd) continue;
    for (let w = 0; w < W; w++) {
      const d = load<i32>(gDig + (<usize>w << 2));
      if (d == 0) continue;
      const a = d < 0 ? -d : d;
      schedule(gBkt + (<usize>(w * NB + a - 1)) * AS, P | (d < 0 ? 1 : 0));
    }
  }
  while (gCnt > 0 || gQlen > 0) flush_and_drain();
}

/** Lanes per window of the reduction: a power of two <= min(16, NB). */
function chunks(): i32 {
  let ch = cfgChunks;
  if (ch <= 0) {
    ch = 1;
    while (ch * gW < 32 && ch < 16) ch <<= 1;
  }
  while (ch > gNB) ch >>= 1;
  return ch;
}

/** Running-sum reduction of every window: writes window sums into gTot[w*CH]
 *  (finite or with the inf flag). Lanes = (window, chunk) run in parallel. */
function reduce(): void {
  const W = gW, NB = gNB;
  const CH = chunks();
  const L = NB / CH; // buckets per chunk (NB, CH powers of two)
  const lanes = W * CH;
  for (let l = 0; l < lanes; l++) {
    store<u32>(gSum + <usize>l * AS + AINF, 1);
    store<u32>(gTot + <usize>l * AS + AINF, 1);
  }
  // chunk ch of window w covers buckets [ch*L, (ch+1)*L); lane l = w*CH + ch
  // S = sum_j (j - ch*L + 1) B_j, T (in gSum at the end) = sum_j B_j
  for (let j = L - 1; j >= 0; j--) {
    gCnt = 0;
    for (let l = 0; l < lanes; l++) {
      const w = l / CH, ch = l - w * CH;
      const B = gBkt + (<usize>(w * NB + ch * L + j)) * AS;
      if (load<u32>(B + AINF) != 0) continue;
      const S = gSum + <usize>l * AS;
      if (load<u32>(S + AINF) != 0) copy_point(S, B);
      else lane_add(S, B);
    }
    flush(gCnt);
    gCnt = 0;
    for (let l = 0; l < lanes; l++) {
      const S = gSum + <usize>l * AS;
      if (load<u32>(S + AINF) != 0) continue;
      const T = gTot + <usize>l * AS;
      if (load<u32>(T + AINF) != 0) copy_point(T, S);
      else lane_add(T, S);
    }
    flush(gCnt);
    gCnt = 0;
  }
}

/** Window w's sum_j (j+1) B_j = sum_ch (S_ch + ch*L*T_ch), Jacobian at out. */
function combine_window(out: usize, w: i32, acc: usize, tmp: usize): void {
  const CH = chunks();
  const L = gNB / CH;
  // U = sum_{ch >= k} T_ch running, V = sum_ch ch T_ch (Jacobian)
  g1_set_identity(acc);
  fp_set_one(acc + FS);
  // acc (=U), out (=V), both identity (Z = 0)
  memory.copy(out, acc, PS);
  for (let ch = CH - 1; ch >= 1; ch--) {
    g1j_add_affine(acc, acc, gSum + <usize>(w * CH + ch) * AS);
    g1j_add(out, out, acc);
  }
  // out = L * V
  for (let s = L; s > 1; s >>= 1) g1j_double(out, out);
  for (let ch = 0; ch < CH; ch++) g1j_add_affine(out, out, gTot + <usize>(w * CH + ch) * AS);
}

/** out (projective) = sum of the n (point, scalar) pairs in the reserved region. */
export function g1_msm(out: usize, n: i32): void {
  // the inputs' place depends on n only: (re)compute the layout and make sure
  // the region is large enough (heap_reserve returns the same base)
  g1_msm_reserve(n);
  const small = cfgSmall >= 0 ? cfgSmall : SMALL_DEFAULT;
  if (n < small) {
    msm_small(out, n);
    return;
  }
  const m = prepare(n);
  if (cfgStop == 1 || m == 0) {
    g1_set_identity(out);
    return;
  }
  accumulate(m, cfgStop != 2);
  if (cfgStop == 2 || cfgStop == 3) {
    g1_set_identity(out);
    return;
  }
  reduce();
  if (cfgStop == 4) {
    g1_set_identity(out);
    return;
  }
  const mk = tmp_mark();
  const R = tmp_alloc(PS);
  const Wt = tmp_alloc(PS);
  const acc = tmp_alloc(PS);
  g1_set_identity(R);
  fp_set_one(R + FS);
  for (let w = gW - 1; w >= 0; w--) {
    for (let s = 0; s < gC; s++) g1j_double(R, R);
    combine_window(Wt, w, acc, 0);
    g1j_add(R, R, Wt);
  }
  g1j_to_proj(out, R);
  tmp_reset(mk);
}

/** Small n: sum of single vartime multiplications (GLV + wNAF each). */
function msm_small(out: usize, n: i32): void {
  const mk = tmp_mark();
  const k = tmp_alloc(32);
  const T = tmp_alloc(PS);
  g1_set_identity(out);
  for (let i = 0; i < n; i++) {
    // sc_from_be layout: g1_mul_vartime reduces mod r itself
    const src = gInSc + <usize>i * 32;
    for (let j = 0; j < 8; j++) store<u32>(k + (<usize>j << 2), bswap<u32>(load<u32>(src + <usize>(28 - 4 * j))));
    g1_mul_vartime(T, gInPts + <usize>i * PS, k);
    g1_add(out, out, T);
  }
  tmp_reset(mk);
}
