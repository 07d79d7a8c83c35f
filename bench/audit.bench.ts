/**
 * `node --import tsx bench/audit.bench.ts` (BENCH_QUICK=1 for a smoke run):
 * the audit schemes, ours (`medchain`) against the straightforward
 * @noble/curves reference of tests/unit/audit/reference.ts (`noble`),
 * interleaved per op.
 *
 * Tagging ops are measured on a slice of the file (the whole 1 MiB for the
 * pool, less for one thread, a few blocks for noble) and every row is scaled
 * to 1 MiB: `median_us` is per MiB, `mb_per_s` is MiB/s, `bytes_measured`
 * says how much was really tagged per sample.
 * `verify_sw_c460` hashes every block name (the reference cannot cache);
 * `verify_sw_c460_warm` and the batch rows use a warm AuditCache (a TPA
 * keeps the hashed block names of the files it audits).
 * batch_verify rows are per proof. Scenario `same file`: K audits (K seeds)
 * of one 1 MiB file; `_distinct`: K different 1 MiB files of one hospital.
 *
 * Focused runs: AUDIT_BENCH_ONLY=tag (comma-separated prefixes of the op
 * names: tag, prove, verify, batch) skips the other ops; AUDIT_BENCH_S=16,64,256
 * limits the tagging rows to those s. A focused run does not write
 * bench/results/audit.json.
 */
import { cpus } from 'node:os';
import { ready, g1, g2, fr, type G1 } from '../src/lib/crypto';
import {
  AuditCache,
  batchVerify,
  createAuditPool,
  DEFAULT_S,
  deriveChallenge,
  encodeSwProof,
  encodeYangProof,
  prepareFile,
  prove,
  swKeyGen,
  tagBases,
  tagFileParallel,
  tagRange,
  verify,
  yangPatientKey,
  yangProve,
  yangTag,
  type BatchItem,
  type SwFileInfo
} from '../src/lib/audit';
import { refBlocks, refProve, refPublicKey, refSectorBases, refTag, refVerify, refYangTags } from '../tests/unit/audit/reference';
import { benchOp, printTable, QUICK, writeResults, type Row } from './harness';

await ready();
const ONLY = (process.env.AUDIT_BENCH_ONLY ?? '').split(',').map((x) => x.trim()).filter(Boolean);
const want = (op: string) => ONLY.length === 0 || ONLY.some((p) => op.startsWith(p));
const bench = (op: string, ...rest: Parameters<typeof benchOp> extends [string, ...infer R] ? R : never): Promise<Row[]> => (want(op) ? benchOp(op, ...rest) : Promise.resolve([]));
const TAG_S = (process.env.AUDIT_BENCH_S ?? '1,16,64,256').split(',').map(Number).filter((s) => Number.isInteger(s) && s > 0);
const MiB = 1 << 20;
const rows: Row[] = [];
const rand = (n: number) => {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(out.subarray(o, Math.min(n, o + 65536)));
  return out;
};
const threads = Math.max(1, Math.min(cpus().length, 8));
const pool = await createAuditPool(threads);
const heavy = { runs: QUICK ? 2 : 7, warmup: 1, minSampleMs: 0 };
const key = swKeyGen();
const vBytes = refPublicKey(key.x);
let sink = 0;

function scaleRows(rs: Row[], measured: Record<string, number>, extra: Record<string, Record<string, number | string>>): Row[] {
  return rs.map((r) => {
    const f = MiB / measured[r.impl];
    const med = r.median_us * f;
    return {
      ...r,
      median_us: Math.round(med),
      min_us: Math.round(r.min_us * f),
      max_us: Math.round(r.max_us * f),
      mb_per_s: Math.round((1e6 / med) * 1000) / 1000,
      bytes_measured: measured[r.impl],
      ...extra[r.impl]
    };
  });
}

function push(rs: Row[]) {
  if (rs.length === 0) return;
  rows.push(...rs);
  printTable(rs);
}

// Tagging --------------------------------------------------------------------

