/**
 * The consortium ledger (SPEC §5-§7): blocks and transactions with one
 * deterministic encoding, the state machine that validates them, finality
 * certificates, per-patient chains with self-contained export/verify, and
 * contracts run on finalised blocks. Pure functions over bytes: no storage,
 * network or UI (stores and buses are passed in). Call `await ready()` from
 * '$lib/crypto' first. Design notes: docs/ledger.md.
 *
 * | module | what |
 * | --- | --- |
 * | types.ts | every data type, ChainError, ConsensusHooks |
 * | encoding.ts | DAG-CBOR encode/decode, ids, Merkle root and proofs, signed bytes |
 * | state.ts | genesisState, applyBlock, checkTransaction |
 * | validate.ts | per-transaction rules, consent evaluation |
 * | certificate.ts | finality certificates: quorum, bitmap, make / verify |
 * | hooks.ts | default consensus hooks (standing, validator set, finality) |
 * | state-codec.ts | canonical state encoding, stateId |
 * | build.ts | makeMember, signTx, makeGenesis, produceBlock |
 * | patient.ts | exportPatientChains, verifyPatientChains, bundle codec |
 * | contracts.ts | contract registry, the sharing contract |
 */
export * from './types';
export {
  T_TX,
  T_HEADER,
  T_BLOCK,
  T_FINALITY,
  T_CERT,
  T_VALIDATORS,
  MAX_TX_BYTES,
  MAX_BLOCK_BYTES,
  MAX_TXS_PER_BLOCK,
  MAX_CERTS_PER_BLOCK,
  EMPTY_ROOT,
  txSigningBytes,
  encodeTx,
  decodeTx,
  txId,
  headerSigningBytes,
  encodeHeader,
  decodeHeader,
  blockId,
  encodeBlock,
  decodeBlock,
  blockValue,
  blockFromValue,
  txFromValue,
  voteValue,
  voteFromValue,
  evidenceValue,
  evidenceFromValue,
  certValue,
  certFromValue,
  encodeCert,
  decodeCert,
  certRoot,
  finalityMessage,
  validatorSetId,
  merkleRoot,
  merkleProof,
  verifyMerkleProof
} from './encoding';
export { genesisState, applyBlock, applyPayload, checkTransaction, blockTime, selectTransactions, type ApplyOptions, type PayloadContext } from './state';
export { consentAllows } from './validate';
export { quorum, bitmapLength, bitmapFromIndices, bitmapIndices, signFinality, makeCertificate, verifyCertificate } from './certificate';
export { defaultHooks, standings, qualified, topValidators, streamletFinalize } from './hooks';
export { encodeState, decodeState, stateId, T_STATE } from './state-codec';
export { makeMember, signTx, signHeader, makeGenesis, produceBlock, type Produced } from './build';
export {
  exportPatientChains,
  verifyPatientChains,
  encodeBundle,
  decodeBundle,
  T_BUNDLE,
  MAX_ANCHOR_WALK,
  type PatientChainName,
  type EntryLocation,
  type BundleEntry,
  type PatientChainBundle,
  type PatientChainSource,
  type BundleVerdict
} from './patient';
export {
  ContractRegistry,
  sharingContract,
  defaultContracts,
  type Contract,
  type ContractEvent,
  type ContractOutcome,
  type SharingInput,
  type SharingBackend,
  type SharingEnv
} from './contracts';
export { hex, unhex, equalBytes, ZERO_HASH } from './bytes';
