/**
 * `npm run bench:wasm`: the cost of crossing into WASM. `wasm_call` is one
 * call of an exported function that sums 32 bytes in WASM memory; `js` is the
 * same loop as a plain JS function over a Uint8Array. This is the floor under
 * every fine-grained call the crypto layer makes.
 */
import { ready } from '../src/lib/crypto';
import { benchOp, printTable, writeResults } from './harness';

const w = await ready();
const base = w.memory.grow(1) * 65536;
const view = new Uint8Array(w.memory.buffer, base, 32);
for (let i = 0; i < 32; i++) view[i] = i * 7;
const js = new Uint8Array(view);

function jsSum(bytes: Uint8Array, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s = (s + bytes[i]) >>> 0;
  return s;
}

let sink = 0;
const rows = await benchOp('sum_bytes_32', {
  medchain: () => (sink ^= w.sumBytes(base, 32)),
  js: () => (sink ^= jsSum(js, 32))
});
rows.push(
  ...(await benchOp('call_overhead', {
    medchain: () => (sink ^= w.sumBytes(base, 0)),
    js: () => (sink ^= jsSum(js, 0))
  }))
);
if (sink === 0.5) console.log(sink); // keep the results alive
printTable(rows);
writeResults('wasm', rows);
