/** The deterministic DPoS simulator (see simulator.ts and docs/consensus.md). */
export { runSimulation, type SimOptions, type SimSummary, type SigMode, type ByzantineKind } from './simulator';
export { SimNetwork, type NetworkOptions } from './network';
export { Rng } from './rng';
