/** Every block/vote/certificate/evidence rule, each with a rejected forged, replayed or out-of-order input (real BLS, V = 4). */
import { beforeAll, describe, expect, it } from 'vitest';
import { BlockTree, bitmapOf, blsScheme, evidenceKey, type Block, type Entry, type Executor } from '../../../../src/lib/chain/consensus';
import { applyCredits, hexOf, initialCredits } from '../../../../src/lib/chain/consensus/dpos';
import { OK, reject } from '../../../../src/lib/chain/consensus/types';
import { add, chainAt, evidenceTx, keys, labelOf, labelTx, makeBlock, makeCert, makeConfig, makeVote, producerFor, scheme, type Keyed } from './harness';

let ks: Keyed[];
let outsider: Keyed;
const badPayload: Executor = {
  propose: (_p, _s, _k, evidence) => evidence,
  nextSeq: () => 0,
  check: (_p, b) => (b.txs.some((tx) => labelOf(tx) === 'bad') ? reject('bad-payload', 'contains bad') : OK)
};

beforeAll(async () => {
  const all = await keys(5);
  ks = all.slice(0, 4);
  outsider = all[4];
});

function tree(exec?: Executor): BlockTree {
  return new BlockTree({ config: makeConfig(ks), scheme, executor: exec });
}
function expectReject(r: { ok: boolean; reason?: string }, reason: string) {
  expect(r.ok).toBe(false);
  expect((r as { reason: string }).reason).toBe(reason);
}

describe('genesis', () => {
  it('rejects a member whose proof of possession is forged', () => {
    const cfg = makeConfig(ks);
    const members = cfg.members.map((m, i) => (i === 2 ? { ...m, pop: cfg.members[1].pop } : m));
    expect(() => new BlockTree({ config: { ...cfg, members }, scheme })).toThrow(/proof of possession/);
  });
});

