/**
 * Patient registration through the PKG, in Node over the in-memory transport
 * with real consensus (one validator hospital, the PKG's node, patient
 * guests): `pkg.register` → the PKG derives the pid with the identity module,
 * keeps the escrow, signs `register` → final → the patient is a member with
 * that pid and its hello after a reconnect is a member's; a second
 * registration of the same person is refused; malformed bodies are
 * `bad-request`; the desk's manual approval; the certificate; the escrow
 * book survives a new registrar on the same store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../src/lib/crypto';
import { bls, EncryptionPublicKey } from '../../../src/lib/crypto';
import { encodeTx, equalBytes, hex, makeGenesis, makeMember, type Block } from '../../../src/lib/chain';
import { headerId } from '../../../src/lib/chain/consensus';
import { h1 } from '../../../src/lib/hashes';
import { createParticipant, generatePatientKey, padIdentity, trace, verifyCertificate, type ParticipantKeys } from '../../../src/lib/identity';
import { MemoryHub } from '../../../src/lib/net/memory';
import { RpcError } from '../../../src/lib/net/rpc';
import { roomIdOf } from '../../../src/lib/net/room';
import { RoomPeer } from '../../../src/lib/roles/room-peer';
import { finalState, finalTxs, pseudonymText } from '../../../src/lib/roles/records';
import { PatientRole } from '../../../src/lib/roles/patient';
import { loadRegistration, M_REGISTER, memoryKeyValue, PkgRegistrar, registrationIdentity, type KeyValue } from '../../../src/lib/roles/registration';

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function rpcCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RpcError) return e.code;
    throw e;
  }
  throw new Error('expected an RpcError');
}

const ID = { nationalId: '11010519491231002X', name: 'Zhang San' };

let genesis: Block;
const hub = new MemoryHub();
const peers: RoomPeer[] = [];
let pkgKeys: ParticipantKeys;
let pkgPeer: RoomPeer;
let validatorPeer: RoomPeer;
let registrar: PkgRegistrar;
const escrowStore: KeyValue = memoryKeyValue();
const patientStore: KeyValue = memoryKeyValue();

interface Guest {
  keys: ParticipantKeys;
  peer: RoomPeer;
  role: PatientRole;
}
const guests: Guest[] = [];

function guest(name: string): Guest {
  const keys = createParticipant('patient', name);
  const peer = new RoomPeer({ genesis, keys: { sk: keys.signing.sk, pk: keys.signing.pk }, role: 'patient', transports: () => [hub.transport(name)] });
  peers.push(peer);
  const g = { keys, peer, role: new PatientRole({ peer, keys: { sk: keys.signing.sk, pk: keys.signing.pk }, enc: keys.encryption, store: patientStore }) };
  guests.push(g);
  return g;
}

beforeAll(async () => {
  await ready();
  pkgKeys = createParticipant('pkg', 'PKG');
  const vsk = bls.keygen(crypto.getRandomValues(new Uint8Array(32)));
  const venc = createParticipant('hospital', 'V').encryption;
  genesis = makeGenesis(pkgKeys.signing.sk, {
    name: `registration ${Math.random()}`,
    params: { validators: 1, slotMs: 300, genesisTime: Date.now() + 300, initialCredit: 100, creditThreshold: 50, roundSlots: 8 },
    members: [
      makeMember(pkgKeys.signing.sk, { role: 'pkg', enc: pkgKeys.encryption.publicKey.toBytes(), name: 'PKG' }),
      makeMember(vsk, { role: 'hospital', enc: venc.publicKey.toBytes(), name: 'Validator Hospital', rating: 900, tier: '3A' })
    ]
  });
  expect(roomIdOf(headerId(genesis.header))).toMatch(/^[0-9a-f]{20}$/);
  validatorPeer = new RoomPeer({ genesis, keys: { sk: vsk, pk: bls.publicKey(vsk) }, role: 'hospital', transports: () => [hub.transport('validator')] });
  pkgPeer = new RoomPeer({ genesis, keys: { sk: pkgKeys.signing.sk, pk: pkgKeys.signing.pk }, role: 'pkg', transports: () => [hub.transport('pkg')] });
  peers.push(validatorPeer, pkgPeer);
  registrar = new PkgRegistrar({ peer: pkgPeer, signing: pkgKeys.signing, encryption: pkgKeys.encryption, store: escrowStore }).start();
  guest('alice');
  guest('mallory');
  guest('bob');
  await Promise.all(peers.map((p) => p.start()));
  await until(() => peers.every((p) => p.net.peers().length === peers.length - 1), 10_000, 'everyone connected');
}, 30_000);

afterAll(() => {
  registrar?.stop();
  for (const p of peers) p.stop();
});

describe('patient registration through the PKG', () => {
  it('register → pid from the identity module → register tx final → member with that pid; the identity is nowhere on chain', async () => {
    const alice = guests[0];
    const key = hex(alice.keys.signing.pk);
    expect(validatorPeer.net.peer(key)?.guest).toBe(true);
    expect(alice.role.registrationStatus()).toBe('none');
    expect(alice.role.pseudonym().placeholder).toBe(true);

    const patientKey = generatePatientKey();
    const r = await alice.role.register(ID, { patientKey, timeoutMs: 20_000 });
    expect(r.pid).toHaveLength(64);
    expect(r.tx).toHaveLength(32);

    // The pid is the identity module's: PID = pad(ID) xor H1(E) for the escrow entry E the PKG kept, and it traces back to ID.
    const id = registrationIdentity(ID.nationalId, ID.name);
    const e = registrar.escrow.get(hex(r.pid));
    expect(e).toBeDefined();
    const block = padIdentity(id);
    const mask = h1(e!, 64);
    expect(hex(r.pid)).toBe(hex(block.map((b, i) => b ^ mask[i])));
    expect(trace(r.pid, registrar.escrow, pkgKeys.encryption)).toEqual({ ok: true, id });
    expect(registrar.identityOf(r.pid)).toBe(id);

    // The certificate binds pk_p to the pid and to the patient's signing key, signed by the PKG.
    expect(r.certificate).toBeDefined();
    expect(verifyCertificate(r.certificate!, pkgKeys.signing.pk)).toEqual({ ok: true });
    expect(equalBytes(r.certificate!.pid, r.pid)).toBe(true);
    expect(hex(r.certificate!.holder)).toBe(key);
    expect(hex(r.certificate!.pkP)).toBe(hex(patientKey.pk));

    await until(() => alice.role.registrationStatus() === 'member', 20_000, 'the register tx final at the patient');
    await until(() => finalState(validatorPeer).members.has(key), 20_000, 'the register tx final at the validator');
    const m = finalState(validatorPeer).members.get(key)!;
    expect(m.role).toBe('patient');
    expect(hex(m.pid!)).toBe(hex(r.pid));
    expect(m.name).toBe(pseudonymText(r.pid));
    expect(hex(m.enc)).toBe(hex(alice.keys.encryption.publicKey.toBytes()));
    expect(finalState(validatorPeer).patients.get(hex(r.pid))).toBe(key);
    expect(hex(alice.role.pid()!)).toBe(hex(r.pid));
    expect(alice.role.pseudonym()).toEqual({ text: pseudonymText(r.pid), placeholder: false });

    // The register transaction (and the whole final chain) never holds the national id or the name.
    const regs = finalTxs(validatorPeer, (b) => b.type === 'register');
    expect(regs.map((t) => hex(t.id))).toEqual([hex(r.tx)]);
    const onChain = Buffer.from(encodeTx(regs[0].tx)).toString('latin1');
    expect(onChain).not.toContain(ID.nationalId);
    expect(onChain).not.toContain('Zhang');

    // The pid survives a reload: a new PatientRole on the same store knows it.
    expect(hex(loadRegistration(patientStore, alice.peer.room, alice.keys.signing.pk)!.pid)).toBe(hex(r.pid));
    const reloaded = new PatientRole({ peer: alice.peer, keys: { sk: alice.keys.signing.sk, pk: alice.keys.signing.pk }, enc: alice.keys.encryption, store: patientStore });
    expect(hex(reloaded.registration!.pid)).toBe(hex(r.pid));
    expect(reloaded.registration!.certificate && verifyCertificate(reloaded.registration!.certificate, pkgKeys.signing.pk).ok).toBe(true);
  }, 40_000);

  it('after a reconnect the patient’s hello is a member’s, not a guest’s', async () => {
    // A node that first hears the patient's hello after the registration is
    // final admits it as a member, and nodes that met it as a guest re-decide
    // at its next hello.
    const alice = guests[0];
    const key = hex(alice.keys.signing.pk);
    await alice.peer.setOnline(false);
    await until(() => !validatorPeer.net.peer(key) && !pkgPeer.net.peer(key), 5_000, 'the others see the patient leave');
    const ob = createParticipant('tpa', 'Observer');
    const observer = new RoomPeer({ genesis, keys: { sk: ob.signing.sk, pk: ob.signing.pk }, role: 'tpa', transports: () => [hub.transport('observer')] });
    peers.push(observer);
    await observer.start();
    await until(() => finalState(observer).members.has(key), 15_000, 'the observer synced the registration');
    expect(observer.net.peer(hex(guests[2].keys.signing.pk))!.guest).toBe(true);
    await alice.peer.setOnline(true);
    await until(() => observer.net.peer(key) !== undefined, 10_000, 'the patient back');
    expect(observer.net.peer(key)!.guest).toBe(false);
    expect(observer.net.peer(key)!.role).toBe('patient');
    await until(() => validatorPeer.net.peer(key) !== undefined, 10_000, 'the validator sees the patient back');
    expect(validatorPeer.net.peer(key)!.guest).toBe(false);
  }, 30_000);

  it('the same person again is refused (another key, name typed differently); the same key again is refused', async () => {
    const mallory = guests[1];
    expect(await rpcCode(mallory.role.register({ nationalId: ' 11010519491231002x ', name: 'zhang  san' }, { timeoutMs: 10_000 }))).toBe('duplicate-identity');
    expect(mallory.role.registration).toBeNull();
    expect(await rpcCode(guests[0].role.register({ nationalId: '220102199001011234', name: 'Other' }, { timeoutMs: 10_000 }))).toBe('already-member');
    // A new registrar on the same (sealed) escrow store still knows the identity: the duplicate check survives a reload.
    const again = new PkgRegistrar({ peer: pkgPeer, signing: pkgKeys.signing, encryption: pkgKeys.encryption, store: escrowStore }).start();
    expect(await rpcCode(mallory.role.register(ID, { timeoutMs: 10_000 }))).toBe('duplicate-identity');
    expect(again.escrow.size).toBe(1);
    registrar.stop();
    registrar = again;
  }, 20_000);

  it('malformed requests are bad-request; a key that is not the caller’s is refused', async () => {
    const m = guests[1];
    const pkg = hex(pkgKeys.signing.pk);
    const rpc = m.peer.rpc;
    const base = { v: 1, key: m.keys.signing.pk, pop: bls.popProve(m.keys.signing.sk), enc: m.keys.encryption.publicKey.toBytes() };
    expect(await rpcCode(rpc.call(pkg, M_REGISTER, {}))).toBe('bad-request');
    expect(await rpcCode(rpc.call(pkg, M_REGISTER, 'hello'))).toBe('bad-request');
    expect(await rpcCode(rpc.call(pkg, M_REGISTER, { ...base, sealed: new Uint8Array(40) }))).toBe('bad-request');
    expect(await rpcCode(rpc.call(pkg, M_REGISTER, { ...base, sealed: new Uint8Array(40), enc: new Uint8Array(48) }))).toBe('bad-request');
    expect(await rpcCode(rpc.call(pkg, M_REGISTER, { ...base, sealed: new Uint8Array(40), pop: bls.popProve(guests[2].keys.signing.sk) }))).toBe('bad-request');
    const other = guests[2].keys;
    expect(await rpcCode(rpc.call(pkg, M_REGISTER, { ...base, key: other.signing.pk, pop: bls.popProve(other.signing.sk), sealed: new Uint8Array(40) }))).toBe('not-caller');
    expect(EncryptionPublicKey.fromBytes(base.enc)).toBeDefined();
  }, 20_000);

  it('manual desk: the request waits for the PKG’s click; a refusal is clear; an approval registers', async () => {
    registrar.auto = false;
    const bob = guests[2];
    const refused = bob.role.register({ nationalId: '330106198512120011', name: 'Li Si' }, { timeoutMs: 20_000 });
    await until(() => registrar.pending().length === 1, 5_000, 'the request at the desk');
    expect(registrar.pending()[0]).toMatchObject({ key: hex(bob.keys.signing.pk), identity: '330106198512120011|Li Si' });
    registrar.refuse(registrar.pending()[0].id);
    expect(await rpcCode(refused)).toBe('refused');
    const approved = bob.role.register({ nationalId: '330106198512120011', name: 'Li Si' }, { timeoutMs: 20_000 });
    await until(() => registrar.pending().length === 1, 5_000, 'the request at the desk again');
    registrar.approve(registrar.pending()[0].id);
    const r = await approved;
    await until(() => registrar.registered().length === 2, 20_000, 'both patients in the final state');
    expect(registrar.registered().map((p) => hex(p.pid))).toContain(hex(r.pid));
    expect(registrar.identityOf(r.pid)).toBe('330106198512120011|Li Si');
  }, 40_000);
});
