import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { StoreAccess } from './store-access.js';
import { TOOLS, type ToolSpec } from './tools.js';

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  /** The store the tools use: `localAccess(store)` or an `@igniter/client` client. */
  access: StoreAccess;
  /** List and run `write` and `append` too (default false: read-only). */
  allowWrites?: boolean;
  /** The server's name and version in the MCP handshake (default `igniter` and this package's version). */
  name?: string;
  version?: string;
}

/** A tool's failure as MCP wants it: a result with `isError`, its text the error as JSON with the code. */
function failure(code: string, message: string, details?: unknown): CallToolResult {
  const body =
    details === undefined
      ? { error_code: code, error: message }
      : { error_code: code, error: message, details };
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(body) }] };
}

/** What a thrown error tells an agent: an Igniter error's code, message and details; `ERR_INTERNAL` otherwise. */
function failureOf(error: unknown): CallToolResult {
  const coded = error as { name?: unknown; code?: unknown; message?: unknown; details?: unknown };
  if (error instanceof Error && coded.name === 'IgniterError' && typeof coded.code === 'string') {
    return failure(coded.code, error.message, coded.details);
  }
  return failure('ERR_INTERNAL', 'the tool failed unexpectedly');
}

function listing(spec: ToolSpec): Tool {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(spec.input) as Record<string, unknown>;
  return {
    name: spec.name,
    description: spec.description,
    inputSchema: schema as Tool['inputSchema'],
    annotations: spec.writes
      ? { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false }
      : { readOnlyHint: true, openWorldHint: false },
  };
}

/**
 * An MCP server (the official SDK's `Server`) whose tools are SERVER.md's: `read`, `read_fact`,
 * `history`, `query`, `lineage`, `fact_ref`, `replay`, `stores`, `keys`, `storage_stats`, and
 * with `allowWrites` also `write` and `append`. Arguments are snake_case and checked against
 * each tool's input schema (unknown arguments refused). A failing tool answers `isError: true`
 * with `{ error_code, error, details? }` as its text, never a JSON-RPC error: bad arguments are
 * `ERR_INVALID_ARGUMENT`, a write tool on a read-only server `ERR_READ_ONLY`. Connect it to a
 * transport (`StdioServerTransport`) with `server.connect(transport)`. Throws nothing.
 */
export function createMcpServer(options: McpServerOptions): Server {
  const allowWrites = options.allowWrites ?? false;
  const listed = TOOLS.filter((spec) => allowWrites || !spec.writes);
  const server = new Server(
    { name: options.name ?? 'igniter', version: options.version ?? '0.0.0' },
    {
      capabilities: { tools: {} },
      instructions:
        'Igniter is an append-only, bitemporal fact store: every write adds a fact, nothing is overwritten. ' +
        'Use stores and keys to look around, read or query for current values, history and as_of/valid_at for the past, ' +
        'lineage and fact_ref for provenance.' +
        (allowWrites ? ' write and append add facts.' : ' This server is read-only.'),
    },
  );
  const tools = listed.map(listing);
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const spec = TOOLS.find((candidate) => candidate.name === request.params.name);
    if (!spec)
      throw new McpError(ErrorCode.InvalidParams, `unknown tool ${JSON.stringify(request.params.name)}`);
    if (spec.writes && !allowWrites) {
      return failure('ERR_READ_ONLY', `${spec.name} needs a server started with --allow-writes`);
    }
    const parsed = spec.input.safeParse(request.params.arguments ?? {});
    if (!parsed.success) return failure('ERR_INVALID_ARGUMENT', z.prettifyError(parsed.error));
    try {
      const result = await spec.run(options.access, parsed.data);
      return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
    } catch (error) {
      return failureOf(error);
    }
  });
  return server;
}
