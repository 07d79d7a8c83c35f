/**
 * ConsensusNode: one hospital's DPoS node. It takes a message bus, a clock,
 * its keys, a signature scheme and (optionally) an executor and a store, and
 *
 * - at each slot boundary produces a block if it is the slot's producer on
 *   the chain it follows (the longest certified chain), carrying the
 *   parent's certificate and pending evidence;
 * - votes (once per slot) for the first valid block of the slot's producer
 *   that extends a longest certified chain it knows;
 * - aggregates floor(2n/3)+1 votes into a certificate (the block's producer
 *   also publishes it);
 * - applies fork choice and the finality rule (tree.ts);
 * - detects equivocation (two headers or two votes for one slot) and invalid
 *   blocks, and submits the evidence, which producers put into blocks;
 * - fetches unknown ancestors from the peer that sent a block.
 *
 * `behaviour` other than 'honest' makes the node byzantine (simulator and
 * tests only): 'equivocate' signs two blocks per slot and votes for every
 * block it sees; 'withhold' neither publishes its blocks nor votes;
 * 'invalid' produces blocks that fail validation.
 */
import { certRoot, txSigningBytes } from '../encoding';
import { CHAIN_VERSION } from '../types';
import type { ConsensusMessage, MessageBus, PeerId } from './bus';
import type { Clock } from './clock';
import { hexOf, producerAt, roundOf } from './dpos';
import { bitmapOf, headerId, headerSigningBytes, txRootOf, voteMessage } from './encoding';
import type { SignatureScheme } from './signature';
import type { ConsensusStore } from './store';
import { BlockTree, evidenceKey, evidenceOf, type CreditCache, type Entry, type Executor, type Finalised } from './tree';
import { OK, reject, type Block, type BlockHeader, type Check, type ConsensusConfig, type Evidence, type FinalityCertificate, type FinalityVote, type Hex, type RejectReason, type Transaction } from './types';

export type Behaviour = 'honest' | 'equivocate' | 'withhold' | 'invalid';

export interface NodeKeys {
  sk: Uint8Array;
  pk: Uint8Array;
}

export interface ConsensusNodeOptions {
  config: ConsensusConfig;
  keys: NodeKeys;
  bus: MessageBus;
  clock: Clock;
  scheme: SignatureScheme;
  executor?: Executor;
  store?: ConsensusStore;
  /** Shared pure cache of credit states (simulator). */
  creditCache?: CreditCache;
  trustGenesis?: boolean;
  behaviour?: Behaviour;
  /** Accept blocks up to this many ms ahead of our clock (clock skew between tabs). */
  maxDriftMs?: number;
  /** For an 'invalid' node: transactions its executor rejects (default: a block with a wrong height). */
  corruptPayload?: (txs: Transaction[], parent: Entry) => Transaction[];
  /** For an 'equivocate' node: the second block's transactions (default: all but the last; no second block if that equals the first). */
  equivocatePayload?: (txs: Transaction[], parent: Entry) => Transaction[];
  onFinalised?: (entries: Entry[], node: ConsensusNode) => void;
}

export interface NodeStats {
  produced: number;
  votes: number;
  certificates: number;
  evidence: number;
  rejected: Partial<Record<RejectReason, number>>;
  conflicts: number;
}

const MAX_ORPHANS = 1024;
const MAX_PARKED_VOTES = 4096;
const SYNC_DEPTH = 32;

export class ConsensusNode {
  readonly tree: BlockTree;
  readonly id: PeerId;
  readonly key: Hex;
  readonly behaviour: Behaviour;
  readonly stats: NodeStats = { produced: 0, votes: 0, certificates: 0, evidence: 0, rejected: {}, conflicts: 0 };
  /** Block hex -> clock time at which this node saw it final. */
  readonly finalisedAt = new Map<Hex, number>();

  private readonly o: ConsensusNodeOptions;
  private running = false;
  private cancelTimer: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly votedSlots = new Set<number>();
  private readonly proposalSeen = new Set<number>();
  private readonly headersBySlot = new Map<string, BlockHeader>();
  private readonly votesBySlot = new Map<string, FinalityVote>();
  private readonly votes = new Map<Hex, Map<number, FinalityVote>>();
  private readonly parkedVotes = new Map<Hex, FinalityVote[]>();
  private parkedVoteCount = 0;
  private readonly parkedCerts = new Map<Hex, FinalityCertificate>();
  private readonly orphans = new Map<Hex, { block: Block; from: PeerId }[]>();
  private orphanCount = 0;
  private readonly requested = new Map<Hex, number>();
  /** Evidence not yet in a final block, by key. */
  readonly evidencePool = new Map<string, Evidence>();