describe('blocks', () => {
  it('accepts a valid chain and certifies parents from carried certificates', () => {
    const t = tree();
    const [a, b] = chainAt(t, ks, [1, 2]);
    expect(a.certified && b.certified).toBe(true);
    expect(t.head()).toBe(b);
  });

  it('rejects a forged producer signature', () => {
    const t = tree();
    const b = makeBlock(t, ks, t.genesis, 1);
    const forged: Block = { ...b, header: { ...b.header, sig: blsScheme.sign(outsider.sk, new Uint8Array([1])) } };
    expectReject(t.validateBlock(forged), 'bad-signature');
  });

  it('rejects a block signed by a member that is not the slot\'s producer', () => {
    const t = tree();
    const right = producerFor(t, ks, t.genesis, 1);
    const wrong = ks.find((k) => k !== right) as Keyed;
    expectReject(t.validateBlock(makeBlock(t, ks, t.genesis, 1, {}, wrong)), 'not-producer');
  });

  it('rejects a block signed by a non-member', () => {
    const t = tree();
    expectReject(t.validateBlock(makeBlock(t, ks, t.genesis, 1, { producer: outsider.pk }, outsider)), 'bad-signature');
  });

  it('rejects another chain, an unknown parent, a wrong height', () => {
    const t = tree();
    expectReject(t.validateBlock(makeBlock(t, ks, t.genesis, 1, { chain: new Uint8Array(32).fill(9) })), 'wrong-chain');
    expectReject(t.validateBlock(makeBlock(t, ks, t.genesis, 1, { prev: new Uint8Array(32).fill(7) })), 'unknown-parent');
    expectReject(t.validateBlock(makeBlock(t, ks, t.genesis, 1, { height: 2 })), 'bad-height');
  });

  it('rejects a slot that is not after the parent\'s (replayed slot) and a future slot', () => {
    const t = tree();
    const [a] = chainAt(t, ks, [2]);
    expectReject(t.validateBlock(makeBlock(t, ks, a, 2)), 'bad-slot');
    expectReject(t.validateBlock(makeBlock(t, ks, a, 1)), 'bad-slot');
    expectReject(t.validateBlock(makeBlock(t, ks, a, 5), 4), 'future-slot');
    expect(t.validateBlock(makeBlock(t, ks, a, 4), 4).ok).toBe(true);
  });

  it('requires the parent certificate (and none after genesis)', () => {
    const t = tree();
    const a = add(t, makeBlock(t, ks, t.genesis, 1));
    expectReject(t.validateBlock(makeBlock(t, ks, a, 2)), 'missing-certificate');
    const cert = makeCert(t, ks, a);
    expectReject(t.validateBlock(makeBlock(t, ks, t.genesis, 2, { certs: [cert] })), 'bad-certificate');
    expectReject(t.validateBlock(makeBlock(t, ks, a, 2, { certs: [cert, cert] })), 'bad-certificate');
    expect(t.validateBlock(makeBlock(t, ks, a, 2, { certs: [cert] })).ok).toBe(true);
  });

  it('rejects a header whose validators / nextValidators are not the sets of its round and the next (attributable)', () => {
    const t = tree();
    const bad = makeBlock(t, ks, t.genesis, 1, { validators: new Uint8Array(32).fill(2) });
    expectReject(t.validateBlock(bad), 'bad-validators');
    expect(t.attributableFailure(bad)?.reason).toBe('bad-validators');
    expectReject(t.validateBlock(makeBlock(t, ks, t.genesis, 1, { nextValidators: new Uint8Array(32).fill(2) })), 'bad-validators');
    const ok = makeBlock(t, ks, t.genesis, 1);
    expect(ok.header.validators).toEqual(t.setIdOf(t.schedule(t.genesis, 0)));
  });

  it('rejects a payload that does not match its root, and an invalid payload (with attributable evidence)', () => {
    const t = tree(badPayload);
    const b = makeBlock(t, ks, t.genesis, 1, {}, undefined, ['ok']);
    const extra = [...b.txs, labelTx(t.config.chain, 'extra')];
    expectReject(t.validateBlock({ ...b, txs: extra }), 'bad-root');
    expect(t.attributableFailure({ ...b, txs: extra })).toBeNull();
    expectReject(t.validateBlock({ ...b, certs: [makeCert(t, ks, add(tree(), makeBlock(t, ks, t.genesis, 1)))] }), 'bad-root');
    const bad = makeBlock(t, ks, t.genesis, 1, {}, undefined, ['bad']);
    expectReject(t.validateBlock(bad), 'bad-payload');
    expect(t.attributableFailure(bad)?.reason).toBe('bad-payload');
    expect(t.verifyEvidence({ kind: 'invalid-block', block: bad }).ok).toBe(true);
    // The same evidence for a valid block is rejected.
    expect(t.verifyEvidence({ kind: 'invalid-block', block: b }).ok).toBe(false);
    // Transactions swapped under a valid header are not attributable.
    expect(t.verifyEvidence({ kind: 'invalid-block', block: { ...b, txs: [labelTx(t.config.chain, 'bad')] } }).ok).toBe(false);
  });
});

describe('certificates', () => {
  let t: BlockTree;
  let a: Entry;
  beforeAll(() => {
    t = tree();
    a = add(t, makeBlock(t, ks, t.genesis, 1));
  });

  it('accepts floor(2V/3)+1 signers', () => {
    expect(t.scheduleOf(a).quorum).toBe(3);
    expect(t.verifyCertificate(a, makeCert(t, ks, a, [0, 1, 3])).ok).toBe(true);
    expect(t.verifyCertificate(a, makeCert(t, ks, a, [0, 1, 2, 3])).ok).toBe(true);
  });
  it('rejects too few signers', () => {
    expectReject(t.verifyCertificate(a, makeCert(t, ks, a, [0, 1])), 'bad-certificate');
  });
  it('rejects a bitmap claiming a signer that did not sign (forged aggregate)', () => {
    const c = makeCert(t, ks, a, [0, 1, 2]);
    expectReject(t.verifyCertificate(a, { ...c, signers: bitmapOf(4, [0, 1, 3]) }), 'bad-certificate');
  });
  it('rejects a bitmap of the wrong length or with a bit past V', () => {
    const c = makeCert(t, ks, a);
    expectReject(t.verifyCertificate(a, { ...c, signers: new Uint8Array([0b111, 0]) }), 'bad-certificate');
    expectReject(t.verifyCertificate(a, { ...c, signers: new Uint8Array([0b10111]) }), 'bad-certificate');
  });
  it('rejects a certificate replayed for another block', () => {
    const t2 = tree();
    const [x] = chainAt(t2, ks, [1]);
    const y = add(t2, makeBlock(t2, ks, x, 2));
    expectReject(t2.verifyCertificate(y, { ...(x.cert as NonNullable<typeof x.cert>), block: y.id, height: y.height, slot: y.slot }), 'bad-certificate');
    expectReject(t2.verifyCertificate(y, x.cert as NonNullable<typeof x.cert>), 'bad-certificate');
  });
});

