// Fr = Z_q, the scalar field of BLS12-381: q = 0x73eda753...00000001 (255 bits).
//
// Everything is generated into fr_mont.ts (same layout and conventions as Fp,
// see docs/wasm-layout.md): fr_add, fr_sub, fr_neg, fr_double, fr_mul, fr_sqr,
// fr_inv (Fermat, constant time, inv(0) = 0), fr_pow, fr_from_bytes (32 bytes
// big-endian, rejects >= q), fr_to_bytes, fr_from_bytes_wide (64 bytes
// big-endian mod q: hash_to_field with L = 48 after 16 zero bytes of padding,
// or L = 64), fr_eq, fr_is_zero, fr_cmov, fr_select, fr_cswap, fr_copy.
// Scalars for multiplication by points want the canonical integer: use
// fr_from_mont (normal-form limbs) or fr_to_bytes.

export * from './fr_mont';