  constructor(o: ConsensusNodeOptions) {
    this.o = o;
    this.tree = new BlockTree({ config: o.config, scheme: o.scheme, executor: o.executor, creditCache: o.creditCache, trustGenesis: o.trustGenesis });
    this.id = o.bus.id;
    this.key = hexOf(o.keys.pk);
    this.behaviour = o.behaviour ?? 'honest';
  }

  get config(): ConsensusConfig {
    return this.o.config;
  }

  /** Slot at clock time `t` (slot 0 before genesis). */
  slotAt(t: number): number {
    const { genesisTime, slotMs } = this.o.config;
    return t < genesisTime ? 0 : Math.floor((t - genesisTime) / slotMs);
  }
  currentSlot(): number {
    return this.slotAt(this.o.clock.now() + (this.o.maxDriftMs ?? 0));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.o.bus.subscribe((m, from) => this.handle(m, from));
    this.armTimer();
  }

  /** Stops timers and the subscription (a crash, or leaving). */
  stop(): void {
    this.running = false;
    this.cancelTimer?.();
    this.unsubscribe?.();
    this.cancelTimer = this.unsubscribe = null;
  }

  private armTimer(): void {
    const { genesisTime, slotMs } = this.o.config;
    const next = Math.max(1, this.slotAt(this.o.clock.now()) + 1);
    this.cancelTimer = this.o.clock.at(genesisTime + next * slotMs, () => {
      if (!this.running) return;
      this.onSlot(next);
      this.armTimer();
    });
  }

  // ------------------------------------------------------------ producing

  private onSlot(slot: number): void {
    this.prune(slot);
    const tip = this.tree.head();
    const L = this.o.config.roundSlots;
    const prod = producerAt(this.tree.schedule(tip, roundOf(slot, L)), slot, L);
    if (prod && hexOf(prod.key) === this.key) this.produce(slot, tip);
  }

  /** Builds, signs, publishes and locally processes this slot's block(s). */
  produce(slot: number, tip: Entry): Block[] {
    if (this.behaviour === 'withhold') return [];
    const cfg = this.o.config;
    const executor = this.tree.executor;
    const pk = this.o.keys.pk;
    const seq0 = executor.nextSeq(tip, pk, this.tree);
    const evidence = this.pickEvidence(tip).map((ev, i) => this.signTx(seq0 + i, { type: 'evidence', evidence: ev }));
    let txs = executor.propose(tip, slot, pk, evidence, this.tree);
    let height = tip.height + 1;
    if (this.behaviour === 'invalid') {
      if (this.o.corruptPayload) txs = this.o.corruptPayload(txs, tip);
      else height += 1;
    }
    const certs: FinalityCertificate[] = tip.parent && tip.cert ? [tip.cert] : [];
    const sets = this.tree.headerSets(tip, slot);
    const make = (t: Transaction[]): Block => {
      const unsigned: Omit<BlockHeader, 'sig'> = {
        v: CHAIN_VERSION,
        chain: cfg.chain,
        height,
        slot,
        prev: tip.id,
        txRoot: txRootOf(t),
        certRoot: certRoot(certs),
        validators: sets.validators,
        nextValidators: sets.nextValidators,
        producer: pk
      };
      return { header: { ...unsigned, sig: this.o.scheme.sign(this.o.keys.sk, headerSigningBytes(unsigned)) }, txs: t, certs };
    };
    const blocks = [make(txs)];
    if (this.behaviour === 'equivocate') {
      const other = this.o.equivocatePayload ? this.o.equivocatePayload(txs, tip) : txs.slice(0, -1);
      if (other.length !== txs.length || other.some((t, i) => t !== txs[i])) blocks.push(make(other));
    }
    this.stats.produced += blocks.length;
    for (const b of blocks) {
      this.o.bus.publish({ t: 'block', v: 1, block: b });
      this.handleBlock(b, this.id);
    }
    return blocks;
  }

