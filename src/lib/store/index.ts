/**
 * Storage adapters for the ledger (STYLE: src/lib/store/ — Dexie schema and
 * storage adapters). `ChainStore` is the interface; `MemoryChainStore` and
 * `DexieChainStore` implement it and pass one acceptance suite
 * (tests/unit/store/store-suite.ts, `runStoreTests(setup)`).
 */
export type { ChainStore, EntryLocation, PatientChainName } from './types';
export { MemoryChainStore } from './memory';
export { DexieChainStore } from './dexie';
export { rebuildState, checkStoredState, type RebuildResult } from './rebuild';
export { MemoryBlobStore, DexieBlobStore, type BlobStore, type BlobInfo, type PartialInfo, type PutChunkOutcome } from './blobs';
