/**
 * The hospital admin (IDm) on the record path (SPEC §3 storage, §5 sharing):
 *
 * 1. `hospital.submit` (rpc, from the record's patient only): seal the record
 *    under a fresh k (`$lib/seal`, segmented AES-GCM, progress per segment),
 *    publish the ciphertext c as a blob (`BlobService`: any cloud or user of
 *    the room can fetch it; its blob id is the EMR's `index`), write the EMR
 *    transaction `{ h3c = H3(c), index, M, t }` with the sw-priv audit
 *    metadata (`name`, `n`, `s`, `v` = this hospital's key; tags are not
 *    needed on chain and are the cloud upload's job: `onSealed` hands c and
 *    the file info to it) and `sealedKey` = k wrapped to this hospital's own
 *    encryption key (context `emrKeyContext(h3c)`: the EMR's tx id is not
 *    known before the tx is built, and h3c is unique per sealing). The
 *    patient gets the EMR tx id and k wrapped to its encryption key.
 * 2. Access requests for this hospital's EMRs, once final: granted when the
 *    patient's consent on chain allows them (or the requester is the
 *    patient), else refused with a reason; written as `access-record`.
 * 3. The sharing contract (`$lib/chain` `sharingContract`) on access records
 *    the ledger proves final: 'rewrap' (default) or 'reencrypt' via
 *    `$lib/sharing`; the payload is pushed to the requester over rpc
 *    (`user.deliver`), kept for `hospital.delivery` pulls, and acknowledged
 *    by a `delivery` transaction (SHA-256 of the payload).
 *
 * Storage at the cloud (SPEC §3 storage, §4; docs/records.md "Cloud upload"):
 * after sealing, c is tagged (sw-priv, x = this hospital's signing scalar,
 * v = its public key; in the audit worker pool, progress phase 'tag'), c and
 * its tag set are published as two blobs, the EMR is written (it never waits
 * for a cloud), then `cloud.store` goes to a connected cloud (phase
 * 'upload'). No cloud, or every cloud failed or vanished: the upload is
 * queued (`waitingForCloud`) and retried when a cloud peer comes up and on
 * every poll. A cloud records a file only once it holds both blobs and has
 * checked them, so a failed attempt leaves nothing half-recorded; retrying
 * is idempotent (same file key, same blob ids).
 *
 * `poll()` does 2 and 3; call it from RoomPeer's `onFinal` and/or a timer
 * (`start()` runs one every `pollMs`), it is idempotent.
 */
import { defaultContracts, equalBytes, hex, consentAllows, type Block, type BodyOf, type ChainState, type EmrIndexEntry, type Hash, type SharingBackend, type SharingInput } from '$lib/chain';
import { txId } from '$lib/chain';
import { EncryptionPublicKey, type EncryptionSecretKey } from '$lib/crypto';
import { h3 } from '$lib/hashes';
import { generateFileKey, seal, wrapKey } from '$lib/seal';
import { accessGrant, deriveFingerprintKey, emrKeyContext, encodeRewrapDelivery, reencrypt, rewrap } from '$lib/sharing';
import { createAuditPool, DEFAULT_S, encodeSwTagSet, prepareFile, tagFile, tagFileParallel, type SwFileInfo } from '$lib/audit';
import type { WorkerPool } from '$lib/crypto';
import { expectBytes, expectMap, expectString, type Value } from '$lib/codec';
import type { BlobId, BlobStore } from '$lib/net/blob';
import { RpcError } from '$lib/net/rpc';
import type { PeerPort } from '$lib/net/protocol';
import type { RoomPeer } from './room-peer';
import { M_DELIVER, M_DELIVERY, M_SUBMIT, MAX_SUBMIT_BYTES, finalState, headState, submitTx, TxRefused } from './records';
import { cloudPeers, storeAtCloud } from './cloud';

export type StorePhase = 'seal' | 'tag' | 'publish' | 'chain' | 'upload' | 'done';
export interface StoreProgress {
  phase: StorePhase;
  /** In [0, 1] within the phase. */
  value: number;
  bytes?: number;
  /** Bytes (seal) or blocks (tag) in all. */
  total?: number;
  /** Blocks tagged so far (phase 'tag'). */
  done?: number;
  /** Phase 'upload' / 'done': no cloud took the file yet, it is queued (see `waitingForCloud`). */
  waiting?: boolean;
}

