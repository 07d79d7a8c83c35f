/**
 * Sealing (SPEC §5): `Enc_k` (segmented, streaming AES-256-GCM; stream.ts,
 * format.ts), `Enc_pkd` (a KEM on G1 with the same AEAD; kem.ts) and the
 * encryption key pairs that are kept apart from signing keys (keys.ts).
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
export { EncryptionPublicKey, EncryptionSecretKey, ENC_PUBLIC_KEY_BYTES, ENC_SECRET_KEY_BYTES } from './keys';
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
