/**
 * One participant's node in a room: the network (NetNode over its
 * transports), gossip as the consensus message bus, the DPoS consensus node
 * over the ledger, headers-first sync, and (optionally) the ledger store the
 * final chain is written to. A hospital validator produces and votes; every
 * other role follows the chain the same way and simply never is scheduled.
 *
 * Offline: `setOnline(false)` leaves the room (transports stop, peers go
 * down) and consensus keeps its state; `setOnline(true)` joins again and the
 * hello/status exchange starts a sync if peers moved on. In a browser
 * `watchConnectivity()` ties this to the window's online/offline events.
 */
import { blockId, hex } from '$lib/chain';
import type { Block, ChainState } from '$lib/chain';
import {
  ConsensusNode,
  LedgerExecutor,
  LedgerSink,
  Mempool,
  blsScheme,
  consensusConfigFromGenesis,
  memoised,
  realClock,
  type Clock,
  type ConsensusMessage,
  type SignatureScheme
} from '$lib/chain/consensus';
import { bls } from '$lib/crypto';
import type { BlobStore, ChainStore } from '$lib/store';
import { BlobService, type BlobEvent } from '$lib/net/blob';
import { Rpc } from '$lib/net/rpc';
import { ConsensusGossip } from '$lib/net/gossip';
import type { ChainStatus } from '$lib/net/hello';
import { NetNode, type NetNodeOptions } from '$lib/net/node';
import { roomIdOf } from '$lib/net/room';
import { SyncService, type SyncProgress } from '$lib/net/sync';
import type { Transport } from '$lib/net/transport';

export interface RoomPeerOptions {
  genesis: Block;
  keys: { sk: Uint8Array; pk: Uint8Array };
  role: string;
  /** Factories, so that going offline and online again makes fresh transports. */
  transports: (room: string) => Transport[];
  /** Where the final chain is kept; `restore()` replays it on the next open. */
  store?: ChainStore;
  /** Where blobs (sealed records) are kept; with it the peer serves and fetches blobs. */
  blobStore?: BlobStore;
  onBlobEvent?: (e: BlobEvent) => void;
  clock?: Clock;
  scheme?: SignatureScheme;
  net?: Partial<Pick<NetNodeOptions, 'maxPeers' | 'strikes' | 'banMs' | 'rate' | 'allowGuests'>>;
  onSync?: (p: SyncProgress) => void;
  onFinal?: (state: ChainState, blocks: Block[]) => void | Promise<void>;
}

export class RoomPeer {
  readonly room: string;
  readonly chain: Uint8Array;
  readonly executor: LedgerExecutor;
  readonly mempool = new Mempool();
  readonly consensus: ConsensusNode;
  readonly sink: LedgerSink | null;
  net!: NetNode;
  gossip!: ConsensusGossip;
  sync!: SyncService;
  blobs: BlobService | null = null;
  /** Requests between roles; one per node (it owns the node's request/response handlers). */
  rpc!: Rpc;
  private readonly o: RoomPeerOptions;
  private statusTimer: ReturnType<typeof setInterval> | null = null;
  private lastAnnounced = '';
  private unwatch: (() => void) | null = null;

  constructor(o: RoomPeerOptions) {
    this.o = o;
    const config = consensusConfigFromGenesis(o.genesis);
    this.chain = config.chain;
    this.room = roomIdOf(config.chain);
    this.executor = new LedgerExecutor({ genesis: o.genesis, mempool: () => this.mempool.list() });
    this.sink = o.store ? new LedgerSink(o.store, this.executor, o.onFinal) : null;
    // The bus is created before the node; it forwards to the gossip made below.
    const bus = {
      id: hex(o.keys.pk),
      publish: (m: ConsensusMessage) => {
        if (!this.heldBack(m)) this.gossip?.publish(m);
      },
      send: (to: string, m: ConsensusMessage) => {
        if (!this.heldBack(m)) this.gossip?.send(to, m);
      },
      subscribe: () => () => {}
    };
    this.consensus = new ConsensusNode({
      config,
      keys: o.keys,
      bus,
      clock: o.clock ?? realClock,
      scheme: o.scheme ?? memoised(blsScheme),
      executor: this.executor,
      store: this.sink ?? undefined,
      maxDriftMs: 250,
      onFinalised: () => this.announce()
    });
    this.sink?.attach(this.consensus.tree);
    this.connect();
  }

