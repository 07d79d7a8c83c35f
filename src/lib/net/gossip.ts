/**
 * Gossip of consensus messages and transactions over a NetNode, as the
 * MessageBus a ConsensusNode talks through.
 *
 * - De-duplication: every gossiped frame is known by SHA-256 of its bytes
 *   (one message has one encoding). A frame already seen from anyone is not
 *   processed or relayed again; the same frame twice from the SAME peer is
 *   a replay and counted against it.
 * - Validation before relaying: a message is relayed (to every peer except
 *   the one it came from) only when the consensus node (or, for
 *   transactions, the mempool) accepted it. A bad signature is counted as
 *   'forged'; other failures as 'invalid', except the benign ones a correct
 *   peer can cause (a block whose parent we lack, a vote for a block not yet
 *   here, a slot slightly ahead of our clock).
 * - Point-to-point consensus requests (`get-blocks` / `blocks`) go to one
 *   peer and are never relayed.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '../chain/bytes';
import { messageBody, messageFromBody, type ConsensusMessage, type Handler, type MessageBus, type MessageType, type PeerId } from '../chain/consensus/bus';
import type { Check, RejectReason } from '../chain/consensus/types';
import { txFromValue, txValue } from '../chain/encoding';
import type { Transaction } from '../chain/types';
import type { NetNode } from './node';
import type { PeerKey, PeerPort } from './protocol';
import { frame, readBody, type DropReason } from './wire';

/** What receives gossip: a ConsensusNode has this method. */
export interface ConsensusReceiver {
  receive(m: ConsensusMessage, from: PeerId): Check;
}

export interface GossipOptions {
  /** Admits a gossiped transaction (e.g. Mempool.submit against the final state); null when accepted. */
  onTx?: (tx: Transaction, from: PeerKey) => { reason: 'forged' | 'invalid' | 'benign'; detail: string } | null;
  /** Remembered frame ids (global and per peer). */
  memory?: number;
}

export interface GossipStats {
  received: number;
  duplicates: number;
  relayed: number;
  published: number;
}

/** Rejections a correct peer can cause: neither counted nor relayed. */
const BENIGN: ReadonlySet<RejectReason> = new Set(['unknown-parent', 'unknown-block', 'future-slot', 'duplicate', 'conflicts-with-final']);
const GOSSIPED: readonly MessageType[] = ['block', 'vote', 'cert', 'evidence'];

/** A bounded insertion-ordered set. */
class Recent {
  private readonly s = new Set<string>();
  constructor(private readonly max: number) {}
  has(k: string): boolean {
    return this.s.has(k);
  }
  add(k: string): void {
    this.s.add(k);
    if (this.s.size > this.max) this.s.delete(this.s.values().next().value as string);
  }
}

export class ConsensusGossip implements MessageBus {
  readonly id: PeerId;
  readonly stats: GossipStats = { received: 0, duplicates: 0, relayed: 0, published: 0 };
  private receiver: ConsensusReceiver | null = null;
  private readonly handlers = new Set<Handler>();
  private readonly seen: Recent;
  private readonly fromPeer = new Map<PeerKey, Recent>();

  constructor(
    private readonly net: NetNode,
    private readonly o: GossipOptions = {}
  ) {
    this.id = net.key;
    this.seen = new Recent(o.memory ?? 16384);
    for (const t of GOSSIPED) net.handle(t, (body, from, f) => this.onGossip(t, body, from, f));
    net.handle('get-blocks', (body, from) => this.deliver(readBody('get-blocks', () => messageFromBody('get-blocks', body)), from));
    net.handle('blocks', (body, from) => this.deliver(readBody('blocks', () => messageFromBody('blocks', body)), from));
    net.handle('tx', (body, from, f) => this.onTx(body, from, f));
    net.onPeer((p, e) => {
      if (e === 'down') this.fromPeer.delete(p.key);
    });
  }

  /** The consensus node whose verdicts decide relaying (its `receive`). */
  attach(receiver: ConsensusReceiver): this {
    this.receiver = receiver;
    return this;
  }

  // ------------------------------------------------------------ MessageBus

  publish(msg: ConsensusMessage): void {
    const f = frame(msg.t, messageBody(msg));
    this.seen.add(frameId(f));
    this.stats.published++;
    this.net.broadcast(f);
  }

  send(to: PeerId, msg: ConsensusMessage): void {
    this.net.peer(to)?.send(msg.t, messageBody(msg));
  }

  subscribe(handler: Handler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Gossips a signed transaction (already admitted locally). */
  publishTx(tx: Transaction): void {
    const f = frame('tx', { tx: txValue(tx, true) });
    this.seen.add(frameId(f));
    this.stats.published++;
    this.net.broadcast(f);
  }

  // ------------------------------------------------------------ receiving

  /** Dedup by frame id; true when the frame is new (and should be processed). */
  private fresh(from: PeerPort, f: Uint8Array): boolean {
    this.stats.received++;
    const id = frameId(f);
    let mine = this.fromPeer.get(from.key);
    if (!mine) this.fromPeer.set(from.key, (mine = new Recent(this.o.memory ?? 16384)));
    if (mine.has(id)) {
      this.net.drop(from, 'replay', 'the same message twice');
      return false;
    }
    mine.add(id);
    if (this.seen.has(id)) {
      this.stats.duplicates++;
      return false;
    }
    this.seen.add(id);
    return true;
  }

  private onGossip(t: MessageType, body: unknown, from: PeerPort, f: Uint8Array): void {
    if (!this.fresh(from, f)) return;
    const msg = readBody(t, () => messageFromBody(t, body));
    const verdict = this.deliver(msg, from);
    if (verdict.ok) this.relay(f, from);
  }

  private deliver(msg: ConsensusMessage, from: PeerPort): Check {
    if (!this.receiver) {
      // No consensus node to judge: plain bus delivery, nothing to count.
      for (const h of this.handlers) h(msg, from.key);
      return { ok: true };
    }
    const r = this.receiver.receive(msg, from.key);
    if (!r.ok && !BENIGN.has(r.reason)) this.net.drop(from, dropReasonOf(r.reason), r.detail);
    return r;
  }

  private onTx(body: unknown, from: PeerPort, f: Uint8Array): void {
    if (!this.fresh(from, f)) return;
    const tx = readBody('tx', () => txFromValue((body as { tx?: unknown } | null)?.tx));
    const r = this.o.onTx?.(tx, from.key) ?? null;
    if (r) {
      if (r.reason !== 'benign') this.net.drop(from, r.reason, r.detail);
      return;
    }
    this.relay(f, from);
  }

  private relay(f: Uint8Array, from: PeerPort): void {
    this.stats.relayed += this.net.broadcast(f, new Set([from.key]));
  }
}

function frameId(f: Uint8Array): string {
  return hex(sha256(f));
}

function dropReasonOf(r: RejectReason): DropReason {
  return r === 'bad-signature' ? 'forged' : r === 'malformed' ? 'malformed' : 'invalid';
}