describe('votes', () => {
  let t: BlockTree;
  let a: Entry;
  beforeAll(() => {
    t = tree();
    a = add(t, makeBlock(t, ks, t.genesis, 1));
  });
  it('accepts a validator\'s vote and names its bitmap index', () => {
    const r = t.verifyVote(makeVote(t, ks[2], a));
    expect(r.ok).toBe(true);
    expect(r.index).toBe(t.scheduleOf(a).index.get(hexOf(ks[2].pk)));
  });
  it('rejects a forged vote, a non-validator, a replay for another slot, an unknown block, another chain', () => {
    const v = makeVote(t, ks[1], a);
    expectReject(t.verifyVote({ ...v, sig: makeVote(t, ks[2], a).sig }), 'bad-signature');
    expectReject(t.verifyVote(makeVote(t, outsider, a)), 'not-validator');
    expectReject(t.verifyVote({ ...v, slot: 2 }), 'malformed');
    expectReject(t.verifyVote({ ...v, block: new Uint8Array(32).fill(3) }), 'unknown-block');
    expectReject(t.verifyVote({ ...v, chain: new Uint8Array(32).fill(1) }), 'wrong-chain');
  });
});

describe('evidence', () => {
  it('double-block: proves two signed headers for one slot; rejects one header twice, forged, different slots', () => {
    const t = tree();
    const p = producerFor(t, ks, t.genesis, 1);
    const a = makeBlock(t, ks, t.genesis, 1, {}, p, []);
    const b = makeBlock(t, ks, t.genesis, 1, { txRoot: new Uint8Array(32).fill(1) }, p);
    expect(t.verifyEvidence({ kind: 'double-block', a: a.header, b: b.header }).ok).toBe(true);
    expect(t.verifyEvidence({ kind: 'double-block', a: a.header, b: a.header }).ok).toBe(false);
    expect(t.verifyEvidence({ kind: 'double-block', a: a.header, b: { ...b.header, sig: a.header.sig } }).ok).toBe(false);
    const c = makeBlock(t, ks, t.genesis, 2, {}, p);
    expect(t.verifyEvidence({ kind: 'double-block', a: a.header, b: c.header }).ok).toBe(false);
  });

  it('double-vote: proves two votes for one slot; rejects the same vote twice and a forged one', () => {
    const t = tree();
    const p = producerFor(t, ks, t.genesis, 1);
    const a = add(t, makeBlock(t, ks, t.genesis, 1, {}, p));
    const b = add(t, makeBlock(t, ks, t.genesis, 1, {}, p, ['other']));
    const va = makeVote(t, ks[0], a);
    const vb = makeVote(t, ks[0], b);
    expect(t.verifyEvidence({ kind: 'double-vote', a: va, b: vb }).ok).toBe(true);
    expect(t.verifyEvidence({ kind: 'double-vote', a: va, b: va }).ok).toBe(false);
    expect(t.verifyEvidence({ kind: 'double-vote', a: va, b: { ...vb, sig: makeVote(t, ks[1], b).sig } }).ok).toBe(false);
    expect(t.verifyEvidence({ kind: 'double-vote', a: va, b: makeVote(t, ks[1], b) }).ok).toBe(false);
  });

  it('a block carrying invalid or duplicated evidence is invalid; valid evidence is punished once', () => {
    const t = tree();
    const [g1] = chainAt(t, ks, [1]);
    const p = producerFor(t, ks, t.genesis, 1);
    const other = makeBlock(t, ks, t.genesis, 1, { txRoot: new Uint8Array(32).fill(5) }, p);
    const ev = { kind: 'double-block' as const, a: (g1.block as Block).header, b: other.header };
    const c = t.config.chain;
    expect(t.validateBlock(makeBlock(t, ks, g1, 2, {}, undefined, [evidenceTx(c, ev)])).ok).toBe(true);
    expectReject(t.validateBlock(makeBlock(t, ks, g1, 2, {}, undefined, [evidenceTx(c, ev), evidenceTx(c, ev, 1)])), 'bad-evidence');
    expectReject(t.validateBlock(makeBlock(t, ks, g1, 2, {}, undefined, [evidenceTx(c, { ...ev, b: ev.a })])), 'bad-evidence');
    const s0 = initialCredits(t.config);
    const e = { key: evidenceKey(ev), offender: hexOf(p.pk), kind: 'equivocation' as const };
    const s1 = applyCredits(s0, t.config.credits, { missed: [], voters: [], certifiedProducer: null, evidence: [e] });
    const s2 = applyCredits(s1, t.config.credits, { missed: [], voters: [], certifiedProducer: null, evidence: [e] });
    expect(s1.credits.get(hexOf(p.pk))).toBe(t.config.credits.initial - t.config.credits.equivocation);
    expect(s2.credits.get(hexOf(p.pk))).toBe(s1.credits.get(hexOf(p.pk)));
  });
});

