/**
 * The net lab behind /net-lab: one transport (BroadcastChannel or WebRTC) in
 * a room, with raw frames instead of the node protocol, driven from tests
 * and benchmarks through `window.__netLab`.
 *
 * Lab frames start with a tag byte: 0 data (counted and hashed by the
 * receiver), 1 bulk filler (counted), 2 bulk end (u32 id; the receiver
 * answers 3 with the same id, so `sendBulk` times delivery, not queueing).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { BroadcastTransport } from '$lib/net/broadcast';
import type { Link, LinkDropReason, Transport } from '$lib/net/transport';
import { WebRtcTransport } from '$lib/net/webrtc';

const TAG = { data: 0, bulk: 1, bulkEnd: 2, bulkAck: 3 } as const;

/** What arrived from one remote. */
export interface Received {
  from: string;
  /** Data frames (tag 0) and their payload bytes. */
  n: number;
  bytes: number;
  /** SHA-256 (hex) and length of the last data frame's payload. */
  lastSha256: string;
  lastBytes: number;
  /** Bulk bytes (tags 1 and 2). */
  bulkBytes: number;
}

/** The API on `window.__netLab`. */
export interface NetLabApi {
  readonly kind: 'broadcast' | 'webrtc';
  readonly room: string;
  readonly address: string;
  /** True once the transport has started; `error` says why not. */
  ready: boolean;
  error: string;
  /** Remotes with an open link. */
  links(): string[];
  /** Sends one data frame; false if there is no open link to `remote`. */
  send(remote: string, payload: Uint8Array | number[]): boolean;
  /** Sends `n` pseudo-random bytes as one data frame and returns their SHA-256 (hex). */
  sendPattern(remote: string, n: number, seed?: number): string;
  received(): Received[];
  drops(): { from: string; reason: LinkDropReason; bytes: number }[];
  closes(): { from: string; reason: string }[];
  bufferedAmount(remote: string): number;
  /** Sends `totalBytes` in frames of `frameBytes` and resolves with the ms until the receiver confirmed all. */
  sendBulk(remote: string, totalBytes: number, frameBytes: number): Promise<number>;
  stop(): void;
}

export function hexOf(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** `n` bytes of xorshift32 from `seed`. */
export function pattern(n: number, seed = 1): Uint8Array {
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

/** Starts a lab transport; the returned API is live before `ready` turns true. */
export function startLab(kind: 'broadcast' | 'webrtc', room: string): NetLabApi {
  const transport: Transport = kind === 'webrtc' ? new WebRtcTransport({ room }) : new BroadcastTransport({ room });
  const links = new Map<string, Link>();
  const received = new Map<string, Received>();
  const drops: { from: string; reason: LinkDropReason; bytes: number }[] = [];
  const closes: { from: string; reason: string }[] = [];
  const acks = new Map<number, () => void>();
  let nextBulk = 1;

  const stats = (from: string): Received => {
    let r = received.get(from);
    if (!r) received.set(from, (r = { from, n: 0, bytes: 0, lastSha256: '', lastBytes: 0, bulkBytes: 0 }));
    return r;
  };

  transport.onLink = (link) => {
    links.set(link.remote, link);
    link.onFrame = (f) => {
      const r = stats(link.remote);
      const body = f.subarray(1);
      if (f[0] === TAG.data) {
        r.n++;
        r.bytes += body.length;
        r.lastSha256 = hexOf(sha256(body));
        r.lastBytes = body.length;
      } else if (f[0] === TAG.bulk) {
        r.bulkBytes += body.length;
      } else if (f[0] === TAG.bulkEnd && link.open) {
        r.bulkBytes += body.length;
        link.send(Uint8Array.of(TAG.bulkAck, ...body.subarray(0, 4)));
      } else if (f[0] === TAG.bulkAck && body.length >= 4) {
        const id = new DataView(body.buffer, body.byteOffset, 4).getUint32(0);
        acks.get(id)?.();
      }
    };
    link.onDrop = (reason, bytes) => drops.push({ from: link.remote, reason, bytes });
    link.onClose = (reason) => {
      closes.push({ from: link.remote, reason });
      if (links.get(link.remote) === link) links.delete(link.remote);
    };
  };

  const openLink = (remote: string): Link | undefined => {
    const l = links.get(remote);
    return l?.open ? l : undefined;
  };

  const send = (remote: string, payload: Uint8Array): boolean => {
    const l = openLink(remote);
    if (!l) return false;
    const f = new Uint8Array(payload.length + 1);
    f[0] = TAG.data;
    f.set(payload, 1);
    l.send(f);
    return true;
  };

  const api: NetLabApi = {
    kind,
    room,
    address: transport.address,
    ready: false,
    error: '',
    links: () => [...links.values()].filter((l) => l.open).map((l) => l.remote).sort(),
    send: (remote, payload) => send(remote, Uint8Array.from(payload)),
    sendPattern(remote, n, seed = 1) {
      const p = pattern(n, seed);
      if (!send(remote, p)) throw new Error(`no open link to ${remote}`);
      return hexOf(sha256(p));
    },
    received: () => [...received.values()].map((r) => ({ ...r })),
    drops: () => [...drops],
    closes: () => [...closes],
    bufferedAmount: (remote) => openLink(remote)?.bufferedAmount ?? 0,
    async sendBulk(remote, totalBytes, frameBytes) {
      const l = openLink(remote);
      if (!l) throw new Error(`no open link to ${remote}`);
      if (!(frameBytes >= 5)) throw new RangeError('frameBytes: at least 5');
      const id = nextBulk++;
      const filler = new Uint8Array(frameBytes).fill(0xa5);
      filler[0] = TAG.bulk;
      const done = new Promise<void>((resolve, reject) => {
        acks.set(id, resolve);
        const prev = l.onClose;
        l.onClose = (reason) => {
          prev?.(reason);
          reject(new Error(`link closed: ${reason}`));
        };
      });
      const t0 = performance.now();
      let sent = 0;
      while (sent + frameBytes < totalBytes) {
        // Keep a few frames queued: enough to fill the pipe, bounded memory.
        await l.drained(4 * frameBytes);
        l.send(filler);
        sent += frameBytes;
      }
      const end = new Uint8Array(Math.max(5, totalBytes - sent));
      end[0] = TAG.bulkEnd;
      new DataView(end.buffer).setUint32(1, id);
      l.send(end);
      await done;
      acks.delete(id);
      return performance.now() - t0;
    },
    stop: () => transport.stop()
  };

  transport.start().then(
    () => (api.ready = true),
    (e: unknown) => (api.error = e instanceof Error ? e.message : String(e))
  );
  return api;
}
