/**
 * The wire format and the NetNode's handling of links and peers: frame
 * headers checked before decoding, signed hellos (room, membership, time,
 * nonce replay, forged signature), one peer over two transports, the peer
 * bound, rate limits.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bls, ready } from '../../../src/lib/crypto';
import { hex } from '../../../src/lib/chain';
import { helloValue, makeHello, type ChainStatus } from '../../../src/lib/net/hello';
import { MemoryHub } from '../../../src/lib/net/memory';
import { NetNode, type NetNodeOptions } from '../../../src/lib/net/node';
import type { Link, Transport } from '../../../src/lib/net/transport';
import { frame, frameBody, frameType, MAX_WIRE_FRAME, WIRE_TYPES, WireError } from '../../../src/lib/net/wire';

const chain = new Uint8Array(32).fill(7);
const room = 'testroom';
const status: ChainStatus = { head: { height: 0, id: chain }, final: { height: 0, id: chain } };
const signer = { sign: (sk: Uint8Array, m: Uint8Array) => bls.sign(sk, m), verify: (pk: Uint8Array, m: Uint8Array, s: Uint8Array) => bls.verify(pk, m, s) };
let keys: { sk: Uint8Array; pk: Uint8Array }[];
const members = new Set<string>();

beforeAll(async () => {
  await ready();
  keys = Array.from({ length: 6 }, (_, i) => {
    const sk = bls.keygen(new TextEncoder().encode(`net node test key ${i} ..........................`));
    return { sk, pk: bls.publicKey(sk) };
  });
  for (const k of keys.slice(0, 5)) members.add(hex(k.pk));
});

function node(i: number, transports: Transport[], extra: Partial<NetNodeOptions> = {}): NetNode {
  return new NetNode({ room, chain, keys: keys[i], role: 'hospital', signer, isMember: (k) => members.has(hex(k)), status: () => status, transports, ...extra });
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A raw endpoint on the hub and its first link. */
async function rawLink(hub: MemoryHub, addr: string): Promise<Link> {
  const t = hub.transport(addr);
  const links: Link[] = [];
  t.onLink = (l) => links.push(l);
  await t.start();
  await until(() => links.length > 0);
  return links[0];
}

describe('wire frames', () => {
  it('round-trips a body and reads the type from the header alone', () => {
    const f = frame('status', { a: 1 });
    expect(frameType(f)).toBe('status');
    expect(frameBody(f, 'status')).toEqual({ a: 1 });
  });
  it('refuses a bad magic, version, unknown code and an oversized frame before decoding', () => {
    const f = frame('vote', { x: 1 });
    const bad = (mut: (b: Uint8Array) => Uint8Array) => {
      try {
        frameType(mut(f.slice()));
        return 'accepted';
      } catch (e) {
        return (e as WireError).reason;
      }
    };
    expect(bad((b) => ((b[0] = 0), b))).toBe('malformed');
    expect(bad((b) => ((b[1] = 9), b))).toBe('wrong-version');
    expect(bad((b) => ((b[2] = 250), b))).toBe('unknown-type');
    const big = new Uint8Array(WIRE_TYPES.vote.max + 1);
    big.set(f.subarray(0, 3));
    expect(bad(() => big)).toBe('oversized');
    expect(() => frame('vote', { x: new Uint8Array(2000) })).toThrow(RangeError);
    expect(MAX_WIRE_FRAME).toBeGreaterThanOrEqual(WIRE_TYPES.blocks.max);
  });
  it('refuses a non-canonical body as malformed', () => {
    // {b:1, a:2} with keys out of order is valid CBOR but not canonical DAG-CBOR.
    const f = Uint8Array.from([0x4d, 1, WIRE_TYPES.status.code, 0xa2, 0x61, 0x62, 0x01, 0x61, 0x61, 0x02]);
    expect(() => frameBody(f, frameType(f))).toThrow(WireError);
  });
});