describe('finality and fork choice', () => {
  it('finalises the middle of three certified blocks with consecutive slots, not before', () => {
    const t = tree();
    const [a, b] = chainAt(t, ks, [1, 2]);
    // a: parent genesis (slot 0), child b (slot 2) certified -> a final.
    expect(a.final).toBe(true);
    expect(b.final).toBe(false);
    expect(t.final).toBe(a);
  });

  it('does not finalise across a skipped slot', () => {
    const t = tree();
    const [a, b, c] = chainAt(t, ks, [2, 3, 5]);
    expect(a.final).toBe(false);
    expect(t.final).toBe(t.genesis);
    expect(b.final || c.final).toBe(false);
    const [, , , d] = [a, b, c, ...chainAt2(t, c, [6])];
    expect(c.final).toBe(false);
    chainAt2(t, d, [7]);
    expect(d.final).toBe(true);
    expect(a.final && b.final && c.final).toBe(true);
  });

  it('fork choice follows the longest certified chain; a block conflicting with the final chain is refused', () => {
    const t = tree();
    const [a, b] = chainAt(t, ks, [1, 2]);
    expect(t.final).toBe(a);
    expect(t.head()).toBe(b);
    // A sibling of b at slot 3 (certified) does not change the head (same height, larger id wins nothing).
    const s = add(t, makeBlock(t, ks, a, 3));
    t.certify(s, makeCert(t, ks, s));
    expect([b.hex, s.hex].sort()[0]).toBe(t.head().hex);
    // A child of genesis is now conflicting with the final block a.
    expect(t.extends(t.genesis, t.final)).toBe(false);
    expect(t.safetyViolations).toBe(0);
  });
});

describe('conflicting finality (only possible with >= V/3 signing both sides)', () => {
  it('is detected, counted and never reverts the first final chain', () => {
    const t = tree();
    const [a] = chainAt(t, ks, [1, 2]);
    expect(t.final).toBe(a);
    // With every key (a byzantine majority) a conflicting branch from genesis gets certified.
    const x = add(t, makeBlockRaw(t, t.genesis, 3));
    t.certify(x, makeCert(t, ks, x));
    const y = add(t, makeBlockRaw(t, x, 4));
    t.certify(y, makeCert(t, ks, y));
    const z = add(t, makeBlockRaw(t, y, 5));
    t.certify(z, makeCert(t, ks, z));
    expect(t.safetyViolations).toBeGreaterThan(0);
    expect(t.final).toBe(a);
    expect(y.final).toBe(false);
  });
});

function makeBlockRaw(t: BlockTree, parent: Entry, slot: number): Block {
  return makeBlock(t, ks, parent, slot);
}

function chainAt2(t: BlockTree, parent: Entry, slots: number[]): Entry[] {
  const out: Entry[] = [];
  for (const s of slots) {
    const e = add(t, makeBlock(t, ks, parent, s));
    t.certify(e, makeCert(t, ks, e));
    out.push(e);
    parent = e;
  }
  return out;
}

