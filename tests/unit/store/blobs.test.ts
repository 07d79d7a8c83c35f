/** MemoryBlobStore and DexieBlobStore (fake-indexeddb in Node) against the shared BlobStore suite. */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { DexieBlobStore, MemoryBlobStore } from '../../../src/lib/store';
import { runBlobStoreTests } from './blob-suite';

runBlobStoreTests('memory', async () => ({ store: new MemoryBlobStore() }));

let n = 0;
runBlobStoreTests('dexie (fake-indexeddb)', async () => {
  const indexedDB = new IDBFactory();
  const name = `test-${++n}`;
  const open = () => new DexieBlobStore(name, { indexedDB, IDBKeyRange });
  let store = open();
  return {
    store,
    reopen: async () => {
      await store.close();
      store = open();
      return store;
    },
    teardown: async () => {
      await store.destroy();
    }
  };
});
