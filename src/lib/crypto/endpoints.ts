/**
 * `Endpoint`s over the platform's workers: Web Workers in browsers,
 * worker_threads in Node (tests, benchmarks). Node modules are imported
 * dynamically with a variable specifier so that bundlers leave them alone.
 */
import type { Endpoint } from './pool';

/** The parent's side of a Web Worker. */
export function webWorkerEndpoint(worker: Worker): Endpoint {
  return {
    post: (msg, transfer) => worker.postMessage(msg, transfer ?? []),
    onMessage: (cb) => worker.addEventListener('message', (e) => cb(e.data)),
    onError: (cb) => worker.addEventListener('error', (e) => cb(new Error(e.message || 'worker error'))),
    terminate: () => worker.terminate()
  };
}

interface NodeWorkerLike {
  postMessage(msg: unknown, transfer?: readonly unknown[]): void;
  on(ev: 'message', cb: (msg: unknown) => void): unknown;
  on(ev: 'error', cb: (err: Error) => void): unknown;
  terminate(): unknown;
  unref?(): void;
}

/** The parent's side of a Node worker_threads Worker. */
export function nodeWorkerEndpoint(worker: NodeWorkerLike): Endpoint {
  // A pool must not keep a test or benchmark process alive by itself.
  worker.unref?.();
  return {
    post: (msg, transfer) => worker.postMessage(msg, transfer as unknown[] | undefined),
    onMessage: (cb) => worker.on('message', cb),
    onError: (cb) => worker.on('error', cb),
    terminate: () => void worker.terminate()
  };
}

/** Inside a worker: the endpoint towards the parent (Web Worker scope or Node parentPort). */
export async function parentEndpoint(): Promise<Endpoint> {
  const g = globalThis as unknown as { WorkerGlobalScope?: unknown; postMessage?: unknown; addEventListener?: unknown };
  if (typeof g.WorkerGlobalScope !== 'undefined') {
    const scope = globalThis as unknown as Worker;
    return {
      post: (msg, transfer) => scope.postMessage(msg, transfer ?? []),
      onMessage: (cb) => scope.addEventListener('message', (e) => cb((e as MessageEvent).data)),
      onError: () => {},
      terminate: () => (globalThis as unknown as { close(): void }).close()
    };
  }
  const name = 'node:worker_threads';
  const { parentPort } = (await import(/* @vite-ignore */ name)) as typeof import('node:worker_threads');
  if (!parentPort) throw new Error('parentEndpoint: not in a worker');
  return {
    post: (msg, transfer) => parentPort.postMessage(msg, transfer as never),
    onMessage: (cb) => parentPort.on('message', cb),
    onError: () => {},
    terminate: () => process.exit(0)
  };
}

/** Number of workers a pool should have on this machine. */
export async function defaultPoolSize(): Promise<number> {
  const hc = globalThis.navigator?.hardwareConcurrency;
  if (typeof hc === 'number' && hc > 0) return hc;
  try {
    const name = 'node:os';
    const os = (await import(/* @vite-ignore */ name)) as typeof import('node:os');
    return os.availableParallelism();
  } catch {
    return 2;
  }
}

/**
 * Spawns a Node worker running the TypeScript module at `url` through tsx,
 * which tests and benchmarks already use. The worker starts from a tiny
 * bootstrap that registers tsx's loader first: `execArgv: ['--import', 'tsx']`
 * does not apply to a worker's entry module on Node 20.
 */
export async function spawnNodeTsWorker(url: URL): Promise<() => Endpoint> {
  const name = 'node:worker_threads';
  const { Worker } = (await import(/* @vite-ignore */ name)) as typeof import('node:worker_threads');
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return () => nodeWorkerEndpoint(new Worker(boot, { eval: true }));
}
