/**
 * The data user on the record path (SPEC §5): browse a patient's
 * medical-record chain (descriptions M only), request access with a purpose
 * (`access-request`), wait for the final access record (granted, or refused
 * with the hospital's reason), receive the delivery (pushed by the executor
 * over rpc `user.deliver`, or pulled with `hospital.delivery`), check that
 * SHA-256 of it equals the on-chain `delivery` digest once that is final,
 * fetch c by the EMR's index, check H3(c) against the chain, unwrap and open.
 *
 * Failed checks are outcomes (`ReadResult` with `reason` and a message), not
 * exceptions: `h3-mismatch` (c is not the ciphertext the EMR names),
 * `digest-mismatch`, `bad-delivery`, `open-failed`, `fetch-failed`.
 */
import { equalBytes, hex, type BodyOf, type EmrIndexEntry, type Hash, type Pid } from '$lib/chain';
import { sha256Sync } from '$lib/net/blob';
import type { EncryptionSecretKey } from '$lib/crypto';
import { isFhirBundle, parseBundle, type Bundle } from '$lib/fhir';
import { decodeRewrapDelivery, openReencrypted, openRewrap } from '$lib/sharing';
import { expectBytes, expectMap } from '$lib/codec';
import { RpcError } from '$lib/net/rpc';
import type { PeerPort } from '$lib/net/protocol';
import type { RoomPeer } from './room-peer';
import { fetchBlob, PatientError } from './patient';
import { M_DELIVER, M_DELIVERY, finalState, finalTxs, submitTx, type ChainTx } from './records';

export type AccessOutcome =
  | { status: 'pending' }
  | { status: 'granted'; record: Hash; reason: string; mode: 'rewrap' | 'reencrypt'; emr: Hash }
  | { status: 'refused'; record: Hash; reason: string };

export type ReadFailure = 'h3-mismatch' | 'digest-mismatch' | 'bad-delivery' | 'open-failed' | 'fetch-failed' | 'not-granted' | 'no-delivery';

export type ReadResult =
  | { ok: true; bytes: Uint8Array; bundle: Bundle | null; entry: EmrIndexEntry }
  | { ok: false; reason: ReadFailure; message: string };

export class UserRole {
  /** Delivered payloads by access-record id hex. */
  readonly payloads = new Map<string, Uint8Array>();
  private waiters = new Set<() => void>();

  constructor(private readonly o: { peer: RoomPeer; keys: { sk: Uint8Array; pk: Uint8Array }; enc: EncryptionSecretKey; onChange?: () => void }) {}

  /** Serves `user.deliver`. */
  start(): this {
    this.o.peer.rpc.register(M_DELIVER, (body, from) => this.onDeliver(body, from));
    return this;
  }

  private onDeliver(body: unknown, from: PeerPort): { ok: true } {
    let record: Uint8Array, payload: Uint8Array;
    try {
      const m = expectMap(body, 'deliver');
      record = expectBytes(m.record, 'record', 32);
      payload = expectBytes(m.payload, 'payload');
    } catch (e) {
      throw new RpcError('bad-request', e instanceof Error ? e.message : 'malformed');
    }
    // Only from the EMR's hospital, for a record granted to me (as far as this node knows: head or final).
    const s = this.o.peer.executor.stateOf(this.o.peer.consensus.tree.head()) ?? finalState(this.o.peer);
    const g = s.granted.get(hex(record));
    const emr = g && s.emrs.get(hex(g.emr));
    if (!g || !emr || !equalBytes(g.requester, this.o.keys.pk) || hex(emr.hospital) !== from.key) throw new RpcError('not-expected', 'no access record granted to me by that hospital');
    this.payloads.set(hex(record), payload);
    for (const w of this.waiters) w();
    this.o.onChange?.();
    return { ok: true };
  }

  /** Patients with a medical-record chain (final state): pid hex and entry count. */
  patients(): { pid: Pid; count: number }[] {
    const out = new Map<string, { pid: Pid; count: number }>();
    for (const e of finalState(this.o.peer).emrs.values()) {
      const k = hex(e.pid);
      const r = out.get(k) ?? { pid: e.pid, count: 0 };
      r.count++;
      out.set(k, r);
    }
    return [...out.values()];
  }

  /** One patient's EMR entries (descriptions only; nothing here is secret). */
  records(pid: Pid): EmrIndexEntry[] {
    return [...finalState(this.o.peer).emrs.values()].filter((e) => equalBytes(e.pid, pid)).sort((a, b) => a.height - b.height);
  }

  /** Signs and gossips an access request; returns its id. Throws TxRefused. */
  request(pid: Pid, emr: Hash, purpose: string): Hash {
    return submitTx(this.o.peer, this.o.keys, { type: 'access-request', pid, emr, purpose }).id;
  }

  /** The final answer to a request, if any. */
  outcome(request: Hash): AccessOutcome {
    const rec = finalTxs(this.o.peer, (b) => b.type === 'access-record' && equalBytes(b.request, request))[0] as (ChainTx & { tx: { body: BodyOf<'access-record'> } }) | undefined;
    if (!rec) return { status: 'pending' };
    const b = rec.tx.body;
    return b.decision === 'granted' ? { status: 'granted', record: rec.id, reason: b.reason, mode: b.mode, emr: b.emr } : { status: 'refused', record: rec.id, reason: b.reason };
  }

