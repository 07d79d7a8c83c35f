/**
 * The block tree one node knows: validation of blocks, votes, certificates
 * and evidence against the chain they extend; round schedules; the credit
 * ledger; fork choice; finality. Pure logic over in-memory entries: no clock,
 * no network (node.ts drives it).
 *
 * Finality (Streamlet, Chan & Shi 2020; see docs/consensus.md for why one
 * certificate alone cannot be both safe and live):
 * - a block is *certified* when floor(2n/3)+1 of its round's n validators
 *   signed it; every block carries its parent's certificate, so every block
 *   with a child in a chain is certified in that chain;
 * - honest validators vote once per slot, only for the first block of the
 *   slot's producer, and only if it extends a longest certified chain they
 *   know;
 * - a block M is *final* when M, its parent and a child C are certified and
 *   slot(parent) + 1 = slot(M) = slot(C) - 1; its ancestors become final
 *   with it. Fork choice: the longest certified chain (it extends the last
 *   final block). With fewer than n/3 byzantine validators no two conflicting
 *   blocks are final; after the network heals, a run of honest slots makes
 *   progress again.
 *
 * Rounds: the schedule of round r on a chain is computed from that chain's
 * *anchor*: the latest block proven final by the chain's own blocks (the
 * three-slot rule over carried certificates) among those with slot <
 * (r - 1) * roundSlots, i.e. one full round of lag, so that demotions take
 * effect at the round after their evidence is final. The round's candidates,
 * ratings, tiers and approval votes are those of the ledger state at the
 * anchor (`Executor.membership`), so regulator updates, registrations and
 * votes move the set at a round boundary too.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { certRoot, validatorSetId } from '../encoding';
import { applyCredits, hexOf, initialCredits, makeSchedule, producerAt, roundOf, type CreditEvents, type CreditState, type RoundSchedule } from './dpos';
import { bitmapIndices, headerId, headerSigningBytes, txRootOf, voteMessage, voteMessageOf } from './encoding';
import type { SignatureScheme } from './signature';
import { OK, reject, type Block, type BlockHeader, type Check, type ConsensusConfig, type Evidence, type FinalityCertificate, type FinalityVote, type Hash, type Hex, type Member, type PublicKey, type Reject, type Transaction } from './types';

/**
 * What consensus needs from the transaction layer: the ledger's state machine
 * plugs in here (`LedgerExecutor` in ledger.ts runs `applyBlock`). Blocks
 * are the ledger's `Block`; consensus itself checks the header (roots,
 * height, slot, producer, validator sets, the parent's certificate, evidence).
 */
export interface Executor {
  /**
   * Transactions for a new block by `producer` on top of `parent` at `slot`.
   * `evidence` are evidence transactions the node signed; they go first.
   */
  propose(parent: Entry, slot: number, producer: PublicKey, evidence: Transaction[], tree: BlockTree): Transaction[];
  /** The next sequence number of `author` on the chain ending at `parent` (for the node's own evidence transactions). */
  nextSeq(parent: Entry, author: PublicKey, tree: BlockTree): number;
  /** Validity of the block's transactions on top of the parent's state. */
  check(parent: Entry, block: Block, tree: BlockTree): Check;
  /**
   * Members (hospitals with rating and tier) and approval votes in the state
   * after the final block `anchor` (a round's anchor): the validator
   * selection of the round uses them instead of the genesis configuration.
   * Omitted (emptyExecutor): genesis membership for every round. Must be
   * deterministic (a function of the chain ending at `anchor`).
   */
  membership?(anchor: Entry): Membership;
}

/** Who may be chosen as validator in a round, and the approval votes (voter hex -> delegate hexes). */
export interface Membership {
  members: readonly Member[];
  approvals: ReadonlyMap<Hex, readonly Hex[]>;
}

/** No transactions but the node's evidence; any transaction list valid (protocol tests, insecure simulator runs). */
export const emptyExecutor: Executor = {
  propose: (_parent, _slot, _producer, evidence) => evidence,
  nextSeq: () => 0,
  check: () => OK
};

/** The evidence carried by a block (its `evidence` transactions, in order). */
export function evidenceOf(block: Block): Evidence[] {
  const out: Evidence[] = [];
  for (const tx of block.txs) if (tx.body.type === 'evidence') out.push(tx.body.evidence);
  return out;
}

