/**
 * The crypto layer's public surface: everything above src/lib/crypto/
 * imports from here. Call `await ready()` once before using the groups.
 */
export { ready } from './wasm';
export { wasmSelfTest, type SelfTestResult } from './selftest';
export { DecodeError, type DecodeErrorKind } from './errors';
export { CurvePoint, type Group } from './curve';
export { g1, type G1 } from './g1';
export { g2, type G2 } from './g2';
export { pairing, pairingCheck, millerLoop, finalExponentiate, gt, GtElement, GT_BYTES } from './pairing';
export { bls, blsMinPk, type BlsScheme } from './bls';
export * as fr from './fr';
export { expandMessageXmd } from './hash';
export { WorkerPool, JobCancelled, JobError, serveJobs, splitRanges, type JobHandler, type JobContext, type Endpoint } from './pool';
export { parentEndpoint, webWorkerEndpoint, nodeWorkerEndpoint, spawnNodeTsWorker, defaultPoolSize } from './endpoints';
export { EncryptionPublicKey, EncryptionSecretKey, ENC_PUBLIC_KEY_BYTES, ENC_SECRET_KEY_BYTES, SCHNORR_PROOF_BYTES, type SchnorrChallenge } from './enckey';
export { kemEncapsulate, kemDecapsulate, KEM_Y_BYTES, KEM_KEY_BYTES, KEM_NONCE_BYTES, type KemKey, type KemEncapsulation } from './kem';
