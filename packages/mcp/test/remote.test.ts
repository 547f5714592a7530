import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@igniter/client';
import { createServer } from '@igniter/server';
import { toolSuite } from './support/tool-suite.js';

toolSuite('an Igniter server through @igniter/client', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'igniter-mcp-remote-'));
  const server = createServer({ path: join(dir, 'store.log'), port: 0 });
  const { url } = await server.listen();
  return {
    access: createClient({ url }),
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
