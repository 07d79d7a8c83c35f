/**
 * AES-256-GCM behind one small interface, with two backends that produce the
 * same bytes (tests/unit/seal/aead.test.ts checks it):
 *
 * - `webcrypto`: `crypto.subtle`, native and asynchronous (Node runs it on the
 *   libuv pool, browsers off the main thread). Only in secure contexts
 *   (https, localhost) and Node.
 * - `noble`: @noble/ciphers in plain JS: works everywhere, e.g. the app served
 *   over plain http on a LAN where `crypto.subtle` is undefined; ~10-40x slower.
 *
 * `auto` picks WebCrypto when it exists. Nonces are 12 bytes, tags 16 bytes
 * appended to the ciphertext (the GCM convention both backends share).
 * Decryption failure is `null`, never an exception, so callers decide which
 * typed error it means.
 *
 * Constant time: AES and GHASH in WebCrypto (OpenSSL / BoringSSL with AES-NI
 * and CLMUL) are; @noble/ciphers' AES uses table lookups and is not
 * guaranteed constant-time against a co-resident cache attacker.
 */
import { gcm } from '@noble/ciphers/aes.js';

export type AeadBackend = 'webcrypto' | 'noble';
export type AeadChoice = AeadBackend | 'auto';

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** True when this context has WebCrypto's AES-GCM (secure context or Node). */
export function hasWebCrypto(): boolean {
  return typeof globalThis.crypto?.subtle?.encrypt === 'function';
}

export function resolveBackend(choice: AeadChoice = 'auto'): AeadBackend {
  if (choice === 'auto') return hasWebCrypto() ? 'webcrypto' : 'noble';
  if (choice === 'webcrypto') {
    if (!hasWebCrypto()) throw new TypeError('backend: WebCrypto is not available in this context (not a secure context?)');
    return choice;
  }
  if (choice === 'noble') return choice;
  throw new TypeError(`backend: expected 'auto', 'webcrypto' or 'noble', got ${String(choice)}`);
}

/** AES-256-GCM under one fixed key. */
export interface Aead {
  readonly backend: AeadBackend;
  /** ciphertext || tag (plaintext.length + 16 bytes). */
  encrypt(nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array>;
  /** The plaintext, or null if the tag does not verify. */
  decrypt(nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Promise<Uint8Array | null>;
}

const EMPTY = new Uint8Array(0);

/** An AES-256-GCM instance for `key` (32 bytes) on the chosen backend. */
export async function aesGcm(key: Uint8Array, choice: AeadChoice = 'auto'): Promise<Aead> {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) throw new TypeError(`key: expected ${KEY_BYTES} bytes`);
  const backend = resolveBackend(choice);
  if (backend === 'noble') {
    const k = key.slice();
    return {
      backend,
      async encrypt(nonce, plaintext, aad = EMPTY) {
        return gcm(k, nonce, aad).encrypt(plaintext);
      },
      async decrypt(nonce, sealed, aad = EMPTY) {
        if (sealed.length < TAG_BYTES) return null;
        try {
          return gcm(k, nonce, aad).decrypt(sealed);
        } catch {
          return null;
        }
      }
    };
  }
  const subtle = globalThis.crypto.subtle;
  const ck = await subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  const params = (nonce: Uint8Array, aad: Uint8Array): AesGcmParams => ({
    name: 'AES-GCM',
    iv: nonce as Uint8Array<ArrayBuffer>,
    additionalData: aad as Uint8Array<ArrayBuffer>,
    tagLength: TAG_BYTES * 8
  });
  return {
    backend,
    async encrypt(nonce, plaintext, aad = EMPTY) {
      return new Uint8Array(await subtle.encrypt(params(nonce, aad), ck, plaintext as Uint8Array<ArrayBuffer>));
    },
    async decrypt(nonce, sealed, aad = EMPTY) {
      if (sealed.length < TAG_BYTES) return null;
      try {
        return new Uint8Array(await subtle.decrypt(params(nonce, aad), ck, sealed as Uint8Array<ArrayBuffer>));
      } catch {
        return null;
      }
    }
  };
}