  /** A transaction signed by this node (its evidence submissions). */
  private signTx(seq: number, body: Transaction['body']): Transaction {
    const unsigned = { v: CHAIN_VERSION, chain: this.o.config.chain, author: this.o.keys.pk, seq, time: this.o.config.genesisTime, body } as const;
    return { ...unsigned, sig: this.o.scheme.sign(this.o.keys.sk, txSigningBytes(unsigned)) };
  }

  private pickEvidence(tip: Entry): Evidence[] {
    if (this.evidencePool.size === 0) return [];
    const onChain = new Set<string>();
    for (let x: Entry | null = tip; x && x.block; x = x.parent) for (const ev of evidenceOf(x.block)) onChain.add(evidenceKey(ev));
    const punished = this.tree.creditStateAt(this.tree.final).punished;
    const out: Evidence[] = [];
    for (const [k, ev] of this.evidencePool) {
      if (out.length >= (this.o.config.maxEvidencePerBlock ?? 8)) break;
      if (!onChain.has(k) && !punished.has(k) && this.tree.verifyEvidence(ev).ok) out.push(ev);
    }
    return out;
  }

  // ------------------------------------------------------------ receiving

  /** Entry point for every message (public for tests). */
  handle(m: ConsensusMessage, from: PeerId): void {
    this.receive(m, from);
  }

  /**
   * Processes a message and says what became of it: OK when it was valid
   * (new or already known), otherwise the rejection ('unknown-parent' and
   * 'unknown-block' mean it was parked until its block arrives). The network
   * relays only OK messages and counts 'bad-signature' against the sender.
   */
  receive(m: ConsensusMessage, from: PeerId): Check {
    if (!this.running && from !== this.id) return reject('duplicate', 'node not running');
    switch (m.t) {
      case 'block':
        return this.handleBlock(m.block, from);
      case 'vote':
        return this.handleVote(m.vote, from);
      case 'cert':
        return this.handleCert(m.cert, from);
      case 'evidence':
        return this.acceptEvidenceCheck(m.evidence);
      case 'get-blocks':
        this.handleGetBlocks(m.ids, m.depth, from);
        return OK;
      case 'blocks': {
        let out: Check = OK;
        for (const b of m.blocks) {
          const r = this.handleBlock(b, from);
          if (!r.ok && out.ok) out = r;
        }
        return out;
      }
    }
  }

  private rejected(reason: RejectReason): void {
    this.stats.rejected[reason] = (this.stats.rejected[reason] ?? 0) + 1;
  }

  handleBlock(block: Block, from: PeerId): Check {
    const id = headerId(block.header);
    if (this.tree.get(id)) return OK;
    const r = this.tree.validateBlock(block, this.currentSlot());
    if (!r.ok) {
      this.rejected(r.reason);
      if (r.reason === 'unknown-parent') this.park(block, from);
      else if (r.reason !== 'bad-signature' && r.reason !== 'wrong-chain' && r.reason !== 'malformed' && r.reason !== 'future-slot') {
        this.noteHeader(block.header);
        // Invalid-block evidence nests one level only (ledger encoding): a
        // block that itself carries such evidence is refused but not accused.
        if (!evidenceOf(block).some((x) => x.kind === 'invalid-block') && this.tree.attributableFailure(block)) this.submitEvidence({ kind: 'invalid-block', block });
      }
      return r;
    }
    const parent = r.parent as Entry;
    if (!this.tree.extends(parent, this.tree.final)) {
      this.rejected('conflicts-with-final');
      return reject('conflicts-with-final', `block ${block.header.height} does not extend the final block`);
    }
    this.noteHeader(block.header);
    const { entry, finalised } = this.tree.insert(block, parent);
    this.o.store?.putBlock(entry.id, block);
    this.afterFinalised(finalised);
    this.maybeVote(entry);
    // Things that were waiting for this block.
    const waiting = this.orphans.get(entry.hex);
    if (waiting) {
      this.orphans.delete(entry.hex);
      this.orphanCount -= waiting.length;
      for (const w of waiting) this.handleBlock(w.block, w.from);
    }
    const pv = this.parkedVotes.get(entry.hex);
    if (pv) {
      this.parkedVotes.delete(entry.hex);
      this.parkedVoteCount -= pv.length;
      for (const v of pv) this.handleVote(v, this.id);
    }
    const pc = this.parkedCerts.get(entry.hex);
    if (pc) {
      this.parkedCerts.delete(entry.hex);
      this.handleCert(pc, this.id);
    }
    return OK;
  }

