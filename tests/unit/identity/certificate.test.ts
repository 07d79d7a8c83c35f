/**
 * Patient keys and KeyCertificates (SPEC §3 "Patient key").
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bls, DecodeError, fr, g1, g2, pairing, gt, ready } from '../../../src/lib/crypto';
import { decode, encode, FormatError } from '../../../src/lib/codec';
import { paramG1 } from '../../../src/lib/hashes';
import {
  aPMatches,
  certifyPatientKey,
  checkCertificateRequest,
  createParticipant,
  decodeCertificate,
  decodeCertificateRequest,
  encodeCertificate,
  encodeCertificateRequest,
  generatePatientKey,
  issuePatientKey,
  issuePseudonym,
  patientKeyFromSecret,
  pkgSetup,
  requestCertificate,
  verifyCertificate,
  type EscrowBook,
  type KeyCertificate,
  type ParticipantKeys,
  type PatientKeyPair
} from '../../../src/lib/identity';

let pkg: ParticipantKeys;
let patient: ParticipantKeys;
let pid: Uint8Array;
let book: EscrowBook;
beforeAll(async () => {
  await ready();
  pkg = pkgSetup().keys;
  patient = createParticipant('patient', 'P-7');
  const p = issuePseudonym('110101199003077777', pkg.encryption.publicKey);
  pid = p.pid;
  book = new Map([[Buffer.from(pid).toString('hex'), p.escrow]]);
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const flip = (b: Uint8Array, i: number) => {
  const c = Uint8Array.from(b);
  c[i] ^= 1;
  return c;
};

describe('patient key', () => {
  it('pk_p = P2^a, A_p = g1^a, and e(A_p, P2) == e(g1, pk_p)', () => {
    const k = generatePatientKey();
    const a = fr.fromBytes(k.sk);
    expect(g2.equals(g2.fromBytes(k.pk), g2.mul(g2.generator(), a))).toBe(true);
    expect(g1.equals(g1.fromBytes(k.aP), g1.mul(paramG1(), a))).toBe(true);
    expect(gt.equals(pairing(g1.fromBytes(k.aP), g2.generator()), pairing(paramG1(), g2.fromBytes(k.pk)))).toBe(true);
    expect(aPMatches(k.aP, k.pk)).toBe(true);
    expect(aPMatches(generatePatientKey().aP, k.pk)).toBe(false);
    expect(hex(patientKeyFromSecret(k.sk).aP)).toBe(hex(k.aP));
  });
});

describe('certificates', () => {
  let key: PatientKeyPair;
  let cert: KeyCertificate;
  beforeAll(() => {
    key = generatePatientKey();
    const req = requestCertificate(key, pid, patient.signing);
    const r = certifyPatientKey(pkg.signing, req, 1_700_000_000_000, book);
    if (!r.ok) throw new Error(r.detail);
    cert = r.certificate;
  });

  it('a patient-chosen key is certified and verifies; encodings round-trip', () => {
    expect(verifyCertificate(cert, pkg.signing.pk)).toEqual({ ok: true });
    const bytes = encodeCertificate(cert);
    expect(bytes.length).toBeLessThan(600);
    const back = decodeCertificate(bytes);
    expect(hex(encodeCertificate(back))).toBe(hex(bytes));
    expect(verifyCertificate(back, pkg.signing.pk)).toEqual({ ok: true });
    const req = requestCertificate(key, pid, patient.signing);
    const reqBytes = encodeCertificateRequest(req);
    expect(hex(encodeCertificateRequest(decodeCertificateRequest(reqBytes)))).toBe(hex(reqBytes));
    expect(checkCertificateRequest(decodeCertificateRequest(reqBytes), book)).toEqual({ ok: true });
  });

  it('the paper mode (PKG chooses a) gives a verifying certificate too', () => {
    const { key: k, certificate } = issuePatientKey(pkg.signing, pid, patient.signing.pk, 2);
    expect(verifyCertificate(certificate, pkg.signing.pk)).toEqual({ ok: true });
    expect(hex(certificate.pkP)).toBe(hex(k.pk));
  });

  it('fails on tampering of each field, with the reason', () => {
    const other = generatePatientKey();
    const otherHolder = createParticipant('patient', 'Q');
    const cases: [Partial<KeyCertificate>, string][] = [
      [{ pid: flip(cert.pid, 0) }, 'bad-signature'],
      [{ pkP: other.pk }, 'bad-pop'],
      [{ pkP: other.pk, pop: other.pop }, 'ap-mismatch'],
      [{ aP: other.aP }, 'ap-mismatch'],
      [{ pop: other.pop }, 'bad-pop'],
      [{ pkP: other.pk, aP: other.aP, pop: other.pop }, 'bad-signature'],
      [{ holder: otherHolder.signing.pk }, 'bad-signature'],
      [{ issuedAt: cert.issuedAt + 1 }, 'bad-signature'],
      [{ sig: bls.sign(pkg.signing.sk, new Uint8Array([1])) }, 'bad-signature'],
      [{ pid: new Uint8Array(63) }, 'malformed'],
      [{ issuedAt: -1 }, 'malformed']
    ];
    for (const [patch, reason] of cases) expect(verifyCertificate({ ...cert, ...patch }, pkg.signing.pk)).toMatchObject({ ok: false, reason });
    // Signed by someone who is not this PKG.
    expect(verifyCertificate(cert, patient.signing.pk)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('the PKG refuses an A_p that does not match pk_p', () => {
    const other = generatePatientKey();
    const bad: PatientKeyPair = { ...key, aP: other.aP };
    const r = certifyPatientKey(pkg.signing, requestCertificate(bad, pid, patient.signing), 3);
    expect(r).toMatchObject({ ok: false, reason: 'ap-mismatch' });
    // Also the "right" point with a wrong exponent: A_p = P1^a instead of g1^a.
    const a = fr.fromBytes(key.sk);
    const wrongBase: PatientKeyPair = { ...key, aP: g1.toBytes(g1.mul(g1.generator(), a)) };
    expect(certifyPatientKey(pkg.signing, requestCertificate(wrongBase, pid, patient.signing), 3)).toMatchObject({ ok: false, reason: 'ap-mismatch' });
  });

  it('the PKG refuses a forged PoP (a key whose secret the requester does not know)', () => {
    // The victim's public pk_p and A_p are known to all; the attacker has no a.
    const forger = generatePatientKey();
    const forged: PatientKeyPair = { ...forger, pk: key.pk, aP: key.aP, pop: forger.pop };
    expect(certifyPatientKey(pkg.signing, requestCertificate(forged, pid, patient.signing), 4)).toMatchObject({ ok: false, reason: 'bad-pop' });
    // A rogue key pk' = pk_victim^-1 * P2^b: a PoP cannot be made for it without the victim's a.
    const b = fr.random();
    const rogue = g2.toBytes(g2.add(g2.neg(g2.fromBytes(key.pk)), g2.mul(g2.generator(), b)));
    const rogueA = g1.toBytes(g1.add(g1.neg(g1.fromBytes(key.aP)), g1.mul(paramG1(), b)));
    const withRogue: PatientKeyPair = { ...forger, pk: rogue as PatientKeyPair['pk'], aP: rogueA, pop: bls.sign(fr.toBytes(b), rogue) };
    expect(aPMatches(rogueA, rogue)).toBe(true);
    expect(certifyPatientKey(pkg.signing, requestCertificate(withRogue, pid, patient.signing), 4)).toMatchObject({ ok: false, reason: 'bad-pop' });
  });

  it('the PKG refuses a request not signed by its holder, or for a PID it never issued', () => {
    const req = requestCertificate(key, pid, patient.signing);
    const mallory = createParticipant('patient', 'M');
    expect(checkCertificateRequest({ ...req, holder: mallory.signing.pk })).toMatchObject({ ok: false, reason: 'bad-holder-signature' });
    const stranger = requestCertificate(key, new Uint8Array(64).fill(1), patient.signing);
    expect(checkCertificateRequest(stranger, book)).toMatchObject({ ok: false, reason: 'unknown-pseudonym' });
    expect(checkCertificateRequest(stranger)).toEqual({ ok: true });
  });

  it('decoding rejects malformed input with typed errors', () => {
    const bytes = encodeCertificate(cert);
    const m = decode(bytes, 2000) as Record<string, unknown>;
    const re = (patch: Record<string, unknown>) => encode({ ...(m as any), ...patch });
    expect(() => decodeCertificate(new Uint8Array(3000))).toThrow(expect.objectContaining({ kind: 'oversized' }));
    expect(() => decodeCertificate(re({ v: 9 }))).toThrow(expect.objectContaining({ kind: 'wrong-version' }));
    expect(() => decodeCertificate(re({ ap: g1.toBytes(g1.identity()) }))).toThrow(expect.objectContaining({ kind: 'out-of-range' }));
    expect(() => decodeCertificate(re({ pkp: flip(cert.pkP, 50) }))).toThrow(DecodeError);
    expect(() => decodeCertificate(re({ iat: -5 }))).toThrow(FormatError);
    expect(() => decodeCertificate(re({ pid: new Uint8Array(32) }))).toThrow(expect.objectContaining({ kind: 'bad-length' }));
  });
});
