/**
 * Picking or creating an identity (src/lib/roles/identity-session.ts and the
 * per-tab session in identity-session.svelte.ts) over a fake-indexeddb vault
 * with tiny scrypt parameters.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ready } from '../../../src/lib/crypto';
import { encodeParticipant, generatePatientKey, IdentityError, ROLES } from '../../../src/lib/identity';
import { KeyVault, VaultError, type VaultErrorKind } from '../../../src/lib/store/vault';
import {
  backupFileName,
  createIdentity,
  errorMessageKey,
  listIdentities,
  MIN_PASSPHRASE_CHARS,
  parsePatientSecretKey,
  passphraseStrength,
  unlockIdentity
} from '../../../src/lib/roles/identity-session';
import { IdentitySession } from '../../../src/lib/roles/identity-session.svelte';

const PASS = 'tulip-meadow-47';

beforeAll(async () => {
  await ready();
});

let n = 0;
function freshVault(): { vault: KeyVault; raw: Dexie } {
  const indexedDB = new IDBFactory();
  const name = `medchain-vault-session-${++n}`;
  return { vault: new KeyVault({ name, dexie: { indexedDB, IDBKeyRange }, kdf: { N: 16, r: 1, p: 1 } }), raw: new Dexie(name, { indexedDB, IDBKeyRange }) };
}
async function kindOf(p: Promise<unknown>): Promise<VaultErrorKind | string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return e instanceof VaultError ? e.kind : String(e);
  }
}

describe('createIdentity / unlockIdentity', () => {
  it('creates a participant of every role and opens the same keys again', async () => {
    const { vault } = freshVault();
    for (const role of ROLES) {
      const made = await createIdentity(role, `The ${role}`, PASS, { vault });
      expect(made.role).toBe(role);
      expect(made.label).toBe(`The ${role}`);
      expect(made.keys.participant.identity.role).toBe(role);
      expect(made.keys.patient !== undefined).toBe(role === 'patient');

      const opened = await unlockIdentity(made.entryId, PASS, { vault });
      expect(bytesToHex(encodeParticipant(opened.keys.participant.identity))).toBe(bytesToHex(encodeParticipant(made.keys.participant.identity)));
      expect(bytesToHex(opened.keys.participant.signing.sk)).toBe(bytesToHex(made.keys.participant.signing.sk));
      expect(bytesToHex(opened.keys.participant.encryption.toBytes())).toBe(bytesToHex(made.keys.participant.encryption.toBytes()));
      expect(opened.keys.patient && bytesToHex(opened.keys.patient.key.sk)).toBe(made.keys.patient && bytesToHex(made.keys.patient.key.sk));
    }
    for (const role of ROLES) expect((await listIdentities(role, { vault })).map((e) => e.record.name)).toEqual([`The ${role}`]);
  });

  it('a patient may bring the sk_p the PKG issued', async () => {
    const { vault } = freshVault();
    const issued = generatePatientKey();
    const made = await createIdentity('patient', 'P-7f3a', PASS, { vault, patientSecretKey: issued.sk, label: 'my PID from the PKG' });
    expect(made.label).toBe('my PID from the PKG');
    expect(bytesToHex(made.keys.patient!.key.pk)).toBe(bytesToHex(issued.pk));
    const opened = await unlockIdentity(made.entryId, PASS, { vault });
    expect(bytesToHex(opened.keys.patient!.key.sk)).toBe(bytesToHex(issued.sk));
    expect(bytesToHex(opened.keys.patient!.key.aP)).toBe(bytesToHex(issued.aP));
  });

  it('refuses short passphrases, bad names, a patient key for another role', async () => {
    const { vault } = freshVault();
    await expect(createIdentity('hospital', 'H', 'x'.repeat(MIN_PASSPHRASE_CHARS - 1), { vault })).rejects.toThrow(RangeError);
    await expect(createIdentity('hospital', '   ', PASS, { vault })).rejects.toBeInstanceOf(IdentityError);
    await expect(createIdentity('tpa', 'T', PASS, { vault, patientSecretKey: generatePatientKey().sk })).rejects.toThrow(/patientSecretKey/);
    await expect(createIdentity('patient', 'P', PASS, { vault, patientSecretKey: new Uint8Array(32) })).rejects.toThrow();
    expect(await vault.list()).toEqual([]);
  });

  it('wrong passphrase and unknown ids are typed errors', async () => {
    const { vault } = freshVault();
    const made = await createIdentity('user', 'Dr Who', PASS, { vault });
    expect(await kindOf(unlockIdentity(made.entryId, 'tulip-meadow-48', { vault }))).toBe('wrong-passphrase');
    expect(await kindOf(unlockIdentity('f'.repeat(32), PASS, { vault }))).toBe('not-found');
    expect(await kindOf(vault.unlock(made.entryId, PASS))).toBe('resolved');
  });

  it('a stored entry whose keys are altered does not open', async () => {
    const { vault, raw } = freshVault();
    const made = await createIdentity('cloud', 'Cloud 1', PASS, { vault });
    await raw.open();
    const row = await raw.table('entries').get(made.entryId);
    row.ciphertext[10] ^= 1;
    await raw.table('entries').put(row);
    expect(await kindOf(unlockIdentity(made.entryId, PASS, { vault }))).toBe('corrupt');
  });

  it('a backup restores the same identity in another browser', async () => {
    const one = freshVault();
    const two = freshVault();
    const made = await createIdentity('pkg', 'Registry', PASS, { vault: one.vault });
    const file = await one.vault.exportBackup(made.entryId, PASS);
    await two.vault.importBackup(file, PASS);
    const opened = await unlockIdentity(made.entryId, PASS, { vault: two.vault });
    expect(bytesToHex(opened.keys.participant.identity.signingPk)).toBe(bytesToHex(made.keys.participant.identity.signingPk));
  });
});

describe('IdentitySession (per tab)', () => {
  it('holds the current identity, per role, and lock forgets and wipes it', async () => {
    const { vault } = freshVault();
    const s = new IdentitySession();
    expect(s.current).toBeNull();
    const made = await s.create('hospital', 'Ward 3', PASS, { vault });
    expect(s.current).toBe(made);
    expect(s.forRole('hospital')).toBe(made);
    expect(s.forRole('patient')).toBeNull();

    s.lock();
    expect(s.current).toBeNull();
    expect(made.keys.participant.signing.sk.every((b) => b === 0)).toBe(true);

    expect(await kindOf(s.unlock(made.entryId, 'wrong passphrase', { vault }))).toBe('wrong-passphrase');
    expect(s.current).toBeNull();
    const opened = await s.unlock(made.entryId, PASS, { vault });
    expect(s.current).toBe(opened);
    expect(opened.keys.participant.signing.sk.some((b) => b !== 0)).toBe(true);

    // Switching identity wipes the previous one, keeps the new one.
    const other = await s.create('tpa', 'Auditor', PASS, { vault });
    expect(opened.keys.participant.signing.sk.every((b) => b === 0)).toBe(true);
    expect(s.current).toBe(other);
    expect(other.keys.participant.signing.sk.some((b) => b !== 0)).toBe(true);
  });
});

describe('UI helpers', () => {
  it('backup file names', () => {
    expect(backupFileName('patient', 'Bob')).toBe('medchain-patient-Bob.mcbackup');
    expect(backupFileName('hospital', 'St. Mary’s / Ward 3')).toBe('medchain-hospital-St-Mary-s-Ward-3.mcbackup');
    expect(backupFileName('tpa', '北京 审计')).toBe('medchain-tpa-北京-审计.mcbackup');
    expect(backupFileName('user', '///')).toBe('medchain-user-identity.mcbackup');
  });

  it('patient keys typed as hex', () => {
    const k = generatePatientKey();
    expect(bytesToHex(parsePatientSecretKey(` 0x${bytesToHex(k.sk).toUpperCase()} `)!)).toBe(bytesToHex(k.sk));
    expect(parsePatientSecretKey('00'.repeat(32))).toBeUndefined();
    expect(parsePatientSecretKey('ff'.repeat(32))).toBeUndefined(); // >= q
    expect(parsePatientSecretKey('abc')).toBeUndefined();
  });

  it('strength hint grows with length and variety, not with runs', () => {
    expect(passphraseStrength('')).toBe(0);
    expect(passphraseStrength('password')).toBeLessThanOrEqual(1);
    expect(passphraseStrength('aaaaaaaaaaaaaaaa')).toBe(0);
    expect(passphraseStrength('abcdefghijklmnop')).toBe(0);
    expect(passphraseStrength('tulip-meadow-47')).toBeGreaterThanOrEqual(3);
    expect(passphraseStrength('correct horse battery staple on the hill')).toBe(4);
  });

  it('every error the picker can show has a message in both languages', () => {
    const en = JSON.parse(readFileSync(new URL('../../../src/lib/i18n/messages/en.json', import.meta.url), 'utf8')) as Record<string, string>;
    const zh = JSON.parse(readFileSync(new URL('../../../src/lib/i18n/messages/zh-CN.json', import.meta.url), 'utf8')) as Record<string, string>;
    const kinds: VaultErrorKind[] = ['wrong-passphrase', 'corrupt', 'not-a-backup', 'unsupported-version', 'duplicate', 'not-found', 'conflict'];
    const keys = [...kinds.map((k) => errorMessageKey(new VaultError(k, ''))), errorMessageKey(new IdentityError('name-invalid', '')), errorMessageKey(new Error('x'))];
    expect(keys).toContain('identity.error.wrong-passphrase');
    expect(keys).toContain('identity.error.name');
    expect(keys).toContain('identity.error.unknown');
    for (const k of keys) {
      expect(en[k], k).toBeTruthy();
      expect(zh[k], k).toBeTruthy();
    }
    const ours = (m: Record<string, string>) => Object.keys(m).filter((k) => k.startsWith('identity.')).sort();
    expect(ours(zh)).toEqual(ours(en));
    expect(ours(en).length).toBeGreaterThan(20);
  });
});
