/**
 * Blobs between peers (issue 7, docs/blobs.md): content-addressed manifests
 * (manifest.ts), chunk hashing (hash.ts), and the pull-based, resumable,
 * verified transfer service over a ProtocolHost (transfer.ts). Stores
 * implementing `BlobStore` live in src/lib/store/blobs.ts.
 */
export { HASH_BYTES, sha256, sha256Sync, equalBytes } from './hash';
export {
  MANIFEST_VERSION,
  DEFAULT_CHUNK_BYTES,
  MIN_CHUNK_BYTES,
  MAX_CHUNK_BYTES,
  MAX_BLOB_BYTES,
  MAX_CHUNKS,
  MAX_MANIFEST_BYTES,
  MAX_MIME_LENGTH,
  chunkCount,
  chunkLength,
  isBlobId,
  blobIdBytes,
  blobIdOf,
  checkManifest,
  checkChunkBytes,
  manifestValue,
  encodeManifest,
  readManifest,
  decodeManifest,
  manifestId,
  chunksOf,
  makeManifest,
  type BlobId,
  type BlobManifest,
  type BlobSource,
  type ManifestOptions
} from './manifest';
export {
  BlobService,
  BlobTransferError,
  MAX_GET_RUN,
  type BlobStore,
  type BlobInfo,
  type PartialInfo,
  type PutChunkOutcome,
  type BlobProgress,
  type BlobEvent,
  type HolderLostReason,
  type BlobServiceOptions,
  type BlobTransferErrorKind,
  type FetchOptions
} from './transfer';
