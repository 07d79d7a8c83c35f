/** Typed errors for bytes that come from outside (files, peers, users). */

export type DecodeErrorKind =
  | 'wrong-length'
  | 'bad-flags'
  | 'non-canonical'
  | 'non-canonical-infinity'
  | 'not-on-curve'
  | 'not-in-subgroup'
  | 'infinity-not-allowed'
  | 'scalar-out-of-range';

/** Input bytes that do not encode a valid value; `kind` says which check failed. */
export class DecodeError extends Error {
  readonly kind: DecodeErrorKind;
  constructor(kind: DecodeErrorKind, message: string) {
    super(message);
    this.name = 'DecodeError';
    this.kind = kind;
  }
}
