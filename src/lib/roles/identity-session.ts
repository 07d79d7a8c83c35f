/**
 * "Pick or create an identity", the same for all six roles: make a
 * participant's keys with the identity layer, keep them in the key vault
 * ($lib/store/vault) under a passphrase, and open them again. No UI and no
 * Svelte here; the per-tab reactive "current identity" that pages read is
 * identity-session.svelte.ts, the component is $lib/ui/IdentityPicker.svelte.
 *
 * | step | what runs |
 * | --- | --- |
 * | createIdentity | createParticipant (signing + encryption keys, PoP, PoK, self-signature); for a patient also sk_p (brought or fresh); exportKeys; vault.create (importKeys + 1 scrypt) |
 * | unlockIdentity | vault.unlock (1 scrypt), importKeys (recomputes every public key, verifies the record) |
 *
 * A patient's sk_p: in the paper's mode the PKG chooses it and hands it over
 * (`issuePatientKey`), so the patient brings it here as `patientSecretKey`;
 * otherwise a fresh one is generated and the patient later asks the PKG to
 * certify it (`requestCertificate`). Either way it is in the key file, not
 * yet with a certificate.
 */
import { ready } from '$lib/crypto';
import {
  createParticipant,
  exportKeys,
  generatePatientKey,
  IdentityError,
  importKeys,
  patientKeyFromSecret,
  SECRET_KEY_BYTES,
  type KeyRing,
  type Role
} from '$lib/identity';
import { KeyVault, VaultError, type ProgressOptions, type VaultEntryInfo, type VaultErrorKind } from '$lib/store/vault';

/** Shortest passphrase `createIdentity` accepts. */
export const MIN_PASSPHRASE_CHARS = 10;

/** An identity whose keys are open in this tab. */
export interface UnlockedIdentity {
  /** The vault entry. */
  readonly entryId: string;
  readonly label: string;
  readonly role: Role;
  readonly keys: KeyRing;
}

export interface SessionOptions extends ProgressOptions {
  /** The vault (default: this browser's `medchain-vault`). */
  vault?: KeyVault;
}

export interface CreateOptions extends SessionOptions {
  /** The vault entry's label (default: the name). */
  label?: string;
  /** Patients only: the 32-byte sk_p the PKG issued; without it a fresh one is generated. */
  patientSecretKey?: Uint8Array;
}

let shared: KeyVault | undefined;

/** This browser's vault, opened on first use. */
export function defaultVault(): KeyVault {
  return (shared ??= new KeyVault());
}

/**
 * Creates a participant of `role` named `name`, stores its keys in the vault
 * under `passphrase` and returns them open. Throws IdentityError('name-invalid')
 * for a bad name, RangeError for a passphrase shorter than
 * MIN_PASSPHRASE_CHARS or a patient key given for another role, DecodeError /
 * RangeError for an invalid patient key, VaultError('duplicate').
 */
export async function createIdentity(role: Role, name: string, passphrase: string, opts: CreateOptions = {}): Promise<UnlockedIdentity> {
  if (typeof passphrase !== 'string') throw new TypeError('passphrase: expected a string');
  if ([...passphrase].length < MIN_PASSPHRASE_CHARS) throw new RangeError(`passphrase: at least ${MIN_PASSPHRASE_CHARS} characters`);
  if (opts.patientSecretKey !== undefined && role !== 'patient') throw new RangeError('patientSecretKey: only a patient holds a patient key');
  await ready();
  const participant = createParticipant(role, name);
  let keys: KeyRing = { participant };
  if (role === 'patient') keys = { participant, patient: { key: opts.patientSecretKey ? patientKeyFromSecret(opts.patientSecretKey) : generatePatientKey() } };
  const keyfile = exportKeys(keys);
  try {
    const vault = opts.vault ?? defaultVault();
    const entry = await vault.create(opts.label ?? participant.identity.name, role, keyfile, passphrase, { onProgress: opts.onProgress });
    return { entryId: entry.id, label: entry.label, role, keys };
  } finally {
    keyfile.fill(0);
  }
}

/**
 * Opens vault entry `id`: decrypts the key file and checks it with
 * `importKeys`. VaultError 'not-found', 'wrong-passphrase' or 'corrupt' (also
 * when the decrypted keys fail their checks or describe another participant
 * than the entry).
 */
