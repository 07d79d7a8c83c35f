/**
 * The key vault: every identity this browser holds, its key file
 * (identity/keystore.ts `exportKeys`) encrypted under a passphrase, in the
 * IndexedDB database `medchain-vault` (Dexie 4). Also the encrypted backup
 * file that carries one entry to another browser. Design notes, threat model
 * and the choice of parameters: docs/keys.md.
 *
 * Pages may be served as `http://<LAN-IP>`, which is not a secure context
 * (no `crypto.subtle`), so everything here is @noble (audited, pure JS);
 * only `crypto.getRandomValues`, which works everywhere, comes from the
 * platform.
 *
 * Sealing one key file under a passphrase P:
 *
 * | step | value |
 * | --- | --- |
 * | salt | 16 random bytes, per entry, new on every change of passphrase |
 * | K ‖ C | scrypt(NFC(P) as UTF-8, salt, N, r, p, dkLen = 48): K = 32-byte AEAD key, C = 16-byte passphrase check |
 * | nonce | 24 random bytes |
 * | AD | DAG-CBOR {t: "medchain/vault-ad", v: 1, id, label, role, name, spk (hex)} |
 * | ciphertext | XChaCha20-Poly1305(K, nonce, AD).encrypt(key file) (key file + 16-byte tag) |
 *
 * C tells a wrong passphrase (C differs) from damaged data (C matches, the tag
 * does not); it gives a guesser nothing the tag would not, since either costs
 * one scrypt per guess. The AD binds the entry's id, label, role and public
 * summary to the ciphertext, so entries (or their labels) cannot be swapped.
 *
 * Default KDF: scrypt N = 2^17, r = 8, p = 1 (128 MiB; unlock ≈ 0.8–0.9 s in
 * Node 20 and in Chromium's worker on a 2-core box). Parameters are stored
 * per entry, so `changePassphrase` can raise them later; entries read from
 * storage or backups must stay within `KDF_LIMITS` (at most 1 GiB).
 *
 * Stored row (table `entries`, primary key `id`, unique index
 * `record.signingKey`, index `role`):
 * `{v: 1, id, label, role, record {role, name, signingKey}, kdf {alg, params
 * {N, r, p}, salt}, check, nonce, ciphertext, created, lastUsed}`.
 *
 * Backup file (canonical DAG-CBOR, at most MAX_BACKUP_BYTES):
 * `{t: "medchain/key-backup", v: 1, id, label, role, name, spk (96 B),
 * created, kdf {alg, params {N, r, p}, salt}, check, nonce, ct}` — the same
 * sealed bytes as the entry, so it needs the entry's passphrase and reveals
 * only what the entry's row does.
 *
 * | operation | cost |
 * | --- | --- |
 * | create | importKeys (≈ 4 pairings) + 1 scrypt |
 * | unlock, exportBackup | 1 scrypt |
 * | changePassphrase | 2 scrypt |
 * | importBackup | 1 scrypt + importKeys |
 * | list, remove | one IndexedDB read / delete |
 *
 * The scrypt runs in a short-lived Web Worker (vault-worker.ts) in browsers
 * and on the calling thread (scryptAsync, yielding every 10 ms) elsewhere or
 * if the worker cannot start.
 *
 * Errors: bad input from outside (wrong passphrase, damaged row, foreign
 * file) is a `VaultError` with a `kind`, and the vault is unchanged; misuse
 * (a non-string passphrase, an empty label, bad parameters) is a
 * TypeError / RangeError naming the argument.
 */
import Dexie, { type Table } from 'dexie';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { equalBytes } from '@noble/ciphers/utils.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { bytesToHex, hexToBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ready } from '$lib/crypto';
import { decode, encode, expectBytes, expectMap, expectString, expectUint, FormatError } from '$lib/codec';
import { importKeys, isRole, MAX_NAME_BYTES, type KeyRing, type Role } from '$lib/identity';
import type { KdfReply, KdfRequest } from './vault-worker';

