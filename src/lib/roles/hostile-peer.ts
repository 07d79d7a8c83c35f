/**
 * A hostile peer for robustness tests and classroom demonstrations: a bare
 * transport in a demo room that speaks frames by hand. It can say a valid
 * hello as one of the room's seats (a compromised member) and then send
 * what honest nodes must refuse: malformed bodies, oversized frames,
 * unknown types, a block with a forged signature, and the same message
 * again (a replay). The honest nodes' network panels show each drop and cut
 * the peer off; their chains and stores stay as they were.
 */
import { blockValue, certRoot, CHAIN_VERSION, merkleRoot, type Block } from '$lib/chain';
import { bls } from '$lib/crypto';
import { headerId } from '$lib/chain/consensus';
import { helloValue, makeHello } from '$lib/net/hello';
import type { Link, Transport } from '$lib/net/transport';
import { frame, WIRE_MAGIC, WIRE_TYPES, WIRE_VERSION } from '$lib/net/wire';
import type { DemoRoom } from './demo-room';

export const HOSTILE_KINDS = ['hello', 'malformed', 'oversized', 'unknown-type', 'forged', 'replay'] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

export class HostilePeer {
  readonly links: Link[] = [];
  readonly sent: Record<string, number> = {};
  private forgedFrame: Uint8Array | null = null;

  constructor(
    private readonly demo: DemoRoom,
    private readonly seat: number,
    private readonly transport: Transport
  ) {
    transport.onLink = (l) => this.links.push(l);
  }

  async start(): Promise<void> {
    await this.transport.start();
  }

  stop(): void {
    this.transport.stop();
  }

  openLinks(): Link[] {
    return this.links.filter((l) => l.open);
  }

  /** Sends one frame of `kind` on every open link; returns how many links took it. */
  send(kind: HostileKind): number {
    const f = this.frameOf(kind);
    let n = 0;
    for (const l of this.openLinks()) {
      try {
        l.send(f);
        n++;
      } catch {
        /* closed meanwhile */
      }
    }
    this.sent[kind] = (this.sent[kind] ?? 0) + 1;
    return n;
  }

  private frameOf(kind: HostileKind): Uint8Array {
    const raw = (code: number, body: Uint8Array) => Uint8Array.from([WIRE_MAGIC, WIRE_VERSION, code, ...body]);
    switch (kind) {
      case 'hello': {
        const s = this.demo.seats[this.seat];
        const chain = headerId(this.demo.genesis.header);
        const zero = { height: 0, id: chain };
        return frame('hello', helloValue(makeHello({ room: this.demo.room, chain, node: s.keys.pk, role: s.role, address: this.transport.address, status: { head: zero, final: zero } }, s.keys.sk, bls)));
      }
      case 'malformed':
        return raw(WIRE_TYPES.block.code, new Uint8Array([0xff, 0x00, 0x13]));
      case 'oversized':
        return raw(WIRE_TYPES.vote.code, new Uint8Array(WIRE_TYPES.vote.max + 100));
      case 'unknown-type':
        return raw(250, new Uint8Array([0xa0]));
      case 'forged':
      case 'replay':
        // The second send of the same forged block is the replay.
        this.forgedFrame ??= frame('block', { block: blockValue(this.forgedBlock()) });
        return this.forgedFrame;
    }
  }

  /** A block at slot 1 on genesis in the name of validator seat 0, signed by this seat's key instead. */
  private forgedBlock(): Block {
    const g = this.demo.genesis;
    const victim = this.demo.seats[0].keys.pk;
    const unsigned = {
      v: CHAIN_VERSION as typeof CHAIN_VERSION,
      chain: headerId(g.header),
      height: 1,
      slot: 1,
      prev: headerId(g.header),
      txRoot: merkleRoot([]),
      certRoot: certRoot([]),
      validators: g.header.nextValidators,
      nextValidators: g.header.nextValidators,
      producer: victim
    };
    const sig = bls.sign(this.demo.seats[this.seat].keys.sk, new TextEncoder().encode('not the header'));
    return { header: { ...unsigned, sig }, txs: [], certs: [] };
  }
}
