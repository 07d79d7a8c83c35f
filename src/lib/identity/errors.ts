/**
 * Errors and verdicts of the identity layer.
 *
 * - Bad bytes from outside (a decoded record, an imported key file): the
 *   codec's `FormatError` (shape, size, version) or the crypto layer's
 *   `DecodeError` (a point off the curve, a scalar out of range). Both carry a
 *   `kind`.
 * - Identity-specific bad input (an ID too long for the pseudonym width, a key
 *   file whose secret and public halves disagree): `IdentityError`.
 * - A failed verification is an outcome, not an exception: a `Verdict` with a
 *   reason the UI can show.
 */
import { FormatError } from '$lib/codec';

export type IdentityErrorKind =
  /** The identity string is empty. */
  | 'id-empty'
  /** The identity does not fit the fixed pseudonym width (ID_MAX_BYTES of UTF-8). */
  | 'id-too-long'
  /** The identity is not well-formed Unicode (lone surrogates) or holds control characters. */
  | 'id-invalid'
  /** A display name that is empty, too long or holds control characters. */
  | 'name-invalid'
  /** Secret and public halves of a stored key do not match, or a stored record does not verify. */
  | 'keys-inconsistent';

/** Input from outside that is well-formed bytes but not an acceptable identity value. */
export class IdentityError extends Error {
  readonly kind: IdentityErrorKind;
  constructor(kind: IdentityErrorKind, message: string) {
    super(message);
    this.name = 'IdentityError';
    this.kind = kind;
  }
}

/** The outcome of a check: ok, or the reason it failed and a sentence for people. */
export type Verdict<R extends string> = { readonly ok: true } | { readonly ok: false; readonly reason: R; readonly detail: string };

export const OK: { readonly ok: true } = Object.freeze({ ok: true as const });

export function fail<R extends string>(reason: R, detail: string): { readonly ok: false; readonly reason: R; readonly detail: string } {
  return { ok: false, reason, detail };
}

/** @internal runs a key constructor on decoded bytes, turning its "identity point / zero scalar" RangeError into a FormatError. */
export function wrapRange<T>(f: () => T, what: string): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) throw new FormatError('out-of-range', `${what}: ${e.message}`);
    throw e;
  }
}
