/**
 * DPoS consensus for the MedChain ledger (SPEC §6): validator selection,
 * producer schedule, finality votes and certificates, credit points,
 * equivocation evidence, and the node driver. See docs/consensus.md.
 */
export * from './types';
export * from './encoding';
export * from './dpos';
export * from './signature';
export * from './bus';
export * from './clock';
export * from './store';
export { BlockTree, emptyExecutor, evidenceKey, offender, type Entry, type Executor, type CreditCache, type Finalised, type TreeOptions } from './tree';
export { ConsensusNode, type Behaviour, type ConsensusNodeOptions, type NodeKeys, type NodeStats } from './node';