describe('NetNode', () => {
  it('binds a peer after its hello, and one peer over two transports is one peer', async () => {
    const hubA = new MemoryHub();
    const hubB = new MemoryHub();
    const a = node(0, [hubA.transport('a1'), hubB.transport('a2')]);
    const b = node(1, [hubA.transport('b1'), hubB.transport('b2')]);
    const ups: string[] = [];
    a.onPeer((p, e) => ups.push(`${e}:${p.key.slice(0, 6)}`));
    await a.start();
    await b.start();
    await until(() => a.stats().peers[0]?.transports.length === 2);
    expect(a.peers().map((p) => p.key)).toEqual([hex(keys[1].pk)]);
    expect(ups).toEqual([`up:${hex(keys[1].pk).slice(0, 6)}`]);
    // Closing one of the two links keeps the peer up.
    hubA.cut('a1', 'b1');
    await until(() => a.stats().peers[0]?.transports.length === 1);
    expect(a.peers().length).toBe(1);
    hubB.cut('a2', 'b2');
    await until(() => a.peers().length === 0);
    expect(ups.at(-1)).toBe(`down:${hex(keys[1].pk).slice(0, 6)}`);
    a.stop();
    b.stop();
  });

  it('refuses hellos of another room, a non-member, a forged signature, a stale time and a replayed nonce', async () => {
    const hub = new MemoryHub();
    const a = node(0, [hub.transport('a')], { strikes: 100 });
    await a.start();
    const send = async (h: Parameters<typeof helloValue>[0]) => {
      const l = await rawLink(hub, `x${Math.random()}`);
      l.send(frame('hello', helloValue(h)));
      return l;
    };
    const base = { room, chain, node: keys[1].pk, role: 'tpa', address: 'x', status };
    await send(makeHello({ ...base, room: 'other' }, keys[1].sk, bls));
    await send(makeHello({ ...base, node: keys[5].pk }, keys[5].sk, bls)); // not a member
    await send({ ...makeHello(base, keys[1].sk, bls), role: 'pkg' }); // signature over other fields
    await send(makeHello({ ...base, time: Date.now() - 3_600_000 }, keys[1].sk, bls));
    const good = makeHello(base, keys[1].sk, bls);
    await send(good);
    await until(() => a.peers().length === 1);
    await send(good); // the same hello on a new link
    await until(() => (a.stats().drops.replay ?? 0) === 2);
    expect(a.stats().drops).toMatchObject({ 'wrong-room': 1, 'not-member': 1, forged: 1, replay: 2 });
    a.stop();
  });

  it('drops frames before the hello and bans the address after too many', async () => {
    const hub = new MemoryHub();
    const a = node(0, [hub.transport('a')], { strikes: 3 });
    await a.start();
    const l = await rawLink(hub, 'noisy');
    for (let i = 0; i < 3; i++) l.send(frame('status', { x: i }));
    await until(() => !l.open);
    expect(a.stats().drops['no-hello']).toBe(3);
    expect(a.stats().banned.map((b) => b.who)).toContain('addr:noisy');
    a.stop();
  });

  it('keeps at most maxPeers peers and says why to the others', async () => {
    const hub = new MemoryHub();
    const a = node(0, [hub.transport('a')], { maxPeers: 2 });
    const others = [1, 2, 3].map((i) => node(i, [hub.transport(`n${i}`)]));
    await a.start();
    for (const o of others) await o.start();
    await until(() => (a.stats().drops['peer-limit'] ?? 0) >= 1);
    expect(a.peers().length).toBe(2);
    a.stop();
    for (const o of others) o.stop();
  });

  it('rate-limits a flooding peer and cuts it off', async () => {
    const hub = new MemoryHub();
    const a = node(0, [hub.transport('a')], { rate: { messagesPerSecond: 10, messageBurst: 20, bytesPerSecond: 1e9, byteBurst: 1e9 }, strikes: 10 });
    a.handle('status', () => {});
    await a.start();
    const l = await rawLink(hub, 'flood');
    l.send(frame('hello', helloValue(makeHello({ room, chain, node: keys[2].pk, role: 'tpa', address: 'flood', status }, keys[2].sk, bls))));
    await until(() => a.peers().length === 1);
    for (let i = 0; i < 60; i++) l.send(frame('status', { i }));
    await until(() => !l.open);
    expect(a.stats().drops['rate-limit']).toBeGreaterThanOrEqual(10);
    expect(a.peers().length).toBe(0);
    a.stop();
  });
});
