/** Messages: byte encoding round trip, rejection of malformed input; the in-memory bus; the simulated clock. */
import { beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../../../src/lib/codec';
import { BlockTree, InMemoryHub, SimClock, decodeMessage, encodeMessage, type ConsensusMessage } from '../../../../src/lib/chain/consensus';
import { chainAt, keys, makeBlock, makeConfig, makeVote, scheme, type Keyed } from './harness';

let ks: Keyed[];
let msgs: ConsensusMessage[];
beforeAll(async () => {
  ks = await keys(4);
  const t = new BlockTree({ config: makeConfig(ks), scheme });
  const [a] = chainAt(t, ks, [1]);
  const b = makeBlock(t, ks, a, 2, {}, undefined, ['x', 'y']);
  const other = makeBlock(t, ks, t.genesis, 1, {}, undefined, ['z']);
  msgs = [
    { t: 'block', v: 1, block: b },
    { t: 'vote', v: 1, vote: makeVote(t, ks[0], a) },
    { t: 'cert', v: 1, cert: a.cert as NonNullable<typeof a.cert> },
    { t: 'evidence', v: 1, evidence: { kind: 'double-block', a: (a.block as NonNullable<typeof a.block>).header, b: other.header } },
    { t: 'get-blocks', v: 1, ids: [a.id], depth: 4 },
    { t: 'blocks', v: 1, blocks: [b, other] }
  ];
});

describe('message encoding', () => {
  it('round-trips every message type through canonical bytes', () => {
    for (const m of msgs) {
      const bytes = encodeMessage(m);
      const back = decodeMessage(bytes);
      expect(back).toEqual(m);
      expect(encodeMessage(back)).toEqual(bytes);
    }
  });
  it('rejects unknown types, other versions, missing fields, wrong lengths, oversized sync requests', () => {
    expect(() => decodeMessage(encode({ t: 'medchain/consensus/nope', v: 1 }))).toThrow(/unknown message/);
    expect(() => decodeMessage(encode({ t: 'medchain/consensus/vote', v: 2 }))).toThrow(/version/);
    expect(() => decodeMessage(encode({ t: 'medchain/consensus/vote', v: 1, vote: { chain: new Uint8Array(32) } }))).toThrow(/vote.block/);
    const vote = decodeMessage(encodeMessage(msgs[1])) as Extract<ConsensusMessage, { t: 'vote' }>;
    expect(() => decodeMessage(encode({ t: 'medchain/consensus/vote', v: 1, vote: { ...vote.vote, sig: new Uint8Array(47) } }))).toThrow(/48 bytes/);
    expect(() => decodeMessage(encode({ t: 'medchain/consensus/get-blocks', v: 1, ids: [], depth: 1000 }))).toThrow(/depth/);
  });
  it('rejects bytes that are not canonical DAG-CBOR', () => {
    const bytes = encodeMessage(msgs[4]);
    expect(() => decodeMessage(new Uint8Array([...bytes, 0]))).toThrow();
  });
});

describe('InMemoryHub', () => {
  it('delivers a publication to every other endpoint and a send to one, through bytes', async () => {
    const hub = new InMemoryHub({ bytes: true });
    const [a, b, c] = ['a', 'b', 'c'].map((id) => hub.endpoint(id));
    const got: Record<string, string[]> = { a: [], b: [], c: [] };
    for (const e of [a, b, c]) e.subscribe((m, from) => got[e.id].push(`${m.t}<${from}`));
    a.publish(msgs[4]);
    c.send('b', msgs[1]);
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toEqual({ a: [], b: ['get-blocks<a', 'vote<c'], c: ['get-blocks<a'] });
    expect(() => hub.endpoint('a')).toThrow(RangeError);
  });
});

describe('SimClock', () => {
  it('runs events in time order, ties in insertion order, and honours cancel', () => {
    const c = new SimClock(0);
    const log: string[] = [];
    c.at(20, () => log.push('b'));
    c.at(10, () => {
      log.push('a');
      c.at(15, () => log.push('a2'));
    });
    c.at(20, () => log.push('c'));
    const cancel = c.at(5, () => log.push('x'));
    cancel();
    c.runUntil(19);
    expect(log).toEqual(['a', 'a2']);
    expect(c.now()).toBe(19);
    c.runUntil(100);
    expect(log).toEqual(['a', 'a2', 'b', 'c']);
  });
});
