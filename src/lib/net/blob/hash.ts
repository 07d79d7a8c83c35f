/**
 * SHA-256 of blob chunks and manifests.
 *
 * WebCrypto's `digest` is native and asynchronous (Node runs it on the libuv
 * pool, browsers off the main thread), several times faster than JS for a
 * 60 KiB chunk. It exists only in secure contexts (https, localhost) and
 * Node: the app served over plain http on a LAN address has no
 * `crypto.subtle`, so `sha256` falls back to @noble/hashes there. Both give
 * the same bytes (tests/unit/net/blob.test.ts checks it).
 *
 * Nothing here is secret, so constant time does not matter.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export const HASH_BYTES = 32;

/** SHA-256 of `bytes` (only the view's bytes), through WebCrypto when this context has it. */
export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected a Uint8Array');
  // Looked up per call, not at module load: a test (or a page) may swap it.
  const subtle = globalThis.crypto?.subtle;
  if (typeof subtle?.digest === 'function') {
    try {
      return new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
    } catch {
      // e.g. a view on a SharedArrayBuffer, which WebCrypto refuses: hash in JS.
    }
  }
  return nobleSha256(bytes);
}

/** SHA-256 in JS (@noble/hashes), synchronous; the fallback of `sha256`. */
export function sha256Sync(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes);
}

/** Byte-wise equality (not constant-time: hashes here are public). */
export { equalBytes } from '../../chain/bytes';
