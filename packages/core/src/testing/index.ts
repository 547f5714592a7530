/**
 * Test helpers for Igniter backends (`@igniter/core/testing`): the backend contract suite that
 * every durable backend runs. Needs vitest (an optional peer dependency).
 */
export { backendContractSuite, type MakeBackend } from './backend-contract.js';
export { CONTRACT_T0, contractFact, variedFacts } from './facts.js';
