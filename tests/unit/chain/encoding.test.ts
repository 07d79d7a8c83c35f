/** Deterministic encodings, ids, Merkle proofs and the state codec (src/lib/chain/encoding.ts, state-codec.ts). */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../src/lib/crypto';
import { decode, encode, FormatError } from '../../../src/lib/codec';
import {
  blockId,
  decodeBlock,
  decodeCert,
  decodeState,
  decodeTx,
  encodeBlock,
  encodeCert,
  encodeState,
  encodeTx,
  hex,
  merkleProof,
  merkleRoot,
  txId,
  verifyMerkleProof,
  type TxBody
} from '../../../src/lib/chain';
import { apply, certify, makeWorld, next, rawBlock, tx, type World } from './fixture';
import { sha256 } from '@noble/hashes/sha2.js';

let w: World;
beforeAll(async () => {
  await ready();
  w = makeWorld();
});

const bodies = (w: World): TxBody[] => [
  { type: 'register', member: w.genesis.txs[0].body.type === 'genesis' ? w.genesis.txs[0].body.members[4] : (null as never) },
  { type: 'regulator-update', hospital: w.h1.pk, rating: 10, tier: '2A' },
  { type: 'vote', delegates: [w.h1.pk, w.h2.pk] },
  { type: 'emr', pid: w.pid, prev: null, info: { h3c: new Uint8Array(32), index: 'i', description: 'd', time: 3 }, audit: { scheme: 'yang2019', n: 2, r1: new Uint8Array(48), r2: new Uint8Array(96), idm: new Uint8Array(5), pkP: w.patient.pk, v: w.h1.pk }, sealedKey: new Uint8Array(10) },
  { type: 'access-request', pid: w.pid, emr: new Uint8Array(32), purpose: 'p' },
  { type: 'access-record', request: new Uint8Array(32), pid: w.pid, emr: new Uint8Array(32), requester: w.user.pk, purpose: 'p', prev: new Uint8Array(32), decision: 'refused', reason: 'r', mode: 'reencrypt' },
  { type: 'consent-grant', pid: w.pid, records: [new Uint8Array(32)], requesters: 'any', purposes: ['a', 'b'], expires: 99 },
  { type: 'consent-revoke', pid: w.pid, grant: new Uint8Array(32) },
  { type: 'audit-request', pid: w.pid, emr: new Uint8Array(32), tpa: w.tpa.pk, c: 460 },
  { type: 'audit-result', request: new Uint8Array(32), seed: new Uint8Array(32), passed: false, proof: new Uint8Array(32), detail: 'x' },
  { type: 'trace', pid: w.pid, requester: w.user.pk, reason: 'r', time: 1 },
  { type: 'evidence', evidence: { kind: 'double-vote', a: { chain: w.state0.chain, block: new Uint8Array(32), height: 1, slot: 2, validator: w.h1.pk, sig: new Uint8Array(48) }, b: { chain: w.state0.chain, block: new Uint8Array(32).fill(1), height: 1, slot: 2, validator: w.h1.pk, sig: new Uint8Array(48) } } },
  { type: 'evidence', evidence: { kind: 'double-block', a: w.genesis.header, b: w.genesis.header } },
  { type: 'delivery', record: new Uint8Array(32), pid: w.pid, requester: w.user.pk, mode: 'rewrap', digest: new Uint8Array(32), prev: null }
];

