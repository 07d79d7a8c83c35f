/**
 * `node --import tsx bench/seal.bench.ts` (BENCH_QUICK=1 for a smoke run):
 * sealing throughput (SPEC §5 `Enc_k`) on 64 MiB.
 *
 * - `seal_aes_gcm_64MiB`: `medchain` is `seal()` (segmented format, 64 KiB
 *   segments, 4 in flight, WebCrypto picked automatically); anchors are one
 *   AES-256-GCM call over the whole buffer in @noble/ciphers (`noble`) and in
 *   WebCrypto (`webcrypto`), i.e. the raw cipher with no format, no
 *   streaming and the whole file in memory. Variants: `medchain-noble`
 *   (our format on the fallback backend), segment sizes and in-flight depth.
 * - `open_aes_gcm_64MiB`: the same for decryption.
 * - `seal_stream_64MiB`: `sealStream` fed 64 KiB chunks from a ReadableStream
 *   (what the app does with a File), bounded memory.
 * - `kem_wrap`, `kem_unwrap`: Enc_pkd of a 32-byte key (G1 KEM + GCM).
 * `mb_per_s` is 10^6 bytes per second of plaintext.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { ready } from '../src/lib/crypto';
import { EncryptionSecretKey } from '../src/lib/crypto';
import { generateFileKey, open, seal, sealStream, unwrapKey, wrapKey } from '../src/lib/seal';
import { benchOp, printTable, QUICK, writeResults, type Row } from './harness';

await ready();
const SIZE = 64 * 1024 * 1024;
const data = new Uint8Array(SIZE) as Uint8Array<ArrayBuffer>;
for (let o = 0; o < SIZE; o += 65536) crypto.getRandomValues(data.subarray(o, o + 65536));
const key = generateFileKey();
const nonce = crypto.getRandomValues(new Uint8Array(12)) as Uint8Array<ArrayBuffer>;
const ck = await crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, 'AES-GCM', false, ['encrypt', 'decrypt']);
const mbps = (_impl: string, medianUs: number) => ({ mb_per_s: Math.round((SIZE / medianUs) * 10) / 10, bytes: SIZE });
const big = { runs: QUICK ? 2 : 7, warmup: 1, minSampleMs: 1, extra: mbps };

let sink = 0;
const rows: Row[] = [];
rows.push(
  ...(await benchOp(
    'seal_aes_gcm_64MiB',
    {
      medchain: async () => (sink ^= (await seal(key, data)).length),
      webcrypto: async () => (sink ^= (await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, ck, data)).byteLength),
      noble: () => (sink ^= gcm(key, nonce).encrypt(data).length),
      'medchain-noble': async () => (sink ^= (await seal(key, data, { backend: 'noble' })).length),
      'medchain-inflight1': async () => (sink ^= (await seal(key, data, { inFlight: 1 })).length),
      'medchain-seg64k': async () => (sink ^= (await seal(key, data, { segmentSize: 1 << 16 })).length),
      'medchain-seg1m': async () => (sink ^= (await seal(key, data, { segmentSize: 1 << 20 })).length)
    },
    big
  ))
);

const sealed = await seal(key, data);
const whole = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, ck, data));
rows.push(
  ...(await benchOp(
    'open_aes_gcm_64MiB',
    {
      medchain: async () => (sink ^= (await open(key, sealed)).length),
      webcrypto: async () => (sink ^= (await crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce }, ck, whole)).byteLength),
      noble: () => (sink ^= gcm(key, nonce).decrypt(whole).length),
      'medchain-noble': async () => (sink ^= (await open(key, sealed, { backend: 'noble' })).length)
    },
    big
  ))
);

function source(): ReadableStream<Uint8Array> {
  let o = 0;
  return new ReadableStream({
    pull(c) {
      if (o >= SIZE) return c.close();
      c.enqueue(data.subarray(o, o + 65536));
      o += 65536;
    }
  });
}
async function streamSeal(): Promise<void> {
  await source()
    .pipeThrough(sealStream(key, { size: SIZE }))
    .pipeTo(new WritableStream({ write: (c) => void (sink ^= c.length) }));
}
rows.push(...(await benchOp('seal_stream_64MiB', { medchain: streamSeal }, big)));

const sk = EncryptionSecretKey.generate();
const wrapped = await wrapKey(sk.publicKey, key);
rows.push(...(await benchOp('kem_wrap', { medchain: async () => (sink ^= (await wrapKey(sk.publicKey, key)).length) })));
rows.push(...(await benchOp('kem_unwrap', { medchain: async () => (sink ^= (await unwrapKey(sk, wrapped)).length) })));

if (sink === 0.5) console.log(sink);
printTable(rows);
for (const r of rows) if (r.mb_per_s !== undefined) console.log(`${r.op} ${r.impl}: ${r.mb_per_s} MB/s`);
writeResults('seal', rows);