export interface Entry {
  id: Hash;
  hex: Hex;
  /** null for genesis. */
  block: Block | null;
  height: number;
  slot: number;
  parent: Entry | null;
  children: Entry[];
  /** Certificate known for this block (genesis: none needed). */
  cert: FinalityCertificate | null;
  certified: boolean;
  /** Latest block proven final by the chain ending here (carried certificates only). */
  provenFinal: Entry;
  final: boolean;
}

/** Cache of credit states by block hex; pure, so it may be shared by nodes of one process. */
export type CreditCache = Map<Hex, CreditState>;

export interface TreeOptions {
  config: ConsensusConfig;
  scheme: SignatureScheme;
  executor?: Executor;
  creditCache?: CreditCache;
  /** Skip the proof-of-possession check of genesis members (they were checked elsewhere). */
  trustGenesis?: boolean;
}

export type Finalised = { entries: Entry[]; conflict: Entry | null };

const ATTRIBUTABLE: ReadonlySet<string> = new Set(['bad-height', 'bad-slot', 'not-producer', 'bad-validators', 'missing-certificate', 'bad-certificate', 'bad-evidence', 'bad-payload']);

export class BlockTree {
  readonly config: ConsensusConfig;
  readonly scheme: SignatureScheme;
  readonly executor: Executor;
  readonly genesis: Entry;
  readonly members: Map<Hex, Member>;
  private readonly entries = new Map<Hex, Entry>();
  private readonly schedules = new Map<string, RoundSchedule>();
  private readonly credits: CreditCache;
  /** Last final block (local view). */
  final: Entry;
  /** Certified blocks of the greatest height (fork choice candidates). */
  private best: Entry;
  /** Conflicting finalisations detected (must stay 0). */
  safetyViolations = 0;

  constructor(o: TreeOptions) {
    this.config = o.config;
    this.scheme = o.scheme;
    this.executor = o.executor ?? emptyExecutor;
    this.credits = o.creditCache ?? new Map();
    if (o.config.roundSlots < 1 || !Number.isInteger(o.config.roundSlots)) throw new RangeError('config.roundSlots: a positive integer');
    if (o.config.validators < 1 || !Number.isInteger(o.config.validators)) throw new RangeError('config.validators: a positive integer');
    this.members = new Map();
    for (const m of o.config.members) {
      if (!o.trustGenesis && !this.scheme.popVerify(m.key, m.pop)) throw new RangeError(`config.members: proof of possession fails for ${hexOf(m.key).slice(0, 16)}`);
      this.members.set(hexOf(m.key), m);
    }
    const g: Entry = { id: o.config.chain, hex: hexOf(o.config.chain), block: null, height: 0, slot: 0, parent: null, children: [], cert: null, certified: true, provenFinal: undefined as unknown as Entry, final: true };
    g.provenFinal = g;
    this.genesis = g;
    this.final = g;
    this.best = g;
    this.entries.set(g.hex, g);
    if (!this.credits.has(g.hex)) this.credits.set(g.hex, initialCredits(o.config));
  }

  get(id: Hash | Hex): Entry | undefined {
    return this.entries.get(typeof id === 'string' ? id : hexOf(id));
  }
  get size(): number {
    return this.entries.size;
  }
  /** Fork choice: the tip of the longest certified chain extending the last final block. */
  head(): Entry {
    return this.best;
  }

  // ------------------------------------------------------------ rounds and credits

  /** The anchor of round `round` on the chain ending at `parent`. */
  anchorFor(parent: Entry, round: number): Entry {
    const cutoff = (round - 1) * this.config.roundSlots;
    let e = parent;
    while (e.slot >= cutoff && e.parent) e = e.parent;
    return e.provenFinal;
  }

