// Entry of a crypto pool worker: one WASM instance, the crypto jobs.
import { parentEndpoint } from './endpoints';
import { cryptoJobs } from './jobs';
import { serveJobs } from './pool';
import { ready } from './wasm';

await ready();
serveJobs(cryptoJobs, await parentEndpoint());
