import { afterEach, describe, expect, it, vi } from 'vitest';
import { BroadcastTransport, type BroadcastTransportOptions, type ChannelFactory, type ChannelLike } from '../../../src/lib/net/broadcast';
import type { Link, LinkDropReason } from '../../../src/lib/net/transport';
import { LinkClosedError } from '../../../src/lib/net/transport';

// Node 20 has BroadcastChannel as a global, delivering between objects of
// one process just as between tabs.

const running: BroadcastTransport[] = [];
afterEach(() => {
  for (const t of running.splice(0)) t.stop();
});

function room(): string {
  return `test-${crypto.randomUUID()}`;
}

/** A transport plus everything it reported. */
interface Endpoint {
  t: BroadcastTransport;
  links: Map<string, Link>;
  linkCount: Map<string, number>;
  frames: Map<string, Uint8Array[]>;
  drops: { from: string; reason: LinkDropReason; bytes: number }[];
  closes: { from: string; reason: string }[];
}

async function endpoint(opts: BroadcastTransportOptions): Promise<Endpoint> {
  const t = new BroadcastTransport(opts);
  const e: Endpoint = { t, links: new Map(), linkCount: new Map(), frames: new Map(), drops: [], closes: [] };
  t.onLink = (l) => {
    e.links.set(l.remote, l);
    e.linkCount.set(l.remote, (e.linkCount.get(l.remote) ?? 0) + 1);
    l.onFrame = (f) => e.frames.set(l.remote, [...(e.frames.get(l.remote) ?? []), f]);
    l.onDrop = (reason, bytes) => e.drops.push({ from: l.remote, reason, bytes });
    l.onClose = (reason) => e.closes.push({ from: l.remote, reason });
  };
  running.push(t);
  await t.start();
  return e;
}

function openTo(e: Endpoint): string[] {
  return [...e.links.values()].filter((l) => l.open).map((l) => l.remote).sort();
}

/** A channel factory whose endpoint can be silenced or have its outgoing messages rewritten. */
function tamperable(): { factory: ChannelFactory; muted: boolean; rewrite: ((m: Record<string, unknown>) => unknown) | null } {
  const ctl = {
    muted: false,
    rewrite: null as ((m: Record<string, unknown>) => unknown) | null,
    factory: (name: string): ChannelLike => {
      const ch = new BroadcastChannel(name);
      return {
        postMessage(m: unknown) {
          if (ctl.muted) return;
          ch.postMessage(ctl.rewrite ? ctl.rewrite(m as Record<string, unknown>) : m);
        },
        close: () => ch.close(),
        get onmessage() {
          return ch.onmessage as ChannelLike['onmessage'];
        },
        set onmessage(f) {
          ch.onmessage = f as typeof ch.onmessage;
        }
      };
    }
  };
  return ctl;
}

const wait = { timeout: 10_000, interval: 20 };

