/**
 * `npm run bench:crypto`: the BLS12-381 core against @noble/curves (`noble`)
 * and mcl-wasm (`mcl`), each op interleaved in one Node process. Inputs are
 * the same points and scalars for every impl (converted through bytes).
 * Also records the shipped .wasm size (raw and gzip) as `wasm_size`.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { pippenger } from '@noble/curves/abstract/curve.js';
import mclModule from 'mcl-wasm';
import { ready, g1, g2, pairing, pairingCheck, millerLoop, finalExponentiate, bls, fr } from '../src/lib/crypto';
import { benchOp, printTable, QUICK, writeResults, type Impl, type Row } from './harness';

const mcl = mclModule as unknown as typeof import('mcl-wasm');
await ready();
await mcl.init(mcl.BLS12_381);
mcl.setETHserialization(true); // ZCash/IETF point encodings, like ours and noble's
mcl.setMapToMode(mcl.IRTF); // RFC 9380 hash-to-curve
mcl.verifyOrderG1(true); // decoding checks the subgroup, like ours
mcl.verifyOrderG2(true);

const N = bls12_381;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const rows: Row[] = [];
let sink = 0;
const keep = (x: unknown) => {
  sink ^= x ? 1 : 0;
};
const heavy = { runs: QUICK ? 3 : 15, warmup: QUICK ? 1 : 2 };

async function op(name: string, impls: Record<string, Impl>, opts = {}) {
  const r = await benchOp(name, impls, opts);
  rows.push(...r);
  printTable(r);
}

// Shared inputs.
const k = fr.random();
const k2 = fr.random();
const P = g1.mul(g1.generator(), k);
const Q = g2.mul(g2.generator(), k2);
const Pbytes = g1.toBytes(P);
const Qbytes = g2.toBytes(Q);
const nP = N.G1.Point.fromBytes(Pbytes);
const nQ = N.G2.Point.fromBytes(Qbytes);
const mP = new mcl.G1();
mP.deserialize(Pbytes);
const mQ = new mcl.G2();
mQ.deserialize(Qbytes);
const mk = new mcl.Fr();
mk.setBigEndianMod(fr.toBytes(k));
const msg = new TextEncoder().encode('MedChain benchmark message');

// medchain's mul is constant time in k (secret keys); mcl's and noble's are
// not, so the variable-time path is measured too, as medchain-vartime.
await op('g1_mul', {
  medchain: () => g1.mul(P, k),
  'medchain-vartime': () => g1.mulPublic(P, k),
  noble: () => nP.multiply(k),
  mcl: () => mcl.mul(mP, mk)
});
await op('g2_mul', {
  medchain: () => g2.mul(Q, k),
  'medchain-vartime': () => g2.mulPublic(Q, k),
  noble: () => nQ.multiply(k),
  mcl: () => mcl.mul(mQ, mk)
});
await op('hash_to_g1', {
  medchain: () => g1.hashToCurve(msg, 'MEDCHAIN-V1-H2'),
  noble: () => N.G1.hashToCurve(msg, { DST: 'MEDCHAIN-V1-H2' }),
  mcl: () => mcl.hashAndMapToG1(msg)
});
await op('hash_to_g2', {
  medchain: () => g2.hashToCurve(msg, 'MEDCHAIN-V1-H2'),
  noble: () => N.G2.hashToCurve(msg, { DST: 'MEDCHAIN-V1-H2' }),
  mcl: () => mcl.hashAndMapToG2(msg)
});
await op('g1_decode_checked', {
  medchain: () => g1.fromBytes(Pbytes),
  noble: () => N.G1.Point.fromBytes(Pbytes).assertValidity(),
  mcl: () => {
    const x = new mcl.G1();
    x.deserialize(Pbytes);
    return x;
  }
});
await op('g2_decode_checked', {
  medchain: () => g2.fromBytes(Qbytes),
  noble: () => N.G2.Point.fromBytes(Qbytes).assertValidity(),
  mcl: () => {
    const x = new mcl.G2();
    x.deserialize(Qbytes);
    return x;
  }
});

await op('pairing', { medchain: () => pairing(P, Q), noble: () => N.pairing(nP, nQ), mcl: () => mcl.pairing(mP, mQ) }, heavy);
const f = millerLoop([[P, Q]]);
const nf = N.pairing(nP, nQ, false);
const mf = mcl.millerLoop(mP, mQ);
await op('miller_loop', { medchain: () => millerLoop([[P, Q]]), noble: () => N.pairing(nP, nQ, false), mcl: () => mcl.millerLoop(mP, mQ) }, heavy);
await op('final_exp', { medchain: () => finalExponentiate(f), noble: () => N.fields.Fp12.finalExponentiate(nf), mcl: () => mcl.finalExp(mf) }, heavy);
// e(P, Q) * e(-P, Q) == 1
const negP = g1.neg(P);
const nNegP = nP.negate();
const mNegP = mcl.neg(mP);
await op(
  'pairing_check_2',
  {
    medchain: () => keep(pairingCheck([[P, Q], [negP, Q]])),
    noble: () => keep(N.fields.Fp12.eql(N.pairingBatch([{ g1: nP, g2: nQ }, { g1: nNegP, g2: nQ }]), N.fields.Fp12.ONE)),
    mcl: () => keep(mcl.finalExp(mcl.mul(mcl.millerLoop(mP, mQ), mcl.millerLoop(mNegP, mQ))).isOne())
  },
  heavy
);

// MSM over random points and full-size scalars.
for (const n of [64, 460, 4096]) {
  const count = QUICK ? Math.min(n, 64) : n;
  const pts = Array.from({ length: count }, (_, i) => g1.mulPublic(g1.generator(), BigInt(i + 1) * 0x9e3779b97f4a7c15n));
  const scs = Array.from({ length: count }, () => fr.random());
  const npts = pts.map((p) => N.G1.Point.fromBytes(g1.toBytes(p)));
  const mpts = pts.map((p) => {
    const x = new mcl.G1();
    x.deserialize(g1.toBytes(p));
    return x;
  });
  const mscs = scs.map((s) => {
    const x = new mcl.Fr();
    x.setBigEndianMod(fr.toBytes(s));
    return x;
  });
  const impls: Record<string, Impl> = {
    medchain: () => g1.msm(pts, scs),
    mcl: () => mcl.mulVec(mpts, mscs)
  };
  if (n <= 460) impls.noble = () => pippenger(N.G1.Point, npts, scs);
  await op(`g1_msm_${n}`, impls, { runs: QUICK ? 2 : n >= 4096 ? 7 : 11, warmup: 1 });
}

// BLS (min-sig: signatures in G1, keys in G2; mcl and noble do the same math).
const sk = bls.keygen(crypto.getRandomValues(new Uint8Array(32)));
const pk = bls.publicKey(sk);
const sig = bls.sign(sk, msg);
const DST = bls.ciphersuite;
const mclNegG2 = (() => {
  const x = new mcl.G2();
  x.deserialize(g2.toBytes(g2.neg(g2.generator())));
  return x;
})();
function mclVerify(pkB: Uint8Array, m: Uint8Array, sigB: Uint8Array): boolean {
  const pkp = new mcl.G2();
  pkp.deserialize(pkB);
  const s = new mcl.G1();
  s.deserialize(sigB);
  const h = mcl.hashAndMapToG1(m);
  return mcl.finalExp(mcl.mul(mcl.millerLoop(s, mclNegG2), mcl.millerLoop(h, pkp))).isOne();
}
await op(
  'bls_verify',
  {
    medchain: () => keep(bls.verify(pk, msg, sig)),
    noble: () => keep(N.shortSignatures.verify(sig, N.shortSignatures.hash(msg, DST), pk)),
    mcl: () => keep(mclVerify(pk, msg, sig))
  },
  heavy
);
const sks = Array.from({ length: 50 }, () => bls.keygen(crypto.getRandomValues(new Uint8Array(32))));
const pks = sks.map((s) => bls.publicKey(s));
const agg = bls.aggregate(sks.map((s) => bls.sign(s, msg)));
await op(
  'bls_fast_aggregate_verify_50',
  {
    medchain: () => keep(bls.fastAggregateVerify(pks, msg, agg)),
    noble: () => keep(N.shortSignatures.verify(agg, N.shortSignatures.hash(msg, DST), N.shortSignatures.aggregatePublicKeys(pks))),
    mcl: () => {
      let acc = new mcl.G2();
      for (const p of pks) {
        const x = new mcl.G2();
        x.deserialize(p);
        acc = mcl.add(acc, x);
      }
      keep(mclVerify(acc.serialize(), msg, agg));
    }
  },
  heavy
);

const wasmFile = readFileSync(new URL('../src/lib/crypto/wasm/medchain.wasm', import.meta.url));
const size = { op: 'wasm_size', impl: 'medchain', median_us: 0, min_us: 0, max_us: 0, runs: 1, bytes: wasmFile.length, gzip_bytes: gzipSync(wasmFile, { level: 9 }).length };
rows.push(size);
console.log(`wasm_size: ${size.bytes} bytes, ${size.gzip_bytes} gzipped`);
if (sink === 42) console.log(sink);
writeResults('crypto', rows);
