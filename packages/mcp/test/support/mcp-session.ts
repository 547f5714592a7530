import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createMcpServer } from '../../src/mcp-server.js';
import type { StoreAccess } from '../../src/store-access.js';

/** What a tool call answered: its parsed JSON text, and whether it is an error. */
export interface ToolAnswer {
  isError: boolean;
  json: Record<string, unknown>;
}

/** An MCP client connected to `createMcpServer({ access })` over the SDK's in-memory transport. */
export interface McpSession {
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<ToolAnswer>;
  close(): Promise<void>;
}

export async function mcpSession(access: StoreAccess, allowWrites: boolean): Promise<McpSession> {
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
  const server = createMcpServer({ access, allowWrites });
  await server.connect(serverSide);
  const client = new Client({ name: 'igniter-mcp-test', version: '1.0.0' });
  await client.connect(clientSide);
  return {
    client,
    async call(name, args = {}) {
      const result = await client.callTool({ name, arguments: args });
      const content = result.content as Array<{ type: string; text: string }>;
      return { isError: result.isError === true, json: JSON.parse(content[0]?.text ?? 'null') };
    },
    async close() {
      await client.close();
      await server.close();
    },
  };
}
