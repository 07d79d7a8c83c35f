/**
 * Participant key pairs and public records (SPEC §5), type-level separation
 * of the keys, and key files.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bls, DecodeError, EncryptionPublicKey, EncryptionSecretKey, g1, g2, ready } from '../../../src/lib/crypto';
import { decode, encode, FormatError } from '../../../src/lib/codec';
import {
  createParticipant,
  decodeParticipant,
  encodeParticipant,
  escrowEncrypt,
  exportKeys,
  generateSigningKey,
  IdentityError,
  importKeys,
  issuePatientKey,
  issuePseudonym,
  participantIdentity,
  pkgSetup,
  proveEncryptionKey,
  ROLES,
  signingKeyFromSecret,
  signingPublicKey,
  trace,
  verifyEncryptionKeyProof,
  verifyParticipant,
  type ParticipantIdentity,
  type ParticipantKeys,
  type SigningPublicKey,
  type SigningSecretKey
} from '../../../src/lib/identity';

beforeAll(async () => {
  await ready();
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const flip = (b: Uint8Array, i: number) => {
  const c = Uint8Array.from(b);
  c[i] ^= 1;
  return c;
};

describe('key pairs', () => {
  it('signing keys are BLS (G2 public key) with a PoP; encryption keys are P1^y in G1', () => {
    const s = generateSigningKey();
    expect(s.pk.length).toBe(96);
    expect(bls.popVerify(s.pk, s.pop)).toBe(true);
    expect(hex(bls.publicKey(s.sk))).toBe(hex(s.pk));
    const e = EncryptionSecretKey.generate();
    expect(e.publicKey.toBytes().length).toBe(48);
    expect(hex(EncryptionSecretKey.fromBytes(e.toBytes()).publicKey.toBytes())).toBe(hex(e.publicKey.toBytes()));
    expect(hex(signingKeyFromSecret(s.sk).pk)).toBe(hex(s.pk));
  });
  it('public key constructors validate (subgroup, identity, length)', () => {
    expect(() => EncryptionPublicKey.fromBytes(new Uint8Array(47))).toThrow(DecodeError);
    expect(() => EncryptionPublicKey.fromBytes(g1.toBytes(g1.identity()))).toThrow(expect.objectContaining({ kind: 'infinity-not-allowed' }));
    expect(() => signingPublicKey(g2.toBytes(g2.identity()))).toThrow(RangeError);
    expect(() => signingKeyFromSecret(new Uint8Array(32).fill(0xff))).toThrow(DecodeError);
    expect(() => EncryptionSecretKey.fromBytes(new Uint8Array(32))).toThrow(expect.objectContaining({ kind: 'scalar-out-of-range' }));
  });
  it('the Schnorr proof is bound to its key and its context', () => {
    const e = EncryptionSecretKey.generate();
    const ctx = new Uint8Array([1, 2, 3]);
    const proof = proveEncryptionKey(e, ctx);
    expect(verifyEncryptionKeyProof(e.publicKey, proof, ctx)).toBe(true);
    expect(verifyEncryptionKeyProof(e.publicKey, proof, new Uint8Array([1, 2, 4]))).toBe(false);
    expect(verifyEncryptionKeyProof(EncryptionSecretKey.generate().publicKey, proof, ctx)).toBe(false);
    expect(verifyEncryptionKeyProof(e.publicKey, flip(proof, 63), ctx)).toBe(false);
    expect(verifyEncryptionKeyProof(e.publicKey, proof.subarray(1), ctx)).toBe(false);
  });
});

describe('type-level separation of signing and encryption keys', () => {
  it('does not compile when one key is passed for the other (checked by tsc)', () => {
    const p = createParticipant('hospital', 'H');
    // Never called: these lines exist for the type checker. If the brands
    // were lost, the @ts-expect-error lines would have no error and tsc fails.
    const misuse = () => {
      // @ts-expect-error a signing secret key is not an encryption secret key
      trace(new Uint8Array(64), new Map(), p.signing.sk);
      // @ts-expect-error a signing public key (G2) is not an encryption public key (G1)
      escrowEncrypt(p.signing.pk, new Uint8Array(64));
      // @ts-expect-error an encryption secret key does not sign
      const s: SigningSecretKey = p.encryption;
      // @ts-expect-error a bare Uint8Array is not a validated key
      const e: EncryptionPublicKey = new Uint8Array(48);
      // @ts-expect-error a signing public key is not an encryption public key
      const f: EncryptionPublicKey = p.signing.pk;
      // @ts-expect-error nor is the proof of an encryption key
      verifyEncryptionKeyProof(p.identity.encryptionProof, p.identity.encryptionProof, new Uint8Array(0));
      return [s, e, f];
    };
    expect(typeof misuse).toBe('function');
    // And the right types do compile.
    const ok: [EncryptionSecretKey, SigningPublicKey] = [p.encryption, p.signing.pk];
    expect(ok[0].toBytes().length).toBe(32);
  });
});

describe('participant records', () => {
  let alice: ParticipantKeys;
  beforeAll(() => {
    alice = createParticipant('hospital', 'City Hospital 市医院');
  });

  it('every role can be created, encodes deterministically, decodes and verifies', () => {
    for (const role of ROLES) {
      const p = createParticipant(role, `a ${role}`);
      const bytes = encodeParticipant(p.identity);
      expect(bytes.length).toBeLessThan(450);
      const back = decodeParticipant(bytes);
      expect(hex(encodeParticipant(back))).toBe(hex(bytes));
      expect(back.role).toBe(role);
      expect(verifyParticipant(back)).toEqual({ ok: true });
    }
  });

  it('fails with a reason when any proof is broken', () => {
    const id = alice.identity;
    expect(verifyParticipant({ ...id, signingPop: bls.popProve(generateSigningKey().sk) })).toMatchObject({ ok: false, reason: 'bad-signing-pop' });
    expect(verifyParticipant({ ...id, encryptionProof: flip(id.encryptionProof, 5) })).toMatchObject({ ok: false, reason: 'bad-encryption-proof' });
    expect(verifyParticipant({ ...id, name: 'Other Hospital' })).toMatchObject({ ok: false, reason: 'bad-encryption-proof' });
    expect(verifyParticipant({ ...id, role: 'tpa' })).toMatchObject({ ok: false, reason: 'bad-encryption-proof' });
    expect(verifyParticipant({ ...id, sig: bls.sign(generateSigningKey().sk, new Uint8Array(1)) })).toMatchObject({ ok: false, reason: 'bad-self-signature' });
  });

  it('rejects a record that puts someone else’s encryption key, or one’s own, under another signing key', () => {
    const mallory = createParticipant('user', 'Mallory');
    // Mallory copies Alice's encryption key and its proof: the proof is bound to Alice's signing key.
    const copy = participantIdentity('user', 'Mallory', mallory.signing, mallory.encryption);
    expect(verifyParticipant({ ...copy, encryptionPk: alice.identity.encryptionPk, encryptionProof: alice.identity.encryptionProof })).toMatchObject({
      ok: false,
      reason: 'bad-encryption-proof'
    });
    // Mallory names Alice's signing key with her own encryption key and a fresh valid PoK:
    // only the self-signature (which she cannot make) stops it.
    const unsigned = participantIdentity('hospital', alice.identity.name, mallory.signing, mallory.encryption);
    const ctx = encode({ t: 'medchain/participant-enc-pok', v: 1, role: 'hospital', name: alice.identity.name, spk: alice.signing.pk });
    const forged: ParticipantIdentity = {
      ...unsigned,
      signingPk: alice.signing.pk,
      signingPop: alice.signing.pop,
      encryptionProof: proveEncryptionKey(mallory.encryption, ctx)
    };
    expect(verifyParticipant(forged)).toMatchObject({ ok: false, reason: 'bad-self-signature' });
  });

  it('decoding rejects malformed and oversized input with typed errors', () => {
    const bytes = encodeParticipant(alice.identity);
    const m = decode(bytes, 2000) as Record<string, unknown>;
    const re = (patch: Record<string, unknown>) => encode({ ...(m as any), ...patch });
    const kinds = (b: Uint8Array) => {
      try {
        decodeParticipant(b);
        return 'accepted';
      } catch (e) {
        expect(e instanceof FormatError || e instanceof DecodeError).toBe(true);
        return (e as FormatError).kind;
      }
    };
    expect(kinds(new Uint8Array(2000))).toBe('oversized');
    expect(kinds(bytes.subarray(0, bytes.length - 3))).toBe('malformed');
    expect(kinds(re({ v: 2 }))).toBe('wrong-version');
    expect(kinds(re({ t: 'medchain/other' }))).toBe('wrong-type');
    expect(kinds(re({ role: 'king' }))).toBe('out-of-range');
    expect(kinds(re({ name: '' }))).toBe('out-of-range');
    expect(kinds(re({ name: 'x'.repeat(200) }))).toBe('out-of-range');
    expect(kinds(re({ spk: new Uint8Array(95) }))).toBe('bad-length');
    expect(kinds(re({ epk: g1.toBytes(g1.identity()) }))).toBe('infinity-not-allowed');
    expect(kinds(re({ epk: flip(alice.identity.encryptionPk.toBytes(), 20) }))).toMatch(/not-on-curve|not-in-subgroup|non-canonical/);
    expect(kinds(re({ extra: 1 }))).toBe('malformed');
    const { sig: _sig, ...noSig } = m as any;
    expect(kinds(encode(noSig))).toBe('missing-field');
  });

  it('names are checked when created', () => {
    expect(() => createParticipant('tpa', '  ')).toThrow(expect.objectContaining({ kind: 'name-invalid' }));
    expect(() => createParticipant('tpa', 'a\nb')).toThrow(IdentityError);
    expect(() => createParticipant('king' as any, 'x')).toThrow(RangeError);
  });
});

describe('key files', () => {
  it('round-trip a participant and a patient with key and certificate', () => {
    const { keys: pkg } = pkgSetup();
    const hospital = createParticipant('hospital', 'H');
    const back = importKeys(exportKeys({ participant: hospital }));
    expect(hex(back.participant.signing.sk)).toBe(hex(hospital.signing.sk));
    expect(hex(back.participant.encryption.toBytes())).toBe(hex(hospital.encryption.toBytes()));
    expect(hex(encodeParticipant(back.participant.identity))).toBe(hex(encodeParticipant(hospital.identity)));
    expect(back.patient).toBeUndefined();

    const patient = createParticipant('patient', 'P-1');
    const { pid } = issuePseudonym('patient one', pkg.encryption.publicKey);
    const issued = issuePatientKey(pkg.signing, pid, patient.signing.pk, 1);
    const ring = { participant: patient, patient: issued };
    const bytes = exportKeys(ring);
    expect(hex(exportKeys(importKeys(bytes)))).toBe(hex(bytes));
    const pr = importKeys(bytes).patient!;
    expect(hex(pr.key.sk)).toBe(hex(issued.key.sk));
    expect(hex(pr.certificate!.pid)).toBe(hex(pid));
    // The PKG's own keys (skR included) round-trip the same way.
    const pkgBack = importKeys(exportKeys({ participant: pkg }));
    expect(hex(pkgBack.participant.encryption.toBytes())).toBe(hex(pkg.encryption.toBytes()));
  });

  it('reject corruption anywhere, and secrets that do not match the record', () => {
    const p = createParticipant('user', 'U');
    const bytes = exportKeys({ participant: p });
    for (let i = 0; i < bytes.length; i += 7) {
      expect(() => importKeys(flip(bytes, i))).toThrow(/./);
      try {
        importKeys(flip(bytes, i));
      } catch (e) {
        expect(e instanceof FormatError || e instanceof DecodeError || e instanceof IdentityError).toBe(true);
      }
    }
    expect(() => importKeys(bytes.subarray(0, 40))).toThrow(FormatError);
    expect(() => importKeys(new Uint8Array(10_000))).toThrow(expect.objectContaining({ kind: 'oversized' }));
    // A well-formed file with a valid checksum whose secret is someone else's.
    const q = createParticipant('user', 'V');
    const swapped = exportKeys({ participant: { ...p, encryption: q.encryption } });
    expect(() => importKeys(swapped)).toThrow(expect.objectContaining({ kind: 'keys-inconsistent' }));
  });
});
