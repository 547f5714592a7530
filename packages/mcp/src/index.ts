export { localAccess } from './local-access.js';
export { createMcpServer, type McpServerOptions } from './mcp-server.js';
export { type StdioOptions, type StdioSession, serveMcpOverStdio } from './stdio.js';
export type { StoreAccess } from './store-access.js';
export { TOOLS, type ToolSpec } from './tools.js';
