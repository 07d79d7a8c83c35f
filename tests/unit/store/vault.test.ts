/**
 * The key vault (src/lib/store/vault.ts) on fake-indexeddb: sealing and
 * opening key files, typed errors that leave the vault unchanged, tampering,
 * changing the passphrase, backup files, and the documented format
 * (recomputed here from the formulas in the module header and docs/keys.md).
 * Tests use scrypt N = 16, r = 1 so they stay fast; one test checks the
 * defaults against the documentation without running them.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scrypt } from '@noble/hashes/scrypt.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { ready } from '../../../src/lib/crypto';
import { decode, encode, FormatError } from '../../../src/lib/codec';
import { createParticipant, exportKeys, generatePatientKey, importKeys, type KeyRing } from '../../../src/lib/identity';
import {
  BACKUP_TYPE,
  DEFAULT_KDF_PARAMS,
  inspectBackup,
  KeyVault,
  MAX_BACKUP_BYTES,
  VaultError,
  type KdfRunner,
  type ScryptParams,
  type VaultErrorKind
} from '../../../src/lib/store/vault';
import { randomBytes } from '../helpers/random';

const FAST: ScryptParams = { N: 16, r: 1, p: 1 };
const PASS = 'correct horse battery staple';

let alice: KeyRing;
let bob: KeyRing;
let carol: KeyRing;
let aliceFile: Uint8Array;
let bobFile: Uint8Array;

beforeAll(async () => {
  await ready();
  alice = { participant: createParticipant('hospital', 'Alice General') };
  bob = { participant: createParticipant('patient', 'Bob'), patient: { key: generatePatientKey() } };
  carol = { participant: createParticipant('tpa', 'Carol Audits') };
  aliceFile = exportKeys(alice);
  bobFile = exportKeys(bob);
});

let n = 0;
interface Fixture {
  vault: KeyVault;
  /** A second, schema-less Dexie handle on the same database, to read and tamper rows. */
  raw: Dexie;
}
function fresh(kdf: ScryptParams = FAST, runKdf?: KdfRunner): Fixture {
  const indexedDB = new IDBFactory();
  const name = `medchain-vault-test-${++n}`;
  return { vault: new KeyVault({ name, dexie: { indexedDB, IDBKeyRange }, kdf, runKdf }), raw: new Dexie(name, { indexedDB, IDBKeyRange }) };
}
async function rows(raw: Dexie): Promise<Record<string, unknown>[]> {
  if (!raw.isOpen()) await raw.open();
  return raw.table('entries').toArray();
}
async function patch(raw: Dexie, id: string, f: (row: Record<string, unknown>) => void): Promise<void> {
  if (!raw.isOpen()) await raw.open();
  const row = await raw.table('entries').get(id);
  f(row);
  await raw.table('entries').put(row);
}
async function rejects(p: Promise<unknown>, kind: VaultErrorKind): Promise<VaultError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err
  );
  expect(e).toBeInstanceOf(VaultError);
  expect((e as VaultError).kind).toBe(kind);
  return e as VaultError;
}
const flip = (b: Uint8Array, i: number) => {
  const c = Uint8Array.from(b);
  c[i] ^= 1;
  return c;
};
const contains = (hay: Uint8Array, needle: Uint8Array) => bytesToHex(hay).includes(bytesToHex(needle));