export const VAULT_DB_NAME = 'medchain-vault';
export const BACKUP_TYPE = 'medchain/key-backup';
export const BACKUP_VERSION = 1;
/** Largest backup file read (a key file is at most 4096 bytes). */
export const MAX_BACKUP_BYTES = 8192;
/** Longest label in UTF-8 bytes. */
export const MAX_LABEL_BYTES = 128;
const ROW_VERSION = 1;
const AD_TYPE = 'medchain/vault-ad';
const SALT_BYTES = 16;
const NONCE_BYTES = 24;
const KEY_BYTES = 32;
const CHECK_BYTES = 16;
const TAG_BYTES = 16;
const ID_HEX = /^[0-9a-f]{32}$/;
const SPK_BYTES = 96;

export type VaultErrorKind =
  /** The passphrase does not open this entry or backup; nothing was changed. */
  | 'wrong-passphrase'
  /** The passphrase is right but the stored entry or the backup is damaged (or was tampered with). */
  | 'corrupt'
  /** The bytes are not a MedChain key backup at all. */
  | 'not-a-backup'
  /** A backup written by a newer version of the format. */
  | 'unsupported-version'
  /** The vault already holds this entry (same id or same signing key). */
  | 'duplicate'
  /** No entry with this id. */
  | 'not-found'
  /** The entry was changed by another tab while this operation ran; nothing was written. */
  | 'conflict';

/** Bad input from outside the program (passphrase, stored row, backup file); the vault is unchanged. */
export class VaultError extends Error {
  readonly kind: VaultErrorKind;
  constructor(kind: VaultErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VaultError';
    this.kind = kind;
  }
}

/** scrypt cost parameters (RFC 7914). */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** The default for new entries: N = 2^17, r = 8, p = 1 (128 MiB); see docs/keys.md. */
export const DEFAULT_KDF_PARAMS: ScryptParams = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

/** Bounds on parameters read from storage or a backup (a hostile file must not ask for 16 GiB). */
export const KDF_LIMITS = Object.freeze({ maxLogN: 20, maxR: 16, maxP: 16, maxMemBytes: 2 ** 30 });

/** Derives `dkLen` bytes from a passphrase; replaceable (tests, a native implementation). */
export type KdfRunner = (passphrase: Uint8Array, salt: Uint8Array, params: ScryptParams, dkLen: number, onProgress?: (fraction: number) => void) => Promise<Uint8Array>;

/** What the vault shows without a passphrase: no secrets. */
export interface VaultEntryInfo {
  readonly id: string;
  readonly label: string;
  readonly role: Role;
  /** Summary of the participant's public record. */
  readonly record: { readonly role: Role; readonly name: string; readonly signingKey: string };
  readonly kdf: { readonly alg: 'scrypt'; readonly params: ScryptParams };
  /** ms since the epoch. */
  readonly created: number;
  readonly lastUsed: number;
}

export interface VaultOptions {
  /** Database name (default `medchain-vault`). */
  name?: string;
  /** Passed to Dexie, e.g. `{ indexedDB, IDBKeyRange }` from fake-indexeddb in Node. */
  dexie?: ConstructorParameters<typeof Dexie>[1];
  /** KDF parameters for new entries and new passphrases (default DEFAULT_KDF_PARAMS; tests use tiny ones). */
  kdf?: ScryptParams;
  /** Replaces the KDF runner (default: a Web Worker in browsers, in-thread elsewhere). */
  runKdf?: KdfRunner;
}

/** Reports progress of the KDF, 0..1. */
export interface ProgressOptions {
  onProgress?: (fraction: number) => void;
}

interface VaultRow {
  v: number;
  id: string;
  label: string;
  role: Role;
  record: { role: Role; name: string; signingKey: string };
  kdf: { alg: 'scrypt'; params: ScryptParams; salt: Uint8Array };
  check: Uint8Array;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  created: number;
  lastUsed: number;
}

class VaultDb extends Dexie {
  entries!: Table<VaultRow, string>;
  constructor(name: string, options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    this.version(1).stores({ entries: 'id, role, &record.signingKey' });
  }
}

// ---------------------------------------------------------------- KDF

