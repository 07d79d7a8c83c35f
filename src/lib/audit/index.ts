/**
 * Public auditing of cloud-stored records (SPEC §3, §4): the sound default
 * `sw-priv` (Shacham-Waters with Wang et al.'s privacy masking and batch
 * verification) and the paper's `yang2019` with the attack that shows why
 * it is never used. Pure functions over $lib/crypto; no I/O. See
 * docs/audit.md for the design notes and figures.
 */
export { SECTOR_BYTES, MAX_S, blockCount, blockSectors, sectorAt, toBlocks, fromBlocks } from './sectors';
export { deriveChallenge, coefficient, SEED_BYTES, MAX_C, MAX_N, type ChallengeSpec, type DerivedChallenge } from './challenge';
export { AuditCache } from './cache';
export {
  DEFAULT_S,
  NAME_BYTES,
  swKeyGen,
  prepareFile,
  tagBases,
  tagBlock,
  tagRange,
  tagFile,
  prove,
  verify,
  batchVerify,
  verifyBatch,
  randomWeight,
  type SwKey,
  type SwFileInfo,
  type SwProof,
  type AuditResult,
  type AuditFailure,
  type ScalarSource,
  type BatchItem,
  type BatchOptions,
  type BatchReport
} from './swpriv';
export {
  yangPatientKey,
  yangTag,
  yangProve,
  yangVerify,
  yangBlocks,
  attackYang2019,
  type YangPatient,
  type YangFilePublic,
  type YangProof,
  type YangResult,
  type YangForgery
} from './yang2019';
export { detectionProbability, challengeSizeFor, challengeSizeForFraction } from './detection';
export * from './formats';
export { gtFromBytes, checkGtBytes } from './gtbytes';
export { createAuditPool, tagFileParallel, type TagOptions } from './tagging';
