/**
 * Catching up: a node that joins late or comes back after being offline asks
 * a peer that is ahead for HEADERS first (cheap, and they must link to a
 * block it has and be signed by member producers), then for the BODIES of
 * those headers in batches, checks each body against its header's roots and
 * feeds the blocks, in height order, to its consensus node, which validates
 * them fully (ledger rules, certificates, finality). It stops when it is no
 * longer behind any peer; live gossip does the rest.
 *
 * Requests carry an id; an answer to no outstanding request is dropped as
 * 'unsolicited'. A peer that serves headers that do not link or verify, or
 * bodies that do not match, is counted ('invalid' / 'forged') and the sync
 * moves to another peer.
 *
 * Messages:
 * - get-headers {rid, start, count}: headers of the responder's best chain at
 *   heights [start, start + count) (count <= MAX_HEADERS);
 * - headers {rid, headers}: those it has (possibly fewer);
 * - get-bodies {rid, ids}: up to MAX_BODIES block ids;
 * - bodies {rid, bodies: [{txs, certs}]}: in the order asked, stopping at the
 *   first it lacks or at the byte budget.
 */
import { encode, expectArray, expectBytes, expectMap, expectUint, type Value } from '../codec';
import { equalBytes } from '../chain/bytes';
import { certFromValue, certRoot, certValue, headerFromValue, headerValue, txFromValue, txValue } from '../chain/encoding';
import type { ConsensusNode } from '../chain/consensus/node';
import { headerId, txRootOf } from '../chain/consensus/encoding';
import type { Block, BlockHeader } from '../chain/types';
import type { Entry } from '../chain/consensus/tree';
import type { NetNode } from './node';
import type { PeerPort } from './protocol';
import { readBody, WireError } from './wire';

export const MAX_HEADERS = 512;
export const MAX_BODIES = 64;
/** Bodies per answer stop before this many encoded bytes (the frame limit is 4 MiB). */
const BODY_BYTE_BUDGET = 3 << 20;

export interface SyncProgress {
  phase: 'idle' | 'headers' | 'bodies';
  /** The height being synced to, and the local head height. */
  target: number;
  height: number;
  peer: string | null;
  /** Blocks imported by this sync run. */
  imported: number;
}

export interface SyncOptions {
  headersPerRequest?: number;
  bodiesPerRequest?: number;
  timeoutMs?: number;
  onProgress?: (p: SyncProgress) => void;
}

