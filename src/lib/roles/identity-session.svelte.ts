/**
 * The identity this tab acts as: one per tab, in memory only, reactive for
 * the pages (Svelte 5 runes). Opening or creating an identity goes through
 * identity-session.ts; `lock()` forgets the keys (best effort, see
 * `wipeKeys`). Reloading the tab locks too: nothing secret is kept outside
 * the vault.
 */
import type { Role } from '$lib/identity';
import { createIdentity, unlockIdentity, wipeKeys, type CreateOptions, type SessionOptions, type UnlockedIdentity } from './identity-session';

export class IdentitySession {
  /** The open identity, or null. `$state.raw`: key objects must not be proxied. */
  current = $state.raw<UnlockedIdentity | null>(null);

  /** The open identity if it is one of `role`. */
  forRole(role: Role): UnlockedIdentity | null {
    return this.current?.role === role ? this.current : null;
  }

  /** Opens vault entry `id` and makes it current (errors as `unlockIdentity`; the current identity stays on error). */
  async unlock(id: string, passphrase: string, opts: SessionOptions = {}): Promise<UnlockedIdentity> {
    const u = await unlockIdentity(id, passphrase, opts);
    this.replace(u);
    return u;
  }

  /** Creates an identity (see `createIdentity`) and makes it current. */
  async create(role: Role, name: string, passphrase: string, opts: CreateOptions = {}): Promise<UnlockedIdentity> {
    const u = await createIdentity(role, name, passphrase, opts);
    this.replace(u);
    return u;
  }

  /** Forgets the open keys. */
  lock(): void {
    this.replace(null);
  }

  private replace(next: UnlockedIdentity | null): void {
    const prev = this.current;
    this.current = next;
    if (prev && prev !== next) wipeKeys(prev.keys);
  }
}

/** This tab's session. */
export const identitySession = new IdentitySession();
