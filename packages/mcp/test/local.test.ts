import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import { localAccess } from '../src/local-access.js';
import { toolSuite } from './support/tool-suite.js';

toolSuite('a store opened in this process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'igniter-mcp-local-'));
  const store = openFileStore(join(dir, 'store.log'));
  return {
    access: localAccess(store),
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
