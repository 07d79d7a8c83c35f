/**
 * The sharing contract's on-chain check (paper Algorithm 1, SPEC §5): the
 * ciphertext c fetched by `index` is accepted only if H3(c) equals the value
 * recorded in the EMR block. A mismatch is an outcome with a reason, not an
 * exception.
 *
 * | paper | here |
 * | --- | --- |
 * | H3: {0,1}* -> Z_q | `h3` of $lib/hashes (hash_to_field, DST MEDCHAIN-V1-H3); `H3Hasher` computes the same value incrementally |
 * | info.H3(c) (on chain) | `expectedH3`: bigint in [0, q) or its 32-byte big-endian encoding |
 *
 * Cost: one SHA-256 pass over c (~|c|/64 compressions) plus 2 more compressions.
 * `H3Hasher` holds 64 bytes of state, so a 64 MiB c checks in constant memory.
 */
import { fr } from '$lib/crypto';
import { DST, h3 } from '$lib/hashes';
import { sha256 } from '@noble/hashes/sha2.js';

export type CiphertextCheck =
  | { readonly ok: true; readonly h3: bigint }
  | { readonly ok: false; readonly reason: 'mismatch'; readonly message: string; readonly expected: bigint; readonly actual: bigint }
  | { readonly ok: false; readonly reason: 'bad-expected' | 'not-bytes'; readonly message: string };

/** A failed check: why the ciphertext was refused. */
export type CiphertextRejection = Extract<CiphertextCheck, { readonly ok: false }>;

function expectedValue(expected: bigint | Uint8Array): bigint | string {
  if (typeof expected === 'bigint') return expected >= 0n && expected < fr.ORDER ? expected : 'the recorded H3 is not in [0, q)';
  if (expected instanceof Uint8Array) {
    try {
      return fr.fromBytes(expected);
    } catch (e) {
      return `the recorded H3 is not a 32-byte scalar below q (${e instanceof Error ? e.message : String(e)})`;
    }
  }
  return 'the recorded H3 is neither a bigint nor 32 bytes';
}

function compare(actual: bigint, expected: bigint | Uint8Array): CiphertextCheck {
  const want = expectedValue(expected);
  if (typeof want === 'string') return { ok: false, reason: 'bad-expected', message: want };
  if (actual !== want) return { ok: false, reason: 'mismatch', message: 'H3(c) differs from the value recorded on chain: the ciphertext is not the one stored', expected: want, actual };
  return { ok: true, h3: actual };
}

/** Compares H3(c) with the on-chain value. Never throws on bad input; returns the reason. */
export function checkCiphertext(c: Uint8Array, expectedH3: bigint | Uint8Array): CiphertextCheck {
  if (!(c instanceof Uint8Array)) return { ok: false, reason: 'not-bytes', message: 'the ciphertext is not a byte array' };
  return compare(h3(c), expectedH3);
}

/** H3 computed incrementally: equal to `h3(all bytes)` (tests/unit/sharing/check.test.ts). */
export class H3Hasher {
  private readonly dstPrime: Uint8Array;
  private readonly inner = sha256.create();
  private done = false;
  constructor() {
    const dst = new TextEncoder().encode(DST.H3);
    this.dstPrime = new Uint8Array(dst.length + 1);
    this.dstPrime.set(dst);
    this.dstPrime[dst.length] = dst.length;
    this.inner.update(new Uint8Array(64)); // Z_pad
  }
  update(bytes: Uint8Array): this {
    if (this.done) throw new TypeError('update after digest');
    this.inner.update(bytes);
    return this;
  }
  /** expand_message_xmd(msg, DST_H3, 48) read big-endian mod q. */
  digest(): bigint {
    if (this.done) throw new TypeError('digest twice');
    this.done = true;
    // msg_prime = Z_pad || msg || I2OSP(48, 2) || I2OSP(0, 1) || DST_prime
    this.inner.update(Uint8Array.of(0, 48, 0));
    this.inner.update(this.dstPrime);
    const b0 = this.inner.digest();
    const b1 = sha256.create().update(b0).update(Uint8Array.of(1)).update(this.dstPrime).digest();
    const x = b0.map((v, i) => v ^ b1[i]);
    const b2 = sha256.create().update(x).update(Uint8Array.of(2)).update(this.dstPrime).digest();
    let v = 0n;
    for (const b of b1) v = (v << 8n) | BigInt(b);
    for (const b of b2.subarray(0, 16)) v = (v << 8n) | BigInt(b);
    return fr.mod(v);
  }
}

/** `checkCiphertext` over a stream, in constant memory. Resolves with the result; rejects only if the stream errors. */
export async function checkCiphertextStream(c: ReadableStream<Uint8Array>, expectedH3: bigint | Uint8Array): Promise<CiphertextCheck> {
  const h = new H3Hasher();
  const reader = c.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    h.update(value);
  }
  return compare(h.digest(), expectedH3);
}
