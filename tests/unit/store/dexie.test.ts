/** The Dexie (IndexedDB) store against the shared suite, on fake-indexeddb in Node. */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { DexieChainStore } from '../../../src/lib/store';
import { runStoreTests } from './store-suite';

let n = 0;
runStoreTests('dexie (fake-indexeddb)', async () => {
  const indexedDB = new IDBFactory();
  const name = `medchain-test-${++n}`;
  const open = () => new DexieChainStore(name, { indexedDB, IDBKeyRange });
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
