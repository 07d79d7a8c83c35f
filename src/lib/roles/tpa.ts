/**
 * The TPA role (SPEC §1, §4): audits the cloud for the patients. No UI here;
 * the page is src/routes/tpa/ with components in $lib/ui/tpa/.
 *
 * One audit (`audit(emr, {c})`), as SPEC §4 "When the audit runs on chain":
 *
 * | step | what | where it waits |
 * | --- | --- | --- |
 * | 1 | write `audit-request {pid, emr, tpa: me, c}` (signed by the TPA's key, into the mempool, gossiped) | until it is in this node's head |
 * | 2 | seed = id of the block at the request's height + 1, once FINAL (chain state `audits`) | `seedTimeoutMs` |
 * | 3 | `cloud.prove {file, seed, c}` over Rpc to the cloud | `proveTimeoutMs` |
 * | 4 | decode and verify (sw-priv `verify`, yang2019 `yangVerify`) | – |
 * | 5 | write `audit-result {request, seed, passed, proof: SHA-256(proof bytes), detail}` | until it is in the head (and final with `waitFinal`) |
 *
 * A failed check is an outcome (written on chain with the reason), not an
 * exception. A cloud that says it holds no such file (`unknown-file`) has
 * failed the audit (reason `not-held`). A cloud that does not answer (Rpc
 * `timeout`, `peer-gone`, `unreachable`) is a `TpaError('timeout')`: nothing
 * is written, the request stays pending on chain and the next `audit` of
 * that EMR with the same c reuses it (same seed).
 *
 * `detail` on chain is `"<reason>: <text>"` with reason `ok`, `equation`,
 * `shape`, `bad-key`, `malformed-proof` or `not-held`; `history` parses it.
 *
 * Transactions of one author must enter blocks in `seq` order and a peer's
 * mempool accepts only the next one, so the TPA writes one transaction at a
 * time (`submit` waits for its previous one to reach the head).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import {
  AuditCache,
  decodeSwProof,
  decodeYangProof,
  detectionProbability,
  verify,
  verifyBatch,
  yangVerify,
  type AuditResult,
  type BatchItem,
  type SwFileInfo,
  type YangFilePublic
} from '$lib/audit';
import { hex, unhex, signTx, txId, type ChainState, type EmrIndexEntry, type Hash, type Transaction, type TxBody, type BodyOf } from '$lib/chain';
import { expectBytes, expectMap, expectString } from '$lib/codec';
import { g1, g2 } from '$lib/crypto';
import { RpcError, type Rpc } from '$lib/net/rpc';
import { CLOUD_METHODS, cloudPeers, fileKeyOf } from './cloud';
import type { RoomPeer } from './room-peer';

/** SPEC §4: c = 460 catches a 1 % loss with P > 99 %. */
export const DEFAULT_C = 460;

export type TpaErrorKind = 'unknown-emr' | 'no-cloud' | 'timeout' | 'rejected' | 'cloud';

/** An audit that could not be carried out (nothing about the cloud's honesty follows). */
export class TpaError extends Error {
  constructor(
    readonly kind: TpaErrorKind,
    message: string,
    readonly code?: string
  ) {
    super(message);
    this.name = 'TpaError';
  }
}

export type AuditReason = 'ok' | 'equation' | 'shape' | 'bad-key' | 'malformed-proof' | 'not-held' | 'batch';

export interface AuditOutcome {
  emr: string;
  file: string;
  scheme: EmrIndexEntry['scheme'];
  request: string;
  seed: Hash;
  c: number;
  n: number;
  passed: boolean;
  reason: AuditReason;
  detail: string;
  /** Id (hex) of the audit-result transaction. */
  result: string;
  proofBytes: number;
}

/** One audit as the final chain records it. */
export interface AuditHistoryEntry {
  request: string;
  c: number;
  tpa: string;
  requestHeight: number;
  /** null while the request is unanswered. */
  result: { passed: boolean; reason: string; detail: string; height: number; seed: Hash; tx: string } | null;
}

/** An EMR the chain knows, as the TPA lists it. */
export interface KnownFile {
  emr: string;
  file: string;
  scheme: EmrIndexEntry['scheme'];
  n: number;
  s: number;
  hospital: string;
  height: number;
  description: string;
}

