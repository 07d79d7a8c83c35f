/**
 * Splitting frames into data-channel messages and joining them again (issue
 * 7). Chromium refuses RTCDataChannel messages over 256 KiB and large
 * messages stall the channel for other traffic, so the WebRTC transport
 * sends every frame as one or more fragments of at most `fragmentBytes`
 * (default 64 KiB), header included:
 *
 *     whole:  0x00 | payload                 (the frame fits in one message)
 *     first:  0x01 | total (u32 BE) | payload
 *     middle: 0x02 | payload
 *     last:   0x03 | payload
 *
 * The channel is reliable and ordered, so fragments of one frame arrive
 * consecutively and need no ids. The receiver checks the declared total
 * against its `maxFrameBytes` on the first fragment, before it buffers
 * anything, and skips the rest of a refused frame; any other violation
 * (a middle without a first, more or fewer bytes than declared, an unknown
 * kind) is 'malformed' and resets the reassembler.
 *
 * | fragments of a frame of n bytes | header bytes |
 * | --- | --- |
 * | 1 if n + 1 <= fragmentBytes | 1 |
 * | ceil((n + 4) / (fragmentBytes - 1)) otherwise | 4 + 1 per fragment |
 */
import type { LinkDropReason } from './transport';

/** Kind byte of a fragment. */
export const FRAGMENT = { whole: 0, first: 1, middle: 2, last: 3 } as const;

/** Default size of one data-channel message, header included. */
export const FRAGMENT_BYTES = 64 * 1024;
/** Chromium's largest RTCDataChannel message. */
export const MAX_FRAGMENT_BYTES = 256 * 1024;
/** Smallest useful fragment: the first one's header and one payload byte. */
export const MIN_FRAGMENT_BYTES = 6;

const FIRST_HEADER = 5;

/**
 * The messages that carry `frame`, each a fresh buffer of at most
 * `fragmentBytes` bytes (the frame is copied, so the caller may reuse it).
 * Throws RangeError for a bad `fragmentBytes` or a frame over 4 GiB - 1.
 */
export function fragment(frame: Uint8Array, fragmentBytes: number = FRAGMENT_BYTES): Uint8Array<ArrayBuffer>[] {
  checkFragmentBytes(fragmentBytes);
  if (frame.length > 0xffffffff) throw new RangeError(`frame: ${frame.length} bytes does not fit a u32 length`);
  if (frame.length + 1 <= fragmentBytes) {
    const m = new Uint8Array(frame.length + 1);
    m[0] = FRAGMENT.whole;
    m.set(frame, 1);
    return [m];
  }
  const out: Uint8Array<ArrayBuffer>[] = [];
  const firstPayload = fragmentBytes - FIRST_HEADER;
  const first = new Uint8Array(fragmentBytes);
  first[0] = FRAGMENT.first;
  new DataView(first.buffer).setUint32(1, frame.length);
  first.set(frame.subarray(0, firstPayload), FIRST_HEADER);
  out.push(first);
  const step = fragmentBytes - 1;
  for (let at = firstPayload; at < frame.length; at += step) {
    const end = Math.min(at + step, frame.length);
    const m = new Uint8Array(end - at + 1);
    m[0] = end === frame.length ? FRAGMENT.last : FRAGMENT.middle;
    m.set(frame.subarray(at, end), 1);
    out.push(m);
  }
  return out;
}

/** Throws RangeError unless `n` is a usable fragment size. */
export function checkFragmentBytes(n: number): void {
  if (!Number.isInteger(n) || n < MIN_FRAGMENT_BYTES || n > MAX_FRAGMENT_BYTES) {
    throw new RangeError(`fragmentBytes: ${n}, expected an integer in [${MIN_FRAGMENT_BYTES}, ${MAX_FRAGMENT_BYTES}]`);
  }
}

/** What one fragment did: completed a frame, needs more, or was refused (`bytes` discarded). */
export type Reassembled =
  | { kind: 'frame'; frame: Uint8Array }
  | { kind: 'partial' }
  | { kind: 'drop'; reason: LinkDropReason; bytes: number; detail: string };

const PARTIAL: Reassembled = { kind: 'partial' };

/**
 * Joins the fragments of one link (in the order they arrived) into frames.
 * Never buffers more than `maxFrameBytes`.
 */
export class Reassembler {
  /** The frame being filled, or null between frames. */
  private buf: Uint8Array | null = null;
  private filled = 0;
  /** True while the rest of a refused (oversized) frame is being skipped. */
  private skipping = false;

  constructor(readonly maxFrameBytes: number) {
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 0) throw new RangeError(`maxFrameBytes: ${maxFrameBytes}`);
  }

  /** True while a frame is half received (or a refused one half skipped). */
  get busy(): boolean {
    return this.buf !== null || this.skipping;
  }

  /**
   * Feeds one message (the caller hands it over: a data channel gives a
   * fresh buffer per message). A whole frame is returned as a view into it,
   * without a copy; a reassembled one is a fresh buffer.
   */
  push(m: Uint8Array): Reassembled {
    if (m.length === 0) return this.violation(0, 'empty message');
    const kind = m[0];
    if (kind === FRAGMENT.whole) {
      if (this.busy) return this.violation(m.length, 'whole fragment inside a frame');
      const n = m.length - 1;
      if (n > this.maxFrameBytes) return { kind: 'drop', reason: 'oversized', bytes: n, detail: `frame of ${n} bytes, limit ${this.maxFrameBytes}` };
      return { kind: 'frame', frame: m.subarray(1) };
    }
    if (kind === FRAGMENT.first) {
      if (this.busy) return this.violation(m.length, 'first fragment inside a frame');
      if (m.length < FIRST_HEADER) return this.violation(m.length, 'short first fragment');
      const total = new DataView(m.buffer, m.byteOffset, m.byteLength).getUint32(1);
      const payload = m.length - FIRST_HEADER;
      if (total > this.maxFrameBytes) {
        this.skipping = true;
        return { kind: 'drop', reason: 'oversized', bytes: total, detail: `frame of ${total} bytes announced, limit ${this.maxFrameBytes}` };
      }
      if (payload > total) return this.violation(m.length, 'first fragment longer than its total');
      this.buf = new Uint8Array(total);
      this.buf.set(m.subarray(FIRST_HEADER));
      this.filled = payload;
      return PARTIAL;
    }
    if (kind === FRAGMENT.middle || kind === FRAGMENT.last) {
      const last = kind === FRAGMENT.last;
      if (this.skipping) {
        if (last) this.skipping = false;
        return PARTIAL;
      }
      const buf = this.buf;
      if (!buf) return this.violation(m.length, 'continuation without a first fragment');
      const payload = m.length - 1;
      if (this.filled + payload > buf.length) return this.violation(m.length, 'more bytes than the declared total');
      if (last && this.filled + payload < buf.length) return this.violation(m.length, 'fewer bytes than the declared total');
      buf.set(m.subarray(1), this.filled);
      this.filled += payload;
      if (!last) return PARTIAL;
      this.buf = null;
      this.filled = 0;
      return { kind: 'frame', frame: buf };
    }
    return this.violation(m.length, `unknown fragment kind ${kind}`);
  }

  /** Forgets any half-received frame. */
  reset(): void {
    this.buf = null;
    this.filled = 0;
    this.skipping = false;
  }

  private violation(bytes: number, detail: string): Reassembled {
    const discarded = bytes + this.filled;
    this.reset();
    return { kind: 'drop', reason: 'malformed', bytes: discarded, detail };
  }
}
