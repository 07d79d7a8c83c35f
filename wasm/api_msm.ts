// WASM exports of the multi-scalar multiplication (docs/wasm-msm.md).
//
//   const ptr = g1_msm_reserve(n);       // region for the inputs
//   write n projective points (g1_size() = 156 bytes each, the images the
//   curve exports produce) at ptr, then n scalars (32 bytes big-endian, any
//   value, reduced mod r) at ptr + n * 156;
//   g1_msm(out, n);                       // out: 156-byte projective result
//
// G2 likewise with 312-byte points (g2_msm_reserve, g2_msm). Points must be in
// G1 / G2 (as every checked decoder guarantees). VARIABLE TIME: public inputs.

export { g1_msm_reserve, g1_msm, msm_g1_config } from './msm';
export { g2_msm_reserve, g2_msm, msm_g2_config } from './msm_g2';