export interface TpaOptions {
  /** The cloud's peer key (hex); default: the first connected peer whose role is 'cloud'. */
  cloud?: string;
  proveTimeoutMs?: number;
  /** How long to wait for the request and its seed block to become final. */
  seedTimeoutMs?: number;
  /** How long to wait for one own transaction to reach the head. */
  includeTimeoutMs?: number;
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class TpaService {
  private readonly o: Required<Omit<TpaOptions, 'cloud'>> & { cloud?: string };
  private readonly cache = new AuditCache();
  private queue: Promise<unknown> = Promise.resolve();
  private scanned = { height: 0 };
  private readonly requests = new Map<string, { emr: string; c: number; tpa: string; height: number }>();
  private readonly results = new Map<string, NonNullable<AuditHistoryEntry['result']>>();
  private readonly me: string;

  constructor(
    private readonly peer: RoomPeer,
    private readonly rpc: Rpc,
    private readonly keys: { sk: Uint8Array; pk: Uint8Array },
    o: TpaOptions = {}
  ) {
    this.me = hex(keys.pk);
    this.o = { proveTimeoutMs: o.proveTimeoutMs ?? 60_000, seedTimeoutMs: o.seedTimeoutMs ?? 180_000, includeTimeoutMs: o.includeTimeoutMs ?? 60_000, pollMs: o.pollMs ?? 100, cloud: o.cloud };
  }

  private head(): ChainState {
    return this.peer.executor.stateOf(this.peer.consensus.tree.head()) ?? this.peer.executor.genesisState;
  }
  private final(): ChainState {
    return this.peer.finalState() ?? this.peer.executor.genesisState;
  }

  /** EMR entries of the final chain (newest first). */
  files(): KnownFile[] {
    return [...this.final().emrs.values()]
      .map((e) => ({ emr: hex(e.id), file: fileKeyOf(e), scheme: e.scheme, n: e.audit.n, s: e.audit.scheme === 'sw-priv' ? e.audit.s : 1, hospital: hex(e.hospital), height: e.height, description: e.info.description }))
      .sort((a, b) => b.height - a.height);
  }

  /** Audits of one EMR on the final chain, newest first (by anyone's TPA). */
  history(emr: string): AuditHistoryEntry[] {
    this.scan();
    const out: AuditHistoryEntry[] = [];
    for (const [id, r] of this.requests) if (r.emr === emr) out.push({ request: id, c: r.c, tpa: r.tpa, requestHeight: r.height, result: this.results.get(id) ?? null });
    return out.sort((a, b) => b.requestHeight - a.requestHeight);
  }

  /** Reads audit requests and results from final blocks not read yet. */
  private scan(): void {
    const blocks: { height: number; txs: Transaction[] }[] = [];
    for (let e = this.peer.consensus.tree.final; e && e.height > this.scanned.height; e = e.parent!) if (e.block) blocks.push({ height: e.height, txs: e.block.txs });
    for (const b of blocks.reverse()) {
      for (const tx of b.txs) {
        if (tx.body.type === 'audit-request') this.requests.set(hex(txId(tx)), { emr: hex(tx.body.emr), c: tx.body.c, tpa: hex(tx.body.tpa), height: b.height });
        else if (tx.body.type === 'audit-result') {
          const d = tx.body.detail;
          const k = d.indexOf(': ');
          this.results.set(hex(tx.body.request), { passed: tx.body.passed, reason: k > 0 ? d.slice(0, k) : '', detail: k > 0 ? d.slice(k + 2) : d, height: b.height, seed: tx.body.seed, tx: hex(txId(tx)) });
        }
      }
      this.scanned.height = b.height;
    }
  }

  /** P(detect) with c challenged blocks when `fraction` of the n blocks are lost (at least one). */
  static detection(n: number, fraction: number, c: number): number {
    const t = Math.min(n, Math.max(1, Math.round(fraction * n)));
    return detectionProbability(n, t, Math.min(c, n));
  }

  /** Points (c, P) for a curve over c = 1..cMax. */
  static curve(n: number, fraction: number, cMax = Math.min(n, 1000), points = 60): { c: number; p: number }[] {
    const out: { c: number; p: number }[] = [];
    const top = Math.max(1, Math.min(cMax, n));
    for (let k = 0; k <= points; k++) {
      const c = Math.max(1, Math.round((k / points) * top));
      if (out.length && out[out.length - 1].c === c) continue;
      out.push({ c, p: TpaService.detection(n, fraction, c) });
    }
    return out;
  }

  private cloud(): string {
    const c = this.o.cloud ?? cloudPeers(this.peer)[0];
    if (!c) throw new TpaError('no-cloud', 'no cloud server is connected');
    return c;
  }

  private emr(emr: string): EmrIndexEntry {
    const e = this.final().emrs.get(emr);
    if (!e) throw new TpaError('unknown-emr', `no final EMR entry ${emr.slice(0, 16)}…`);
    return e;
  }

  private async until<T>(f: () => T | undefined | null | false, ms: number, what: string, signal?: AbortSignal): Promise<T> {
    const t0 = Date.now();
    for (;;) {
      const v = f();
      if (v) return v;
      if (signal?.aborted) throw new TpaError('timeout', `${what}: aborted`);
      if (Date.now() - t0 > ms) throw new TpaError('timeout', `${what}: gave up after ${Math.round(ms / 1000)} s`);
      await sleep(this.o.pollMs);
    }
  }

  /**
   * Signs and submits one transaction with the next sequence number, and
   * resolves with its id once it is in this node's head. Serialised.
   */
  submit(body: TxBody): Promise<string> {
    const run = async () => {
      const state = this.head();
      const seq = state.nonces.get(this.me) ?? 0;
      const tx = signTx(this.keys.sk, { chain: this.peer.chain, seq, time: Date.now(), body });
      const err = this.peer.mempool.submit(tx, state);
      if (err) throw new TpaError('rejected', `the ledger refuses the ${body.type}: ${err.kind}: ${err.message}`);
      this.peer.gossip.publishTx(tx);
      await this.until(() => (this.head().nonces.get(this.me) ?? 0) > seq, this.o.includeTimeoutMs, `${body.type} in a block`);
      return hex(txId(tx));
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }

  /** A pending request of ours for this EMR and c, or a new one; resolves when its seed is final. */
  private async requestFor(e: EmrIndexEntry, c: number, signal?: AbortSignal): Promise<{ request: string; seed: Hash }> {
    const emrHex = hex(e.id);
    let request: string | undefined;
    for (const [k, a] of this.head().audits) if (hex(a.emr) === emrHex && hex(a.tpa) === this.me && a.c === c) request = k;
    request ??= await this.submit({ type: 'audit-request', pid: e.pid, emr: e.id, tpa: this.keys.pk, c });
    const id = request;
    const pending = await this.until(
      () => {
        const s = this.final();
        const a = s.audits.get(id);
        return a && a.seed && s.finalized.height >= a.height + 1 ? a : undefined;
      },
      this.o.seedTimeoutMs,
      'the seed block to become final',
      signal
    );
    return { request: id, seed: pending.seed! };
  }

  /** Asks the cloud; returns the proof bytes, or null if the cloud says it holds no such file. */
  private async fetchProof(file: string, seed: Hash, c: number): Promise<{ scheme: string; proof: Uint8Array } | null> {
    const cloud = this.cloud();
    let r: unknown;
    try {
      r = await this.rpc.call(cloud, CLOUD_METHODS.prove, { file, seed, c }, { timeoutMs: this.o.proveTimeoutMs });
    } catch (e) {
      if (e instanceof RpcError) {
        if (e.code === 'unknown-file') return null;
        if (e.code === 'timeout' || e.code === 'peer-gone' || e.code === 'unreachable') throw new TpaError('timeout', `the cloud did not answer (${e.code})`, e.code);
        throw new TpaError('cloud', `the cloud refused: ${e.code}: ${e.message}`, e.code);
      }
      throw e;
    }
    try {
      const m = expectMap(r, 'cloud.prove answer');
      return { scheme: expectString(m.scheme, 'scheme', 16), proof: expectBytes(m.proof, 'proof') };
    } catch {
      return { scheme: '?', proof: new Uint8Array(0) };
    }
  }

  /** Decodes and checks a proof for `e`; a bad proof is a result, never a throw. */
  private check(e: EmrIndexEntry, seed: Hash, c: number, got: { scheme: string; proof: Uint8Array } | null): { reason: AuditReason; detail: string; item?: BatchItem } {
    if (!got) return { reason: 'not-held', detail: 'the cloud says it does not hold this file' };
    const chal = { seed, c };
    const a = e.audit;
    if (got.scheme !== a.scheme) return { reason: 'malformed-proof', detail: `a ${got.scheme} proof for a ${a.scheme} file` };
    try {
      if (a.scheme === 'sw-priv') {
        const file: SwFileInfo = { name: a.name, n: a.n, s: a.s, length: 0 };
        const proof = decodeSwProof(got.proof, a.s);
        return { reason: 'ok', detail: '', item: { file, v: g2.fromBytes(a.v), challenge: chal, proof } };
      }
      const pub: YangFilePublic = { idm: new TextDecoder().decode(a.idm), R1: g1.fromBytes(a.r1), R2: g2.fromBytes(a.r2), pk: g2.fromBytes(a.pkP), n: a.n, length: 0 };
      const r = yangVerify(pub, chal, decodeYangProof(got.proof));
      return r.ok ? { reason: 'ok', detail: `the paper's equation (1) holds for ${Math.min(c, a.n)} of ${a.n} blocks` } : { reason: 'equation', detail: r.detail };
    } catch (err) {
      return { reason: 'malformed-proof', detail: err instanceof Error ? err.message.slice(0, 300) : 'the proof does not read' };
    }
  }

  private verdict(e: EmrIndexEntry, c: number, r: AuditResult): { reason: AuditReason; detail: string } {
    if (r.ok) return { reason: 'ok', detail: `${Math.min(c, e.audit.n)} of ${e.audit.n} blocks verified (sw-priv)` };
    return { reason: r.reason, detail: r.detail };
  }

  private async report(e: EmrIndexEntry, request: string, seed: Hash, c: number, proof: Uint8Array, reason: AuditReason, detail: string): Promise<AuditOutcome> {
    const passed = reason === 'ok';
    const body: BodyOf<'audit-result'> = { type: 'audit-result', request: unhex(request), seed, passed, proof: sha256(proof), detail: `${reason}: ${detail}`.slice(0, 4000) };
    const result = await this.submit(body);
    return { emr: hex(e.id), file: fileKeyOf(e), scheme: e.scheme, request, seed, c, n: e.audit.n, passed, reason, detail, result, proofBytes: proof.length };
  }

  /** Audits one EMR now (see the header). Throws TpaError when the audit could not be carried out. */
  async audit(emr: string, opts: { c?: number; signal?: AbortSignal } = {}): Promise<AuditOutcome> {
    const c = opts.c ?? DEFAULT_C;
    if (!Number.isInteger(c) || c < 1 || c > 1 << 16) throw new RangeError('c: expected an integer in [1, 65536]');
    const e = this.emr(emr);
    this.cloud();
    const { request, seed } = await this.requestFor(e, c, opts.signal);
    const got = await this.fetchProof(fileKeyOf(e), seed, c);
    const chk = this.check(e, seed, c, got);
    const v = chk.item ? this.verdict(e, c, verify(chk.item.file, chk.item.v, chk.item.challenge, chk.item.proof, { cache: this.cache })) : chk;
    return this.report(e, request, seed, c, got?.proof ?? new Uint8Array(0), v.reason, v.detail);
  }

  /**
   * Audits several EMRs with one batch verification of their sw-priv proofs
   * (yang2019 ones are checked alone); bisection names the failing ones.
   * Returns the outcomes (in input order) and the number of checks run.
   */
  async auditMany(emrs: string[], opts: { c?: number; signal?: AbortSignal } = {}): Promise<{ outcomes: AuditOutcome[]; checks: number }> {
    const c = opts.c ?? DEFAULT_C;
    const entries = emrs.map((x) => this.emr(x));
    this.cloud();
    const reqs: { request: string; seed: Hash }[] = [];
    for (const e of entries) reqs.push(await this.requestFor(e, c, opts.signal));
    const proofs: ({ scheme: string; proof: Uint8Array } | null)[] = [];
    for (let i = 0; i < entries.length; i += 4) proofs.push(...(await Promise.all(entries.slice(i, i + 4).map((e, k) => this.fetchProof(fileKeyOf(e), reqs[i + k].seed, c)))));
    const checked = entries.map((e, i) => this.check(e, reqs[i].seed, c, proofs[i]));
    const batch = checked.flatMap((k, i) => (k.item ? [{ i, item: k.item }] : []));
    const report = verifyBatch(
      batch.map((b) => b.item),
      { cache: this.cache }
    );
    const bad = new Map(report.bad.map((b) => [batch[b.index].i, b.result]));
    const outcomes: AuditOutcome[] = [];
    for (let i = 0; i < entries.length; i++) {
      const k = checked[i];
      const v = k.item ? this.verdict(entries[i], c, bad.get(i) ?? { ok: true }) : k;
      outcomes.push(await this.report(entries[i], reqs[i].request, reqs[i].seed, c, proofs[i]?.proof ?? new Uint8Array(0), v.reason, v.detail));
    }
    return { outcomes, checks: report.checks };
  }

  /**
   * Audits every EMR of the final chain (or `emrs()`) every `minutes`; each
   * run's outcomes or error go to `onRun`. Returns the stop function.
   */
  schedule(minutes: number, opts: { c?: number; emrs?: () => string[]; onRun?: (r: { outcomes?: AuditOutcome[]; error?: unknown }) => void } = {}): () => void {
    if (!(minutes > 0)) throw new RangeError('minutes: expected a positive number');
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        const list = opts.emrs?.() ?? this.files().map((f) => f.emr);
        if (list.length) opts.onRun?.({ outcomes: (await this.auditMany(list, { c: opts.c })).outcomes });
      } catch (error) {
        opts.onRun?.({ error });
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void tick(), minutes * 60_000);
    return () => clearInterval(timer);
  }
}
