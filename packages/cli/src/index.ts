/**
 * `@igniter/cli`: the `igniter` command. `main(argv, io)` runs one command line; the command
 * table and the store-opening function are where new commands and stores plug in.
 */
export { type CliIo, EXIT, processIo, ReportedFailure, UsageError } from './cli-io.js';
export type { Command, Flags } from './command.js';
export { COMMANDS } from './commands/index.js';
export { main } from './main.js';
export { type OpenedStore, openStore, type StoreLocation } from './open-store.js';