  /** Validators and producer order of `round` for a block whose parent is `parent`. */
  schedule(parent: Entry, round: number): RoundSchedule {
    const anchor = this.anchorFor(parent, round);
    const key = `${anchor.hex}:${round}`;
    let s = this.schedules.get(key);
    if (!s) {
      s = makeSchedule(this.membershipConfig(anchor), this.creditStateAt(anchor), anchor.id, round);
      if (this.schedules.size > 4096) this.schedules.clear();
      this.schedules.set(key, s);
    }
    return s;
  }
  /**
   * The configuration a round anchored at `anchor` selects its validators
   * with: members, ratings, tiers and approvals from the executor's state
   * at the anchor (the ledger state: `register`, `regulator-update`, `vote`
   * count once final), genesis's when the executor has none. Members seen
   * there join `members` (header signatures, evidence): their PoP was
   * checked when they were registered.
   */
  private membershipConfig(anchor: Entry): ConsensusConfig {
    const m = this.executor.membership?.(anchor);
    if (!m) return this.config;
    for (const x of m.members) if (!this.members.has(hexOf(x.key))) this.members.set(hexOf(x.key), x);
    return { ...this.config, members: m.members, approvals: m.approvals };
  }
  scheduleOf(e: Entry): RoundSchedule {
    if (!e.parent) throw new RangeError('genesis has no schedule');
    let s = this.entrySchedules.get(e);
    if (!s) {
      s = this.schedule(e.parent, roundOf(e.slot, this.config.roundSlots));
      this.entrySchedules.set(e, s);
    }
    return s;
  }
  private readonly entrySchedules = new WeakMap<Entry, RoundSchedule>();
  private readonly setIds = new WeakMap<RoundSchedule, Hash>();

  /** validatorSetId of a round's ordered validator keys (the ledger header's `validators`). */
  setIdOf(s: RoundSchedule): Hash {
    let id = this.setIds.get(s);
    if (!id) {
      id = validatorSetId(s.validators.map((m) => m.key));
      this.setIds.set(s, id);
    }
    return id;
  }

  /**
   * The header fields `validators` (the set of the block's round) and
   * `nextValidators` (the set of the following round, computed from its
   * anchor on this chain) of a block on `parent` at `slot`.
   */
  headerSets(parent: Entry, slot: number): { validators: Hash; nextValidators: Hash; current: RoundSchedule; next: RoundSchedule } {
    const r = roundOf(slot, this.config.roundSlots);
    const current = this.schedule(parent, r);
    const next = this.schedule(parent, r + 1);
    return { validators: this.setIdOf(current), nextValidators: this.setIdOf(next), current, next };
  }

  /** Credit ledger after block `e` (all blocks of its chain counted). */
  creditStateAt(e: Entry): CreditState {
    const path: Entry[] = [];
    let cur: Entry = e;
    let base = this.credits.get(cur.hex);
    while (!base) {
      path.push(cur);
      cur = cur.parent as Entry;
      base = this.credits.get(cur.hex);
    }
    for (let i = path.length - 1; i >= 0; i--) {
      const b = path[i];
      base = applyCredits(base, this.config.credits, this.creditEventsFor(b.parent as Entry, b.block as Block));
      if (b.height % 16 === 0 || i === 0) this.credits.set(b.hex, base);
    }
    return base;
  }

  /** What block `block` on `parent` changes in the credit ledger (also the ledger's creditDeltas, see ledger.ts). */
  creditEventsFor(p: Entry, block: Block): CreditEvents {
    const h = block.header;
    const L = this.config.roundSlots;
    const missed: Hex[] = [];
    for (let s = p.slot + 1; s < h.slot; s++) {
      const prod = producerAt(this.schedule(p, roundOf(s, L)), s, L);
      if (prod) missed.push(hexOf(prod.key));
    }
    let voters: Hex[] = [];
    let certifiedProducer: Hex | null = null;
    const parentCert = block.certs[0];
    if (parentCert && p.parent) {
      const sched = this.schedule(p.parent, roundOf(p.slot, L));
      voters = (bitmapIndices(parentCert.signers, sched.validators.length) ?? []).map((i) => hexOf(sched.validators[i].key));
      certifiedProducer = hexOf((p.block as Block).header.producer);
    }
    return { missed, voters, certifiedProducer, evidence: evidenceOf(block).map((ev) => ({ key: evidenceKey(ev), offender: hexOf(offender(ev)), kind: ev.kind === 'invalid-block' ? 'invalid' : 'equivocation' })) };
  }

  // ------------------------------------------------------------ checks

