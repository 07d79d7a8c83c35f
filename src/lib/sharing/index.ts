/**
 * Sharing (SPEC §5, §7): the sharing contract in its two modes (rewrap,
 * reencrypt), the on-chain H3 check, access grants, and per-access
 * fingerprints with leak tracing. Design notes: docs/sharing.md.
 */
export { accessGrant, accessContext, emrKeyContext, MAX_RECORD_ID_BYTES, type AccessGrant, type ShareMode } from './grant';
export { checkCiphertext, checkCiphertextStream, H3Hasher, type CiphertextCheck, type CiphertextRejection } from './check';
export {
  identifyLeak,
  fingerprintStream,
  generateFingerprintKey,
  deriveFingerprintKey,
  readTrailer,
  readWatermark,
  watermarkBits,
  trailer,
  FINGERPRINT_KEY_BYTES,
  WATERMARK_SLOTS,
  MIN_SLOTS,
  MIN_Z,
  type LeakResult,
  type WatermarkMode,
  type FingerprintOptions
} from './fingerprint';
export {
  rewrap,
  reencrypt,
  reencryptStream,
  deliver,
  unwrapDelivery,
  openRewrap,
  openReencrypted,
  openReencryptedStream,
  encodeRewrapDelivery,
  decodeRewrapDelivery,
  type Delivery,
  type RewrapDelivery,
  type ReencryptDelivery,
  type ExecutorInput,
  type ReencryptInput,
  type ContractResult
} from './deliver';