interface Pending {
  kind: 'headers' | 'bodies';
  peer: string;
  resolve: (body: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class SyncService {
  progress: SyncProgress = { phase: 'idle', target: 0, height: 0, peer: null, imported: 0 };
  /** Totals over every run: blocks imported, runs, peers given up on. */
  readonly stats = { imported: 0, runs: 0, failures: 0 };
  private running = false;
  private again = false;
  private rid = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly net: NetNode,
    private readonly node: ConsensusNode,
    private readonly o: SyncOptions = {}
  ) {
    net.handle('get-headers', (body, from) => this.serveHeaders(body, from));
    net.handle('get-bodies', (body, from) => this.serveBodies(body, from));
    net.handle('headers', (body, from) => this.answer('headers', body, from));
    net.handle('bodies', (body, from) => this.answer('bodies', body, from));
    net.onEvent((e) => {
      if (e.kind === 'status' || e.kind === 'peer-up') this.kick();
    });
    net.onPeer((p, e) => {
      if (e === 'down') for (const [rid, q] of this.pending) if (q.peer === p.key) this.fail(rid, new Error('peer went away'));
    });
  }

  /** True while a sync run is fetching (consensus's own ancestor fetch can wait). */
  get active(): boolean {
    return this.running;
  }

  /** Starts a sync run if some peer is ahead (runs one at a time). */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    if (!this.aheadPeers().length) return;
    this.running = true;
    this.stats.runs++;
    void this.run().finally(() => {
      this.running = false;
      this.setProgress({ phase: 'idle', peer: null });
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Peers whose best block is higher than ours, best first. */
  private aheadPeers(): PeerPort[] {
    const h = this.node.tree.head().height;
    return this.net
      .peers()
      .filter((p) => p.status.head.height > h)
      .sort((a, b) => b.status.head.height - a.status.head.height);
  }

  private async run(): Promise<void> {
    const failed = new Set<string>();
    let imported = 0;
    for (;;) {
      const peer = this.aheadPeers().find((p) => !failed.has(p.key));
      if (!peer) return;
      const target = peer.status.head.height;
      try {
        const n = await this.syncFrom(peer, target, imported);
        imported += n;
        if (n === 0) failed.add(peer.key);
      } catch (e) {
        failed.add(peer.key);
        this.stats.failures++;
        if (e instanceof WireError) this.net.drop(peer, e.reason, e.message);
      }
    }
  }

  /** One pass against one peer; returns the number of blocks imported. */
  private async syncFrom(peer: PeerPort, target: number, importedBefore: number): Promise<number> {
    const tree = this.node.tree;
    // Start after our head if the peer's chain extends it, else after our final block.
    let base: Entry = tree.head();
    let headers = await this.fetchHeaders(peer, base.height + 1, target, importedBefore);
    if (headers.length && !equalBytes(headers[0].prev, base.id)) {
      base = tree.final;
      headers = await this.fetchHeaders(peer, base.height + 1, target, importedBefore);
    }
    if (!headers.length) return 0;
    this.checkHeaders(base, headers);
    let imported = 0;
    const per = Math.min(this.o.bodiesPerRequest ?? 32, MAX_BODIES);
    for (let i = 0; i < headers.length; i += per) {
      const batch = headers.slice(i, i + per).filter((h) => !tree.get(headerId(h)));
      if (!batch.length) continue;
      this.setProgress({ phase: 'bodies', target, peer: peer.key, imported: importedBefore + imported });
      const bodies = await this.request(peer, 'get-bodies', { ids: batch.map(headerId) }, 'bodies');
      const list = readBody('bodies', () => expectArray(expectMap(bodies, 'bodies').bodies, 'bodies.bodies', MAX_BODIES));
      if (!list.length) return imported;
      for (let j = 0; j < list.length && j < batch.length; j++) {
        const block = readBody('bodies', () => bodyBlock(batch[j], list[j]));
        if (!equalBytes(txRootOf(block.txs), batch[j].txRoot) || !equalBytes(certRoot(block.certs), batch[j].certRoot)) {
          throw new WireError('invalid', `body of block ${batch[j].height} does not match its header`);
        }
        const r = this.node.receive({ t: 'block', v: 1, block }, peer.key);
        if (!r.ok) throw new WireError(r.reason === 'bad-signature' ? 'forged' : 'invalid', `block ${batch[j].height}: ${r.detail}`);
        imported++;
        this.stats.imported++;
      }
      this.setProgress({ imported: importedBefore + imported });
    }
    return imported;
  }

  private async fetchHeaders(peer: PeerPort, start: number, target: number, imported: number): Promise<BlockHeader[]> {
    this.setProgress({ phase: 'headers', target, peer: peer.key, imported });
    const out: BlockHeader[] = [];
    const per = Math.min(this.o.headersPerRequest ?? 256, MAX_HEADERS);
    for (let h = start; h <= target; h += per) {
      const body = await this.request(peer, 'get-headers', { start: h, count: per }, 'headers');
      const got = readBody('headers', () => expectArray(expectMap(body, 'headers').headers, 'headers.headers', MAX_HEADERS).map((x, i) => headerFromValue(x, `headers[${i}]`)));
      out.push(...got);
      if (got.length < per) break;
    }
    return out;
  }

  /** Heights consecutive from `base`, each linked to the previous, this chain's, signed by a member producer. */
  private checkHeaders(base: Entry, headers: BlockHeader[]): void {
    const tree = this.node.tree;
    let prev: { id: Uint8Array; height: number } = { id: base.id, height: base.height };
    for (const h of headers) {
      if (h.height !== prev.height + 1 || !equalBytes(h.prev, prev.id)) throw new WireError('invalid', `header ${h.height} does not link to ${prev.height}`);
      if (!equalBytes(h.chain, this.node.config.chain)) throw new WireError('invalid', `header ${h.height} is of another chain`);
      if (!tree.get(headerId(h)) && !tree.signedByMember(h)) throw new WireError('forged', `header ${h.height}: producer signature does not verify`);
      prev = { id: headerId(h), height: h.height };
    }
  }

  // ------------------------------------------------------------ requests

  private request(peer: PeerPort, type: 'get-headers' | 'get-bodies', body: Record<string, Value>, kind: 'headers' | 'bodies'): Promise<unknown> {
    const rid = this.rid++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(rid, new Error(`${type}: no answer`)), this.o.timeoutMs ?? 10_000);
      this.pending.set(rid, { kind, peer: peer.key, resolve, reject, timer });
      if (!peer.send(type, { rid, ...body })) this.fail(rid, new Error(`${type}: peer unreachable`));
    });
  }