describe('BroadcastTransport', () => {
  it('links three endpoints pairwise, exactly once per pair, even when started together', async () => {
    const r = room();
    // Frequent announcements and explicit dials both ways keep handshakes crossing.
    const [a, b, c] = await Promise.all(['a1', 'b2', 'c3'].map((address) => endpoint({ room: r, address, announceMs: 5 })));
    for (const x of [a, b, c]) for (const y of [a, b, c]) x.t.connect(y.t.address);
    await vi.waitFor(() => {
      expect(openTo(a)).toEqual(['b2', 'c3']);
      expect(openTo(b)).toEqual(['a1', 'c3']);
      expect(openTo(c)).toEqual(['a1', 'b2']);
    }, wait);
    // Let any duplicate handshake play out before counting.
    await new Promise((r) => setTimeout(r, 200));
    for (const e of [a, b, c]) for (const n of e.linkCount.values()) expect(n).toBe(1);
    expect(a.closes).toEqual([]);
  });

  it('links an endpoint that joins later, and a repeated connect() adds no link', async () => {
    const r = room();
    const a = await endpoint({ room: r, address: 'zz' });
    const b = await endpoint({ room: r, address: 'aa' });
    await vi.waitFor(() => expect(openTo(a)).toEqual(['aa']), wait);
    a.t.connect('aa');
    b.t.connect('zz');
    await new Promise((r) => setTimeout(r, 100));
    expect(a.linkCount.get('aa')).toBe(1);
    expect(b.linkCount.get('zz')).toBe(1);
  });

  it('delivers frames in order and intact, as copies, both ways', async () => {
    const r = room();
    const a = await endpoint({ room: r });
    const b = await endpoint({ room: r });
    await vi.waitFor(() => expect(openTo(a)).toEqual([b.t.address]), wait);
    await vi.waitFor(() => expect(openTo(b)).toEqual([a.t.address]), wait);
    const ab = a.links.get(b.t.address)!;
    const sent: Uint8Array[] = [];
    const buf = new Uint8Array(300_000);
    for (let i = 0; i < 50; i++) {
      const f = crypto.getRandomValues(new Uint8Array(1 + ((i * 997) % 5000)));
      sent.push(f.slice());
      ab.send(f);
      f.fill(0);
    }
    // A view into a larger buffer arrives as just the view.
    buf.fill(7);
    ab.send(buf.subarray(10, 20));
    b.links.get(a.t.address)!.send(Uint8Array.of(1, 2, 3));
    expect(ab.bufferedAmount).toBe(0);
    await ab.drained(0);
    await vi.waitFor(() => expect(b.frames.get(a.t.address)?.length).toBe(51), wait);
    const got = b.frames.get(a.t.address)!;
    for (let i = 0; i < 50; i++) expect(Buffer.compare(got[i], sent[i])).toBe(0);
    expect(got[50]).toEqual(new Uint8Array(10).fill(7));
    expect(got[50].buffer.byteLength).toBe(10);
    await vi.waitFor(() => expect(a.frames.get(b.t.address)).toEqual([Uint8Array.of(1, 2, 3)]), wait);
  });

  it('does not link endpoints of different rooms', async () => {
    const r = room();
    const a = await endpoint({ room: r });
    const b = await endpoint({ room: r });
    const other = await endpoint({ room: room() });
    await vi.waitFor(() => expect(openTo(a)).toEqual([b.t.address]), wait);
    other.t.connect(a.t.address);
    await new Promise((r) => setTimeout(r, 200));
    expect(openTo(other)).toEqual([]);
    expect(openTo(a)).toEqual([b.t.address]);
  });

  it('reports oversized frames and does not deliver them', async () => {
    const r = room();
    const a = await endpoint({ room: r, maxFrameBytes: 1000 });
    const b = await endpoint({ room: r });
    await vi.waitFor(() => expect(openTo(b)).toEqual([a.t.address]), wait);
    const ba = b.links.get(a.t.address)!;
    ba.send(new Uint8Array(1001));
    ba.send(new Uint8Array(1000).fill(1));
    await vi.waitFor(() => expect(a.frames.get(b.t.address)?.length).toBe(1), wait);
    expect(a.frames.get(b.t.address)![0]).toEqual(new Uint8Array(1000).fill(1));
    expect(a.drops).toEqual([{ from: b.t.address, reason: 'oversized', bytes: 1001 }]);
  });

  it('reports payloads that are not bytes as malformed and does not deliver them', async () => {
    const r = room();
    const tamper = tamperable();
    const a = await endpoint({ room: r });
    const b = await endpoint({ room: r, channel: tamper.factory });
    await vi.waitFor(() => expect(openTo(b)).toEqual([a.t.address]), wait);
    await vi.waitFor(() => expect(openTo(a)).toEqual([b.t.address]), wait);
    const ba = b.links.get(a.t.address)!;
    tamper.rewrite = (m) => (m.t === 'frame' ? { ...m, frame: 'not bytes' } : m);
    ba.send(Uint8Array.of(1));
    tamper.rewrite = (m) => (m.t === 'frame' ? { ...m, frame: new Uint16Array(4) } : m);
    ba.send(Uint8Array.of(2));
    tamper.rewrite = null;
    ba.send(Uint8Array.of(3));
    await vi.waitFor(() => expect(a.frames.get(b.t.address)).toEqual([Uint8Array.of(3)]), wait);
    expect(a.drops).toEqual([
      { from: b.t.address, reason: 'malformed', bytes: 0 },
      { from: b.t.address, reason: 'malformed', bytes: 8 }
    ]);
  });

  it('closes the link on the other side promptly when an endpoint stops, and send then throws', async () => {
    const r = room();
    // Keepalive far longer than the test: only the leave message can close the link.
    const slow = { keepaliveMs: 60_000 };
    const a = await endpoint({ room: r, ...slow });
    const b = await endpoint({ room: r, ...slow });
    const c = await endpoint({ room: r, ...slow });
    await vi.waitFor(() => expect(openTo(a)).toHaveLength(2), wait);
    await vi.waitFor(() => expect(openTo(b)).toHaveLength(2), wait);
    await vi.waitFor(() => expect(openTo(c)).toHaveLength(2), wait);
    const ab = a.links.get(b.t.address)!;
    b.t.stop();
    expect(b.closes.map((x) => x.reason)).toEqual(['stopped', 'stopped']);
    await vi.waitFor(() => expect(a.closes).toEqual([{ from: b.t.address, reason: 'remote left' }]), { timeout: 2000, interval: 10 });
    await vi.waitFor(() => expect(c.closes).toEqual([{ from: b.t.address, reason: 'remote left' }]), { timeout: 2000, interval: 10 });
    expect(ab.open).toBe(false);
    expect(() => ab.send(Uint8Array.of(1))).toThrow(LinkClosedError);
    expect(openTo(a)).toEqual([c.t.address]);
  });

  it('closes a link on close() at both ends, calling onClose once', async () => {
    const r = room();
    const a = await endpoint({ room: r, announceMs: 60_000 });
    const b = await endpoint({ room: r, announceMs: 60_000 });
    await vi.waitFor(() => expect(openTo(b)).toEqual([a.t.address]), wait);
    const l = a.links.get(b.t.address)!;
    l.close();
    l.close();
    expect(a.closes).toEqual([{ from: b.t.address, reason: 'closed' }]);
    await vi.waitFor(() => expect(b.closes).toEqual([{ from: a.t.address, reason: 'remote left' }]), wait);
  });

  it('times out a silent endpoint with short keepalive settings, and re-links when it speaks again', async () => {
    const r = room();
    const fast = { keepaliveMs: 50, keepaliveMisses: 3, announceMs: 100 };
    const tamper = tamperable();
    const a = await endpoint({ room: r, ...fast });
    const b = await endpoint({ room: r, ...fast, channel: tamper.factory });
    await vi.waitFor(() => expect(openTo(a)).toEqual([b.t.address]), wait);
    // Links stay up while both speak, for many keepalive periods.
    await new Promise((r) => setTimeout(r, 500));
    expect(a.closes).toEqual([]);
    tamper.muted = true;
    await vi.waitFor(() => expect(a.closes).toEqual([{ from: b.t.address, reason: 'timeout' }]), wait);
    expect(openTo(a)).toEqual([]);
    tamper.muted = false;
    await vi.waitFor(() => expect(openTo(a)).toEqual([b.t.address]), wait);
    expect(a.linkCount.get(b.t.address)).toBe(2);
  });

  it('ignores foreign traffic on its channels', async () => {
    const r = room();
    const a = await endpoint({ room: r, address: 'me' });
    const noise = new BroadcastChannel(`medchain/${r}/to/me`);
    const ann = new BroadcastChannel(`medchain/${r}/announce`);
    for (const m of [null, 'x', 42, { v: 2, t: 'hello', from: 'x', link: 'l' }, { v: 1, t: 'hello', from: 'bad/address', link: 'l' }, { v: 1, t: 'frame', from: 'x' }]) {
      noise.postMessage(m);
      ann.postMessage(m);
    }
    await new Promise((r) => setTimeout(r, 100));
    noise.close();
    ann.close();
    expect(openTo(a)).toEqual([]);
  });

  it('checks its options', () => {
    expect(() => new BroadcastTransport({ room: '' })).toThrow(TypeError);
    expect(() => new BroadcastTransport({ room: 'r', address: 'a/b' })).toThrow(/address/);
    expect(() => new BroadcastTransport({ room: 'r', keepaliveMs: 0 })).toThrow(/keepaliveMs/);
    expect(new BroadcastTransport({ room: 'r' }).address).toMatch(/^[0-9a-f]{16}$/);
  });
});
