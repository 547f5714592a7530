/**
 * Test helpers for Igniter backends (`@igniter/core/testing`): the backend and store contract
 * suites that every backend runs, a temp directory per test, tools to inspect and damage a
 * store's data files, and a harness for crash tests (child scripts, a seeded PRNG, the loop that
 * kills a writer at random moments), an installed-application folder, and
 * helpers that capture what a call throws. Needs vitest (an optional peer dependency).
 */
export { backendContractSuite, type MakeBackend } from './backend-contract.js';
export {
  packageScripts,
  type ScriptChild,
  seededRandom,
  spawnNodeScript,
  waitForLine,
} from './crash-harness.js';
export {
  filesContaining,
  filesUnder,
  frameOffsets,
  patchFile,
  rewriteInFrame,
  treeDigest,
} from './data-files.js';
export { CONTRACT_T0, contractFact, variedFacts } from './facts.js';
export { type InstalledApp, installedApp } from './installed-app.js';
export {
  crashRounds,
  crashSeed,
  type KillTiming,
  killAtRandom,
  killBatchWriter,
  type RoundCount,
} from './kill-loop.js';
export { readmeExample, runReadmeExample } from './readme-example.js';
export { backupWhileWriting, type StoreHarness, storeContractSuite } from './store-contract.js';
export { type Closable, useTempDir } from './temp-dir.js';
export { codeOf, thrown } from './thrown.js';
export { expectWholeBatches } from './whole-batches.js';
