/**
 * DPoS consensus for the MedChain ledger (SPEC §6): validator selection,
 * producer schedule, finality votes and certificates, credit points,
 * equivocation evidence, the node driver, and the ledger under consensus
 * (ledger.ts). Blocks, votes, certificates and evidence are the ledger's
 * types (../types.ts). See docs/consensus.md.
 */
export * from './types';
export * from './encoding';
export * from './dpos';
export * from './signature';
export * from './bus';
export * from './clock';
export * from './store';
export { BlockTree, emptyExecutor, evidenceKey, evidenceOf, offender, type Entry, type Executor, type Membership, type CreditCache, type Finalised, type TreeOptions } from './tree';
export { consensusConfigFromGenesis, consensusHooks, LedgerExecutor, LedgerSink, Mempool, finalState, type LedgerExecutorOptions, type LedgerStoreLike, type LedgerFinalHandler } from './ledger';
export { ConsensusNode, type Behaviour, type ConsensusNodeOptions, type NodeKeys, type NodeStats } from './node';
