import { MemoryChainStore } from '../../../src/lib/store';
import { runStoreTests } from './store-suite';

runStoreTests('memory', async () => ({ store: new MemoryChainStore() }));
