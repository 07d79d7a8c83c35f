/**
 * Patient keys and their certificates (SPEC §3 "Patient key").
 *
 * | paper | here | size |
 * | --- | --- | --- |
 * | sk_p = a | `PatientKeyPair.sk` | 32 B |
 * | pk_p = g^{sk_p} (here P2^a) | `pkP` | G2, 96 B |
 * | A_p = g1^{sk_p} | `aP` | G1, 48 B: all the hospital admin needs to tag |
 * | {PID_p, pk_p, sk_p} sent by the PKG | `issuePatientKey` (the paper's mode) | |
 * | (new) patient-chosen a | `requestCertificate` -> `certifyPatientKey` | |
 *
 * In the paper the PKG chooses a and sends {PID, pk_p, sk_p} to the patient
 * over a secure channel (`issuePatientKey`). The app also lets the patient
 * choose a (`generatePatientKey`) and ask the PKG to certify pk_p; then the
 * PKG never learns a. Either way the PKG signs a `KeyCertificate`, which any
 * hospital admin or TPA checks before using A_p or pk_p.
 *
 * What a certificate proves:
 * - `pop`: whoever made pk_p knows a (BLS PoP, DST BLS_POP_...); without it a
 *   "rogue" pk_p = P2^a' / pk_other could be certified and audits of other
 *   patients' files be disturbed.
 * - `e(A_p, P2) == e(g1, pk_p)`: A_p and pk_p have the same exponent, so the
 *   tags a hospital makes with A_p verify under pk_p.
 * - `holder`: the signing key (G2) that speaks for this PID on chain (consent,
 *   audit delegation). A request carries the holder's signature, so nobody can
 *   bind someone else's signing key to their pseudonym. A pseudonymous patient
 *   should use a signing key that appears nowhere else under its real name.
 * - `sig`: the PKG issued this at `issuedAt` (ms since the Unix epoch).
 *
 * How the PKG knows the requester owns the PID (registration in person, a
 * session after issuePseudonym) is outside this layer.
 *
 * Encodings (canonical DAG-CBOR):
 *   request     { t: "medchain/key-cert-request", v: 1, pid 64 B, pkp 96 B, ap 48 B, pop 48 B, holder 96 B, hsig 48 B }
 *               hsig = BLS(holder) over the map without hsig
 *   certificate { t: "medchain/key-cert", v: 1, pid, pkp, ap, pop, holder, iat: uint, sig 48 B }
 *               sig = BLS(PKG) over the map without sig;  ≈ 480 B, at most MAX_CERTIFICATE_BYTES
 *
 * | operation | cost |
 * | --- | --- |
 * | requestCertificate | 1 hash-to-G1 + 1 G1 mul (holder signature) |
 * | checkCertificateRequest | PoP 2 P + A_p check 2 P + holder signature 2 P (three pairing products) |
 * | certifyPatientKey | checkCertificateRequest + 1 hash-to-G1 + 1 G1 mul |
 * | verifyCertificate | PoP 2 P + A_p check 2 P + PKG signature 2 P |
 */
import { bls, g1, g2, pairingCheck } from '$lib/crypto';
import { decode, encode, expectBytes, expectHeader, expectMap, expectUint, FormatError, type Value } from '$lib/codec';
import { paramG1 } from '$lib/hashes';
import { fail, OK, wrapRange, type Verdict } from './errors';
import {
  G1_BYTES,
  G2_BYTES,
  generatePatientKey,
  patientPublicKey,
  sign,
  signingPublicKey,
  verify,
  type PatientKeyPair,
  type PatientPublicKey,
  type SigningKeyPair,
  type SigningPublicKey
} from './keys';
import { PID_BYTES, pidKey, type EscrowBook } from './pseudonym';

export const REQUEST_TYPE = 'medchain/key-cert-request';
export const CERTIFICATE_TYPE = 'medchain/key-cert';
export const CERTIFICATE_VERSION = 1;
export const MAX_CERTIFICATE_BYTES = 1024;

/** What a patient sends the PKG to have its own pk_p certified. */
export interface CertificateRequest {
  readonly pid: Uint8Array;
  readonly pkP: PatientPublicKey;
  readonly aP: Uint8Array;
  readonly pop: Uint8Array;
  readonly holder: SigningPublicKey;
  /** The holder's signature over the request without it. */
  readonly holderSig: Uint8Array;
}

/** The PKG's statement binding PID, pk_p, A_p and the holder's signing key. */
export interface KeyCertificate {
  readonly pid: Uint8Array;
  readonly pkP: PatientPublicKey;
  readonly aP: Uint8Array;
  readonly pop: Uint8Array;
  readonly holder: SigningPublicKey;
  /** Milliseconds since the Unix epoch. */
  readonly issuedAt: number;
  readonly sig: Uint8Array;
}

