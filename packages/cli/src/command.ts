import type { ParseArgsConfig } from 'node:util';
import type { CliIo } from './cli-io.js';

/** Parsed options of one command: strings and booleans by option name. */
export type Flags = Record<string, string | boolean | undefined>;

/** One `igniter` command. `main` parses its arguments, prints its help, maps its errors. */
export interface Command {
  name: string;
  /** One line for `igniter --help`. */
  summary: string;
  /** The usage line, e.g. `igniter stats <path> [--json]`. */
  usage: string;
  /** What the command does and what each option means. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  /** Runs it; resolves with the exit code. Throws `UsageError` (2) or `ReportedFailure` (1). */
  run(positionals: string[], flags: Flags, io: CliIo): Promise<number>;
}

/** A flag's string value, or undefined. */
export function text(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}
