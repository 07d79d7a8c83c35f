/**
 * A load check of the WASM core that any page or test can run: it copies
 * bytes into WASM memory, has the module sum them, and compares with JS.
 */
import { ready } from './wasm';

export interface SelfTestResult {
  abi: number;
  wasmSum: number;
  jsSum: number;
  ok: boolean;
}

export async function wasmSelfTest(bytes: Uint8Array): Promise<SelfTestResult> {
  const w = await ready();
  // The last 64 KiB page of memory is outside anything the core allocates
  // at rest; grow by one page so that it is ours alone.
  const base = w.memory.grow(1) * 65536;
  if (bytes.length > 65536) throw new RangeError('bytes: at most 65536');
  new Uint8Array(w.memory.buffer, base, bytes.length).set(bytes);
  const wasmSum = w.sumBytes(base, bytes.length) >>> 0;
  let jsSum = 0;
  for (const b of bytes) jsSum = (jsSum + b) >>> 0;
  return { abi: w.abiVersion(), wasmSum, jsSum, ok: wasmSum === jsSum };
}
