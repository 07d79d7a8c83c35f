/**
 * Loads the AssemblyScript core (`wasm/` -> `src/lib/crypto/wasm/medchain.wasm`)
 * in a browser, a worker or Node, once per realm. This is the only module that
 * sees the raw exports; everything above `src/lib/crypto/` gets bytes and bigints.
 */

/** The raw exports of medchain.wasm. Grows as wasm/ grows. */
export interface WasmExports {
  memory: WebAssembly.Memory;
  abiVersion(): number;
  sumBytes(ptr: number, len: number): number;
  [name: string]: unknown;
}

/** ABI the TypeScript side was written against; see wasm/abi.ts. */
export const ABI_VERSION = 1;

const wasmUrl = new URL('./wasm/medchain.wasm', import.meta.url);

let loading: Promise<WasmExports> | undefined;
let loaded: WasmExports | undefined;

async function fetchBytes(url: URL): Promise<ArrayBuffer> {
  if (url.protocol === 'file:') {
    // Node (Vitest, benchmarks): no fetch for file URLs. The specifier is a
    // variable so that bundlers leave this branch alone.
    const fsName = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
    const buf = await fs.readFile(url);
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`medchain.wasm: HTTP ${res.status} for ${url}`);
  return res.arrayBuffer();
}

async function instantiate(): Promise<WasmExports> {
  const bytes = await fetchBytes(wasmUrl);
  const { instance } = await WebAssembly.instantiate(bytes, {
    env: {
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`medchain.wasm aborted at ${line}:${col}`);
      }
    }
  });
  const exports = instance.exports as unknown as WasmExports;
  const abi = exports.abiVersion();
  if (abi !== ABI_VERSION) throw new Error(`medchain.wasm ABI ${abi}, expected ${ABI_VERSION}: rebuild with npm run build:wasm`);
  loaded = exports;
  return exports;
}

/** Resolves once the WASM module is instantiated in this realm. */
export function ready(): Promise<WasmExports> {
  loading ??= instantiate();
  return loading;
}

/** The loaded exports; throws if `ready()` has not resolved yet. */
export function wasm(): WasmExports {
  if (!loaded) throw new Error('medchain.wasm is not loaded yet: await ready() first');
  return loaded;
}
