/**
 * Requests between roles (a patient's submission to a hospital, a TPA's
 * challenge to a cloud server, a data user's delivery request): a method
 * name and a body to ONE peer, one answer back.
 *
 * - request {id, method, body} / response {id, ok, body} or {id, ok: false,
 *   error: {code, message}}; bodies are canonical DAG-CBOR values.
 * - An answer to no outstanding request (or from another peer) is dropped
 *   as 'unsolicited'. An unknown method is answered with the error
 *   'unknown-method' (not held against the caller: versions differ).
 * - A peer may have at most `maxInFlight` requests being served; more are
 *   dropped as 'rate-limit'.
 * - A handler that throws RpcError answers with its code; any other throw
 *   is answered 'internal' (its message is not sent).
 */
import { expectMap, expectString, expectUint, type Value } from '../codec';
import type { PeerKey, PeerPort, ProtocolHost } from './protocol';
import { readBody } from './wire';

export type RpcHandler = (body: unknown, from: PeerPort) => Promise<Value> | Value;

/** A failure a handler reports, or a caller receives. */
export class RpcError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export interface RpcOptions {
  maxInFlight?: number;
  timeoutMs?: number;
}

interface Pending {
  peer: PeerKey;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class Rpc {
  private readonly methods = new Map<string, RpcHandler>();
  private readonly pending = new Map<number, Pending>();
  private readonly serving = new Map<PeerKey, number>();
  private next = 1;

  constructor(
    private readonly host: ProtocolHost,
    private readonly o: RpcOptions = {}
  ) {
    host.handle('request', (body, from) => this.onRequest(body, from));
    host.handle('response', (body, from) => this.onResponse(body, from));
    host.onPeer((p, e) => {
      if (e !== 'down') return;
      for (const [id, q] of this.pending) if (q.peer === p.key) this.settle(id, new RpcError('peer-gone', 'the peer went away before answering'));
    });
  }

  /** Serves `method` (one handler per method). */
  register(method: string, handler: RpcHandler): void {
    this.methods.set(method, handler);
  }

  /** Calls `method` on `peer`; rejects with RpcError (its code, or 'timeout', 'unreachable', 'peer-gone'). */
  call(peer: PeerKey, method: string, body: Value, opts: { timeoutMs?: number } = {}): Promise<unknown> {
    const port = this.host.peer(peer);
    if (!port) return Promise.reject(new RpcError('unreachable', 'that peer is not connected'));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.settle(id, new RpcError('timeout', `${method}: no answer`)), opts.timeoutMs ?? this.o.timeoutMs ?? 30_000);
      this.pending.set(id, { peer, resolve, reject, timer });
      if (!port.send('request', { id, method, body })) this.settle(id, new RpcError('unreachable', `${method}: could not send`));
    });
  }

  private settle(id: number, outcome: Error | { value: unknown }): void {
    const q = this.pending.get(id);
    if (!q) return;
    clearTimeout(q.timer);
    this.pending.delete(id);
    if (outcome instanceof Error) q.reject(outcome);
    else q.resolve(outcome.value);
  }

  private onRequest(body: unknown, from: PeerPort): void {
    const { id, method, payload } = readBody('request', () => {
      const m = expectMap(body, 'request');
      return { id: expectUint(m.id, 'request.id'), method: expectString(m.method, 'request.method', 64), payload: m.body };
    });
    const handler = this.methods.get(method);
    if (!handler) {
      from.send('response', { id, ok: false, error: { code: 'unknown-method', message: `no method ${method}` } });
      return;
    }
    const busy = this.serving.get(from.key) ?? 0;
    if (busy >= (this.o.maxInFlight ?? 8)) return this.host.drop(from, 'rate-limit', `more than ${this.o.maxInFlight ?? 8} requests in flight`);
    this.serving.set(from.key, busy + 1);
    void (async () => {
      try {
        const value = await handler(payload, from);
        from.send('response', { id, ok: true, body: value });
      } catch (e) {
        const error = e instanceof RpcError ? { code: e.code, message: e.message.slice(0, 500) } : { code: 'internal', message: 'the peer failed to answer' };
        from.send('response', { id, ok: false, error });
      } finally {
        this.serving.set(from.key, (this.serving.get(from.key) ?? 1) - 1);
      }
    })();
  }

  private onResponse(body: unknown, from: PeerPort): void {
    const m = readBody('response', () => expectMap(body, 'response'));
    const id = readBody('response', () => expectUint(m.id, 'response.id'));
    const q = this.pending.get(id);
    if (!q || q.peer !== from.key) return this.host.drop(from, 'unsolicited', `response ${id}`);
    if (m.ok === true) return this.settle(id, { value: m.body });
    const err = readBody('response', () => {
      const e = expectMap(m.error, 'response.error');
      return new RpcError(expectString(e.code, 'error.code', 64), expectString(e.message, 'error.message', 1000));
    });
    this.settle(id, err);
  }
}
