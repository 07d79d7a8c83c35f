/**
 * The key vault's KDF worker: runs one scrypt derivation (128 MiB, about a
 * second at the default parameters) off the page's main thread so the UI
 * keeps painting its "deriving key…" indicator, and returns the memory when
 * the worker is terminated.
 *
 * Deliberately imports nothing but noble's scrypt: the vault module itself
 * pulls in Dexie and the WASM identity layer, which a KDF worker must not
 * load. Protocol (one request per worker):
 *
 * - in: `KdfRequest` {passphrase bytes, salt, N, r, p, dkLen, maxmem}
 * - out: `{type: 'progress', value}` (0..1, at most every 2 %), then
 *   `{type: 'done', key}` or `{type: 'error', message}`.
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';

export interface KdfRequest {
  passphrase: Uint8Array;
  salt: Uint8Array;
  N: number;
  r: number;
  p: number;
  dkLen: number;
  maxmem: number;
}

export type KdfReply = { type: 'progress'; value: number } | { type: 'done'; key: Uint8Array } | { type: 'error'; message: string };

const scope = globalThis as unknown as {
  postMessage(msg: KdfReply, transfer?: Transferable[]): void;
  addEventListener(type: 'message', cb: (e: MessageEvent<KdfRequest>) => void): void;
};

scope.addEventListener('message', async (e) => {
  const { passphrase, salt, N, r, p, dkLen, maxmem } = e.data;
  let last = 0;
  try {
    const key = await scryptAsync(passphrase, salt, {
      N,
      r,
      p,
      dkLen,
      maxmem,
      onProgress: (value) => {
        if (value - last >= 0.02) {
          last = value;
          scope.postMessage({ type: 'progress', value });
        }
      }
    });
    passphrase.fill(0);
    scope.postMessage({ type: 'done', key }, [key.buffer]);
  } catch (err) {
    scope.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
