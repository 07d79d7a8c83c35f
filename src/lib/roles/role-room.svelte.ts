/**
 * The reactive model of a role page's room (Svelte 5 runes), used by
 * $lib/ui/RoleShell.svelte: find the genesis (`findGenesis`), then, once an
 * identity of the page's role is open, run its node (`RoleSession`) and
 * refresh the network panel's snapshot and the member status. All logic is
 * in role-session.ts; this class only holds what the page shows.
 */
import type { Block } from '$lib/chain';
import { ready } from '$lib/crypto';
import type { UnlockedIdentity } from './identity-session';
import type { RoomSnapshot } from './room-snapshot';
import { findGenesis, GENESIS_TIMEOUT_MS, RoleSession, RoomError, type MemberStatus } from './role-session';

export type RoomPhase = 'idle' | 'finding' | 'found' | 'joining' | 'joined' | 'error';

export class RoleRoom {
  phase = $state<RoomPhase>('idle');
  /** i18n key under `shell.error.` and the detail. */
  error = $state<{ key: string; detail: string } | null>(null);
  room = $state<string | null>(null);
  genesis = $state.raw<Block | null>(null);
  name = $state('');
  /** Seconds spent looking for peers. */
  waited = $state(0);
  restored = $state<{ height: number; of: number } | null>(null);
  snap = $state.raw<RoomSnapshot | undefined>(undefined);
  status = $state.raw<MemberStatus | null>(null);
  session = $state.raw<RoleSession | null>(null);

  private abort: AbortController | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private joinedAs: UnlockedIdentity | null = null;
  private generation = 0;

  /** Opens room `room` (finds its genesis); a different room closes the current one first. */
  async open(room: string, timeoutMs = GENESIS_TIMEOUT_MS): Promise<void> {
    if (this.room === room && this.phase !== 'error') return;
    this.close();
    const gen = ++this.generation;
    this.room = room;
    this.phase = 'finding';
    this.waited = 0;
    this.abort = new AbortController();
    const started = Date.now();
    const wait = setInterval(() => (this.waited = Math.round((Date.now() - started) / 1000)), 1000);
    try {
      await ready();
      const { genesis } = await findGenesis(room, { timeoutMs, signal: this.abort.signal });
      if (gen !== this.generation) return;
      const body = genesis.txs[0].body;
      this.name = body.type === 'genesis' ? body.name : '';
      this.genesis = genesis;
      this.phase = 'found';
    } catch (e) {
      if (gen !== this.generation) return;
      this.fail(e instanceof RoomError ? e.kind : 'unknown', e);
    } finally {
      clearInterval(wait);
    }
  }

  /** Runs the node of `identity` in the open room (no-op if it already runs for it). */
  async join(identity: UnlockedIdentity): Promise<void> {
    if (!this.genesis || this.joinedAs === identity) return;
    this.leave();
    const gen = this.generation;
    this.joinedAs = identity;
    this.phase = 'joining';
    try {
      const s = await RoleSession.start({ genesis: this.genesis, identity }, (height, of) => (this.restored = { height, of }));
      if (gen !== this.generation || this.joinedAs !== identity) {
        s.stop();
        return;
      }
      this.session = s;
      this.phase = 'joined';
      (globalThis as unknown as { __medchain?: unknown }).__medchain = { session: s, snapshot: () => s.snapshot() };
      const tick = () => {
        this.snap = s.snapshot();
        this.status = s.status();
      };
      tick();
      this.ticker = setInterval(tick, 400);
    } catch (e) {
      if (gen === this.generation) this.fail('join', e);
    }
  }

  /** Stops the node (the room stays open, e.g. when the identity is locked). */
  leave(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.session?.stop();
    this.session = null;
    this.joinedAs = null;
    this.snap = undefined;
    this.status = null;
    this.restored = null;
    if (this.phase === 'joining' || this.phase === 'joined') this.phase = 'found';
  }

  /** Leaves and forgets the room. */
  close(): void {
    this.generation++;
    this.leave();
    this.abort?.abort();
    this.abort = null;
    this.room = null;
    this.genesis = null;
    this.name = '';
    this.error = null;
    this.phase = 'idle';
  }

  private fail(key: string, e: unknown): void {
    this.error = { key, detail: e instanceof Error ? e.message : String(e) };
    this.phase = 'error';
  }
}
