// MedChain WASM core entry point: re-exports every module's exported functions.
// The module has no GC runtime (`--runtime stub`): all state lives in fixed
// regions of linear memory that src/lib/crypto/ manages.
//
// JS-visible surface of the field layer: the I/O buffer (io_ptr, io_size) and
// the t_* test/benchmark wrappers. The pointer-based field API (fp_*, fp2_*,
// fp6_*, fp12_*, fr_*, tmp_*) is imported module-to-module by the AssemblyScript
// layers above (G1/G2, pairing, hash_to_curve, MSM); see docs/wasm-layout.md.

export { abiVersion, sumBytes } from './abi';
export { io_ptr, io_size, heap_reserve } from './mem';
export { t_fp, t_fp2, t_fp6, t_fp12, t_fr, t_bench, t_tmp_used, DECODE_ERR } from './testing';
export * from './api_curve';
export * from './api_h2c';
export * from './api_pairing';
export * from './api_msm';
