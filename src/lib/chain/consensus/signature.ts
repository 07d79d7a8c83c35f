/**
 * The signature operations consensus needs, behind one small interface so the
 * simulator can swap them:
 *
 * - `blsScheme`: the app's BLS (min-sig, POP; SPEC §2). Production and the
 *   property tests use this.
 * - `memoised(inner)`: the same scheme with verification results cached by
 *   SHA-256 of (keys, message, signature). Verification is a deterministic
 *   function of its inputs, so the answers are exactly the inner scheme's;
 *   the simulator shares one cache among its nodes so that a signature seen
 *   by V nodes is checked by real BLS once, not V times.
 * - `INSECURE_HASH_SCHEME`: NOT A SIGNATURE SCHEME. A "signature" is
 *   SHA-256(pk || msg), aggregation is XOR, so anyone who knows the public key
 *   can forge. It exists only for simulator throughput runs at V = 50..200
 *   (`--sig insecure-fast`), where all nodes run in one process and byzantine
 *   nodes misbehave by equivocating, withholding and producing invalid blocks,
 *   never by forging; forgery is tested with `blsScheme`.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import { bls } from '../../crypto';

export interface SignatureScheme {
  readonly name: string;
  keygen(ikm: Uint8Array): { sk: Uint8Array; pk: Uint8Array; pop: Uint8Array };
  sign(sk: Uint8Array, msg: Uint8Array): Uint8Array;
  /** False for any invalid input, never throws. */
  verify(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean;
  /** Throws RangeError on an empty list; may throw on an undecodable signature. */
  aggregate(sigs: readonly Uint8Array[]): Uint8Array;
  /** Many keys (with proofs of possession), one message. False for any invalid input. */
  fastAggregateVerify(pks: readonly Uint8Array[], msg: Uint8Array, sig: Uint8Array): boolean;
  popVerify(pk: Uint8Array, pop: Uint8Array): boolean;
}

/** The app's BLS. Call `await ready()` from src/lib/crypto first. */
export const blsScheme: SignatureScheme = {
  name: 'bls',
  keygen(ikm) {
    const sk = bls.keygen(ikm);
    return { sk, pk: bls.publicKey(sk), pop: bls.popProve(sk) };
  },
  sign: (sk, msg) => bls.sign(sk, msg),
  verify: (pk, msg, sig) => bls.verify(pk, msg, sig),
  aggregate: (sigs) => bls.aggregate(sigs),
  fastAggregateVerify: (pks, msg, sig) => bls.fastAggregateVerify(pks, msg, sig),
  popVerify: (pk, pop) => bls.popVerify(pk, pop)
};

/** `inner` with verification results cached (see the module header). */
export function memoised(inner: SignatureScheme, maxEntries = 1 << 18): SignatureScheme & { hits: number; misses: number } {
  const cache = new Map<string, boolean>();
  const self = {
    name: `${inner.name}+memo`,
    hits: 0,
    misses: 0,
    keygen: inner.keygen.bind(inner),
    sign: inner.sign.bind(inner),
    aggregate: inner.aggregate.bind(inner),
    verify(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array) {
      return remember(concatBytes(Uint8Array.of(1), pk, sha256(msg), sig), () => inner.verify(pk, msg, sig));
    },
    fastAggregateVerify(pks: readonly Uint8Array[], msg: Uint8Array, sig: Uint8Array) {
      return remember(concatBytes(Uint8Array.of(2), ...pks, sha256(msg), sig), () => inner.fastAggregateVerify(pks, msg, sig));
    },
    popVerify(pk: Uint8Array, pop: Uint8Array) {
      return remember(concatBytes(Uint8Array.of(3), pk, pop), () => inner.popVerify(pk, pop));
    }
  };
  function remember(keyBytes: Uint8Array, f: () => boolean): boolean {
    const key = bytesToHex(sha256(keyBytes));
    const hit = cache.get(key);
    if (hit !== undefined) {
      self.hits++;
      return hit;
    }
    self.misses++;
    const r = f();
    if (cache.size >= maxEntries) cache.clear();
    cache.set(key, r);
    return r;
  }
  return self;
}

function fakeSig(pk: Uint8Array, msg: Uint8Array): Uint8Array {
  const h = sha256(concatBytes(pk, msg));
  const out = new Uint8Array(48);
  out.set(h);
  return out;
}
function xorInto(acc: Uint8Array, x: Uint8Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] ^= x[i] ?? 0;
}
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
const skToPk = new Map<string, Uint8Array>();

/** INSECURE, simulator throughput only: see the module header. */
export const INSECURE_HASH_SCHEME: SignatureScheme = {
  name: 'INSECURE-hash-xor',
  keygen(ikm) {
    const sk = sha256(concatBytes(Uint8Array.of(0x73), ikm));
    const pk = concatBytes(sha256(concatBytes(Uint8Array.of(1), sk)), sha256(concatBytes(Uint8Array.of(2), sk)), sha256(concatBytes(Uint8Array.of(3), sk)));
    skToPk.set(bytesToHex(sk), pk);
    return { sk, pk, pop: fakeSig(pk, pk) };
  },
  sign(sk, msg) {
    const pk = skToPk.get(bytesToHex(sk));
    if (!pk) throw new RangeError('sk: not made by INSECURE_HASH_SCHEME.keygen');
    return fakeSig(pk, msg);
  },
  verify: (pk, msg, sig) => sameBytes(fakeSig(pk, msg), sig),
  aggregate(sigs) {
    if (sigs.length === 0) throw new RangeError('sigs: nothing to aggregate');
    const acc = new Uint8Array(48);
    for (const s of sigs) xorInto(acc, s);
    return acc;
  },
  fastAggregateVerify(pks, msg, sig) {
    if (pks.length === 0) return false;
    const acc = new Uint8Array(48);
    for (const pk of pks) xorInto(acc, fakeSig(pk, msg));
    return sameBytes(acc, sig);
  },
  popVerify: (pk, pop) => sameBytes(fakeSig(pk, pk), pop)
};

/**
 * `inner` with `verify` answers cached by object identity of (pk, msg, sig):
 * in one process the simulator hands the same message objects to every node,
 * so a vote is checked once however many nodes receive it. Pure cache: the
 * answers are the inner scheme's.
 */
export function identityMemo(inner: SignatureScheme): SignatureScheme {
  const seen = new WeakMap<Uint8Array, { pk: Uint8Array; msg: Uint8Array; ok: boolean }[]>();
  return {
    ...inner,
    name: `${inner.name}+idmemo`,
    keygen: inner.keygen.bind(inner),
    sign: inner.sign.bind(inner),
    aggregate: inner.aggregate.bind(inner),
    fastAggregateVerify: inner.fastAggregateVerify.bind(inner),
    popVerify: inner.popVerify.bind(inner),
    verify(pk, msg, sig) {
      const list = seen.get(sig);
      const hit = list?.find((x) => x.pk === pk && x.msg === msg);
      if (hit) return hit.ok;
      const ok = inner.verify(pk, msg, sig);
      if (list) {
        if (list.length < 8) list.push({ pk, msg, ok });
      } else seen.set(sig, [{ pk, msg, ok }]);
      return ok;
    }
  };
}