export async function unlockIdentity(id: string, passphrase: string, opts: SessionOptions = {}): Promise<UnlockedIdentity> {
  const vault = opts.vault ?? defaultVault();
  await ready();
  const entry = await vault.get(id);
  if (!entry) throw new VaultError('not-found', 'no such identity in this browser');
  const bytes = await vault.unlock(id, passphrase, { onProgress: opts.onProgress });
  let keys: KeyRing;
  try {
    keys = importKeys(bytes);
  } catch (e) {
    throw new VaultError('corrupt', `the stored keys do not check out (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  } finally {
    bytes.fill(0);
  }
  const rec = keys.participant.identity;
  if (rec.role !== entry.role || rec.name !== entry.record.name || hex(rec.signingPk) !== entry.record.signingKey) {
    throw new VaultError('corrupt', 'the stored keys belong to another participant than the entry says');
  }
  return { entryId: entry.id, label: entry.label, role: entry.role, keys };
}

/** The identities of `role` in the vault, most recently used first. */
export function listIdentities(role: Role, opts: { vault?: KeyVault } = {}): Promise<VaultEntryInfo[]> {
  return (opts.vault ?? defaultVault()).list(role);
}

/**
 * Best-effort forgetting of open keys: overwrites the signing and patient
 * secret bytes. The encryption key lives in a class with private fields
 * ($lib/crypto) and is only dropped. Anything still holding this ring fails
 * closed afterwards (a zero scalar is not a key).
 */
export function wipeKeys(keys: KeyRing): void {
  keys.participant.signing.sk.fill(0);
  keys.patient?.key.sk.fill(0);
}

// ---------------------------------------------------------------- helpers for the UI

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** `medchain-<role>-<name>.mcbackup`, the name reduced to letters, digits, `-` and `_`. */
export function backupFileName(role: Role, name: string): string {
  const safe = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}_-]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return `medchain-${role}-${safe || 'identity'}.mcbackup`;
}

/** A patient secret key typed as 64 hex digits, or undefined if it is not a valid key. */
export function parsePatientSecretKey(text: string): Uint8Array | undefined {
  const t = text.trim().toLowerCase().replace(/^0x/, '');
  if (!new RegExp(`^[0-9a-f]{${2 * SECRET_KEY_BYTES}}$`).test(t)) return undefined;
  const bytes = Uint8Array.from(t.match(/../g)!, (h) => parseInt(h, 16));
  try {
    patientKeyFromSecret(bytes);
    return bytes;
  } catch {
    return undefined;
  }
}

/**
 * A rough strength hint, 0 (very weak) .. 4 (strong): an estimate of the
 * bits a guesser needs (length × log2 of the character classes used, less
 * for repeats and runs), not a policy. The KDF adds ≈ 17 bits of work per
 * guess on top (2^17 scrypt) but cannot rescue a short common passphrase.
 */
export function passphraseStrength(passphrase: string): 0 | 1 | 2 | 3 | 4 {
  const chars = [...passphrase];
  if (chars.length === 0) return 0;
  let pool = 0;
  if (/[a-z]/.test(passphrase)) pool += 26;
  if (/[A-Z]/.test(passphrase)) pool += 26;
  if (/[0-9]/.test(passphrase)) pool += 10;
  if (/[^a-zA-Z0-9\s]/.test(passphrase)) pool += 32;
  if (/\s/.test(passphrase)) pool += 1;
  if (/[^\x00-\x7f]/.test(passphrase)) pool += 100;
  // Characters that repeat or continue a run (aaa, abc, 123) add little.
  let effective = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i].codePointAt(0)!;
    const prev = i > 0 ? chars[i - 1].codePointAt(0)! : -10;
    effective += Math.abs(c - prev) <= 1 ? 0.25 : 1;
  }
  const bits = effective * Math.log2(Math.max(pool, 2));
  return bits < 28 ? 0 : bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
}

/** The i18n key (`identity.error.*`) that explains an error to a person. */
export function errorMessageKey(e: unknown): string {
  if (e instanceof VaultError) return `identity.error.${e.kind satisfies VaultErrorKind}`;
  if (e instanceof IdentityError && e.kind === 'name-invalid') return 'identity.error.name';
  return 'identity.error.unknown';
}