/** Throws RangeError unless `p` are sane scrypt parameters within KDF_LIMITS. */
export function checkKdfParams(params: ScryptParams, what = 'kdf'): ScryptParams {
  const { N, r, p } = params ?? ({} as ScryptParams);
  const int = (x: unknown, lo: number, hi: number) => Number.isSafeInteger(x) && (x as number) >= lo && (x as number) <= hi;
  if (!int(N, 2, 2 ** KDF_LIMITS.maxLogN) || (N & (N - 1)) !== 0) throw new RangeError(`${what}.N: a power of two in [2, 2^${KDF_LIMITS.maxLogN}]`);
  if (!int(r, 1, KDF_LIMITS.maxR)) throw new RangeError(`${what}.r: an integer in [1, ${KDF_LIMITS.maxR}]`);
  if (!int(p, 1, KDF_LIMITS.maxP)) throw new RangeError(`${what}.p: an integer in [1, ${KDF_LIMITS.maxP}]`);
  if (128 * N * r > KDF_LIMITS.maxMemBytes) throw new RangeError(`${what}: 128·N·r exceeds ${KDF_LIMITS.maxMemBytes} bytes`);
  return { N, r, p };
}

const MAXMEM = KDF_LIMITS.maxMemBytes + 2 ** 20;

/** scrypt on the calling thread, yielding to the event loop every 10 ms. */
export const runKdfInThread: KdfRunner = (passphrase, salt, params, dkLen, onProgress) =>
  scryptAsync(passphrase, salt, { ...params, dkLen, maxmem: MAXMEM, asyncTick: 10, onProgress });

/** scrypt in a fresh module Web Worker (terminated afterwards, which frees its memory); in-thread if no worker can start. */
export const runKdfInWorker: KdfRunner = (passphrase, salt, params, dkLen, onProgress) => {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./vault-worker.ts', import.meta.url), { type: 'module', name: 'medchain-vault-kdf' });
  } catch {
    return runKdfInThread(passphrase, salt, params, dkLen, onProgress);
  }
  return new Promise<Uint8Array>((resolve, reject) => {
    let started = false;
    worker.addEventListener('message', (e: MessageEvent<KdfReply>) => {
      const m = e.data;
      started = true;
      if (m.type === 'progress') onProgress?.(m.value);
      else {
        worker.terminate();
        if (m.type === 'done') resolve(m.key);
        else reject(new Error(`key derivation failed: ${m.message}`));
      }
    });
    worker.addEventListener('error', (e) => {
      worker.terminate();
      // A worker that never answered could not load (CSP, old browser): derive here instead.
      if (!started) runKdfInThread(passphrase, salt, params, dkLen, onProgress).then(resolve, reject);
      else reject(new Error(`key derivation failed: ${e.message || 'worker error'}`));
    });
    const req: KdfRequest = { passphrase: Uint8Array.from(passphrase), salt: Uint8Array.from(salt), ...params, dkLen, maxmem: MAXMEM };
    worker.postMessage(req);
  });
};

function defaultRunner(): KdfRunner {
  return typeof Worker !== 'undefined' && typeof window !== 'undefined' ? runKdfInWorker : runKdfInThread;
}

function passphraseBytes(passphrase: string, what: string): Uint8Array {
  if (typeof passphrase !== 'string') throw new TypeError(`${what}: expected a string`);
  if (passphrase.length === 0) throw new RangeError(`${what}: empty`);
  return utf8ToBytes(passphrase.normalize('NFC'));
}

// ---------------------------------------------------------------- sealing

/** The fields the AEAD seals and binds; shared by rows and backups. */
interface Sealed {
  id: string;
  label: string;
  role: Role;
  record: { role: Role; name: string; signingKey: string };
  kdf: { alg: 'scrypt'; params: ScryptParams; salt: Uint8Array };
  check: Uint8Array;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  created: number;
}

function associatedData(s: Pick<Sealed, 'id' | 'label' | 'role' | 'record'>): Uint8Array {
  return encode({ t: AD_TYPE, v: 1, id: s.id, label: s.label, role: s.role, name: s.record.name, spk: s.record.signingKey });
}

function checkLabel(label: string): string {
  if (typeof label !== 'string') throw new TypeError('label: expected a string');
  const norm = label.normalize('NFC').trim();
  if (!norm.isWellFormed() || norm.length === 0) throw new RangeError('label: empty or not valid Unicode');
  if (/[\u0000-\u001f\u007f-\u009f]/.test(norm)) throw new RangeError('label: holds control characters');
  if (utf8ToBytes(norm).length > MAX_LABEL_BYTES) throw new RangeError(`label: longer than ${MAX_LABEL_BYTES} bytes of UTF-8`);
  return norm;
}

