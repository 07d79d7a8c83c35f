/** Typed errors for sealed bytes that come from outside (cloud, peers, users). */

/**
 * What is wrong with sealed input:
 * - `malformed`: a header, wrapped key or envelope does not decode (`cause` is
 *   the codec's FormatError) or is larger than its limit; nothing heavy ran.
 * - `header-auth`: the seal header's MAC does not verify: the header was
 *   altered, or the key is not this file's key.
 * - `segment-auth`: a segment does not authenticate at its position: a bit was
 *   flipped, segments were reordered, or a segment comes from another file.
 * - `truncated`: the stream ended before the segment marked last.
 * - `extended`: bytes follow the segment marked last.
 * - `bad-point`: a KEM ephemeral point is not a valid G1 point (`cause` is the
 *   crypto layer's DecodeError) or is the identity.
 * - `unwrap-failed`: a wrapped key does not open with this secret key and
 *   context: wrong recipient, wrong context, or altered bytes.
 */
export type SealErrorKind = 'malformed' | 'header-auth' | 'segment-auth' | 'truncated' | 'extended' | 'bad-point' | 'unwrap-failed';

export class SealError extends Error {
  readonly kind: SealErrorKind;
  /** The segment index the error is about, where there is one. */
  readonly segment?: number;
  constructor(kind: SealErrorKind, message: string, options: { cause?: unknown; segment?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SealError';
    this.kind = kind;
    if (options.segment !== undefined) this.segment = options.segment;
  }
}
