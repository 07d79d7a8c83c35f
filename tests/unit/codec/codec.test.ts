import { describe, expect, it } from 'vitest';
import { decode, encode, expectBytes, expectHeader, expectMap, expectUint, FormatError } from '../../../src/lib/codec';

describe('codec', () => {
  it('is deterministic: key order does not change the bytes', () => {
    const a = encode({ z: 1, a: new Uint8Array([1]), m: 'x' });
    const b = encode({ m: 'x', a: new Uint8Array([1]), z: 1 });
    expect(Buffer.from(a).toString('hex')).toBe(Buffer.from(b).toString('hex'));
    expect(decode(a, 100)).toEqual({ a: new Uint8Array([1]), m: 'x', z: 1 });
  });
  it('rejects oversized input before parsing, and malformed input', () => {
    const big = encode({ b: new Uint8Array(1000) });
    expect(() => decode(big, 100)).toThrow(expect.objectContaining({ kind: 'oversized' }));
    expect(() => decode(new Uint8Array([0xff, 0x00]), 100)).toThrow(expect.objectContaining({ kind: 'malformed' }));
    // Non-canonical: a map with unsorted keys encoded by hand (0xa2 'b' 1 'a' 2).
    expect(() => decode(new Uint8Array([0xa2, 0x61, 0x62, 0x01, 0x61, 0x61, 0x02]), 100)).toThrow(FormatError);
  });
  it('typed readers say which field is wrong', () => {
    const m = expectMap(decode(encode({ t: 'proof', v: 1, n: 5, b: new Uint8Array(3) }), 100), 'proof');
    expectHeader(m, 'proof', 1);
    expect(expectUint(m.n, 'n')).toBe(5);
    expect(() => expectBytes(m.b, 'b', 4)).toThrow(expect.objectContaining({ kind: 'bad-length' }));
    expect(() => expectBytes(m.missing, 'missing')).toThrow(expect.objectContaining({ kind: 'missing-field' }));
    expect(() => expectHeader(m, 'proof', 2)).toThrow(expect.objectContaining({ kind: 'wrong-version' }));
    expect(() => expectUint(-1, 'x')).toThrow(expect.objectContaining({ kind: 'out-of-range' }));
    expect(() => expectMap([1], 'x')).toThrow(expect.objectContaining({ kind: 'wrong-type' }));
  });
});