  private fail(rid: number, e: Error): void {
    const q = this.pending.get(rid);
    if (!q) return;
    clearTimeout(q.timer);
    this.pending.delete(rid);
    q.reject(e);
  }

  private answer(kind: 'headers' | 'bodies', body: unknown, from: PeerPort): void {
    const rid = readBody(kind, () => expectUint(expectMap(body, kind).rid, `${kind}.rid`));
    const q = this.pending.get(rid);
    if (!q || q.kind !== kind || q.peer !== from.key) return this.net.drop(from, 'unsolicited', `${kind} ${rid}`);
    clearTimeout(q.timer);
    this.pending.delete(rid);
    q.resolve(body);
  }

  // ------------------------------------------------------------ serving

  private serveHeaders(body: unknown, from: PeerPort): void {
    const m = readBody('get-headers', () => expectMap(body, 'get-headers'));
    const rid = readBody('get-headers', () => expectUint(m.rid, 'rid'));
    const start = readBody('get-headers', () => expectUint(m.start, 'start'));
    const count = readBody('get-headers', () => expectUint(m.count, 'count', MAX_HEADERS));
    const chain: Entry[] = [];
    for (let x: Entry | null = this.node.tree.head(); x && x.height >= start; x = x.parent) if (x.height < start + count && x.block) chain.push(x);
    chain.reverse();
    from.send('headers', { rid, headers: chain.map((e) => headerValue((e.block as Block).header, true)) });
  }

  private serveBodies(body: unknown, from: PeerPort): void {
    const m = readBody('get-bodies', () => expectMap(body, 'get-bodies'));
    const rid = readBody('get-bodies', () => expectUint(m.rid, 'rid'));
    const ids = readBody('get-bodies', () => expectArray(m.ids, 'ids', MAX_BODIES).map((x, i) => expectBytes(x, `ids[${i}]`, 32)));
    const bodies: Value[] = [];
    let bytes = 0;
    for (const id of ids) {
      const e = this.node.tree.get(id);
      if (!e || !e.block) break;
      const v = { txs: e.block.txs.map((t) => txValue(t, true)), certs: e.block.certs.map(certValue) };
      bytes += encode(v).length;
      if (bodies.length && bytes > BODY_BYTE_BUDGET) break;
      bodies.push(v);
    }
    from.send('bodies', { rid, bodies });
  }

  private setProgress(p: Partial<SyncProgress>): void {
    this.progress = { ...this.progress, ...p, height: this.node.tree.head().height };
    this.o.onProgress?.(this.progress);
  }
}

function bodyBlock(header: BlockHeader, v: unknown): Block {
  const m = expectMap(v, 'body');
  return {
    header,
    txs: expectArray(m.txs, 'body.txs', 4096).map((x, i) => txFromValue(x, `body.txs[${i}]`)),
    certs: expectArray(m.certs, 'body.certs', 16).map((x, i) => certFromValue(x, `body.certs[${i}]`))
  };
}