  /** Remembers a signed header per (slot, producer); a second one is double-block evidence. */
  private noteHeader(h: BlockHeader): void {
    const k = `${h.slot}:${hexOf(h.producer)}`;
    const prev = this.headersBySlot.get(k);
    if (!prev) {
      this.headersBySlot.set(k, h);
      return;
    }
    if (hexOf(headerId(prev)) === hexOf(headerId(h))) return;
    this.submitEvidence({ kind: 'double-block', a: prev, b: h });
  }

  private park(block: Block, from: PeerId): void {
    const p = hexOf(block.header.prev);
    if (this.orphanCount < MAX_ORPHANS) {
      const list = this.orphans.get(p) ?? [];
      if (!list.some((x) => hexOf(headerId(x.block.header)) === hexOf(headerId(block.header)))) {
        list.push({ block, from });
        this.orphans.set(p, list);
        this.orphanCount++;
      }
    }
    this.request(block.header.prev, from);
  }

  private request(id: Uint8Array, from: PeerId): void {
    const k = hexOf(id);
    const now = this.o.clock.now();
    const last = this.requested.get(k);
    if (last !== undefined && now - last < this.o.config.slotMs / 2) return;
    this.requested.set(k, now);
    const msg: ConsensusMessage = { t: 'get-blocks', v: 1, ids: [id], depth: SYNC_DEPTH };
    if (from !== this.id) this.o.bus.send(from, msg);
    else this.o.bus.publish(msg);
  }

  private handleGetBlocks(ids: Uint8Array[], depth: number, from: PeerId): void {
    const blocks: Block[] = [];
    for (const id of ids.slice(0, 8)) {
      const e = this.tree.get(id);
      if (e) for (const a of this.tree.ancestors(e, Math.min(depth, SYNC_DEPTH)).reverse()) blocks.push(a.block as Block);
    }
    if (blocks.length) this.o.bus.send(from, { t: 'blocks', v: 1, blocks });
  }

  // ------------------------------------------------------------ voting and certificates

  private maybeVote(e: Entry): void {
    if (this.behaviour === 'withhold' || !e.parent) return;
    if (e.slot !== this.currentSlot()) return;
    const sched = this.tree.scheduleOf(e);
    if (!sched.index.has(this.key)) return;
    if (this.behaviour !== 'equivocate') {
      // First proposal of the slot only, once per slot, extending a longest certified chain.
      if (this.proposalSeen.has(e.slot)) return;
      this.proposalSeen.add(e.slot);
      if (this.votedSlots.has(e.slot)) return;
      if (e.parent.height < this.tree.head().height || !this.tree.extends(e.parent, this.tree.final)) return;
    }
    this.votedSlots.add(e.slot);
    const msg = { chain: this.o.config.chain, block: e.id, height: e.height, slot: e.slot };
    const vote: FinalityVote = { ...msg, validator: this.o.keys.pk, sig: this.o.scheme.sign(this.o.keys.sk, voteMessageOf(msg)) };
    this.stats.votes++;
    this.o.bus.publish({ t: 'vote', v: 1, vote });
    this.handleVote(vote, this.id);
  }

  handleVote(v: FinalityVote, from: PeerId): Check {
    const r = this.tree.verifyVote(v);
    if (!r.ok) {
      if (r.reason === 'unknown-block') {
        if (this.parkedVoteCount < MAX_PARKED_VOTES) {
          const k = hexOf(v.block);
          this.parkedVotes.set(k, [...(this.parkedVotes.get(k) ?? []), v]);
          this.parkedVoteCount++;
        }
      } else this.rejected(r.reason);
      return reject(r.reason, r.detail);
    }
    const e = r.entry as Entry;
    const index = r.index as number;
    const sk = `${v.slot}:${hexOf(v.validator)}`;
    const prev = this.votesBySlot.get(sk);
    if (!prev) this.votesBySlot.set(sk, v);
    else if (hexOf(prev.block) !== hexOf(v.block)) this.submitEvidence({ kind: 'double-vote', a: prev, b: v });
    let byIndex = this.votes.get(e.hex);
    if (!byIndex) this.votes.set(e.hex, (byIndex = new Map()));
    if (byIndex.has(index)) return OK;
    byIndex.set(index, v);
    if (e.certified) return OK;
    const sched = this.tree.scheduleOf(e);
    if (byIndex.size < sched.quorum) return OK;
    const idx = [...byIndex.keys()].sort((a, b) => a - b);
    const cert: FinalityCertificate = {
      block: e.id,
      height: e.height,
      slot: e.slot,
      signers: bitmapOf(sched.validators.length, idx),
      sig: this.o.scheme.aggregate(idx.map((i) => (byIndex.get(i) as FinalityVote).sig))
    };
    this.stats.certificates++;
    this.o.store?.putCertificate(cert);
    this.afterFinalised(this.tree.certify(e, cert));
    if (e.block && hexOf(e.block.header.producer) === this.key) this.o.bus.publish({ t: 'cert', v: 1, cert });
    return OK;
  }

