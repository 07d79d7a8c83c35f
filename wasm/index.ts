// MedChain WASM core entry point: re-exports every module's exported functions.
// The module has no GC runtime (`--runtime stub`): all state lives in fixed
// regions of linear memory that src/lib/crypto/ manages.

export { abiVersion, sumBytes } from './abi';
