import { createClient } from '@igniter/client';
import { localAccess, type StoreAccess, serveMcpOverStdio } from '@igniter/mcp';
import { EXIT } from '../cli-io.js';
import { type Command, text } from '../command.js';
import { openStore } from '../open-store.js';
import { openExisting } from './existing-store.js';

/** `igniter mcp`: the store as an MCP server on stdio, for agents (read-only unless --allow-writes). */
export const mcp: Command = {
  name: 'mcp',
  summary: 'serve a store (path or server URL) to agents over the Model Context Protocol on stdio',
  usage: 'igniter mcp <path|url> [--allow-writes] [--token <token>] [--segmented]',
  help: [
    'Speaks MCP on stdin/stdout (stdout carries protocol messages only; messages go to stderr).',
    'Tools: read, read_fact, history, query, lineage, fact_ref, replay, stores, keys, storage_stats;',
    'with --allow-writes also write and append. Arguments are snake_case; a failing tool answers',
    'isError with its error_code. With a URL (http://...) it uses the server through @igniter/client;',
    "with a path it opens the store in this process (it holds the store's lock: a served store is",
    'reached by its URL). It stops when stdin ends.',
    '',
    '  --allow-writes    add the write and append tools (a path is created when missing)',
    '  --token <token>   bearer token for a server with tokens (default: $IGNITER_TOKEN)',
    '  --segmented       with a path that does not exist yet: create a segmented store',
  ].join('\n'),
  options: { 'allow-writes': { type: 'boolean' }, token: { type: 'string' }, segmented: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run([target], flags, io) {
    const allowWrites = flags['allow-writes'] === true;
    let access: StoreAccess;
    let release = async (): Promise<void> => undefined;
    if (/^https?:\/\//i.test(target as string)) {
      const token = text(flags, 'token') ?? process.env.IGNITER_TOKEN;
      const client = createClient(
        token === undefined ? { url: target as string } : { url: target as string, token },
      );
      // Fails now (ERR_NETWORK) rather than on the agent's first call.
      await client.health();
      access = client;
    } else {
      const path = target as string;
      const { store } = allowWrites
        ? openStore({ path, segmented: flags.segmented === true })
        : openExisting(path);
      access = localAccess(store);
      release = () => store.close();
    }
    const session = await serveMcpOverStdio(access, { allowWrites });
    void io.interrupted(() => process.exit(130)).then(() => session.close());
    try {
      await session.closed;
    } finally {
      await release();
    }
    return EXIT.ok;
  },
};
