/**
 * The identity layer (SPEC §1, §3 "Setup (PKG)" and pseudonyms, §5 two key
 * pairs per participant, §7 traceability): pure functions over bytes, no
 * storage, network or UI. Call `await ready()` from '$lib/crypto' first.
 *
 * | module | paper / SPEC | exports |
 * | --- | --- | --- |
 * | keys.ts | sk/pk of every participant; sk_p, pk_p, A_p | branded signing/patient key types, generators, Schnorr PoK of the encryption key |
 * | escrow.ts | E_pkR, ID padding | the crypto layer's G1 KEM + AES-GCM for the 64-byte identity block |
 * | participant.ts | roles; §5 two key pairs | ParticipantIdentity record, create / encode / decode / verify |
 * | params.ts | params {q, P1, P2, g1, H1, H2, H3}, pkR | SystemParams, pkgSetup |
 * | pseudonym.ts | PID = ID xor H1(E_pkR(ID)), tracing | issuePseudonym, escrow book, trace, TraceRecord |
 * | certificate.ts | sk_p = a, pk_p = P2^a, A_p = g1^a | KeyCertificate, requests, paper-mode issuance |
 * | keystore.ts | | exportKeys / importKeys |
 *
 * Design notes: docs/identity.md.
 */
export { IdentityError, type IdentityErrorKind, type Verdict } from './errors';
export {
  type Branded,
  type SigningSecretKey,
  type SigningPublicKey,
  type PatientSecretKey,
  type PatientPublicKey,
  type SigningKeyPair,
  type PatientKeyPair,
  SECRET_KEY_BYTES,
  ENCRYPTION_PROOF_BYTES,
  ENC_POK_DST,
  signingPublicKey,
  patientPublicKey,
  generateSigningKey,
  signingKeyFromSecret,
  generatePatientKey,
  patientKeyFromSecret,
  proveEncryptionKey,
  verifyEncryptionKeyProof,
  sign as signWithKey,
  verify as verifySignature
} from './keys';
export { ID_BYTES, ID_MAX_BYTES, ESCROW_BYTES, ESCROW_SCHEME, padIdentity, unpadIdentity, escrowEncrypt, escrowDecrypt } from './escrow';
export {
  ROLES,
  type Role,
  type ParticipantIdentity,
  type ParticipantKeys,
  type ParticipantFailure,
  MAX_PARTICIPANT_BYTES,
  MAX_NAME_BYTES,
  isRole,
  checkName,
  participantIdentity,
  createParticipant,
  encodeParticipant,
  decodeParticipant,
  verifyParticipant
} from './participant';
export { type SystemParams, type ParamsFailure, MAX_PARAMS_BYTES, systemParams, pkgSetup, encodeSystemParams, decodeSystemParams, verifySystemParams } from './params';
export {
  type Pseudonym,
  type EscrowBook,
  type TraceFailure,
  type TraceResult,
  type TraceRecord,
  type TraceRecordFailure,
  PID_BYTES,
  MAX_TRACE_RECORD_BYTES,
  pidKey,
  issuePseudonym,
  addToEscrow,
  trace,
  traceWithRecord,
  encodeEscrowBook,
  decodeEscrowBook,
  signTraceRecord,
  encodeTraceRecord,
  decodeTraceRecord,
  verifyTraceRecord
} from './pseudonym';
export {
  type CertificateRequest,
  type KeyCertificate,
  type RequestFailure,
  type CertificateFailure,
  MAX_CERTIFICATE_BYTES,
  aPMatches,
  requestCertificate,
  checkCertificateRequest,
  certifyPatientKey,
  issuePatientKey,
  verifyCertificate,
  encodeCertificateRequest,
  decodeCertificateRequest,
  encodeCertificate,
  decodeCertificate
} from './certificate';
export { type KeyRing, MAX_KEYFILE_BYTES, exportKeys, importKeys } from './keystore';