describe('create, list, unlock', () => {
  it('round-trips the key file and lists no secrets', async () => {
    const { vault, raw } = fresh();
    const info = await vault.create('Ward 3 desk', 'hospital', aliceFile, PASS);
    expect(info.id).toMatch(/^[0-9a-f]{32}$/);
    expect(info.label).toBe('Ward 3 desk');
    expect(info.record).toEqual({ role: 'hospital', name: 'Alice General', signingKey: bytesToHex(alice.participant.identity.signingPk) });
    expect(info.kdf).toEqual({ alg: 'scrypt', params: FAST });

    const list = await vault.list();
    expect(list).toEqual([info]);
    expect(Object.keys(list[0]).sort()).toEqual(['created', 'id', 'kdf', 'label', 'lastUsed', 'record', 'role']);
    expect(await vault.list('patient')).toEqual([]);

    const bytes = await vault.unlock(info.id, PASS);
    expect(bytesToHex(bytes)).toBe(bytesToHex(aliceFile));
    expect(bytesToHex(importKeys(bytes).participant.signing.sk)).toBe(bytesToHex(alice.participant.signing.sk));

    // Neither the stored row nor the listing holds a secret key in the clear.
    const [row] = await rows(raw);
    const rowBytes = encode(row as never);
    expect(contains(rowBytes, alice.participant.signing.sk)).toBe(false);
    expect(contains(rowBytes, alice.participant.encryption.toBytes())).toBe(false);
    expect(contains(rowBytes, aliceFile.subarray(0, 40))).toBe(false);
  });

  it('orders by last use and updates it on unlock', async () => {
    const { vault } = fresh();
    const a = await vault.create('A', 'hospital', aliceFile, PASS);
    await new Promise((r) => setTimeout(r, 5));
    const b = await vault.create('B', 'patient', bobFile, PASS);
    expect((await vault.list()).map((e) => e.id)).toEqual([b.id, a.id]);
    await new Promise((r) => setTimeout(r, 5));
    await vault.unlock(a.id, PASS);
    const [first] = await vault.list();
    expect(first.id).toBe(a.id);
    expect(first.lastUsed).toBeGreaterThan(a.lastUsed);
    expect((await vault.list('patient')).map((e) => e.id)).toEqual([b.id]);
  });

  it('reports KDF progress', async () => {
    const { vault } = fresh({ N: 2 ** 12, r: 8, p: 1 });
    const seen: number[] = [];
    await vault.create('A', 'hospital', aliceFile, PASS, { onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((f) => f >= 0 && f <= 1)).toBe(true);
  });

  it('normalises the passphrase to NFC', async () => {
    const { vault } = fresh();
    const info = await vault.create('A', 'hospital', aliceFile, 'pâte brisée 1234'.normalize('NFC'));
    expect(bytesToHex(await vault.unlock(info.id, 'pâte brisée 1234'.normalize('NFD')))).toBe(bytesToHex(aliceFile));
  });

  it('wrong passphrase: typed error, nothing changed', async () => {
    const { vault, raw } = fresh();
    const info = await vault.create('A', 'hospital', aliceFile, PASS);
    const before = await rows(raw);
    await rejects(vault.unlock(info.id, PASS + '!'), 'wrong-passphrase');
    await rejects(vault.exportBackup(info.id, 'nope'), 'wrong-passphrase');
    await rejects(vault.changePassphrase(info.id, 'nope', 'whatever else'), 'wrong-passphrase');
    expect(await rows(raw)).toEqual(before);
    await rejects(vault.unlock('0'.repeat(32), PASS), 'not-found');
  });

  it('refuses bad arguments by name', async () => {
    const { vault } = fresh();
    await expect(vault.create('A', 'patient', aliceFile, PASS)).rejects.toThrow(/role: the key file is for a hospital/);
    await expect(vault.create('A', 'hospital', aliceFile, '')).rejects.toThrow(RangeError);
    await expect(vault.create('  ', 'hospital', aliceFile, PASS)).rejects.toThrow(/label/);
    await expect(vault.create('a\u0007b', 'hospital', aliceFile, PASS)).rejects.toThrow(/label/);
    await expect(vault.create('A', 'hospital', randomBytes(64), PASS)).rejects.toBeInstanceOf(FormatError);
    await expect(vault.create('A', 'nurse' as never, aliceFile, PASS)).rejects.toThrow(/role/);
    expect(() => new KeyVault({ kdf: { N: 3, r: 1, p: 1 } })).toThrow(/N/);
    expect(() => new KeyVault({ kdf: { N: 2 ** 21, r: 8, p: 1 } })).toThrow(/N/);
    expect(() => new KeyVault({ kdf: { N: 2 ** 20, r: 16, p: 1 } })).toThrow(/128·N·r/);
    expect(await vault.list()).toEqual([]);
  });

  it('refuses the same signing key twice', async () => {
    const { vault } = fresh();
    await vault.create('A', 'hospital', aliceFile, PASS);
    await rejects(vault.create('A again', 'hospital', aliceFile, 'another passphrase'), 'duplicate');
    expect(await vault.list()).toHaveLength(1);
  });

  it('removes', async () => {
    const { vault } = fresh();
    const info = await vault.create('A', 'hospital', aliceFile, PASS);
    expect(await vault.remove(info.id)).toBe(true);
    expect(await vault.remove(info.id)).toBe(false);
    expect(await vault.list()).toEqual([]);
    await rejects(vault.unlock(info.id, PASS), 'not-found');
  });
});

describe('the documented format', () => {
  it('K ‖ C = scrypt(NFC(P), salt, 48), AD = CBOR {t, v, id, label, role, name, spk}, XChaCha20-Poly1305', async () => {
    const { vault, raw } = fresh();
    const info = await vault.create('Front desk', 'hospital', aliceFile, PASS);
    const [row] = (await rows(raw)) as { kdf: { alg: string; params: ScryptParams; salt: Uint8Array }; check: Uint8Array; nonce: Uint8Array; ciphertext: Uint8Array; v: number }[];
    expect(row.v).toBe(1);
    expect(row.kdf.alg).toBe('scrypt');
    expect(row.kdf.salt).toHaveLength(16);
    expect(row.nonce).toHaveLength(24);
    expect(row.ciphertext).toHaveLength(aliceFile.length + 16);
    const out = scrypt(utf8ToBytes(PASS), row.kdf.salt, { ...FAST, dkLen: 48 });
    expect(bytesToHex(row.check)).toBe(bytesToHex(out.subarray(32)));
    const ad = encode({ t: 'medchain/vault-ad', v: 1, id: info.id, label: 'Front desk', role: 'hospital', name: 'Alice General', spk: info.record.signingKey });
    const plain = xchacha20poly1305(out.subarray(0, 32), row.nonce, ad).decrypt(row.ciphertext);
    expect(bytesToHex(plain)).toBe(bytesToHex(aliceFile));
  });

  it('defaults are scrypt N = 2^17, r = 8, p = 1 as docs/keys.md says, passed to the KDF with dkLen 48', async () => {
    expect(DEFAULT_KDF_PARAMS).toEqual({ N: 131072, r: 8, p: 1 });
    const doc = readFileSync(new URL('../../../docs/keys.md', import.meta.url), 'utf8');
    expect(doc).toContain('N = 2^17, r = 8, p = 1');
    expect(doc).toContain('128 MiB');
    // A stub KDF: only the parameters are checked here (a real run takes about a second).
    const calls: { params: ScryptParams; dkLen: number; salt: number }[] = [];
    const stub: KdfRunner = async (pw, salt, params, dkLen) => {
      calls.push({ params: { ...params }, dkLen, salt: salt.length });
      return scrypt(pw, salt, { N: 2, r: 1, p: 1, dkLen });
    };
    const indexedDB = new IDBFactory();
    const vault = new KeyVault({ name: 'medchain-vault', dexie: { indexedDB, IDBKeyRange }, runKdf: stub });
    expect(vault.kdfParams).toEqual(DEFAULT_KDF_PARAMS);
    const info = await vault.create('A', 'hospital', aliceFile, PASS);
    expect(info.kdf.params).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    await vault.unlock(info.id, PASS);
    expect(calls).toEqual([
      { params: DEFAULT_KDF_PARAMS, dkLen: 48, salt: 16 },
      { params: DEFAULT_KDF_PARAMS, dkLen: 48, salt: 16 }
    ]);
  });
});

describe('tampering with a stored entry', () => {
  async function setup() {
    const f = fresh();
    const a = await f.vault.create('A', 'hospital', aliceFile, PASS);
    const b = await f.vault.create('B', 'patient', bobFile, PASS);
    return { ...f, a, b };
  }

  it('a flipped ciphertext or nonce byte is corrupt', async () => {
    const { vault, raw, a, b } = await setup();
    await patch(raw, a.id, (r) => (r.ciphertext = flip(r.ciphertext as Uint8Array, 5)));
    await rejects(vault.unlock(a.id, PASS), 'corrupt');
    await patch(raw, b.id, (r) => (r.nonce = flip(r.nonce as Uint8Array, 0)));
    await rejects(vault.unlock(b.id, PASS), 'corrupt');
  });

  it('associated data: changed label, name or swapped ciphertexts are corrupt', async () => {
    const { vault, raw, a, b } = await setup();
    await patch(raw, a.id, (r) => (r.label = 'Mallory'));
    await rejects(vault.unlock(a.id, PASS), 'corrupt');
    await patch(raw, a.id, (r) => (r.label = 'A'));
    expect(bytesToHex(await vault.unlock(a.id, PASS))).toBe(bytesToHex(aliceFile));

    await patch(raw, a.id, (r) => ((r.record as { name: string }).name = 'Bob'));
    await rejects(vault.unlock(a.id, PASS), 'corrupt');

    // Same passphrase, all sealed fields of B moved under A's id and label.
    const rb = (await raw.table('entries').get(b.id)) as Record<string, unknown>;
    await patch(raw, a.id, (r) => {
      for (const k of ['kdf', 'check', 'nonce', 'ciphertext']) r[k] = rb[k];
      r.record = { role: 'hospital', name: 'Alice General', signingKey: a.record.signingKey };
    });
    await rejects(vault.unlock(a.id, PASS), 'corrupt');
  });

  it('a changed salt or check is a wrong passphrase; bad shapes and hostile parameters are corrupt', async () => {
    const { vault, raw, a, b } = await setup();
    await patch(raw, a.id, (r) => ((r.kdf as { salt: Uint8Array }).salt = flip((r.kdf as { salt: Uint8Array }).salt, 3)));
    await rejects(vault.unlock(a.id, PASS), 'wrong-passphrase');
    await patch(raw, b.id, (r) => (r.check = flip(r.check as Uint8Array, 15)));
    await rejects(vault.unlock(b.id, PASS), 'wrong-passphrase');

    const cases: [string, (r: Record<string, unknown>) => void][] = [
      ['missing ciphertext', (r) => delete r.ciphertext],
      ['string nonce', (r) => (r.nonce = 'abc')],
      ['short salt', (r) => ((r.kdf as { salt: Uint8Array }).salt = new Uint8Array(4))],
      ['16 GiB of scrypt', (r) => ((r.kdf as { params: ScryptParams }).params = { N: 2 ** 24, r: 8, p: 1 })],
      ['N not a power of two', (r) => ((r.kdf as { params: ScryptParams }).params = { N: 1000, r: 1, p: 1 })],
      ['unknown KDF', (r) => ((r.kdf as { alg: string }).alg = 'pbkdf2')],
      ['row version 2', (r) => (r.v = 2)],
      ['unknown role', (r) => (r.role = 'nurse')]
    ];
    for (const [what, f] of cases) {
      const g = fresh();
      const info = await g.vault.create('A', 'hospital', aliceFile, PASS);
      await patch(g.raw, info.id, f);
      const e = await rejects(g.vault.unlock(info.id, PASS), 'corrupt');
      expect(e.message, what).toMatch(/damaged/);
    }
  });
});

describe('changePassphrase', () => {
  it('re-encrypts under the new passphrase with fresh salt, nonce and raised parameters', async () => {
    const { vault, raw } = fresh();
    const info = await vault.create('A', 'hospital', aliceFile, PASS);
    const [before] = await rows(raw);
    const raised: ScryptParams = { N: 64, r: 2, p: 1 };
    const after = await vault.changePassphrase(info.id, PASS, 'a brand new passphrase', { kdf: raised });
    expect(after.kdf.params).toEqual(raised);
    expect(after.id).toBe(info.id);
    const [row] = await rows(raw);
    for (const k of ['nonce', 'ciphertext', 'check']) expect(bytesToHex(row[k] as Uint8Array)).not.toBe(bytesToHex(before[k] as Uint8Array));
    expect(bytesToHex((row.kdf as { salt: Uint8Array }).salt)).not.toBe(bytesToHex((before.kdf as { salt: Uint8Array }).salt));
    await rejects(vault.unlock(info.id, PASS), 'wrong-passphrase');
    expect(bytesToHex(await vault.unlock(info.id, 'a brand new passphrase'))).toBe(bytesToHex(aliceFile));
  });

  it('uses the vault parameters by default and leaves a corrupt entry as it was', async () => {
    const { vault, raw } = fresh();
    const info = await vault.create('A', 'hospital', aliceFile, PASS);
    await patch(raw, info.id, (r) => (r.ciphertext = flip(r.ciphertext as Uint8Array, 0)));
    const before = await rows(raw);
    await rejects(vault.changePassphrase(info.id, PASS, 'new one here'), 'corrupt');
    expect(await rows(raw)).toEqual(before);
  });
});

describe('backup files', () => {
  it('round trip across two fresh vaults', async () => {
    const one = fresh();
    const two = fresh();
    const info = await one.vault.create('Bob at home', 'patient', bobFile, PASS);
    const file = await one.vault.exportBackup(info.id, PASS);
    expect(file.length).toBeLessThan(MAX_BACKUP_BYTES);

    const peek = inspectBackup(file);
    expect(peek).toEqual({ id: info.id, label: 'Bob at home', role: 'patient', record: info.record, kdf: info.kdf, created: info.created });

    const imported = await two.vault.importBackup(file, PASS);
    expect({ ...imported, lastUsed: 0 }).toEqual({ ...info, lastUsed: 0 });
    expect(bytesToHex(await two.vault.unlock(info.id, PASS))).toBe(bytesToHex(bobFile));
    // The copy is independent: changing its passphrase does not touch the original.
    await two.vault.changePassphrase(info.id, PASS, 'other passphrase');
    expect(bytesToHex(await one.vault.unlock(info.id, PASS))).toBe(bytesToHex(bobFile));
  });

  it('is canonical CBOR with a type and version and holds no secret in the clear', async () => {
    const { vault } = fresh();
    const info = await vault.create('A', 'patient', bobFile, PASS);
    const file = await vault.exportBackup(info.id, PASS);
    const m = decode(file, MAX_BACKUP_BYTES) as Record<string, unknown>;
    expect(m.t).toBe(BACKUP_TYPE);
    expect(m.v).toBe(1);
    expect(Object.keys(m).sort()).toEqual(['check', 'created', 'ct', 'id', 'kdf', 'label', 'name', 'nonce', 'role', 'spk', 't', 'v']);
    expect(contains(file, bob.participant.signing.sk)).toBe(false);
    expect(contains(file, bob.patient!.key.sk)).toBe(false);
    expect(contains(file, bob.participant.encryption.toBytes())).toBe(false);
  });

  it('wrong passphrase, duplicates', async () => {
    const one = fresh();
    const two = fresh();
    const info = await one.vault.create('A', 'hospital', aliceFile, PASS);
    const file = await one.vault.exportBackup(info.id, PASS);
    await rejects(two.vault.importBackup(file, 'not it at all'), 'wrong-passphrase');
    expect(await two.vault.list()).toEqual([]);
    await rejects(one.vault.importBackup(file, PASS), 'duplicate');
    await two.vault.importBackup(file, PASS);
    await rejects(two.vault.importBackup(file, PASS), 'duplicate');
    expect(await two.vault.list()).toHaveLength(1);
  });

  it('garbage is not a backup', async () => {
    const { vault } = fresh();
    const garbage = [
      new Uint8Array(0),
      randomBytes(100),
      utf8ToBytes('{"t":"medchain/key-backup","v":1}'),
      aliceFile, // a key file is not a backup
      encode({ t: 'medchain/participant', v: 1 }),
      new Uint8Array(MAX_BACKUP_BYTES + 1)
    ];
    for (const g of garbage) {
      await rejects(vault.importBackup(g, PASS), 'not-a-backup');
      expect(() => inspectBackup(g)).toThrow(VaultError);
    }
    expect(await vault.list()).toEqual([]);
  });

  it('damaged backups are corrupt or a wrong passphrase, never a crash', async () => {
    const one = fresh();
    const info = await one.vault.create('A', 'hospital', aliceFile, PASS);
    const file = await one.vault.exportBackup(info.id, PASS);
    const m = decode(file, MAX_BACKUP_BYTES) as Record<string, unknown>;
    const edit = (f: (x: Record<string, unknown>) => void) => {
      const c = structuredClone(m);
      f(c);
      return encode(c as never);
    };
    const corrupt = [
      file.subarray(0, file.length - 10), // truncated
      edit((x) => (x.ct = flip(x.ct as Uint8Array, 7))),
      edit((x) => (x.label = 'Someone else')),
      edit((x) => (x.name = 'Bob')),
      edit((x) => (x.role = 'tpa')),
      edit((x) => (x.extra = 1)),
      edit((x) => (x.kdf = { alg: 'scrypt', params: { N: 2 ** 30, r: 8, p: 1 }, salt: (x.kdf as { salt: Uint8Array }).salt })),
      edit((x) => delete x.nonce)
    ];
    for (const [i, bytes] of corrupt.entries()) {
      const two = fresh();
      const e = await rejects(two.vault.importBackup(bytes, PASS), 'corrupt');
      expect(e.message, `case ${i}`).toBeTruthy();
      expect(await two.vault.list()).toEqual([]);
    }
    const two = fresh();
    await rejects(two.vault.importBackup(edit((x) => (x.check = flip(x.check as Uint8Array, 0))), PASS), 'wrong-passphrase');
    await rejects(two.vault.importBackup(edit((x) => (x.v = 2)), PASS), 'unsupported-version');
    expect(await two.vault.list()).toEqual([]);
  });

  it('a backup whose description does not match the keys inside is corrupt', async () => {
    // Built by hand with the documented formulas: Carol's keys under a label and summary claiming Alice.
    const salt = randomBytes(16);
    const nonce = randomBytes(24);
    const out = scrypt(utf8ToBytes(PASS), salt, { ...FAST, dkLen: 48 });
    const id = bytesToHex(randomBytes(16));
    const spk = alice.participant.identity.signingPk;
    const ad = encode({ t: 'medchain/vault-ad', v: 1, id, label: 'A', role: 'tpa', name: 'Alice General', spk: bytesToHex(spk) });
    const ct = xchacha20poly1305(out.subarray(0, 32), nonce, ad).encrypt(exportKeys(carol));
    const file = encode({ t: BACKUP_TYPE, v: 1, id, label: 'A', role: 'tpa', name: 'Alice General', spk, created: 1, kdf: { alg: 'scrypt', params: { ...FAST }, salt }, check: out.subarray(32), nonce, ct });
    const { vault } = fresh();
    await rejects(vault.importBackup(file, PASS), 'corrupt');
    expect(await vault.list()).toEqual([]);
  });
});
