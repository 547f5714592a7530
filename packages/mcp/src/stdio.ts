import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpServer } from './mcp-server.js';
import type { StoreAccess } from './store-access.js';

/** Options of {@link serveMcpOverStdio}. */
export interface StdioOptions {
  /** Offer `write` and `append` (default false). */
  allowWrites?: boolean;
  /** Reported in the MCP handshake. */
  version?: string;
}

/** A running stdio MCP server. */
export interface StdioSession {
  /** Resolves once the client went away (stdin ended) or `close()` ran. */
  closed: Promise<void>;
  /** Stops serving. */
  close(): Promise<void>;
}

/**
 * Serves `access` (`localAccess(store)`, or an `@igniter/client` client) as an MCP server on
 * this process's stdin and stdout, until stdin ends. Stdout must carry protocol messages only:
 * from here on this sends the process's `console.log`/`info`/`debug` output to stderr (a stray
 * line on stdout would break the client's framing). The caller closes its store once `closed`
 * resolves. Throws nothing.
 */
export async function serveMcpOverStdio(
  access: StoreAccess,
  options: StdioOptions = {},
): Promise<StdioSession> {
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const server = createMcpServer({
    access,
    allowWrites: options.allowWrites ?? false,
    ...(options.version === undefined ? {} : { version: options.version }),
  });
  let settle: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    settle = resolve;
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= server
      .close()
      .catch(() => undefined)
      .finally(settle);
    return closing;
  };
  process.stdin.once('end', () => void close());
  await server.connect(new StdioServerTransport());
  return { closed, close };
}