describe('transactions and blocks', () => {
  it('every transaction type round-trips, byte for byte, with a stable id', () => {
    for (const body of bodies(w)) {
      const t = tx(w, w.h1, body, 4);
      const bytes = encodeTx(t);
      const back = decodeTx(bytes);
      expect(hex(encodeTx(back))).toBe(hex(bytes));
      expect(hex(txId(back))).toBe(hex(sha256(bytes)));
    }
    expect(hex(encodeBlock(decodeBlock(encodeBlock(w.genesis))))).toBe(hex(encodeBlock(w.genesis)));
  });
  it('decoding rejects unknown fields, wrong versions, unknown types, empty scopes, bad lengths', () => {
    const t = tx(w, w.h1, { type: 'vote', delegates: [] });
    const m = decode(encodeTx(t), 1 << 20) as Record<string, unknown>;
    const re = (x: unknown) => () => decodeTx(encode(x as never));
    expect(re({ ...m, extra: 1 })).toThrow(FormatError);
    expect(re({ ...m, v: 2 })).toThrow(expect.objectContaining({ kind: 'wrong-version' }));
    expect(re({ ...m, body: { type: 'mint', amount: 5 } })).toThrow(expect.objectContaining({ kind: 'wrong-type' }));
    expect(re({ ...m, body: { type: 'consent-grant', pid: w.pid, records: [], requesters: 'any', purposes: 'any', expires: null } })).toThrow(expect.objectContaining({ kind: 'out-of-range' }));
    expect(re({ ...m, author: new Uint8Array(95) })).toThrow(expect.objectContaining({ kind: 'bad-length' }));
    expect(re({ ...m, body: { type: 'vote' } })).toThrow(expect.objectContaining({ kind: 'missing-field' }));
  });
  it('a block id is the hash of the signed header; certificates round-trip', () => {
    const { block, state } = next(w, w.state0, []);
    expect(hex(blockId(block))).toBe(hex(state.head));
    const c = certify(w, state, block);
    expect(hex(encodeCert(decodeCert(encodeCert(c))))).toBe(hex(encodeCert(c)));
  });
});

describe('Merkle root and proofs', () => {
  it('prove and verify every leaf for 0..9 leaves; wrong index, id or path fails', () => {
    for (let n = 0; n <= 9; n++) {
      const ids = Array.from({ length: n }, (_, i) => sha256(new Uint8Array([i])));
      const root = merkleRoot(ids);
      for (let i = 0; i < n; i++) {
        const p = merkleProof(ids, i);
        expect(verifyMerkleProof(root, ids[i], i, n, p)).toBe(true);
        if (n > 1) {
          expect(verifyMerkleProof(root, ids[i], (i + 1) % n, n, p)).toBe(false);
          expect(verifyMerkleProof(root, ids[(i + 1) % n], i, n, p)).toBe(false);
          expect(verifyMerkleProof(root, ids[i], i, n, p.slice(1))).toBe(false);
        }
      }
    }
  });
  it('distinct lists have distinct roots (no duplication of an odd leaf)', () => {
    const a = sha256(new Uint8Array([1]));
    const b = sha256(new Uint8Array([2]));
    const c = sha256(new Uint8Array([3]));
    expect(hex(merkleRoot([a, b, c]))).not.toBe(hex(merkleRoot([a, b, c, c])));
    expect(hex(merkleRoot([]))).not.toBe(hex(merkleRoot([a])));
  });
});

describe('state codec', () => {
  it('a busy state round-trips byte for byte', () => {
    const emr = tx(w, w.h1, bodies(w)[3] as TxBody);
    const s1 = apply(w.state0, rawBlock(w, w.state0, [emr]));
    const grant = tx(w, w.patient, { type: 'consent-grant', pid: w.pid, records: [txId(emr)], requesters: [w.user.pk], purposes: ['x'], expires: null });
    const vote = tx(w, w.h2, { type: 'vote', delegates: [w.h1.pk] });
    const req = tx(w, w.user, { type: 'access-request', pid: w.pid, emr: txId(emr), purpose: 'x' });
    const audit = tx(w, w.patient, { type: 'audit-request', pid: w.pid, emr: txId(emr), tpa: w.tpa.pk, c: 3 }, 1);
    const s2 = apply(s1, rawBlock(w, s1, [grant, vote, req, audit]));
    const bytes = encodeState(s2);
    expect(hex(encodeState(decodeState(bytes)))).toBe(hex(bytes));
    expect(decodeState(bytes).pending.size).toBe(1);
  });
});
