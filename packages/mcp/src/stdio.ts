import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpServer } from './mcp-server.js';
import { type OpenAccessOptions, openAccess } from './open-access.js';

/** Options of {@link serveMcpOverStdio}. */
export interface StdioOptions extends OpenAccessOptions {
  /** Offer `write` and `append` (default false). */
  allowWrites?: boolean;
  /** Reported in the MCP handshake. */
  version?: string;
}

/** A running stdio MCP server. */
export interface StdioSession {
  /** Resolves once the client went away (stdin ended) or `close()` ran, and the store is closed. */
  closed: Promise<void>;
  /** Stops serving and closes the store. */
  close(): Promise<void>;
}

/**
 * Serves `target` (a store path or a server URL, see `openAccess`) as an MCP server on this
 * process's stdin and stdout, until stdin ends. Stdout carries protocol messages only: this
 * sends `console.log`/`info`/`debug` output of the process to stderr from here on (a stray line
 * on stdout would break the client's framing). Throws what opening the target throws, before
 * anything is written to stdout.
 */
export async function serveMcpOverStdio(target: string, options: StdioOptions = {}): Promise<StdioSession> {
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const opened = await openAccess(target, options);
  const server = createMcpServer({
    access: opened.access,
    allowWrites: options.allowWrites ?? false,
    ...(options.version === undefined ? {} : { version: options.version }),
  });
  let settle: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    settle = resolve;
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      try {
        await server.close().catch(() => undefined);
        await opened.close();
      } finally {
        settle();
      }
    })();
    return closing;
  };
  process.stdin.once('end', () => {
    close().catch((error: unknown) => console.error('igniter mcp: closing the store failed:', error));
  });
  await server.connect(new StdioServerTransport());
  return { closed, close };
}