  /** Structural and signature checks of a block against its (known) parent. `nowSlot` bounds the slot. */
  validateBlock(block: Block, nowSlot?: number): Check & { parent?: Entry } {
    const h = block.header;
    if (h.v !== 1) return reject('malformed', `block version ${h.v}`);
    if (!eq(h.chain, this.config.chain)) return reject('wrong-chain', 'block names another chain');
    const parent = this.get(h.prev);
    if (!parent) return reject('unknown-parent', `parent ${hexOf(h.prev).slice(0, 12)} not known`);
    if (nowSlot !== undefined && h.slot > nowSlot) return reject('future-slot', `slot ${h.slot} is after the current slot ${nowSlot}`);
    if (!this.signedByMember(h)) return reject('bad-signature', `producer signature on block at slot ${h.slot} fails`);
    const r = this.validateSigned(block, parent);
    return r.ok ? { ok: true, parent } : r;
  }

  /** The checks whose failure the producer's signature makes attributable (invalid-block evidence). */
  private validateSigned(block: Block, parent: Entry): Check {
    const h = block.header;
    const L = this.config.roundSlots;
    if (!eq(h.txRoot, txRootOf(block.txs)) || !eq(h.certRoot, certRoot(block.certs))) return reject('bad-root', 'transactions or certificates do not match the signed roots');
    if (h.height !== parent.height + 1) return reject('bad-height', `height ${h.height}, parent height ${parent.height}`);
    if (h.slot <= parent.slot) return reject('bad-slot', `slot ${h.slot} not after the parent's slot ${parent.slot}`);
    const prod = producerAt(this.schedule(parent, roundOf(h.slot, L)), h.slot, L);
    if (!prod || !eq(prod.key, h.producer)) return reject('not-producer', `not the producer scheduled for slot ${h.slot}`);
    const sets = this.headerSets(parent, h.slot);
    if (!eq(h.validators, sets.validators)) return reject('bad-validators', `validators is not the set of slot ${h.slot}'s round`);
    if (!eq(h.nextValidators, sets.nextValidators)) return reject('bad-validators', 'nextValidators is not the set of the next round');
    if (parent === this.genesis) {
      if (block.certs.length !== 0) return reject('bad-certificate', 'a child of genesis carries no certificate');
    } else {
      if (block.certs.length === 0) return reject('missing-certificate', `block at slot ${h.slot} does not carry its parent's certificate`);
      if (block.certs.length > 1) return reject('bad-certificate', 'a block carries exactly its parent\'s certificate');
      const c = this.verifyCertificate(parent, block.certs[0]);
      if (!c.ok) return c;
    }
    const evidence = evidenceOf(block);
    if (evidence.length > (this.config.maxEvidencePerBlock ?? 8)) return reject('bad-evidence', 'too much evidence in one block');
    const keys = new Set<string>();
    for (const ev of evidence) {
      const r = this.verifyEvidence(ev);
      if (!r.ok) return reject('bad-evidence', r.detail);
      const k = evidenceKey(ev);
      if (keys.has(k)) return reject('bad-evidence', 'the same evidence twice in one block');
      keys.add(k);
    }
    return this.executor.check(parent, block, this);
  }

  signedByMember(h: BlockHeader): boolean {
    if (!this.members.has(hexOf(h.producer))) return false;
    const { sig, ...unsigned } = h;
    return this.scheme.verify(h.producer, headerSigningBytes(unsigned), sig);
  }

  /** Checks a certificate for the known block `e`. */
  verifyCertificate(e: Entry, c: FinalityCertificate): Check {
    if (!e.parent) return reject('bad-certificate', 'genesis needs no certificate');
    if (!eq(c.block, e.id) || c.height !== e.height || c.slot !== e.slot) return reject('bad-certificate', `certificate names another block than ${e.hex.slice(0, 12)}`);
    const s = this.scheduleOf(e);
    const idx = bitmapIndices(c.signers, s.validators.length);
    if (!idx) return reject('bad-certificate', 'signer bitmap has the wrong length or names a non-validator');
    if (idx.length < s.quorum) return reject('bad-certificate', `${idx.length} signers, quorum is ${s.quorum}`);
    const ok = this.scheme.fastAggregateVerify(
      idx.map((i) => s.validators[i].key),
      voteMessage(this.config.chain, e.id, e.height, e.slot),
      c.sig
    );
    return ok ? OK : reject('bad-certificate', 'aggregate signature fails');
  }