const data1M = rand(MiB);
for (const s of want('tag_sw') ? TAG_S : []) {
  const file = prepareFile(MiB, s);
  const blockBytes = 31 * s;
  // Blocks per sample: ~32 KiB for one thread (16 KiB at s = 1), the whole MiB in the pool, 1-8 blocks for noble.
  const oneBlocks = QUICK ? Math.max(1, Math.ceil(2048 / blockBytes)) : Math.max(1, Math.ceil((s === 1 ? 16384 : 32768) / blockBytes));
  const poolBlocks = QUICK ? Math.ceil(65536 / blockBytes) : file.n;
  const nobleBlocks = s === 1 ? 8 : 1;
  const blocks = refBlocks(data1M.subarray(0, nobleBlocks * blockBytes), s);
  const poolFile = { ...file, n: poolBlocks, length: Math.min(MiB, poolBlocks * blockBytes) };
  // Per-file setup (u_j^x; noble's u_j) is done once per file, outside the timed slices;
  // the pool rows include it (they tag whole files).
  const bases = tagBases(file.name, s, key.x);
  const nobleU = refSectorBases(file.name, s);
  const rs = await bench(
    `tag_sw_s${s}_1MiB`,
    {
      medchain: () => tagRange(file, data1M, key.x, 0, oneBlocks, bases),
      'medchain-pool': () => tagFileParallel(pool, poolFile, data1M.subarray(0, poolFile.length), key.x),
      noble: () => refTag(file.name, blocks, key.x, 0, nobleBlocks, nobleU)
    },
    heavy
  );
  push(
    scaleRows(
      rs,
      { medchain: oneBlocks * blockBytes, 'medchain-pool': poolFile.length, noble: nobleBlocks * blockBytes },
      { medchain: { threads: 1 }, 'medchain-pool': { threads }, noble: { threads: 1 } }
    )
  );
}

if (want('tag_yang2019')) {
  const patient = yangPatientKey();
  const medBytes = QUICK ? 31 * 16 : 31 * 256;
  const nobleBytes = 31 * 4;
  const r = fr.random();
  const rs = await bench(
    'tag_yang2019_1MiB',
    {
      medchain: () => yangTag('hospital', patient.A, patient.pk, data1M.subarray(0, medBytes), r),
      noble: () => refYangTags('hospital', patient.a, r, data1M.subarray(0, nobleBytes))
    },
    heavy
  );
  push(scaleRows(rs, { medchain: medBytes, noble: nobleBytes }, { medchain: { threads: 1 }, noble: { threads: 1 } }));
}

