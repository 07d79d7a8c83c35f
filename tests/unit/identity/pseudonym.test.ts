/**
 * Pseudonyms, escrow and tracing (SPEC §3, §7), and the system parameters.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../src/lib/crypto';
import { h1 } from '../../../src/lib/hashes';
import { FormatError } from '../../../src/lib/codec';
import {
  addToEscrow,
  createParticipant,
  decodeEscrowBook,
  decodeSystemParams,
  decodeTraceRecord,
  encodeEscrowBook,
  encodeSystemParams,
  encodeTraceRecord,
  escrowDecrypt,
  escrowEncrypt,
  ESCROW_BYTES,
  ID_BYTES,
  IdentityError,
  issuePseudonym,
  padIdentity,
  pkgSetup,
  signTraceRecord,
  systemParams,
  trace,
  traceWithRecord,
  unpadIdentity,
  verifySystemParams,
  verifyTraceRecord,
  type EscrowBook,
  type ParticipantKeys,
  type SystemParams
} from '../../../src/lib/identity';

let pkg: ParticipantKeys;
let params: SystemParams;
beforeAll(async () => {
  await ready();
  ({ params, keys: pkg } = pkgSetup('Registration authority'));
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const flip = (b: Uint8Array, i: number) => {
  const c = Uint8Array.from(b);
  c[i] ^= 1;
  return c;
};

describe('identity block', () => {
  it('pads to 64 bytes with a length byte and round-trips', () => {
    const b = padIdentity('110101199003077777');
    expect(b.length).toBe(ID_BYTES);
    expect(b[0]).toBe(18);
    expect(b.subarray(19).every((x) => x === 0)).toBe(true);
    expect(unpadIdentity(b)).toBe('110101199003077777');
    expect(unpadIdentity(padIdentity('张三 身份证 1234'))).toBe('张三 身份证 1234');
  });
  it('accepts 63 bytes, rejects 64 with a typed error, never truncates', () => {
    expect(unpadIdentity(padIdentity('x'.repeat(63)))).toBe('x'.repeat(63));
    expect(() => padIdentity('x'.repeat(64))).toThrow(expect.objectContaining({ name: 'IdentityError', kind: 'id-too-long' }));
    // 22 three-byte characters = 66 bytes although only 22 UTF-16 units.
    expect(() => padIdentity('张'.repeat(22))).toThrow(IdentityError);
    expect(() => padIdentity('')).toThrow(expect.objectContaining({ kind: 'id-empty' }));
    expect(() => padIdentity('a\u0000b')).toThrow(expect.objectContaining({ kind: 'id-invalid' }));
    expect(() => padIdentity('a\ud800')).toThrow(expect.objectContaining({ kind: 'id-invalid' }));
  });
  it('normalises to NFC so one name has one block', () => {
    expect(hex(padIdentity('e\u0301'))).toBe(hex(padIdentity('\u00e9')));
  });
  it('rejects blocks that padIdentity would not make', () => {
    const b = padIdentity('abc');
    expect(() => unpadIdentity(flip(b, 40))).toThrow(FormatError);
    const long = Uint8Array.from(b);
    long[0] = 64;
    expect(() => unpadIdentity(long)).toThrow(FormatError);
  });
});

describe('escrow encryption E (ECIES on G1)', () => {
  it('is randomised, fixed width and decrypts only under the right key', () => {
    const block = padIdentity('alice');
    const a = escrowEncrypt(pkg.encryption.publicKey, block);
    const b = escrowEncrypt(pkg.encryption.publicKey, block);
    expect(a.length).toBe(ESCROW_BYTES);
    expect(hex(a)).not.toBe(hex(b));
    expect(hex(escrowDecrypt(pkg.encryption, a)!)).toBe(hex(block));
    const other = createParticipant('pkg', 'other');
    expect(escrowDecrypt(other.encryption, a)).toBeNull();
    for (const i of [0, 47, 48, 100, 127]) expect(escrowDecrypt(pkg.encryption, flip(a, i))).toBeNull();
    expect(escrowDecrypt(pkg.encryption, a.subarray(1))).toBeNull();
  });
});

describe('pseudonyms', () => {
  it('trace returns the identity (round trip through the escrow book)', () => {
    const book: EscrowBook = new Map();
    const p = issuePseudonym('110101199003077777', pkg.encryption.publicKey);
    expect(p.pid.length).toBe(64);
    addToEscrow(book, p);
    expect(trace(p.pid, book, pkg.encryption)).toEqual({ ok: true, id: '110101199003077777' });
    expect(trace(p.pid, p.escrow, pkg.encryption)).toEqual({ ok: true, id: '110101199003077777' });
  });
  it('PID = pad(ID) xor H1(E): whoever holds E learns ID with no key (why the escrow is secret)', () => {
    const p = issuePseudonym('bob', pkg.encryption.publicKey);
    const mask = h1(p.escrow, ID_BYTES);
    const block = p.pid.map((x, i) => x ^ mask[i]);
    expect(unpadIdentity(block)).toBe('bob');
  });
  it('two pseudonyms of one ID differ and share no structure visible without the escrow', () => {
    const pids = Array.from({ length: 8 }, () => issuePseudonym('carol', pkg.encryption.publicKey).pid);
    expect(new Set(pids.map(hex)).size).toBe(8);
    // Without E, PID looks uniform: the ID's zero padding (bytes 6..63) does not show.
    for (const pid of pids) expect(pid.subarray(6).filter((x) => x === 0).length).toBeLessThan(10);
    // And XOR of two PIDs of the same ID is not zero where the IDs agree.
    const x = pids[0].map((b, i) => b ^ pids[1][i]);
    expect(x.filter((b) => b === 0).length).toBeLessThan(10);
  });
  it('a wrong skR cannot trace, an unknown PID is reported, a swapped escrow entry is caught', () => {
    const book: EscrowBook = new Map();
    const p = issuePseudonym('dave', pkg.encryption.publicKey);
    const q = issuePseudonym('erin', pkg.encryption.publicKey);
    addToEscrow(book, p);
    const other = createParticipant('pkg', 'rogue');
    expect(trace(p.pid, book, other.encryption)).toMatchObject({ ok: false, reason: 'decrypt-failed' });
    expect(trace(q.pid, book, pkg.encryption)).toMatchObject({ ok: false, reason: 'unknown-pseudonym' });
    // q's escrow filed under p's PID: decrypts, but names another pseudonym.
    expect(trace(p.pid, q.escrow, pkg.encryption)).toMatchObject({ ok: false, reason: 'pid-mismatch' });
    expect(trace(flip(p.pid, 3), p.escrow, pkg.encryption)).toMatchObject({ ok: false, reason: 'pid-mismatch' });
  });
  it('IDs over the width are rejected before anything is encrypted', () => {
    expect(() => issuePseudonym('9'.repeat(64), pkg.encryption.publicKey)).toThrow(expect.objectContaining({ kind: 'id-too-long' }));
  });
  it('the escrow book round-trips in canonical form and rejects corruption', () => {
    const book: EscrowBook = new Map();
    for (const id of ['a', 'b', 'c']) addToEscrow(book, issuePseudonym(id, pkg.encryption.publicKey));
    const bytes = encodeEscrowBook(book);
    const back = decodeEscrowBook(bytes);
    expect([...back.keys()].sort()).toEqual([...book.keys()].sort());
    for (const [k, e] of book) expect(hex(back.get(k)!)).toBe(hex(e));
    expect(() => decodeEscrowBook(bytes.subarray(0, bytes.length - 1))).toThrow(FormatError);
    expect(() => decodeEscrowBook(bytes, 2)).toThrow(FormatError);
  });
});

describe('trace records', () => {
  it('are signed by the PKG, encode deterministically and verify', () => {
    const requester = createParticipant('hospital', 'Court liaison, City Hospital');
    const p = issuePseudonym('frank', pkg.encryption.publicKey);
    const book: EscrowBook = new Map([[hex(p.pid), p.escrow]]);
    const { result, record } = traceWithRecord(pkg, p.pid, book, { requester: requester.signing.pk, reason: 'leak investigation #12', time: 1_700_000_000_000 });
    expect(result).toEqual({ ok: true, id: 'frank' });
    const bytes = encodeTraceRecord(record);
    expect(bytes.length).toBeLessThan(400);
    expect(hex(encodeTraceRecord(decodeTraceRecord(bytes)))).toBe(hex(bytes));
    // BLS signing is deterministic: the same fields give the same bytes.
    expect(hex(encodeTraceRecord(signTraceRecord(pkg.signing, record)))).toBe(hex(bytes));
    expect(verifyTraceRecord(decodeTraceRecord(bytes), pkg.signing.pk)).toEqual({ ok: true });
    // The record does not contain the identity.
    expect(Buffer.from(bytes).includes(Buffer.from('frank'))).toBe(false);
  });
  it('fail on tampering and under another key; malformed bytes are typed errors', () => {
    const requester = createParticipant('user', 'Auditor');
    const r = signTraceRecord(pkg.signing, { pid: new Uint8Array(64).fill(7), requester: requester.signing.pk, reason: 'audit', time: 5 });
    expect(verifyTraceRecord({ ...r, reason: 'audit!' }, pkg.signing.pk)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifyTraceRecord({ ...r, time: 6 }, pkg.signing.pk)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifyTraceRecord({ ...r, pid: flip(r.pid, 0) }, pkg.signing.pk)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifyTraceRecord({ ...r, requester: pkg.signing.pk }, pkg.signing.pk)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifyTraceRecord(r, requester.signing.pk)).toMatchObject({ ok: false, reason: 'bad-signature' });
    const bytes = encodeTraceRecord(r);
    expect(() => decodeTraceRecord(bytes.subarray(0, 20))).toThrow(FormatError);
    expect(() => decodeTraceRecord(new Uint8Array(5000))).toThrow(expect.objectContaining({ kind: 'oversized' }));
    expect(() => signTraceRecord(pkg.signing, { ...r, reason: 'x'.repeat(2000) })).toThrow(RangeError);
  });
});

describe('system parameters', () => {
  it('hold the constants and the PKG record, round-trip and verify', () => {
    expect(params.q).toBe(0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n);
    expect(params.dst).toEqual({ H1: 'MEDCHAIN-V1-H1', H2: 'MEDCHAIN-V1-H2', H3: 'MEDCHAIN-V1-H3' });
    expect(params.pkg.role).toBe('pkg');
    const bytes = encodeSystemParams(params);
    const back = decodeSystemParams(bytes);
    expect(hex(encodeSystemParams(back))).toBe(hex(bytes));
    expect(verifySystemParams(back)).toEqual({ ok: true });
  });
  it('reject a changed constant, a non-PKG record, and malformed bytes', () => {
    expect(verifySystemParams({ ...params, g1: params.P1 })).toMatchObject({ ok: false, reason: 'wrong-constant' });
    expect(verifySystemParams({ ...params, dst: { ...params.dst, H1: 'X' } })).toMatchObject({ ok: false, reason: 'wrong-constant' });
    const hospital = createParticipant('hospital', 'H');
    expect(verifySystemParams(systemParams(hospital.identity))).toMatchObject({ ok: false, reason: 'not-a-pkg' });
    expect(verifySystemParams({ ...params, pkg: { ...params.pkg, name: 'Evil PKG' } })).toMatchObject({ ok: false, reason: 'bad-pkg-record' });
    expect(() => decodeSystemParams(new Uint8Array([0xa0]))).toThrow(FormatError);
  });
});
