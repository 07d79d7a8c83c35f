import { describe, expect, it } from 'vitest';
import { ready, wasmSelfTest } from '../../../src/lib/crypto';
import { ABI_VERSION } from '../../../src/lib/crypto/wasm';

describe('WASM core loader (Node)', () => {
  it('instantiates the module once with the expected ABI', async () => {
    const a = await ready();
    const b = await ready();
    expect(a).toBe(b);
    expect(a.abiVersion()).toBe(ABI_VERSION);
  });

  it('computes over bytes in its memory the same value as JS', async () => {
    const bytes = new Uint8Array(5000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 0xff;
    const r = await wasmSelfTest(bytes);
    expect(r.wasmSum).toBe(r.jsSum);
    expect(r.wasmSum).toBe(bytes.reduce((s, x) => s + x, 0));
    expect(r.ok).toBe(true);
  });
});