if (want('prove') || want('verify') || want('batch')) {
// Prove / verify at the default s ---------------------------------------------

async function tagged(s: number, len = MiB): Promise<{ file: SwFileInfo; data: Uint8Array; tags: G1[] }> {
  const data = len === MiB ? data1M : rand(len);
  const file = prepareFile(len, s);
  return { file, data, tags: await tagFileParallel(pool, file, data, key.x) };
}

const S = DEFAULT_S;
const main = await tagged(S);
const proverCache = new AuditCache();
const tpaCache = new AuditCache();
const refTags = main.tags.map((t) => g1.toBytes(t));
const mainBlocks = refBlocks(main.data, S);
const mainNobleU = refSectorBases(main.file.name, S);

for (const c of [300, 460]) {
  const chal = { seed: rand(32), c };
  const proof = prove(main.file, key.v, main.data, main.tags, chal, { cache: proverCache });
  const bytes = encodeSwProof(proof).length;
  const rs = await bench(
    `prove_sw_c${c}`,
    {
      medchain: () => prove(main.file, key.v, main.data, main.tags, chal, { cache: proverCache }),
      noble: () => refProve(main.file.name, vBytes, mainBlocks, refTags, chal.seed, c, Array.from({ length: S }, () => fr.random()), mainNobleU)
    },
    { ...heavy, runs: QUICK ? 2 : 5, extra: { bytes, s: S } }
  );
  push(rs);
}

{
  const chal = { seed: rand(32), c: 460 };
  const proof = prove(main.file, key.v, main.data, main.tags, chal, { cache: proverCache });
  const ref = { sigma: g1.toBytes(proof.sigma), mu: proof.mu, R: proof.R };
  if (!verify(main.file, key.v, chal, proof, { cache: tpaCache }).ok || !refVerify(main.file.name, S, main.file.n, vBytes, chal.seed, 460, ref)) throw new Error('bench: honest proof rejected');
  // Both sides hash every H(name‖i) and u_j (the reference has no cache).
  push(
    await bench(
      'verify_sw_c460',
      {
        medchain: () => (sink ^= +verify(main.file, key.v, chal, proof).ok),
        noble: () => (sink ^= +refVerify(main.file.name, S, main.file.n, vBytes, chal.seed, 460, ref))
      },
      { ...heavy, runs: QUICK ? 2 : 4, extra: { s: S, cache: 'cold' } }
    )
  );
  push(await bench('verify_sw_c460_warm', { medchain: () => (sink ^= +verify(main.file, key.v, chal, proof, { cache: tpaCache }).ok) }, { ...heavy, runs: QUICK ? 2 : 7, extra: { s: S, cache: 'warm' } }));
}

// The choice of s: proving and verifying at c = 460 for other s (ours only).
for (const s of QUICK ? [16] : [16, 256]) {
  const t = await tagged(s);
  const cache = new AuditCache();
  const chal = { seed: rand(32), c: 460 };
  const proof = prove(t.file, key.v, t.data, t.tags, chal, { cache });
  verify(t.file, key.v, chal, proof, { cache });
  push(await bench(`prove_sw_c460_s${s}`, { medchain: () => prove(t.file, key.v, t.data, t.tags, chal, { cache }) }, { ...heavy, runs: QUICK ? 2 : 5, extra: { bytes: encodeSwProof(proof).length, s } }));
  push(await bench(`verify_sw_c460_s${s}`, { medchain: () => (sink ^= +verify(t.file, key.v, chal, proof, { cache }).ok) }, { ...heavy, runs: QUICK ? 2 : 5, extra: { s } }));
}

{
  const patient = yangPatientKey();
  const d = data1M.subarray(0, 31 * 600);
  const { pub, tags } = yangTag('hospital', patient.A, patient.pk, d);
  const chal = { seed: rand(32), c: 460 };
  const p = yangProve(pub, d, tags, chal);
  push(await bench('prove_yang2019_c460', { medchain: () => yangProve(pub, d, tags, chal) }, { ...heavy, extra: { bytes: encodeYangProof(p).length } }));
}

// Batch verification ------------------------------------------------------------

function perProof(rs: Row[], k: number, extra: Record<string, number | string>): Row[] {
  return rs.map((r) => ({ ...r, median_us: Math.round(r.median_us / k), min_us: Math.round(r.min_us / k), max_us: Math.round(r.max_us / k), k, ...extra }));
}

for (const k of QUICK ? [1, 10] : [1, 10, 100]) {
  const items: BatchItem[] = Array.from({ length: k }, () => {
    const challenge = { seed: rand(32), c: 460 };
    return { file: main.file, v: key.v, challenge, proof: prove(main.file, key.v, main.data, main.tags, challenge, { cache: proverCache }) };
  });
  if (!batchVerify(items, { cache: tpaCache }).ok) throw new Error('bench: honest batch rejected');
  const rs = await bench(
    `batch_verify_sw_k${k}`,
    {
      medchain: () => (sink ^= +batchVerify(items, { cache: tpaCache }).ok),
      'medchain-single': () => {
        for (const it of items) sink ^= +verify(it.file, it.v, it.challenge, it.proof, { cache: tpaCache }).ok;
      }
    },
    { ...heavy, runs: QUICK ? 2 : 5 }
  );
  push(perProof(rs, k, { scenario: 'same file' }));
}

// K distinct 1 MiB files of zeros: the tags of challenged blocks are H(name‖i)^x
// (Π u_j^0 = 1), valid tags computed without the sector MSM; proofs are as
// costly to verify as for any data (μ' is masked).
for (const k of QUICK ? [10] : [10, 100]) {
  const zeros = new Uint8Array(MiB);
  const cache = new AuditCache();
  const items: BatchItem[] = [];
  for (let f = 0; f < k; f++) {
    const file = prepareFile(MiB, S);
    const challenge = { seed: rand(32), c: 460 };
    const tags = new Array<G1>(file.n).fill(g1.identity());
    for (const i of deriveChallenge(challenge.seed, file.n, 460).indices) tags[i] = g1.mul(cache.blockName(file.name, i), key.x);
    items.push({ file, v: key.v, challenge, proof: prove(file, key.v, zeros, tags, challenge, { cache }) });
  }
  if (!batchVerify(items, { cache }).ok) throw new Error('bench: honest distinct batch rejected');
  const rs = await bench(
    `batch_verify_sw_k${k}_distinct`,
    {
      medchain: () => (sink ^= +batchVerify(items, { cache }).ok),
      'medchain-single': () => {
        for (const it of items) sink ^= +verify(it.file, it.v, it.challenge, it.proof, { cache }).ok;
      }
    },
    { ...heavy, runs: QUICK ? 2 : 3 }
  );
  push(perProof(rs, k, { scenario: 'distinct files' }));
}

}

pool.close();
if (sink === 0.5) console.log(sink);
console.log(`\nthreads in the pool: ${threads}; g2 key ${g2.toBytes(key.v).length} bytes`);
printTable(rows);
// A focused run prints its rows but leaves bench/results/audit.json (the full run's) alone.
if (ONLY.length === 0 && !process.env.AUDIT_BENCH_S) writeResults('audit', rows);
else console.log('focused run (AUDIT_BENCH_ONLY / AUDIT_BENCH_S): bench/results/audit.json not written');