function info(row: VaultRow): VaultEntryInfo {
  return {
    id: row.id,
    label: row.label,
    role: row.role,
    record: { ...row.record },
    kdf: { alg: row.kdf.alg, params: { ...row.kdf.params } },
    created: row.created,
    lastUsed: row.lastUsed
  };
}

/** Reads a stored row defensively; VaultError('corrupt') if anything is off. */
function rowToSealed(row: unknown): Sealed {
  try {
    const m = expectMap(row, 'vault entry');
    if (m.v !== ROW_VERSION) throw new FormatError('wrong-version', `vault entry version ${String(m.v)}`);
    return sealedFromMap(m, 'hex');
  } catch (e) {
    if (e instanceof FormatError || e instanceof RangeError) throw new VaultError('corrupt', `the stored identity is damaged (${e.message})`, { cause: e });
    throw e;
  }
}

/** Shared reader of rows (`spk` as hex in `record`) and backups (`spk` as bytes at top level); FormatError / RangeError. */
function sealedFromMap(m: Record<string, unknown>, shape: 'hex' | 'backup'): Sealed {
  const id = expectString(m.id, 'id', 32);
  if (!ID_HEX.test(id)) throw new FormatError('malformed', 'id: expected 32 hex digits');
  const label = expectString(m.label, 'label', MAX_LABEL_BYTES);
  const role = expectString(m.role, 'role', 16);
  if (!isRole(role)) throw new FormatError('out-of-range', `role: unknown role ${role}`);
  let name: string;
  let signingKey: string;
  if (shape === 'hex') {
    const rec = expectMap(m.record, 'record');
    name = expectString(rec.name, 'record.name', MAX_NAME_BYTES);
    signingKey = expectString(rec.signingKey, 'record.signingKey', 2 * SPK_BYTES);
    if (rec.role !== role || !/^[0-9a-f]{192}$/.test(signingKey)) throw new FormatError('malformed', 'record: role or signing key malformed');
  } else {
    name = expectString(m.name, 'name', MAX_NAME_BYTES);
    signingKey = bytesToHex(expectBytes(m.spk, 'spk', SPK_BYTES));
  }
  const kdf = expectMap(m.kdf, 'kdf');
  if (kdf.alg !== 'scrypt') throw new FormatError('out-of-range', `kdf.alg: unknown algorithm ${String(kdf.alg)}`);
  const pm = expectMap(kdf.params, 'kdf.params');
  const params = checkKdfParams({ N: expectUint(pm.N, 'kdf.params.N'), r: expectUint(pm.r, 'kdf.params.r'), p: expectUint(pm.p, 'kdf.params.p') }, 'kdf.params');
  const ciphertext = expectBytes(shape === 'hex' ? m.ciphertext : m.ct, 'ciphertext');
  if (ciphertext.length <= TAG_BYTES || ciphertext.length > MAX_BACKUP_BYTES) throw new FormatError('bad-length', 'ciphertext: impossible length');
  return {
    id,
    label,
    role,
    record: { role, name, signingKey },
    kdf: { alg: 'scrypt', params, salt: expectBytes(kdf.salt, 'kdf.salt', SALT_BYTES) },
    check: expectBytes(m.check, 'check', CHECK_BYTES),
    nonce: expectBytes(m.nonce, 'nonce', NONCE_BYTES),
    ciphertext,
    created: expectUint(m.created, 'created')
  };
}