export type RequestFailure = 'malformed' | 'bad-pop' | 'ap-mismatch' | 'bad-holder-signature' | 'unknown-pseudonym';
export type CertificateFailure = 'malformed' | 'bad-pop' | 'ap-mismatch' | 'bad-signature';

type KeyFields = { pid: Uint8Array; pkP: Uint8Array; aP: Uint8Array; pop: Uint8Array; holder: Uint8Array };

function keyFields(x: KeyFields): Record<string, Value> {
  return { pid: x.pid, pkp: x.pkP, ap: x.aP, pop: x.pop, holder: x.holder };
}
function requestBody(r: Omit<CertificateRequest, 'holderSig'>): Record<string, Value> {
  return { t: REQUEST_TYPE, v: CERTIFICATE_VERSION, ...keyFields(r) };
}
function certificateBody(c: Omit<KeyCertificate, 'sig'>): Record<string, Value> {
  return { t: CERTIFICATE_TYPE, v: CERTIFICATE_VERSION, ...keyFields(c), iat: c.issuedAt };
}

/** e(A_p, P2) == e(g1, pk_p), i.e. e(A_p, P2) * e(-g1, pk_p) == 1. False on invalid points. */
export function aPMatches(aP: Uint8Array, pkP: Uint8Array): boolean {
  try {
    const A = g1.fromBytes(aP);
    const pk = g2.fromBytes(pkP);
    if (g1.isIdentity(A) || g2.isIdentity(pk)) return false;
    return pairingCheck([
      [A, g2.generator()],
      [g1.neg(paramG1()), pk]
    ]);
  } catch {
    return false;
  }
}

/** The checks a request and a certificate share: shapes, PoP, A_p consistency. */
function checkKeyFields(x: KeyFields): Verdict<'malformed' | 'bad-pop' | 'ap-mismatch'> {
  if (!(x.pid instanceof Uint8Array) || x.pid.length !== PID_BYTES) return fail('malformed', `the pseudonym is not ${PID_BYTES} bytes`);
  if (!bls.popVerify(x.pkP, x.pop)) return fail('bad-pop', 'the patient key has no valid proof of possession');
  if (!aPMatches(x.aP, x.pkP)) return fail('ap-mismatch', 'A_p and pk_p do not have the same exponent: e(A_p, P2) != e(g1, pk_p)');
  return OK;
}

/** The patient asks the PKG to certify its own key for `pid`, signed with the holder key. */
export function requestCertificate(key: PatientKeyPair, pid: Uint8Array, holder: SigningKeyPair): CertificateRequest {
  if (!(pid instanceof Uint8Array) || pid.length !== PID_BYTES) throw new TypeError(`pid: expected ${PID_BYTES} bytes`);
  const unsigned = { pid: Uint8Array.from(pid), pkP: key.pk, aP: key.aP, pop: key.pop, holder: holder.pk };
  return { ...unsigned, holderSig: sign(holder.sk, encode(requestBody(unsigned))) };
}

/** The PKG's checks of a request: PoP, A_p consistency, holder signature, and (if given) that PID is in the escrow. */
export function checkCertificateRequest(req: CertificateRequest, escrow?: EscrowBook): Verdict<RequestFailure> {
  const v = checkKeyFields(req);
  if (!v.ok) return v;
  if (!verify(req.holder, encode(requestBody(req)), req.holderSig)) return fail('bad-holder-signature', 'the request is not signed by the holder key it names');
  if (escrow && !escrow.has(pidKey(req.pid))) return fail('unknown-pseudonym', 'this PKG did not issue the pseudonym');
  return OK;
}

function signCertificate(pkg: SigningKeyPair, fields: Omit<KeyCertificate, 'sig'>): KeyCertificate {
  if (!Number.isSafeInteger(fields.issuedAt) || fields.issuedAt < 0) throw new RangeError('issuedAt: expected milliseconds since the epoch');
  return { ...fields, sig: sign(pkg.sk, encode(certificateBody(fields))) };
}

/** The PKG certifies a patient-chosen key after checking the request. */
export function certifyPatientKey(
  pkg: SigningKeyPair,
  req: CertificateRequest,
  issuedAt: number,
  escrow?: EscrowBook
): { readonly ok: true; readonly certificate: KeyCertificate } | { readonly ok: false; readonly reason: RequestFailure; readonly detail: string } {
  const v = checkCertificateRequest(req, escrow);
  if (!v.ok) return v;
  const { pid, pkP, aP, pop, holder } = req;
  return { ok: true, certificate: signCertificate(pkg, { pid, pkP, aP, pop, holder, issuedAt }) };
}

