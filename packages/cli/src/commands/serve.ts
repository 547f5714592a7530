import { createServer, type IgniterServer, readTokensFile, type TokenSpec } from '@igniter/server';
import { type CliIo, EXIT, UsageError } from '../cli-io.js';
import { type Command, text } from '../command.js';
import { checkServeTarget, openServeStore, redactedUrl, type ServeTarget } from '../serve-store.js';

function portOf(value: string | undefined): number {
  if (value === undefined) return 7300;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65_535))
    throw new UsageError(`--port must be a port number (0-65535), got ${value}`);
  return port;
}

/** Events an SSE client may have queued unread before it is told it lagged (the server's default). */
const QUEUE_EVENTS = 1000;

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** `igniter serve`: the store over HTTP until Ctrl-C, which drains and exits 0. */
export const serve: Command = {
  name: 'serve',
  summary: 'serve a store over HTTP (REST, protocol dispatch, SSE changefeed, metrics)',
  usage:
    'igniter serve <path> | --postgres <url> [--schema igniter] [--follow] [--port 7300] [--host 127.0.0.1] [--segmented] [--tokens <file.json>] [--log-level info]',
  help: [
    'Opens the store at <path> (a file-store log, created when missing; a directory is a segmented',
    'store), or the store kept in PostgreSQL at --postgres <url>, and serves it until Ctrl-C, which',
    'stops accepting, ends SSE streams, answers requests in flight, flushes and closes. Prints the',
    'URL. Request logs are JSON lines (pino) on stderr.',
    '',
    'With --follow it serves a read-only follower instead of the writer: of a file-store log that',
    'another process (an `igniter serve <path>`) writes on this machine, or of the PostgreSQL store.',
    'Reads, the SSE changefeed and verify work; writes answer 503 ERR_READ_ONLY; GET /v1/health says',
    'role "follower" and lag_ms.',
    '',
    '  --postgres <url>    a PostgreSQL connection string (postgresql://user@host:5432/db) instead of <path>',
    '  --schema <name>     the PostgreSQL schema holding the store (default igniter)',
    '  --follow            serve a read-only follower of <path> or of --postgres',
    '  --port <n>          port (default 7300; 0 = any free port)',
    '  --host <host>       interface (default 127.0.0.1; anything else needs --tokens)',
    '  --segmented         create a segmented store (a directory) at <path>',
    '  --tokens <file>     JSON array of { name, token | tokenSha256, read?, write?, admin? }',
    '  --log-level <lvl>   fatal, error, warn, info (default), debug, trace or silent',
  ].join('\n'),
  options: {
    postgres: { type: 'string' },
    schema: { type: 'string' },
    follow: { type: 'boolean' },
    port: { type: 'string' },
    host: { type: 'string' },
    segmented: { type: 'boolean' },
    tokens: { type: 'string' },
    'log-level': { type: 'string' },
  },
  positionals: { min: 0, max: 1 },
  async run([path], flags, io: CliIo) {
    const target: ServeTarget = {
      segmented: flags.segmented === true,
      follow: flags.follow === true,
      ...(path === undefined ? {} : { path }),
      ...(text(flags, 'postgres') === undefined ? {} : { postgres: text(flags, 'postgres') }),
      ...(text(flags, 'schema') === undefined ? {} : { schema: text(flags, 'schema') }),
    };
    checkServeTarget(target);
    const level = text(flags, 'log-level') ?? 'info';
    if (!LEVELS.has(level)) throw new UsageError(`--log-level must be one of ${[...LEVELS].join(', ')}`);
    const host = text(flags, 'host') ?? '127.0.0.1';
    const port = portOf(text(flags, 'port'));
    const tokensFile = text(flags, 'tokens');
    const tokens: TokenSpec[] | undefined = tokensFile === undefined ? undefined : readTokensFile(tokensFile);
    const given = await openServeStore(target, QUEUE_EVENTS);
    let server: IgniterServer;
    try {
      server = createServer({
        ...(given ? { store: given } : { path: path as string, segmented: target.segmented }),
        host,
        port,
        ...(tokens ? { tokens } : {}),
        log: { level: level as 'info', stream: io.stderr },
      });
    } catch (error) {
      await given?.close();
      throw error;
    }
    // A store the CLI opened (PostgreSQL, a follower) is closed once the server has drained.
    const stop = async (): Promise<void> => {
      try {
        await server.close();
      } finally {
        await given?.close();
      }
    };
    let url: string;
    try {
      ({ url } = await server.listen());
    } catch (error) {
      await stop();
      throw error;
    }
    // Listen for Ctrl-C before printing the URL: whoever reads it may stop the server at once.
    const interrupted = io.interrupted(() => {
      io.stderr.write('stopping now\n');
      process.exit(130);
    });
    const { store } = server;
    const what = target.postgres === undefined ? path : redactedUrl(target.postgres);
    const serving = store.role === 'follower' ? 'serving a read-only follower of' : 'serving';
    io.stdout.write(
      `igniter ${serving} ${what} (${store.engine} engine, ${store.factCount()} facts) at ${url}\n`,
    );
    io.stdout.write(`  try: curl ${url}/v1/health\n  stop: Ctrl-C\n`);
    await interrupted;
    io.stdout.write('draining...\n');
    await stop();
    io.stdout.write('stopped\n');
    return EXIT.ok;
  },
};
