/**
 * Enc_k: round trips, streaming with progress, every tampering rejected with
 * its kind, only verified plaintext released, headers bounded, and a 64 MiB
 * stream in bounded memory.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { encode, FormatError } from '../../../src/lib/codec';
import { ready } from '../../../src/lib/crypto';
import {
  generateFileKey,
  open,
  openStream,
  peekSealHeader,
  seal,
  sealStream,
  SealError,
  decodeSealHeader,
  encodeSealHeader,
  MAX_HEADER_BYTES,
  DEFAULT_SEGMENT,
  type Progress,
  type SealErrorKind
} from '../../../src/lib/seal';
import { chunked, drain, randomBytes } from './helpers';

beforeAll(async () => {
  await ready();
});

const S = 1024;
const UNIT = S + 16;

async function sealUnsized(key: Uint8Array, m: Uint8Array, segmentSize = S, fileId?: Uint8Array): Promise<Uint8Array> {
  return (await drain(chunked(m, [700, 3000, 1]).pipeThrough(sealStream(key, { segmentSize, fileId })))).bytes;
}

async function openErr(key: Uint8Array, c: Uint8Array): Promise<SealError> {
  try {
    await open(key, c);
  } catch (e) {
    expect(e).toBeInstanceOf(SealError);
    return e as SealError;
  }
  throw new Error('expected open to fail');
}

async function expectKind(key: Uint8Array, c: Uint8Array, kind: SealErrorKind, segment?: number): Promise<void> {
  const e = await openErr(key, c);
  expect(e.kind).toBe(kind);
  if (segment !== undefined) expect(e.segment).toBe(segment);
  // The streaming opener, fed in odd chunks, agrees.
  const r = await drain(chunked(c, [333, 4096, 7]).pipeThrough(openStream(key)));
  expect((r.error as SealError).kind).toBe(kind);
}

const headerLen = (c: Uint8Array) => 2 + ((c[0] << 8) | c[1]) + 32;
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
const cat = (...p: Uint8Array[]) => Uint8Array.from(p.flatMap((x) => [...x]));

describe('round trips', () => {
  it.each([0, 1, 30, 31, 32, 1024 * 1024 + 7])('%i bytes, in memory and streamed, both backends', async (n) => {
    const key = generateFileKey();
    const m = randomBytes(n);
    const c = await seal(key, m);
    expect(c.length).toBe(headerLen(c) + n + 16 * Math.max(1, Math.ceil(n / DEFAULT_SEGMENT)));
    expect(same(await open(key, c), m)).toBe(true);
    expect(same(await open(key, c, { backend: 'noble' }), m)).toBe(true);
    const streamed = await drain(chunked(m, [4093, 65536, 10]).pipeThrough(sealStream(key)));
    expect(streamed.error).toBeUndefined();
    const back = await drain(chunked(streamed.bytes, [777, 100000]).pipeThrough(openStream(key)));
    expect(back.error).toBeUndefined();
    expect(same(back.bytes, m)).toBe(true);
  });

  it('segment boundaries: 0, S-1, S, S+1, 2S, 2S+1 with a 1 KiB segment', async () => {
    const key = generateFileKey();
    for (const n of [0, S - 1, S, S + 1, 2 * S, 2 * S + 1]) {
      const m = randomBytes(n);
      const c = await sealUnsized(key, m);
      expect(c.length).toBe(headerLen(c) + n + 16 * Math.max(1, Math.ceil(n / S)));
      expect(await open(key, c)).toEqual(m);
      expect(await open(key, await seal(key, m, { segmentSize: S }))).toEqual(m);
    }
  });

  it('reports progress per segment, with the total when the size is known', async () => {
    const key = generateFileKey();
    const m = randomBytes(5 * S + 3);
    const sealP: Progress[] = [];
    const c = await seal(key, m, { segmentSize: S, onProgress: (p) => sealP.push(p) });
    expect(sealP.map((p) => p.bytes)).toEqual([1, 2, 3, 4, 5].map((i) => i * S).concat([5 * S + 3]));
    expect(sealP.every((p) => p.total === m.length)).toBe(true);
    const openP: Progress[] = [];
    await drain(chunked(c).pipeThrough(openStream(key, { onProgress: (p) => openP.push(p) })));
    expect(openP.at(-1)).toEqual({ bytes: m.length, total: m.length });
    const unsized: Progress[] = [];
    await drain(chunked(m).pipeThrough(sealStream(key, { segmentSize: S, onProgress: (p) => unsized.push(p) })));
    expect(unsized.at(-1)).toEqual({ bytes: m.length, total: undefined });
  });

  it('a declared size must match the source', async () => {
    const key = generateFileKey();
    const r = await drain(chunked(randomBytes(100)).pipeThrough(sealStream(key, { size: 99 })));
    expect(r.error).toBeInstanceOf(RangeError);
    const r2 = await drain(chunked(randomBytes(100)).pipeThrough(sealStream(key, { size: 101 })));
    expect(r2.error).toBeInstanceOf(RangeError);
  });

  it('the same plaintext and key give unrelated ciphertexts (fresh file id)', async () => {
    const key = generateFileKey();
    const m = randomBytes(100);
    const a = await seal(key, m);
    const b = await seal(key, m);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('misuse is a TypeError / RangeError naming the argument', async () => {
    await expect(seal(new Uint8Array(16), new Uint8Array(1))).rejects.toThrow(/key/);
    await expect(seal(generateFileKey(), new Uint8Array(1), { segmentSize: 100 })).rejects.toThrow(/segmentSize/);
    await expect(seal(generateFileKey(), new Uint8Array(1), { inFlight: 0 })).rejects.toThrow(/inFlight/);
  });
});

describe('tampering is rejected with the right kind', () => {
  const key = generateFileKey();
  const m = randomBytes(4 * S + 500); // 5 segments, the last 500 bytes
  let sized: Uint8Array; // size in the header
  let unsized: Uint8Array; // streamed, size unknown
  let h: number;
  let hu: number;
  beforeAll(async () => {
    sized = await seal(key, m, { segmentSize: S });
    unsized = await sealUnsized(key, m);
    h = headerLen(sized);
    hu = headerLen(unsized);
    expect(await open(key, sized)).toEqual(m);
    expect(await open(key, unsized)).toEqual(m);
  });
  const seg = (c: Uint8Array, hl: number, i: number) => c.slice(hl + i * UNIT, Math.min(c.length, hl + (i + 1) * UNIT));

  it('truncation at a segment boundary: by byte count (sized) and by the last flag (unsized)', async () => {
    await expectKind(key, sized.slice(0, h + 3 * UNIT), 'truncated');
    await expectKind(key, unsized.slice(0, hu + 3 * UNIT), 'truncated', 2);
    await expectKind(key, unsized.slice(0, hu + 4 * UNIT), 'truncated', 3);
  });

  it('truncation inside a segment, inside the header, and to nothing', async () => {
    await expectKind(key, sized.slice(0, sized.length - 1), 'truncated');
    await expectKind(key, sized.slice(0, h + 2 * UNIT + 10), 'truncated');
    await expectKind(key, sized.slice(0, 20), 'truncated');
    await expectKind(key, sized.slice(0, h), 'truncated');
    await expectKind(key, new Uint8Array(0), 'truncated');
    // Unsized and cut inside a segment: indistinguishable from a flipped bit, so `segment-auth`.
    await expectKind(key, unsized.slice(0, unsized.length - 1), 'segment-auth', 4);
    await expectKind(key, unsized.slice(0, hu + UNIT + 5), 'truncated', 1);
  });

  it('extension after the last segment', async () => {
    await expectKind(key, cat(sized, seg(sized, h, 1)), 'extended');
    await expectKind(key, cat(sized, new Uint8Array([0])), 'extended');
    // Unsized, after a full last segment: the last flag names it.
    const full = await sealUnsized(key, m.subarray(0, 3 * S));
    const hf = headerLen(full);
    await expectKind(key, cat(full, seg(full, hf, 0)), 'extended', 2);
    // Unsized, after a short last segment: the framing shifts, so the segment
    // there fails as a whole (still rejected, named by index).
    await expectKind(key, cat(unsized, seg(unsized, hu, 1)), 'segment-auth', 4);
  });

  it('reordering segments', async () => {
    for (const [c, hl] of [
      [sized, h],
      [unsized, hu]
    ] as const) {
      const swapped = cat(c.slice(0, hl), seg(c, hl, 0), seg(c, hl, 2), seg(c, hl, 1), seg(c, hl, 3), seg(c, hl, 4));
      await expectKind(key, swapped, 'segment-auth', 1);
    }
  });

  it('swapping a segment or the header between two files under the same key', async () => {
    const other = await seal(key, randomBytes(m.length), { segmentSize: S });
    const mixed = cat(sized.slice(0, h + UNIT), seg(other, h, 1), sized.slice(h + 2 * UNIT));
    await expectKind(key, mixed, 'segment-auth', 1);
    const otherHeader = cat(other.slice(0, h), sized.slice(h));
    await expectKind(key, otherHeader, 'segment-auth', 0);
  });

  it('bit flips in the header, its MAC, a ciphertext body and a tag', async () => {
    for (let i = 2; i < h; i++) {
      const c = sized.slice();
      c[i] ^= 0x01;
      const e = await openErr(key, c);
      expect(['header-auth', 'malformed']).toContain(e.kind);
    }
    const macFlip = sized.slice();
    macFlip[h - 1] ^= 1;
    await expectKind(key, macFlip, 'header-auth');
    const body = sized.slice();
    body[h + 2 * UNIT + 100] ^= 4;
    await expectKind(key, body, 'segment-auth', 2);
    const tag = sized.slice();
    tag[h + 3 * UNIT - 1] ^= 0x40;
    await expectKind(key, tag, 'segment-auth', 2);
    const lastTag = sized.slice();
    lastTag[lastTag.length - 1] ^= 1;
    await expectKind(key, lastTag, 'segment-auth', 4);
  });

  it('a wrong key fails at the header, before any segment', async () => {
    await expectKind(generateFileKey(), sized, 'header-auth');
  });

  it('a streaming consumer gets the verified segments before the bad one, then the error', async () => {
    const c = sized.slice();
    c[h + 3 * UNIT + 5] ^= 1;
    const r = await drain(chunked(c, [500]).pipeThrough(openStream(key, { inFlight: 4 })));
    expect((r.error as SealError).kind).toBe('segment-auth');
    expect(r.bytes).toEqual(m.subarray(0, 3 * S));
    // Tail missing (unsized): every segment received verifies, the error comes before close.
    const t = await drain(chunked(unsized.slice(0, hu + 3 * UNIT), [500]).pipeThrough(openStream(key)));
    expect((t.error as SealError).kind).toBe('truncated');
    expect(t.bytes).toEqual(m.subarray(0, 3 * S));
  });
});

describe('the header: one encoding, bounded, checked before heavy work', () => {
  it('encodes deterministically and decodes back', () => {
    const fileId = randomBytes(32);
    const a = encodeSealHeader({ segmentSize: 65536, fileId, size: 12345 });
    expect(decodeSealHeader(a.subarray(2))).toEqual({ segmentSize: 65536, fileId, size: 12345 });
    expect(encodeSealHeader({ segmentSize: 65536, fileId, size: 12345 })).toEqual(a);
    expect(decodeSealHeader(encodeSealHeader({ segmentSize: 4096, fileId }).subarray(2))).toEqual({ segmentSize: 4096, fileId });
  });

  it('rejects malformed headers with a FormatError kind', () => {
    const id = randomBytes(32);
    const bad: [unknown, string][] = [
      [{ t: 'seal', v: 2, seg: 65536, id }, 'wrong-version'],
      [{ t: 'sael', v: 1, seg: 65536, id }, 'wrong-type'],
      [{ t: 'seal', v: 1, seg: 100, id }, 'out-of-range'],
      [{ t: 'seal', v: 1, seg: 2 ** 30, id }, 'out-of-range'],
      [{ t: 'seal', v: 1, seg: 65536, id: id.subarray(0, 31) }, 'bad-length'],
      [{ t: 'seal', v: 1, seg: 65536 }, 'missing-field'],
      [{ t: 'seal', v: 1, seg: 1024, id, n: 2 ** 50 }, 'out-of-range'],
      [{ t: 'seal', v: 1, seg: 65536, id, x: 1 }, 'malformed']
    ];
    for (const [value, kind] of bad) {
      expect(() => decodeSealHeader(encode(value as never)), kind).toThrow(expect.objectContaining({ kind }));
    }
    expect(() => decodeSealHeader(new Uint8Array(300))).toThrow(expect.objectContaining({ kind: 'oversized' }));
    expect(() => decodeSealHeader(new Uint8Array([0xa1, 0x61]))).toThrow(FormatError);
  });

  it('open rejects an oversized or malformed header from its length prefix, without waiting for the body', async () => {
    const key = generateFileKey();
    const huge = new Uint8Array(10);
    huge[0] = 0xff;
    huge[1] = 0xff;
    await expectKind(key, huge, 'malformed');
    // The stream errors on the first two bytes, never buffering the claimed 64 KiB.
    const r = await drain(chunked(huge, [2]).pipeThrough(openStream(key)));
    expect((r.error as SealError).kind).toBe('malformed');
    const body = encode({ t: 'seal', v: 9, seg: 65536, id: randomBytes(32) });
    const c = cat(new Uint8Array([0, body.length]), body, new Uint8Array(32 + 16));
    const e = await openErr(key, c);
    expect(e.kind).toBe('malformed');
    expect((e.cause as FormatError).kind).toBe('wrong-version');
    expect(MAX_HEADER_BYTES).toBe(256);
    expect(() => peekSealHeader(huge)).toThrow(expect.objectContaining({ kind: 'malformed' }));
  });

  it('peekSealHeader reads size and segment size without the key', async () => {
    const c = await seal(generateFileKey(), randomBytes(3000), { segmentSize: 2048 });
    expect(peekSealHeader(c)).toMatchObject({ segmentSize: 2048, size: 3000 });
  });
});

describe('64 MiB streamed in bounded memory', () => {
  it('seals and opens 64 MiB with a peak of a few segments in flight', async () => {
    const TOTAL = 64 * 1024 * 1024;
    const CHUNK = 64 * 1024;
    const key = generateFileKey();
    let produced = 0;
    let consumed = 0;
    let peak = 0;
    const hin = createHash('sha256');
    const hout = createHash('sha256');
    // Cheap deterministic pseudo-random source (xorshift32).
    let x = 0x9e3779b9;
    const source = new ReadableStream<Uint8Array>({
      pull(c) {
        if (produced >= TOTAL) return c.close();
        const w = new Uint32Array(CHUNK / 4);
        for (let i = 0; i < w.length; i++) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          w[i] = x;
        }
        const b = new Uint8Array(w.buffer);
        hin.update(b);
        produced += b.length;
        peak = Math.max(peak, produced - consumed);
        c.enqueue(b);
      }
    });
    let rssPeak = 0;
    const rss0 = process.memoryUsage().rss;
    await source
      .pipeThrough(sealStream(key))
      .pipeThrough(openStream(key))
      .pipeTo(
        new WritableStream({
          write(chunk) {
            hout.update(chunk);
            consumed += chunk.length;
            rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
          }
        })
      );
    expect(consumed).toBe(TOTAL);
    expect(hout.digest('hex')).toBe(hin.digest('hex'));
    // Plaintext bytes produced but not yet consumed: everything the pipeline
    // holds. A few segments, against a 64 MiB file.
    expect(peak).toBeLessThanOrEqual(16 * DEFAULT_SEGMENT);
    expect(peak).toBeLessThan(TOTAL / 16);
    console.log(`64 MiB: peak in flight ${(peak / 1024).toFixed(0)} KiB (${(peak / DEFAULT_SEGMENT).toFixed(1)} segments); rss grew ${((rssPeak - rss0) / 2 ** 20).toFixed(1)} MiB`);
  });
});
