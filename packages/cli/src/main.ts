import { parseArgs } from 'node:util';
import { type CliIo, EXIT, ReportedFailure, UsageError } from './cli-io.js';
import type { Command, Flags } from './command.js';
import { COMMANDS } from './commands/index.js';

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    'igniter: an Igniter store from the shell',
    '',
    'usage: igniter <command> [options]     igniter <command> --help',
    '',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Exit codes: 0 ok, 1 failure reported, 2 bad usage.',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return `usage: ${command.usage}\n\n${command.help}\n`;
}

function explain(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_LOCKED') {
    return `ERR_LOCKED: ${message}\n(another process has this store open; if \`igniter serve\` runs on it, use its URL)`;
  }
  return typeof code === 'string' && code.startsWith('ERR_') ? `${code}: ${message}` : message;
}

/** Parses `argv` for `command`; throws `UsageError` for unknown options and wrong arity. */
function parse(command: Command, argv: string[]): { positionals: string[]; flags: Flags; help: boolean } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const flags = parsed.values as Flags;
  const help = flags.help === true;
  const { min, max } = command.positionals;
  if (!help && (parsed.positionals.length < min || parsed.positionals.length > max)) {
    throw new UsageError(
      `expected ${min === max ? min : `${min} to ${max}`} argument(s), got ${parsed.positionals.length}`,
    );
  }
  return { positionals: parsed.positionals, flags, help };
}

/**
 * Runs one `igniter` command line (without `node` and the script) and resolves with its exit
 * code: 0 ok, 1 a failure reported on stderr, 2 bad usage (message and usage on stderr).
 * Never throws.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(`${overview()}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`igniter: unknown command "${name}"\n\n${overview()}\n`);
    return EXIT.usage;
  }
  try {
    const { positionals, flags, help } = parse(command, rest);
    if (help) {
      io.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    return await command.run(positionals, flags, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`igniter ${command.name}: ${error.message}\nusage: ${command.usage}\n`);
      return EXIT.usage;
    }
    io.stderr.write(
      `igniter ${command.name}: ${error instanceof ReportedFailure ? error.message : explain(error)}\n`,
    );
    return EXIT.failure;
  }
}