/** Whether bytes start like a backup (the `t` entry comes first in canonical order), to tell "damaged backup" from "some other file". */
function looksLikeBackup(bytes: Uint8Array): boolean {
  const marker = encode({ t: BACKUP_TYPE }).subarray(1); // drop the map header
  const head = bytes.subarray(0, 8 + marker.length);
  outer: for (let i = 0; i + marker.length <= head.length; i++) {
    for (let j = 0; j < marker.length; j++) if (head[i + j] !== marker[j]) continue outer;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------- the vault

/** Identities of this browser, encrypted under their passphrases (see the module header). */
export class KeyVault {
  private readonly db: VaultDb;
  private readonly params: ScryptParams;
  private readonly runKdf: KdfRunner;

  constructor(options: VaultOptions = {}) {
    this.db = new VaultDb(options.name ?? VAULT_DB_NAME, options.dexie);
    this.params = checkKdfParams(options.kdf ?? DEFAULT_KDF_PARAMS, 'options.kdf');
    this.runKdf = options.runKdf ?? defaultRunner();
  }

  /** The parameters new entries get. */
  get kdfParams(): ScryptParams {
    return { ...this.params };
  }

  /**
   * Stores a key file under `passphrase`. The key file is checked with
   * `importKeys` first (throws its FormatError / DecodeError / IdentityError
   * on bad bytes) and must be
   * for `role` (RangeError). VaultError('duplicate') if the vault already
   * holds this signing key.
   */
  async create(label: string, role: Role, keyfile: Uint8Array, passphrase: string, opts: ProgressOptions = {}): Promise<VaultEntryInfo> {
    const lbl = checkLabel(label);
    if (!isRole(role)) throw new RangeError(`role: unknown role ${String(role)}`);
    if (!(keyfile instanceof Uint8Array)) throw new TypeError('keyfile: expected Uint8Array');
    const pw = passphraseBytes(passphrase, 'passphrase');
    await ready();
    const ring = importKeys(keyfile);
    const identity = ring.participant.identity;
    if (identity.role !== role) throw new RangeError(`role: the key file is for a ${identity.role}, not a ${role}`);
    const record = { role, name: identity.name, signingKey: bytesToHex(identity.signingPk) };
    await this.refuseDuplicate(undefined, record.signingKey);
    const now = Date.now();
    const sealed = await this.seal({ id: bytesToHex(randomBytes(16)), label: lbl, role, record, created: now }, keyfile, pw, this.params, opts.onProgress);
    const row: VaultRow = { v: ROW_VERSION, ...sealed, lastUsed: now };
    await this.db.transaction('rw', this.db.entries, async () => {
      await this.refuseDuplicate(row.id, record.signingKey);
      await this.db.entries.add(row);
    });
    return info(row);
  }

  /** Every entry (optionally of one role), most recently used first; no secrets. */
  async list(role?: Role): Promise<VaultEntryInfo[]> {
    const rows = role === undefined ? await this.db.entries.toArray() : await this.db.entries.where('role').equals(role).toArray();
    return rows.map(info).sort((a, b) => b.lastUsed - a.lastUsed || a.label.localeCompare(b.label));
  }

  /** One entry's public information, or undefined. */
  async get(id: string): Promise<VaultEntryInfo | undefined> {
    const row = await this.db.entries.get(id);
    return row && info(row);
  }

  /**
   * The key file bytes of entry `id` (pass them to `importKeys`). VaultError
   * 'not-found', 'wrong-passphrase' (the vault is unchanged) or 'corrupt'.
   * On success the entry's `lastUsed` is updated.
   */
  async unlock(id: string, passphrase: string, opts: ProgressOptions = {}): Promise<Uint8Array> {
    const sealed = await this.load(id);
    const keyfile = await this.open(sealed, passphraseBytes(passphrase, 'passphrase'), opts.onProgress);
    await this.db.entries.update(id, { lastUsed: Date.now() });
    return keyfile;
  }

  /**
   * Re-encrypts entry `id` under `newPassphrase` with a new salt and nonce and
   * the vault's current KDF parameters (or `opts.kdf`): the way to raise the
   * work factor of old entries. Errors as `unlock`; nothing changes on error.
   */
  async changePassphrase(id: string, oldPassphrase: string, newPassphrase: string, opts: ProgressOptions & { kdf?: ScryptParams } = {}): Promise<VaultEntryInfo> {
    const sealed = await this.load(id);
    const oldPw = passphraseBytes(oldPassphrase, 'oldPassphrase');
    const newPw = passphraseBytes(newPassphrase, 'newPassphrase');
    const params = checkKdfParams(opts.kdf ?? this.params, 'opts.kdf');
    const half = opts.onProgress && ((f: number) => opts.onProgress?.(f / 2));
    const keyfile = await this.open(sealed, oldPw, half);
    try {
      const again = await this.seal(sealed, keyfile, newPw, params, opts.onProgress && ((f) => opts.onProgress?.(0.5 + f / 2)));
      let row: VaultRow | undefined;
      await this.db.transaction('rw', this.db.entries, async () => {
        const current = await this.db.entries.get(id);
        if (!current) throw new VaultError('not-found', 'this identity was removed meanwhile');
        if (!(current.nonce instanceof Uint8Array) || !equalBytes(current.nonce, sealed.nonce)) throw new VaultError('conflict', 'this identity was changed in another tab meanwhile; try again');
        row = { ...current, kdf: again.kdf, check: again.check, nonce: again.nonce, ciphertext: again.ciphertext, lastUsed: Date.now() };
        await this.db.entries.put(row);
      });
      return info(row!);
    } finally {
      keyfile.fill(0);
    }
  }

  /** Deletes entry `id`; false if there was none. */
  async remove(id: string): Promise<boolean> {
    return this.db.transaction('rw', this.db.entries, async () => {
      if (!(await this.db.entries.get(id))) return false;
      await this.db.entries.delete(id);
      return true;
    });
  }

  /**
   * The backup file of entry `id` (see the module header): the entry's
   * sealed bytes, readable only with its passphrase. The passphrase is
   * checked first, so a backup is never written that its owner cannot open.
   * Errors as `unlock`.
   */
  async exportBackup(id: string, passphrase: string, opts: ProgressOptions = {}): Promise<Uint8Array> {
    const sealed = await this.load(id);
    (await this.open(sealed, passphraseBytes(passphrase, 'passphrase'), opts.onProgress)).fill(0);
    return encode({
      t: BACKUP_TYPE,
      v: BACKUP_VERSION,
      id: sealed.id,
      label: sealed.label,
      role: sealed.role,
      name: sealed.record.name,
      spk: hexToBytes(sealed.record.signingKey),
      created: sealed.created,
      kdf: { alg: 'scrypt', params: { ...sealed.kdf.params }, salt: sealed.kdf.salt },
      check: sealed.check,
      nonce: sealed.nonce,
      ct: sealed.ciphertext
    });
  }

  /**
   * Adds the entry in a backup file, keeping its id, label, KDF parameters
   * and passphrase. VaultError 'not-a-backup' (some other file),
   * 'unsupported-version', 'corrupt' (damaged backup or key file inside),
   * 'duplicate' (the vault holds this id or signing key), 'wrong-passphrase'.
   * Checks the key file inside with `importKeys`.
   */
  async importBackup(bytes: Uint8Array, passphrase: string, opts: ProgressOptions = {}): Promise<VaultEntryInfo> {
    const pw = passphraseBytes(passphrase, 'passphrase');
    const sealed = readBackup(bytes);
    await this.refuseDuplicate(sealed.id, sealed.record.signingKey);
    const [keyfile] = await Promise.all([this.open(sealed, pw, opts.onProgress), ready()]);
    try {
      let ring: KeyRing;
      try {
        ring = importKeys(keyfile);
      } catch (e) {
        throw new VaultError('corrupt', `the key file inside the backup is damaged (${e instanceof Error ? e.message : String(e)})`, { cause: e });
      }
      const id = ring.participant.identity;
      if (id.role !== sealed.role || id.name !== sealed.record.name || bytesToHex(id.signingPk) !== sealed.record.signingKey) {
        throw new VaultError('corrupt', 'the backup describes another identity than the keys it holds');
      }
    } finally {
      keyfile.fill(0);
    }
    const row: VaultRow = { v: ROW_VERSION, ...sealed, lastUsed: Date.now() };
    await this.db.transaction('rw', this.db.entries, async () => {
      await this.refuseDuplicate(row.id, row.record.signingKey);
      await this.db.entries.add(row);
    });
    return info(row);
  }

  async close(): Promise<void> {
    this.db.close();
  }

  /** Deletes the whole database (tests, "forget everything"). */
  async destroy(): Promise<void> {
    await this.db.delete();
  }

  // ------------------------------------------------------------ internals

  private async refuseDuplicate(id: string | undefined, signingKey: string): Promise<void> {
    if (id !== undefined && (await this.db.entries.get(id))) throw new VaultError('duplicate', 'this identity is already in this browser');
    if ((await this.db.entries.where('record.signingKey').equals(signingKey).count()) > 0) {
      throw new VaultError('duplicate', 'an identity with the same signing key is already in this browser');
    }
  }

  private async load(id: string): Promise<Sealed> {
    if (typeof id !== 'string') throw new TypeError('id: expected a string');
    const row = await this.db.entries.get(id);
    if (!row) throw new VaultError('not-found', 'no such identity in this browser');
    const sealed = rowToSealed(row);
    if (sealed.id !== id) throw new VaultError('corrupt', 'the stored identity is damaged (id mismatch)');
    return sealed;
  }

  private async derive(pw: Uint8Array, salt: Uint8Array, params: ScryptParams, onProgress?: (f: number) => void): Promise<{ key: Uint8Array; check: Uint8Array }> {
    const out = await this.runKdf(pw, salt, params, KEY_BYTES + CHECK_BYTES, onProgress);
    pw.fill(0);
    if (out.length !== KEY_BYTES + CHECK_BYTES) throw new Error('KDF runner returned the wrong length');
    return { key: out.subarray(0, KEY_BYTES), check: out.slice(KEY_BYTES) };
  }

  private async seal(
    meta: Pick<Sealed, 'id' | 'label' | 'role' | 'record' | 'created'>,
    keyfile: Uint8Array,
    pw: Uint8Array,
    params: ScryptParams,
    onProgress?: (f: number) => void
  ): Promise<Sealed> {
    const salt = randomBytes(SALT_BYTES);
    const { key, check } = await this.derive(pw, salt, params, onProgress);
    const nonce = randomBytes(NONCE_BYTES);
    const meta2 = { id: meta.id, label: meta.label, role: meta.role, record: { ...meta.record }, created: meta.created };
    try {
      const ciphertext = xchacha20poly1305(key, nonce, associatedData(meta2)).encrypt(keyfile);
      return { ...meta2, kdf: { alg: 'scrypt', params: { ...params }, salt }, check, nonce, ciphertext };
    } finally {
      key.fill(0);
    }
  }

  private async open(s: Sealed, pw: Uint8Array, onProgress?: (f: number) => void): Promise<Uint8Array> {
    const { key, check } = await this.derive(pw, s.kdf.salt, s.kdf.params, onProgress);
    try {
      if (!equalBytes(check, s.check)) throw new VaultError('wrong-passphrase', 'wrong passphrase');
      try {
        return xchacha20poly1305(key, s.nonce, associatedData(s)).decrypt(s.ciphertext);
      } catch (e) {
        throw new VaultError('corrupt', 'the passphrase is right but the encrypted keys or their description were altered', { cause: e });
      }
    } finally {
      key.fill(0);
    }
  }
}

/** What a backup file says about itself before it is opened (no secrets). */
export type BackupInfo = Omit<VaultEntryInfo, 'lastUsed'>;

/**
 * Reads a backup file's envelope without the passphrase, e.g. to show whose
 * it is before asking for the passphrase. VaultError 'not-a-backup',
 * 'unsupported-version' or 'corrupt'.
 */
export function inspectBackup(bytes: Uint8Array): BackupInfo {
  const s = readBackup(bytes);
  return { id: s.id, label: s.label, role: s.role, record: { ...s.record }, kdf: { alg: s.kdf.alg, params: { ...s.kdf.params } }, created: s.created };
}

function readBackup(bytes: Uint8Array): Sealed {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected Uint8Array');
  let m: Record<string, unknown>;
  try {
    m = expectMap(decode(bytes, MAX_BACKUP_BYTES), 'backup');
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    if (e.kind !== 'oversized' && looksLikeBackup(bytes)) throw new VaultError('corrupt', `the backup file is damaged (${e.message})`, { cause: e });
    throw new VaultError('not-a-backup', 'not a MedChain key backup file', { cause: e });
  }
  if (m.t !== BACKUP_TYPE) throw new VaultError('not-a-backup', 'not a MedChain key backup file');
  if (m.v !== BACKUP_VERSION) throw new VaultError('unsupported-version', `backup format version ${String(m.v)}; this app reads version ${BACKUP_VERSION}`);
  const known = new Set(['t', 'v', 'id', 'label', 'role', 'name', 'spk', 'created', 'kdf', 'check', 'nonce', 'ct']);
  try {
    for (const k of Object.keys(m)) if (!known.has(k)) throw new FormatError('malformed', `unknown field ${k}`);
    const s = sealedFromMap(m, 'backup');
    if (checkLabelSafe(s.label) !== s.label) throw new FormatError('malformed', 'label: not normalised');
    return s;
  } catch (e) {
    if (e instanceof FormatError || e instanceof RangeError) throw new VaultError('corrupt', `the backup file is damaged (${e.message})`, { cause: e });
    throw e;
  }
}

function checkLabelSafe(label: string): string | undefined {
  try {
    return checkLabel(label);
  } catch {
    return undefined;
  }
}