  /** The NetNode with gossip and sync (and blob transfer) over it. */
  private connect(): void {
    this.net = new NetNode({
      room: this.room,
      chain: this.chain,
      keys: this.o.keys,
      role: this.o.role,
      signer: { sign: (sk, m) => bls.sign(sk, m), verify: (pk, m, s) => bls.verify(pk, m, s) },
      isMember: (k) => this.isMember(k),
      status: () => this.status(),
      transports: this.o.transports(this.room),
      genesis: this.o.genesis,
      allowGuests: true,
      ...this.o.net
    });
    this.gossip = new ConsensusGossip(this.net, { onTx: (tx) => this.admitTx(tx) }).attach(this.consensus);
    this.sync = new SyncService(this.net, this.consensus, { onProgress: this.o.onSync });
    this.rpc = new Rpc(this.net, { timeoutMs: 60_000 });
    if (this.o.blobStore) this.blobs = new BlobService(this.net, this.o.blobStore, { onEvent: this.o.onBlobEvent });
  }

  /**
   * Replays the final chain kept in the store into consensus (every block
   * validated again, then the stored certificates of the last blocks), so a
   * reopened page starts where it was and can show its records offline.
   * Returns the height reached. Call before `start`.
   */
  async restore(onProgress?: (height: number, of: number) => void): Promise<number> {
    const store = this.o.store;
    const head = store ? await store.head() : undefined;
    if (!store || !head) return 0;
    const self = this.consensus.id;
    for (let h = 1; h <= head.height; h++) {
      const block = await store.getBlockAt(h);
      if (!block) break;
      const r = this.consensus.receive({ t: 'block', v: 1, block }, self);
      if (!r.ok) throw new Error(`stored block ${h} does not validate: ${r.detail}`);
      if (h % 50 === 0) onProgress?.(h, head.height);
    }
    for (let h = Math.max(1, head.height - 2); h <= head.height; h++) {
      const block = await store.getBlockAt(h);
      const cert = block && (await store.getCertificate(blockId(block)));
      if (cert) this.consensus.receive({ t: 'cert', v: 1, cert }, self);
    }
    return this.consensus.tree.head().height;
  }

  /**
   * While a sync run fetches the chain, consensus's own ancestor fetch would
   * download the same blocks again from whoever sent a new block.
   */
  private heldBack(m: ConsensusMessage): boolean {
    return m.t === 'get-blocks' && !!this.sync?.active;
  }

  /** Starts consensus and joins the room. */
  async start(): Promise<void> {
    this.consensus.start();
    await this.net.start();
    this.statusTimer = setInterval(() => this.announce(), Math.max(250, this.consensus.config.slotMs / 2));
  }

  stop(): void {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
    this.unwatch?.();
    this.blobs?.close();
    this.consensus.stop();
    this.net.stop();
  }

  /** Leaves (false) or rejoins (true) the room; consensus state is kept. */
  async setOnline(online: boolean): Promise<void> {
    if (online === this.net.online) return;
    if (!online) {
      this.net.stop();
      return;
    }
    await this.net.start(this.o.transports(this.room));
  }

  /** Follows the browser's online/offline events (returns the undo). */
  watchConnectivity(target: Pick<Window, 'addEventListener' | 'removeEventListener'> = window): () => void {
    const on = () => void this.setOnline(true);
    const off = () => void this.setOnline(false);
    target.addEventListener('online', on);
    target.addEventListener('offline', off);
    this.unwatch = () => {
      target.removeEventListener('online', on);
      target.removeEventListener('offline', off);
    };
    return this.unwatch;
  }

  status(): ChainStatus {
    const t = this.consensus.tree;
    const head = t.head();
    return { head: { height: head.height, id: head.id }, final: { height: t.final.height, id: t.final.id } };
  }

  /** The blob store this peer serves from (undefined without one). */
  get blobStore(): BlobStore | undefined {
    return this.o.blobStore;
  }

  /** The ledger state at the final block. */
  finalState(): ChainState | undefined {
    return this.executor.stateOf(this.consensus.tree.final);
  }

  private isMember(key: Uint8Array): boolean {
    const s = this.finalState() ?? this.executor.genesisState;
    return s.members.has(hex(key));
  }

  private admitTx(tx: Parameters<Mempool['submit']>[0]): { reason: 'forged' | 'invalid' | 'benign'; detail: string } | null {
    const state = this.executor.stateOf(this.consensus.tree.head()) ?? this.executor.genesisState;
    const err = this.mempool.submit(tx, state);
    if (!err) return null;
    const reason = err.kind === 'bad-signature' ? 'forged' : err.kind === 'replay' || err.kind === 'out-of-order' || err.kind === 'duplicate' || err.kind === 'not-final' ? 'benign' : 'invalid';
    return { reason, detail: err.message };
  }

  /** Tells peers our status when the head or final block moved. */
  private announce(): void {
    if (!this.net?.online) return;
    const s = this.status();
    const k = `${hex(s.head.id)}:${hex(s.final.id)}`;
    if (k === this.lastAnnounced) return;
    this.lastAnnounced = k;
    this.net.announceStatus();
  }

  /** Block id hex of the final block (tests compare these across nodes). */
  finalId(): string {
    return this.consensus.tree.final.hex;
  }
}