/** One file's way to a cloud. */
export interface CloudUpload {
  /** EMR tx id (hex). */
  emr: string;
  /** Cloud file key: hex of the sw-priv name. */
  file: string;
  data: BlobId;
  tags: BlobId;
  status: 'queued' | 'uploading' | 'stored';
  /** Hex key of the cloud that holds it (status 'stored'). */
  cloud?: string;
  attempts: number;
  /** Why the last attempt failed (for the UI). */
  lastError?: string;
}

export interface StoreInput {
  pid: Uint8Array;
  description: string;
  mime: string;
  fhir: boolean;
  data: Uint8Array;
}

export interface StoredRecord {
  emr: Hash;
  index: string;
  h3c: Uint8Array;
  /** k wrapped to the patient's encryption key, context emrKeyContext(h3c). */
  patientKey: Uint8Array;
}

export interface AccessDecision {
  request: Hash;
  record: Hash | null;
  decision: 'granted' | 'refused';
  reason: string;
}

export interface HospitalOptions {
  peer: RoomPeer;
  keys: { sk: Uint8Array; pk: Uint8Array };
  enc: EncryptionSecretKey;
  /** The peer's blob store (reencrypt mode reads c from it). */
  blobStore?: BlobStore;
  /** Sectors per audit block (default the audit module's DEFAULT_S). */
  s?: number;
  onProgress?: (p: StoreProgress) => void;
  /**
   * The audit worker pool for tagging; default: one made on first use with
   * `createAuditPool()` (closed by `stop()`), or single-thread `tagFile` if
   * workers cannot start. `null`: always single-thread.
   */
  tagPool?: WorkerPool | null;
  /** Timeout of one `cloud.store` attempt (default 60 s; the patient waits 120 s for the submit answer). */
  uploadTimeoutMs?: number;
  /** After sealing: c and its audit file info (tagging and cloud upload plug in here). */
  onSealed?: (c: Uint8Array, file: SwFileInfo, emr: Hash) => void | Promise<void>;
  /** Something happened (a submission, a decision, a delivery): for the UI to refresh. */
  onChange?: () => void;
  pollMs?: number;
}

/** A hospital error a person can act on (`kind`) with the message to show. */
export class HospitalError extends Error {
  constructor(
    readonly kind: 'not-patient' | 'bad-request' | 'too-large' | 'no-blobs' | 'refused',
    message: string
  ) {
    super(message);
    this.name = 'HospitalError';
  }
}

