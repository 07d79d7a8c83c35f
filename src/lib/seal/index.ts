/**
 * Sealing (SPEC §5): `Enc_k` (segmented, streaming AES-256-GCM; stream.ts,
 * format.ts) and `Enc_pkd` (the crypto layer's KEM on G1 with the same AEAD;
 * kem.ts). The encryption key pair is defined once in $lib/crypto
 * (enckey.ts); it is re-exported here because every `Enc_pkd` call takes one.
 * Design notes and figures: docs/seal.md.
 */
export { SealError, type SealErrorKind } from './errors';
export { aesGcm, hasWebCrypto, resolveBackend, type Aead, type AeadBackend, type AeadChoice } from './aead';
export {
  decodeSealHeader,
  encodeSealHeader,
  sealedLength,
  segmentCount,
  DEFAULT_SEGMENT,
  MAX_HEADER_BYTES,
  MAX_SEGMENT,
  MIN_SEGMENT,
  type SealHeader
} from './format';
export {
  generateFileKey,
  seal,
  open,
  sealStream,
  openStream,
  peekSealHeader,
  Sealer,
  Opener,
  FILE_KEY_BYTES,
  type Progress,
  type SealOptions,
  type StreamOptions
} from './stream';
export {
  wrapKey,
  unwrapKey,
  encodeWrappedKey,
  decodeWrappedKey,
  sealTo,
  openFrom,
  sealToStream,
  openFromStream,
  bytesStream,
  collect,
  MAX_WRAPPED_BYTES,
  type WrappedKey,
  type WrapOptions,
  type SealToOptions
} from './kem';