  /** Checks a vote for a known block. */
  verifyVote(v: FinalityVote): Check & { entry?: Entry; index?: number } {
    if (!eq(v.chain, this.config.chain)) return reject('wrong-chain', 'vote names another chain');
    const e = this.get(v.block);
    if (!e || !e.parent) return reject('unknown-block', `vote for unknown block ${hexOf(v.block).slice(0, 12)}`);
    if (v.height !== e.height || v.slot !== e.slot) return reject('malformed', 'vote height/slot differ from the block');
    const s = this.scheduleOf(e);
    const index = s.index.get(hexOf(v.validator));
    if (index === undefined) return reject('not-validator', 'voter is not a validator of the block\'s round');
    if (!this.scheme.verify(v.validator, voteMessageOf(v), v.sig)) return reject('bad-signature', 'vote signature fails');
    return { ok: true, entry: e, index };
  }

  /** Checks evidence of misbehaviour (anyone may submit it). */
  verifyEvidence(ev: Evidence): Check {
    switch (ev.kind) {
      case 'double-block': {
        const { a, b } = ev;
        if (!eq(a.producer, b.producer) || a.slot !== b.slot) return reject('bad-evidence', 'headers from different producers or slots');
        if (!eq(a.chain, this.config.chain) || !eq(b.chain, this.config.chain)) return reject('bad-evidence', 'header of another chain');
        if (eq(headerId(a), headerId(b))) return reject('bad-evidence', 'the same header twice');
        if (!this.signedByMember(a) || !this.signedByMember(b)) return reject('bad-evidence', 'a header signature fails');
        return OK;
      }
      case 'double-vote': {
        const { a, b } = ev;
        if (!eq(a.validator, b.validator) || a.slot !== b.slot) return reject('bad-evidence', 'votes from different validators or slots');
        if (!eq(a.chain, this.config.chain) || !eq(b.chain, this.config.chain)) return reject('bad-evidence', 'vote of another chain');
        if (eq(a.block, b.block)) return reject('bad-evidence', 'the same vote twice');
        if (!this.members.has(hexOf(a.validator))) return reject('bad-evidence', 'voter is not a member');
        for (const v of [a, b]) if (!this.scheme.verify(v.validator, voteMessageOf(v), v.sig)) return reject('bad-evidence', 'a vote signature fails');
        return OK;
      }
      case 'invalid-block': {
        const h = ev.block.header;
        if (!eq(h.chain, this.config.chain)) return reject('bad-evidence', 'header of another chain');
        if (!this.signedByMember(h)) return reject('bad-evidence', 'header signature fails');
        if (!eq(h.txRoot, txRootOf(ev.block.txs)) || !eq(h.certRoot, certRoot(ev.block.certs))) return reject('bad-evidence', 'transactions or certificates do not match the signed roots');
        if (evidenceOf(ev.block).some((x) => x.kind === 'invalid-block')) return reject('bad-evidence', 'the accused block carries invalid-block evidence itself (nesting depth 1)');
        const parent = this.get(h.prev);
        if (!parent) return reject('bad-evidence', 'parent of the accused block is not known here');
        const r = this.validateSigned(ev.block, parent);
        if (r.ok) return reject('bad-evidence', 'the block is valid');
        if (!ATTRIBUTABLE.has(r.reason)) return reject('bad-evidence', `not attributable: ${r.reason}`);
        return OK;
      }
    }
  }

  /** The reason a signed block is invalid, if the producer can be blamed for it. */
  attributableFailure(block: Block): Reject | null {
    const parent = this.get(block.header.prev);
    if (!parent || !this.signedByMember(block.header)) return null;
    const r = this.validateSigned(block, parent);
    return !r.ok && ATTRIBUTABLE.has(r.reason) ? r : null;
  }

  // ------------------------------------------------------------ insertion, certification, finality

  /** Whether `e` is `anc` or descends from it. */
  extends(e: Entry, anc: Entry): boolean {
    let x: Entry | null = e;
    while (x && x.height > anc.height) x = x.parent;
    return x === anc;
  }