/**
 * The paper's mode: the PKG chooses a, certifies pk_p, and hands the key
 * (secret included) to the patient over a secure channel. The PKG knows a.
 */
export function issuePatientKey(pkg: SigningKeyPair, pid: Uint8Array, holder: SigningPublicKey, issuedAt: number): { key: PatientKeyPair; certificate: KeyCertificate } {
  if (!(pid instanceof Uint8Array) || pid.length !== PID_BYTES) throw new TypeError(`pid: expected ${PID_BYTES} bytes`);
  const key = generatePatientKey();
  const certificate = signCertificate(pkg, { pid: Uint8Array.from(pid), pkP: key.pk, aP: key.aP, pop: key.pop, holder, issuedAt });
  return { key, certificate };
}

/** Checks a certificate against the PKG's signing key: PoP, A_p consistency, PKG signature (in that order). */
export function verifyCertificate(cert: KeyCertificate, pkgPk: SigningPublicKey): Verdict<CertificateFailure> {
  const v = checkKeyFields(cert);
  if (!v.ok) return v;
  if (!Number.isSafeInteger(cert.issuedAt) || cert.issuedAt < 0) return fail('malformed', 'issuedAt is not a time');
  if (!verify(pkgPk, encode(certificateBody(cert)), cert.sig)) return fail('bad-signature', 'the certificate is not signed by this PKG');
  return OK;
}

// ---------------------------------------------------------------- encodings

export function encodeCertificateRequest(r: CertificateRequest): Uint8Array {
  return encode({ ...requestBody(r), hsig: r.holderSig });
}

export function encodeCertificate(c: KeyCertificate): Uint8Array {
  return encode(certificateValue(c));
}

/** @internal the CBOR map of a certificate (also nested in key files). */
export function certificateValue(c: KeyCertificate): Record<string, Value> {
  return { ...certificateBody(c), sig: c.sig };
}

function readKeyFields(m: Record<string, unknown>, what: string): KeyFields & { pkP: PatientPublicKey; holder: SigningPublicKey } {
  const pkp = expectBytes(m.pkp, `${what}.pkp`, G2_BYTES);
  const holder = expectBytes(m.holder, `${what}.holder`, G2_BYTES);
  const ap = expectBytes(m.ap, `${what}.ap`, G1_BYTES);
  wrapRange(() => {
    if (g1.isIdentity(g1.fromBytes(ap))) throw new RangeError('A_p is the identity');
  }, `${what}.ap`);
  return {
    pid: expectBytes(m.pid, `${what}.pid`, PID_BYTES),
    pkP: wrapRange(() => patientPublicKey(pkp), `${what}.pkp`),
    aP: ap,
    pop: expectBytes(m.pop, `${what}.pop`, G1_BYTES),
    holder: wrapRange(() => signingPublicKey(holder), `${what}.holder`)
  };
}

function onlyFields(m: Record<string, unknown>, what: string, fields: string[]): void {
  for (const k of Object.keys(m)) if (!fields.includes(k)) throw new FormatError('malformed', `${what}: unknown field ${k}`);
}

/** Decodes a request (FormatError / DecodeError); check it with checkCertificateRequest. */
export function decodeCertificateRequest(bytes: Uint8Array): CertificateRequest {
  const m = expectMap(decode(bytes, MAX_CERTIFICATE_BYTES), 'certificate request');
  expectHeader(m, REQUEST_TYPE, CERTIFICATE_VERSION);
  onlyFields(m, 'certificate request', ['t', 'v', 'pid', 'pkp', 'ap', 'pop', 'holder', 'hsig']);
  return { ...readKeyFields(m, 'certificate request'), holderSig: expectBytes(m.hsig, 'certificate request.hsig', G1_BYTES) };
}

/** @internal reads a certificate from a decoded CBOR value. */
export function certificateFromValue(v: unknown): KeyCertificate {
  const m = expectMap(v, 'certificate');
  expectHeader(m, CERTIFICATE_TYPE, CERTIFICATE_VERSION);
  onlyFields(m, 'certificate', ['t', 'v', 'pid', 'pkp', 'ap', 'pop', 'holder', 'iat', 'sig']);
  return { ...readKeyFields(m, 'certificate'), issuedAt: expectUint(m.iat, 'certificate.iat'), sig: expectBytes(m.sig, 'certificate.sig', G1_BYTES) };
}

/** Decodes a certificate (FormatError / DecodeError); check it with verifyCertificate. */
export function decodeCertificate(bytes: Uint8Array): KeyCertificate {
  return certificateFromValue(decode(bytes, MAX_CERTIFICATE_BYTES));
}