  /** Waits for the final answer (polling the final chain). */
  async waitOutcome(request: Hash, timeoutMs = 60_000): Promise<AccessOutcome> {
    const t0 = Date.now();
    for (;;) {
      const o = this.outcome(request);
      if (o.status !== 'pending' || Date.now() - t0 > timeoutMs) return o;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The delivery payload of `record`: pushed already, else pulled from the EMR's hospital; waits up to `timeoutMs`. */
  async delivery(record: Hash, timeoutMs = 60_000): Promise<Uint8Array | null> {
    const k = hex(record);
    const t0 = Date.now();
    let lastPull = 0;
    while (!this.payloads.has(k) && Date.now() - t0 < timeoutMs) {
      if (Date.now() - lastPull > 2000) {
        lastPull = Date.now();
        void this.pull(record);
      }
      await new Promise<void>((r) => {
        const w = () => r();
        this.waiters.add(w);
        setTimeout(() => {
          this.waiters.delete(w);
          r();
        }, 200);
      });
    }
    return this.payloads.get(k) ?? null;
  }

  private async pull(record: Hash): Promise<void> {
    const s = finalState(this.o.peer);
    const g = s.granted.get(hex(record));
    const emr = g && s.emrs.get(hex(g.emr));
    if (!emr) return;
    try {
      const ans = expectMap(await this.o.peer.rpc.call(hex(emr.hospital), M_DELIVERY, { record }, { timeoutMs: 5000 }), 'answer');
      this.payloads.set(hex(record), expectBytes(ans.payload, 'payload'));
    } catch {
      // not delivered yet, or the hospital is not connected: try again later
    }
  }

  /** The on-chain delivery digest of `record` once its `delivery` is final, else null. */
  deliveryDigest(record: Hash): Uint8Array | null {
    const d = finalTxs(this.o.peer, (b) => b.type === 'delivery' && equalBytes(b.record, record))[0];
    return d ? (d.tx.body as BodyOf<'delivery'>).digest : null;
  }

  /**
   * Opens a granted record given its delivery payload and a ciphertext `c`:
   * digest (when the delivery is final), H3(c) against the EMR, unwrap, open.
   */
  async open(record: Hash, payload: Uint8Array, c: Uint8Array | null): Promise<ReadResult> {
    const s = finalState(this.o.peer);
    const g = s.granted.get(hex(record));
    const entry = g && s.emrs.get(hex(g.emr));
    if (!g || !entry) return { ok: false, reason: 'not-granted', message: 'no final granted access record with this id' };
    const digest = this.deliveryDigest(record);
    if (digest && !equalBytes(sha256Sync(payload), digest)) return { ok: false, reason: 'digest-mismatch', message: 'the delivery received is not the one the executor acknowledged on chain' };
    let bytes: Uint8Array;
    try {
      if (g.mode === 'rewrap') {
        if (!c) return { ok: false, reason: 'fetch-failed', message: 'no ciphertext' };
        const d = decodeRewrapDelivery(payload);
        if (!equalBytes(d.recordId, record)) return { ok: false, reason: 'bad-delivery', message: 'the delivery is for another access record' };
        const r = await openRewrap(this.o.enc, d, c, entry.info.h3c);
        if (!r.ok) return { ok: false, reason: 'h3-mismatch', message: `the ciphertext fails the on-chain check H3(c): ${r.check.message}` };
        bytes = r.plaintext;
      } else {
        bytes = await openReencrypted(this.o.enc, { mode: 'reencrypt', recordId: record, envelope: payload });
      }
    } catch (e) {
      return { ok: false, reason: 'open-failed', message: `the record does not open: ${e instanceof Error ? e.message : String(e)}` };
    }
    let bundle: Bundle | null = null;
    if (isFhirBundle(bytes)) {
      try {
        bundle = parseBundle(bytes);
      } catch {
        bundle = null;
      }
    }
    return { ok: true, bytes, bundle, entry };
  }

  /** Delivery + fetch c by index + open. */
  async read(record: Hash, opts: { timeoutMs?: number } = {}): Promise<ReadResult> {
    const payload = await this.delivery(record, opts.timeoutMs);
    if (!payload) return { ok: false, reason: 'no-delivery', message: 'nothing was delivered for this access record yet' };
    const s = finalState(this.o.peer);
    const g = s.granted.get(hex(record));
    const entry = g && s.emrs.get(hex(g.emr));
    if (!g || !entry) return { ok: false, reason: 'not-granted', message: 'no final granted access record with this id' };
    let c: Uint8Array | null = null;
    if (g.mode === 'rewrap') {
      try {
        c = await fetchBlob(this.o.peer, entry.info.index, opts.timeoutMs);
      } catch (e) {
        return { ok: false, reason: 'fetch-failed', message: e instanceof PatientError ? e.message : String(e) };
      }
    }
    return this.open(record, payload, c);
  }
}

