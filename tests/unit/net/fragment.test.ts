import { describe, expect, it } from 'vitest';
import { checkFragmentBytes, fragment, FRAGMENT, FRAGMENT_BYTES, MAX_FRAGMENT_BYTES, Reassembler, type Reassembled } from '../../../src/lib/net/fragment';

/** n pseudo-random bytes (getRandomValues refuses more than 64 KiB at once). */
function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Feeds messages and returns what each one produced. */
function feed(r: Reassembler, ms: Uint8Array[]): Reassembled[] {
  return ms.map((m) => r.push(m));
}

/** Byte equality (vitest's deep equality is slow on megabytes). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

function frames(results: Reassembled[]): Uint8Array[] {
  return results.flatMap((x) => (x.kind === 'frame' ? [x.frame] : []));
}

describe('fragment', () => {
  const sizes = [0, 1, 5, 6, 7, 99, 100, 101, 250, 1000, 4096];
  for (const fb of [6, 7, 100, 1024]) {
    it(`round-trips frames of many sizes with fragmentBytes ${fb}`, () => {
      const r = new Reassembler(1 << 20);
      for (const n of sizes) {
        const f = bytes(n, n + fb);
        const ms = fragment(f, fb);
        for (const m of ms) expect(m.length).toBeLessThanOrEqual(fb);
        const out = feed(r, ms);
        expect(out.slice(0, -1).every((x) => x.kind === 'partial')).toBe(true);
        expect(out.at(-1)).toEqual({ kind: 'frame', frame: f });
        expect(r.busy).toBe(false);
      }
    });
  }

  it('uses one whole fragment exactly when the frame and its kind byte fit', () => {
    expect(fragment(bytes(99), 100).map((m) => m[0])).toEqual([FRAGMENT.whole]);
    const split = fragment(bytes(100), 100);
    expect(split.map((m) => m[0])).toEqual([FRAGMENT.first, FRAGMENT.last]);
    expect(new DataView(split[0].buffer).getUint32(1)).toBe(100);
    expect(split[0].length).toBe(100);
    expect(split[1].length).toBe(1 + 100 - 95);
  });

  it('splits a 4 MiB frame into 64 KiB messages: first, middles, last', () => {
    const f = bytes(4 << 20, 7);
    const ms = fragment(f);
    expect(ms.length).toBe(Math.ceil(((4 << 20) + 4) / (FRAGMENT_BYTES - 1)));
    expect(ms[0][0]).toBe(FRAGMENT.first);
    expect(ms.slice(1, -1).every((m) => m[0] === FRAGMENT.middle && m.length === FRAGMENT_BYTES)).toBe(true);
    expect(ms.at(-1)![0]).toBe(FRAGMENT.last);
    const out = frames(feed(new Reassembler(4 << 20), ms));
    expect(out).toHaveLength(1);
    expect(same(out[0], f)).toBe(true);
  });

  it('copies the frame, so the caller may reuse its buffer', () => {
    const f = bytes(300);
    const ms = fragment(f, 100);
    const copy = f.slice();
    f.fill(0);
    expect(frames(feed(new Reassembler(1000), ms))[0]).toEqual(copy);
  });

  it('reads a frame that is a view into a larger buffer', () => {
    const big = bytes(1000);
    const view = big.subarray(100, 400);
    expect(frames(feed(new Reassembler(1000), fragment(view, 64)))[0]).toEqual(view.slice());
  });

  it('rejects fragment sizes a data channel cannot carry', () => {
    for (const bad of [0, 5, 1.5, MAX_FRAGMENT_BYTES + 1, NaN]) expect(() => checkFragmentBytes(bad)).toThrow(RangeError);
    expect(() => fragment(bytes(10), 5)).toThrow(/fragmentBytes/);
    expect(() => checkFragmentBytes(MAX_FRAGMENT_BYTES)).not.toThrow();
  });
});

describe('Reassembler', () => {
  it('refuses an oversized frame on its first fragment, skips the rest, then accepts the next frame', () => {
    const r = new Reassembler(1000);
    const big = fragment(bytes(5000), 100);
    const first = r.push(big[0]);
    expect(first).toMatchObject({ kind: 'drop', reason: 'oversized', bytes: 5000 });
    expect(r.busy).toBe(true);
    // Nothing of the refused frame is buffered or reported again.
    expect(big.slice(1).map((m) => r.push(m).kind)).toEqual(big.slice(1).map(() => 'partial'));
    expect(r.busy).toBe(false);
    const ok = bytes(1000, 3);
    expect(frames(feed(r, fragment(ok, 100)))).toEqual([ok]);
  });

  it('refuses an oversized whole fragment', () => {
    const r = new Reassembler(10);
    expect(r.push(fragment(bytes(11), 100)[0])).toMatchObject({ kind: 'drop', reason: 'oversized', bytes: 11 });
    expect(r.push(fragment(bytes(10), 100)[0]).kind).toBe('frame');
  });

  it('accepts a frame of exactly maxFrameBytes and an empty frame', () => {
    const r = new Reassembler(500);
    expect(frames(feed(r, fragment(bytes(500), 64)))[0].length).toBe(500);
    expect(r.push(fragment(new Uint8Array(0))[0])).toEqual({ kind: 'frame', frame: new Uint8Array(0) });
  });

  const first = (total: number, payload: number[]) => {
    const m = new Uint8Array(5 + payload.length);
    m[0] = FRAGMENT.first;
    new DataView(m.buffer).setUint32(1, total);
    m.set(payload, 5);
    return m;
  };
  const violations: [string, Uint8Array[], number][] = [
    ['a middle without a first', [Uint8Array.of(FRAGMENT.middle, 1, 2)], 3],
    ['a last without a first', [Uint8Array.of(FRAGMENT.last, 1)], 2],
    ['an empty message', [new Uint8Array(0)], 0],
    ['an unknown kind', [Uint8Array.of(9, 1, 2)], 3],
    ['a short first fragment', [Uint8Array.of(FRAGMENT.first, 0, 0)], 3],
    ['a first fragment longer than its total', [first(2, [1, 2, 3])], 8],
    ['more bytes than declared', [first(4, [1, 2]), Uint8Array.of(FRAGMENT.middle, 3, 4, 5)], 4 + 2],
    ['fewer bytes than declared', [first(4, [1, 2]), Uint8Array.of(FRAGMENT.last, 3)], 2 + 2],
    ['a first inside a frame', [first(4, [1, 2]), first(4, [1, 2])], 7 + 2],
    ['a whole inside a frame', [first(4, [1, 2]), Uint8Array.of(FRAGMENT.whole, 1)], 2 + 2]
  ];
  for (const [name, ms, discarded] of violations) {
    it(`reports ${name} as malformed, counts the discarded bytes, and resets`, () => {
      const r = new Reassembler(100);
      const out = feed(r, ms);
      expect(out.slice(0, -1).every((x) => x.kind === 'partial')).toBe(true);
      expect(out.at(-1)).toMatchObject({ kind: 'drop', reason: 'malformed', bytes: discarded });
      expect(r.busy).toBe(false);
      const ok = bytes(90, 9);
      expect(frames(feed(r, fragment(ok, 16)))).toEqual([ok]);
    });
  }

  it('joins a random stream of frames, fragment sizes and sizes', () => {
    const rnd = bytes(400, 42);
    const r = new Reassembler(20_000);
    for (let i = 0; i < 100; i++) {
      const n = (rnd[i] * 256 + rnd[i + 100]) % 20_001;
      const fb = 6 + ((rnd[i + 200] * 97) % 3000);
      const f = bytes(n, i + 1);
      const out = frames(feed(r, fragment(f, fb)));
      expect(out).toHaveLength(1);
      expect(same(out[0], f)).toBe(true);
    }
  });
});