/** H3(c) as 32 bytes big-endian (the EMR's `h3c`). */
export function h3Bytes(c: Uint8Array): Uint8Array {
  let v = h3(c);
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** The block at `height` on the peer's final chain (undefined above it). */
export function finalBlockAt(peer: RoomPeer, height: number): Block | undefined {
  type E = { height: number; block?: Block | null; parent: E | null };
  for (let e: E | null = peer.consensus.tree.final as unknown as E; e; e = e.parent) {
    if (e.height === height) return e.block ?? undefined;
    if (e.height < height) return undefined;
  }
  return undefined;
}

/** Pause between polls that retry a queued upload with clouds that already failed it. */
const RETRY_MS = 5_000;

export const REFUSE_NO_CONSENT = "no active consent of the patient allows this requester, record and purpose";

export class HospitalRole {
  readonly peer: RoomPeer;
  readonly decisions: AccessDecision[] = [];
  readonly deliveries = new Map<string, { requester: Uint8Array; payload: Uint8Array; pushed: boolean }>();
  readonly contractLog: { record: string; status: string; detail: string }[] = [];
  private readonly o: HospitalOptions;
  private readonly sealedKeys = new Map<string, Uint8Array>();
  private readonly answered = new Set<string>();
  private readonly running = new Set<string>();
  private readonly contracts = defaultContracts();
  private timer: ReturnType<typeof setInterval> | null = null;
  private polling: Promise<void> | null = null;
  /** Uploads by file key, oldest first. */
  private readonly uploadMap = new Map<string, CloudUpload>();
  private flushing: Promise<void> | null = null;
  private unsubscribePeer: (() => void) | null = null;
  private pool: Promise<WorkerPool | null> | null = null;
  /** When `poll` may retry queued uploads again (a cloud coming up retries at once). */
  private retryAt = 0;

  constructor(o: HospitalOptions) {
    this.o = o;
    this.peer = o.peer;
  }

  /** Serves the rpc methods and polls every `pollMs` (default 500 ms). */
  start(): this {
    const rpc = this.peer.rpc;
    rpc.register(M_SUBMIT, (body, from) => this.onSubmit(body, from));
    rpc.register(M_DELIVERY, (body, from) => this.onDeliveryPull(body, from));
    this.timer = setInterval(() => void this.poll(), this.o.pollMs ?? 500);
    this.unsubscribePeer = this.peer.net.onPeer((p, event) => {
      if (event === 'up' && p.role === 'cloud') void this.flushUploads();
    });
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribePeer?.();
    this.unsubscribePeer = null;
    const pool = this.pool;
    this.pool = null;
    if (pool && this.o.tagPool === undefined) void pool.then((p) => p?.close());
  }

  /** Every upload this hospital started, oldest first. */
  get uploads(): CloudUpload[] {
    return [...this.uploadMap.values()].map((u) => ({ ...u }));
  }

  /** True while some file waits for a cloud to take it (none connected, or every attempt failed). */
  get waitingForCloud(): boolean {
    for (const u of this.uploadMap.values()) if (u.status !== 'stored') return true;
    return false;
  }

  /** For RoomPeer's `onFinal`. */
  readonly onFinal = async (): Promise<void> => {
    await this.poll();
  };

  private async onSubmit(body: unknown, from: PeerPort): Promise<Value> {
    let input: StoreInput;
    try {
      const m = expectMap(body, 'submit');
      input = { pid: expectBytes(m.pid, 'pid', 64), description: expectString(m.description, 'description', 4096), mime: expectString(m.mime, 'mime', 128), fhir: m.fhir === true, data: expectBytes(m.data, 'data') };
    } catch (e) {
      throw new RpcError('bad-request', e instanceof Error ? e.message : 'malformed submission');
    }
    const owner = headState(this.peer).patients.get(hex(input.pid));
    if (owner !== from.key) throw new RpcError('not-patient', 'only the registered patient of this pid may submit its records');
    try {
      const r = await this.store(input);
      return { emr: r.emr, index: r.index, h3c: r.h3c, patientKey: r.patientKey };
    } catch (e) {
      if (e instanceof HospitalError) throw new RpcError(e.kind, e.message);
      if (e instanceof TxRefused) throw new RpcError('refused', e.message);
      throw e;
    }
  }

  /** Seals, publishes and writes the EMR of one record; reports progress. */
  async store(input: StoreInput): Promise<StoredRecord> {
    const progress = this.o.onProgress ?? (() => {});
    if (input.data.length > MAX_SUBMIT_BYTES) throw new HospitalError('too-large', `the record is larger than ${MAX_SUBMIT_BYTES} bytes`);
    if (input.description.trim().length === 0) throw new HospitalError('bad-request', 'the description M is empty');
    const blobs = this.peer.blobs;
    if (!blobs) throw new HospitalError('no-blobs', 'this node keeps no blob store');
    const state = headState(this.peer);
    const patientKeyHex = state.patients.get(hex(input.pid));
    const patient = patientKeyHex ? state.members.get(patientKeyHex) : undefined;
    if (!patient) throw new HospitalError('not-patient', 'no patient with this pid');
    const total = input.data.length;
    progress({ phase: 'seal', value: 0, bytes: 0, total });
    const k = generateFileKey();
    try {
      const c = await seal(k, input.data, { size: total, onProgress: (p) => progress({ phase: 'seal', value: total ? p.bytes / total : 1, bytes: p.bytes, total }) });
      const file = prepareFile(c.length, this.o.s ?? DEFAULT_S);
      progress({ phase: 'tag', value: 0, done: 0, total: file.n });
      const tags = await this.tag(file, c, (v) => progress({ phase: 'tag', value: v, done: Math.floor(v * file.n), total: file.n }));
      progress({ phase: 'publish', value: 0 });
      const index = await blobs.publish(c, { mime: 'application/octet-stream' });
      progress({ phase: 'publish', value: 0.5 });
      const tagBlob = await blobs.publish(encodeSwTagSet(file, tags), { mime: 'application/octet-stream' });
      progress({ phase: 'publish', value: 1 });
      const h3c = h3Bytes(c);
      const context = emrKeyContext(h3c);
      const sealedKey = await wrapKey(this.o.enc.publicKey, k, { context });
      const patientKey = await wrapKey(EncryptionPublicKey.fromBytes(patient.enc), k, { context });
      progress({ phase: 'chain', value: 0 });
      const body: BodyOf<'emr'> = {
        type: 'emr',
        pid: input.pid,
        prev: this.chainPrev(input.pid, 'emr'),
        info: { h3c, index, description: input.description, time: Date.now() },
        audit: { scheme: 'sw-priv', name: file.name, n: file.n, s: file.s, v: this.o.keys.pk },
        sealedKey
      };
      const { id } = submitTx(this.peer, this.o.keys, body);
      this.sealedKeys.set(hex(id), sealedKey);
      progress({ phase: 'chain', value: 1 });
      await this.o.onSealed?.(c, file, id);
      // The EMR is in the mempool and gossiped: the cloud upload does not hold it up.
      const up: CloudUpload = { emr: hex(id), file: hex(file.name), data: index, tags: tagBlob, status: 'queued', attempts: 0 };
      this.uploadMap.set(up.file, up);
      progress({ phase: 'upload', value: 0 });
      await this.flushUploads(true);
      const waiting = up.status !== 'stored';
      if (waiting) progress({ phase: 'upload', value: 0, waiting });
      progress({ phase: 'done', value: 1, waiting });
      this.o.onChange?.();
      return { emr: id, index, h3c, patientKey };
    } finally {
      k.fill(0);
    }
  }

  /** The n sw-priv tags of c under this hospital's key (x = its signing scalar, so v = its public key). */
  private async tag(file: SwFileInfo, c: Uint8Array, onProgress: (v: number) => void) {
    const x = BigInt('0x' + hex(this.o.keys.sk));
    const pool = await this.tagPool();
    if (pool) return tagFileParallel(pool, file, c, x, { onProgress });
    const tags = tagFile(file, c, x);
    onProgress(1);
    return tags;
  }

  private tagPool(): Promise<WorkerPool | null> {
    if (this.o.tagPool !== undefined) return Promise.resolve(this.o.tagPool);
    if (!this.pool) this.pool = createAuditPool().catch(() => null);
    return this.pool;
  }

  /**
   * Tries every queued upload with the connected clouds, one cloud after the
   * other; what no cloud took stays queued. One run at a time (a second call
   * waits for the running one, then runs again).
   */
  flushUploads(inStore = false): Promise<void> {
    const progress = this.o.onProgress ?? (() => {});
    const run = async (): Promise<void> => {
      for (const u of this.uploadMap.values()) {
        if (u.status !== 'queued') continue;
        const stored = await this.upload(u);
        // A late upload ends its record's progress (within `store`, store does).
        if (!inStore && stored) progress({ phase: 'done', value: 1, waiting: this.waitingForCloud });
      }
    };
    const next = (this.flushing ?? Promise.resolve()).then(run, run);
    const mine: Promise<void> = next.finally(() => {
      if (this.flushing === mine) this.flushing = null;
    });
    this.flushing = mine;
    return mine;
  }

  /** One upload tried with each connected cloud in turn; true once a cloud holds it. */
  private async upload(u: CloudUpload): Promise<boolean> {
    const rpc = this.peer.rpc;
    const progress = this.o.onProgress ?? (() => {});
    for (const cloud of cloudPeers(this.peer)) {
      u.status = 'uploading';
      u.attempts++;
      progress({ phase: 'upload', value: 0 });
      try {
        await storeAtCloud(rpc, cloud, { file: u.file, scheme: 'sw-priv', data: u.data, tags: u.tags }, this.o.uploadTimeoutMs ?? 60_000);
        u.status = 'stored';
        u.cloud = cloud;
        u.lastError = undefined;
        progress({ phase: 'upload', value: 1 });
        this.o.onChange?.();
        return true;
      } catch (e) {
        // Gone, timed out or refused: nothing was recorded there; try the next cloud.
        u.lastError = `${cloud.slice(0, 12)}: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    u.status = 'queued';
    this.retryAt = Date.now() + RETRY_MS;
    this.o.onChange?.();
    return false;
  }

  /**
   * The `prev` of a new entry on one of pid's chains: this hospital's latest
   * such entry still in the mempool, else the head state's chain head.
   */
  private chainPrev(pid: Uint8Array, chain: 'emr' | 'access'): Hash | null {
    const s = headState(this.peer);
    const me = hex(this.o.keys.pk);
    const nonce = s.nonces.get(me) ?? 0;
    const types = chain === 'emr' ? ['emr'] : ['access-record', 'delivery'];
    const mine = this.peer.mempool
      .list()
      .filter((t) => hex(t.author) === me && t.seq >= nonce && types.includes(t.body.type) && equalBytes((t.body as { pid: Uint8Array }).pid, pid))
      .sort((a, b) => a.seq - b.seq);
    if (mine.length) return txId(mine[mine.length - 1]);
    const heads = s.patientChains.get(hex(pid));
    return (chain === 'emr' ? heads?.emrHead : heads?.accessHead) ?? null;
  }

  /** Answers final access requests for this hospital's EMRs and runs the sharing contract on final granted records. */
  poll(): Promise<void> {
    if (this.waitingForCloud && !this.flushing && Date.now() >= this.retryAt && cloudPeers(this.peer).length > 0) void this.flushUploads();
    if (!this.polling) this.polling = this.pollOnce().finally(() => (this.polling = null));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const state = finalState(this.peer);
    const me = this.o.keys.pk;
    for (const req of state.pending.values()) {
      const k = hex(req.id);
      if (this.answered.has(k)) continue;
      const emr = state.emrs.get(hex(req.emr));
      if (!emr || !equalBytes(emr.hospital, me)) continue;
      this.answered.add(k);
      this.answer(state, req.id, emr, req.requester, req.purpose);
    }
    for (const g of state.granted.values()) {
      const k = hex(g.id);
      if (g.delivery !== null || this.running.has(k) || g.height > state.finalized.height) continue;
      const emr = state.emrs.get(hex(g.emr));
      if (!emr || !equalBytes(emr.hospital, me)) continue;
      const block = finalBlockAt(this.peer, g.height);
      if (!block) continue;
      this.running.add(k);
      await this.runContract(state, block, k);
    }
  }

  private answer(state: ChainState, request: Hash, emr: EmrIndexEntry, requester: Uint8Array, purpose: string): void {
    const pidHex = hex(emr.pid);
    const own = state.patients.get(pidHex) === hex(requester);
    const allowed = own || consentAllows(state.consents.values(), pidHex, hex(emr.id), hex(requester), purpose, Date.now());
    const make = (decision: 'granted' | 'refused', reason: string): BodyOf<'access-record'> => ({
      type: 'access-record',
      request,
      pid: emr.pid,
      emr: emr.id,
      requester,
      purpose,
      prev: this.chainPrev(emr.pid, 'access'),
      decision,
      reason,
      mode: 'rewrap'
    });
    let d: AccessDecision;
    try {
      const reason = own ? "the patient's own record" : 'allowed by the patient\'s consent';
      const { id } = submitTx(this.peer, this.o.keys, make(allowed ? 'granted' : 'refused', allowed ? reason : REFUSE_NO_CONSENT));
      d = { request, record: id, decision: allowed ? 'granted' : 'refused', reason: allowed ? reason : REFUSE_NO_CONSENT };
    } catch (e) {
      // Consent may have changed between the final state and the head: refuse rather than leave the request open.
      if (!(e instanceof TxRefused) || e.kind !== 'consent-denied') {
        this.answered.delete(hex(request));
        return;
      }
      const { id } = submitTx(this.peer, this.o.keys, make('refused', REFUSE_NO_CONSENT));
      d = { request, record: id, decision: 'refused', reason: REFUSE_NO_CONSENT };
    }
    this.decisions.push(d);
    this.o.onChange?.();
  }

  private async runContract(state: ChainState, block: Block, recordHex: string): Promise<void> {
    const env = { self: this.o.keys.pk, sharing: this.backend() };
    const out = await this.contracts.runFinalized(state, block, env);
    for (const o of out) {
      if (hex(o.txId) !== recordHex) continue;
      this.contractLog.push({ record: recordHex, status: o.outcome.status, detail: o.outcome.status === 'done' ? (o.outcome.detail ?? '') : o.outcome.reason });
      if (o.outcome.status === 'done') {
        for (const body of o.outcome.submit) {
          if (body.type === 'delivery') body.prev = this.chainPrev(body.pid, 'access');
          try {
            submitTx(this.peer, this.o.keys, body);
          } catch {
            this.running.delete(recordHex); // try again on the next poll
          }
        }
      } else if (o.outcome.status === 'failed') this.running.delete(recordHex);
    }
    this.o.onChange?.();
  }

  /** The SharingBackend of the contract: $lib/sharing with this hospital's key, the blob store, rpc to the requester. */
  private backend(): SharingBackend {
    return {
      deliver: async (input: SharingInput) => {
        const sealedKey = this.sealedKeys.get(hex(input.emr.id)) ?? this.sealedKeyFromChain(input.emr);
        if (!sealedKey) return { ok: false, reason: 'the wrapped file key of this EMR is not known to this hospital' };
        const grant = accessGrant(input.recordId, EncryptionPublicKey.fromBytes(input.requesterEnc), input.mode);
        const base = { executorKey: this.o.enc, executorCopy: sealedKey, executorContext: emrKeyContext(input.emr.info.h3c), grant };
        if (input.mode === 'rewrap') return { ok: true, payload: encodeRewrapDelivery(await rewrap(base)) };
        const c = await this.o.blobStore?.read(input.emr.info.index);
        if (!c) return { ok: false, reason: 'ciphertext not held by this hospital' };
        const r = await reencrypt({ ...base, ciphertext: c, expectedH3: input.emr.info.h3c, fingerprintKey: deriveFingerprintKey(this.o.enc) });
        if (!r.ok) return { ok: false, reason: r.check.message };
        return { ok: true, payload: r.delivery.envelope };
      },
      send: async (requester, recordId, payload) => {
        const k = hex(recordId);
        this.deliveries.set(k, { requester, payload, pushed: false });
        try {
          await this.peer.rpc.call(hex(requester), M_DELIVER, { record: recordId, payload }, { timeoutMs: 10_000 });
          this.deliveries.get(k)!.pushed = true;
        } catch {
          // Not connected now: the user pulls it with hospital.delivery.
        }
      }
    };
  }

  /** The EMR transaction's `sealedKey`, read from its final block. */
  private sealedKeyFromChain(emr: EmrIndexEntry): Uint8Array | undefined {
    const block = finalBlockAt(this.peer, emr.height);
    const tx = block?.txs.find((t) => equalBytes(txId(t), emr.id));
    return tx?.body.type === 'emr' ? (tx.body.sealedKey ?? undefined) : undefined;
  }

  private onDeliveryPull(body: unknown, from: PeerPort): Value {
    let record: Uint8Array;
    try {
      record = expectBytes(expectMap(body, 'delivery').record, 'record', 32);
    } catch (e) {
      throw new RpcError('bad-request', e instanceof Error ? e.message : 'malformed');
    }
    const d = this.deliveries.get(hex(record));
    if (!d) throw new RpcError('not-delivered', 'nothing delivered for this access record yet');
    if (hex(d.requester) !== from.key) throw new RpcError('not-requester', 'only the requester receives the delivery');
    return { payload: d.payload };
  }
}
