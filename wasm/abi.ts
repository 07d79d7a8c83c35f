// ABI helpers shared with src/lib/crypto/wasm.ts.

/** Bumped whenever an export's signature or a memory layout changes. */
export function abiVersion(): u32 {
  return 1;
}

/** Sum of `len` bytes at `ptr`, mod 2^32: the loader's self-test and the
 *  call-overhead benchmark use it. */
export function sumBytes(ptr: usize, len: usize): u32 {
  let s: u32 = 0;
  for (let i: usize = 0; i < len; i++) s += load<u8>(ptr + i);
  return s;
}
