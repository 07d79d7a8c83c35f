// The crypto layer's public surface: everything above src/lib/crypto/ imports from here.
export { ready } from './wasm';
export { wasmSelfTest, type SelfTestResult } from './selftest';