  handleCert(c: FinalityCertificate, _from: PeerId): Check {
    const e = this.tree.get(c.block);
    if (!e) {
      if (this.parkedCerts.size < MAX_ORPHANS) this.parkedCerts.set(hexOf(c.block), c);
      return reject('unknown-block', 'certificate for a block not yet known (parked)');
    }
    if (e.certified) return OK;
    const r = this.tree.verifyCertificate(e, c);
    if (!r.ok) {
      this.rejected(r.reason);
      return r;
    }
    this.o.store?.putCertificate(c);
    this.afterFinalised(this.tree.certify(e, c));
    return OK;
  }

  // ------------------------------------------------------------ evidence and finality

  /** acceptEvidence as a Check: OK when valid (new or already known). */
  private acceptEvidenceCheck(ev: Evidence): Check {
    const k = evidenceKey(ev);
    if (this.evidencePool.has(k) || this.tree.creditStateAt(this.tree.final).punished.has(k)) return OK;
    const r = this.tree.verifyEvidence(ev);
    if (!r.ok) {
      this.rejected(r.reason);
      return r;
    }
    this.evidencePool.set(k, ev);
    return OK;
  }

  /** Verifies evidence and keeps it for inclusion; true if new and valid. */
  acceptEvidence(ev: Evidence): boolean {
    const k = evidenceKey(ev);
    if (this.evidencePool.has(k) || this.tree.creditStateAt(this.tree.final).punished.has(k)) return false;
    return this.acceptEvidenceCheck(ev).ok;
  }

  /** Verifies, keeps and publishes evidence (anyone may call this). */
  submitEvidence(ev: Evidence): boolean {
    if (!this.acceptEvidence(ev)) return false;
    this.stats.evidence++;
    this.o.bus.publish({ t: 'evidence', v: 1, evidence: ev });
    return true;
  }

  private afterFinalised(f: Finalised): void {
    if (f.conflict) this.stats.conflicts++;
    if (!f.entries.length) return;
    const now = this.o.clock.now();
    for (const e of f.entries) {
      this.finalisedAt.set(e.hex, now);
      if (e.block) for (const ev of evidenceOf(e.block)) this.evidencePool.delete(evidenceKey(ev));
    }
    const last = f.entries[f.entries.length - 1];
    this.o.store?.putFinal(last.id, last.height);
    this.o.onFinalised?.(f.entries, this);
  }

  /** Forgets per-slot bookkeeping older than a few rounds. */
  private prune(slot: number): void {
    if (slot % 64 !== 0) return;
    const horizon = slot - 4 * this.o.config.roundSlots;
    for (const s of this.votedSlots) if (s < horizon) this.votedSlots.delete(s);
    for (const s of this.proposalSeen) if (s < horizon) this.proposalSeen.delete(s);
    for (const k of this.headersBySlot.keys()) if (Number(k.split(':')[0]) < horizon) this.headersBySlot.delete(k);
    for (const k of this.votesBySlot.keys()) if (Number(k.split(':')[0]) < horizon) this.votesBySlot.delete(k);
    const finalHeight = this.tree.final.height;
    for (const [k, m] of this.votes) {
      const e = this.tree.get(k);
      if (!e || (e.final && e.height < finalHeight)) this.votes.delete(k);
      else if (m.size === 0) this.votes.delete(k);
    }
    this.requested.clear();
  }
}

function voteMessageOf(m: { chain: Uint8Array; block: Uint8Array; height: number; slot: number }): Uint8Array {
  return voteMessage(m.chain, m.block, m.height, m.slot);
}
