import { createServer, readTokensFile, type TokenSpec } from '@igniter/server';
import { type CliIo, EXIT, UsageError } from '../cli-io.js';
import { type Command, text } from '../command.js';

function portOf(value: string | undefined): number {
  if (value === undefined) return 7300;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65_535))
    throw new UsageError(`--port must be a port number (0-65535), got ${value}`);
  return port;
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** `igniter serve`: the store over HTTP until Ctrl-C, which drains and exits 0. */
export const serve: Command = {
  name: 'serve',
  summary: 'serve a store over HTTP (REST, protocol dispatch, SSE changefeed, metrics)',
  usage:
    'igniter serve <path> [--port 7300] [--host 127.0.0.1] [--segmented] [--tokens <file.json>] [--log-level info]',
  help: [
    'Opens the store at <path> (a file-store log, created when missing; a directory is a segmented',
    'store) and serves it until Ctrl-C, which stops accepting, ends SSE streams, answers requests in',
    'flight, flushes and closes. Prints the URL. Request logs are JSON lines (pino) on stderr.',
    '',
    '  --port <n>          port (default 7300; 0 = any free port)',
    '  --host <host>       interface (default 127.0.0.1; anything else needs --tokens)',
    '  --segmented         create a segmented store (a directory) at <path>',
    '  --tokens <file>     JSON array of { name, token | tokenSha256, read?, write?, admin? }',
    '  --log-level <lvl>   fatal, error, warn, info (default), debug, trace or silent',
  ].join('\n'),
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    segmented: { type: 'boolean' },
    tokens: { type: 'string' },
    'log-level': { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run([path], flags, io: CliIo) {
    const level = text(flags, 'log-level') ?? 'info';
    if (!LEVELS.has(level)) throw new UsageError(`--log-level must be one of ${[...LEVELS].join(', ')}`);
    const tokensFile = text(flags, 'tokens');
    const tokens: TokenSpec[] | undefined = tokensFile === undefined ? undefined : readTokensFile(tokensFile);
    const server = createServer({
      path: path as string,
      segmented: flags.segmented === true,
      host: text(flags, 'host') ?? '127.0.0.1',
      port: portOf(text(flags, 'port')),
      ...(tokens ? { tokens } : {}),
      log: { level: level as 'info', stream: io.stderr },
    });
    let url: string;
    try {
      ({ url } = await server.listen());
    } catch (error) {
      await server.close();
      throw error;
    }
    const { store } = server;
    io.stdout.write(
      `igniter serving ${path} (${store.engine} engine, ${store.factCount()} facts) at ${url}\n`,
    );
    io.stdout.write(`  try: curl ${url}/v1/health\n  stop: Ctrl-C\n`);
    await io.interrupted(() => {
      io.stderr.write('stopping now\n');
      process.exit(130);
    });
    io.stdout.write('draining...\n');
    await server.close();
    io.stdout.write('stopped\n');
    return EXIT.ok;
  },
};