  /**
   * Inserts a block already validated by validateBlock (or throws). Returns
   * the entry and any blocks that became final (the parent gets certified by
   * the carried certificate).
   */
  insert(block: Block, parent: Entry): { entry: Entry; finalised: Finalised } {
    const id = headerId(block.header);
    const existing = this.get(id);
    if (existing) return { entry: existing, finalised: { entries: [], conflict: null } };
    const e: Entry = { id, hex: hexOf(id), block, height: block.header.height, slot: block.header.slot, parent, children: [], cert: null, certified: false, provenFinal: parent.provenFinal, final: false };
    const gp = parent.parent;
    if (gp && gp.parent && parent.slot === gp.slot + 1 && gp.slot === gp.parent.slot + 1) e.provenFinal = gp;
    parent.children.push(e);
    this.entries.set(e.hex, e);
    let finalised: Finalised = { entries: [], conflict: null };
    if (block.certs[0]) finalised = this.certify(parent, block.certs[0]);
    else if (parent === this.genesis) finalised = this.checkFinalAround(parent);
    return { entry: e, finalised };
  }

  /** Records a verified certificate for `e`; returns blocks that became final. */
  certify(e: Entry, cert: FinalityCertificate): Finalised {
    if (e.certified) return { entries: [], conflict: null };
    e.cert = cert;
    e.certified = true;
    if (e.height > this.best.height || (e.height === this.best.height && e.hex < this.best.hex)) {
      if (this.extends(e, this.final)) this.best = e;
    }
    return this.checkFinalAround(e);
  }

  private checkFinalAround(e: Entry): Finalised {
    const out: Finalised = { entries: [], conflict: null };
    const candidates: Entry[] = [];
    if (e.parent) candidates.push(e.parent);
    candidates.push(e, ...e.children);
    for (const m of candidates) {
      if (this.isFinalTriple(m)) {
        const r = this.finalise(m);
        out.entries.push(...r.entries);
        out.conflict ??= r.conflict;
      }
    }
    return out;
  }

  private isFinalTriple(m: Entry): boolean {
    if (!m.parent || !m.certified || !m.parent.certified || m.parent.slot + 1 !== m.slot) return false;
    return m.children.some((c) => c.certified && c.slot === m.slot + 1);
  }

  private finalise(m: Entry): Finalised {
    if (m.final) return { entries: [], conflict: null };
    if (!this.extends(m, this.final)) {
      // Two conflicting blocks both satisfy the finality rule: only possible
      // with a third or more of the validators byzantine. Never revert.
      this.safetyViolations++;
      return { entries: [], conflict: m };
    }
    const fresh: Entry[] = [];
    for (let x: Entry | null = m; x && x !== this.final; x = x.parent) fresh.push(x);
    fresh.reverse();
    for (const x of fresh) x.final = true;
    this.final = m;
    if (!this.extends(this.best, m)) this.best = m;
    this.recomputeBest();
    return { entries: fresh, conflict: null };
  }

  private recomputeBest(): void {
    // Longest certified chain extending the final block: walk the subtree.
    let best = this.final;
    const stack = [this.final];
    while (stack.length) {
      const x = stack.pop() as Entry;
      if (x.certified && (x.height > best.height || (x.height === best.height && x.hex < best.hex))) best = x;
      for (const c of x.children) if (c.certified) stack.push(c);
    }
    this.best = best;
  }

  /** Entries of the final chain, genesis first. */
  finalChain(): Entry[] {
    const out: Entry[] = [];
    for (let x: Entry | null = this.final; x; x = x.parent) out.push(x);
    return out.reverse();
  }

  /** Blocks of the chain ending at `e`, newest first, at most `max`. */
  ancestors(e: Entry, max: number): Entry[] {
    const out: Entry[] = [];
    for (let x: Entry | null = e; x && x.block && out.length < max; x = x.parent) out.push(x);
    return out;
  }
}

/** `${kind}:${offender hex}:${slot}`: the same key as the ledger's `ChainState.punished`. */
export function evidenceKey(ev: Evidence): string {
  return `${ev.kind}:${hexOf(offender(ev))}:${ev.kind === 'invalid-block' ? ev.block.header.slot : ev.a.slot}`;
}

export function offender(ev: Evidence): Uint8Array {
  return ev.kind === 'double-block' ? ev.a.producer : ev.kind === 'double-vote' ? ev.a.validator : ev.block.header.producer;
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
export { eq as equalBytes };
export const idHex = (id: Hash): Hex => bytesToHex(id);
