import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import { filesContaining, storeContractSuite } from '@igniter/core/testing';
import { ENGINE, usePostgresStores } from '../support/stores.js';

const pg = usePostgresStores();

// The store's data is its schema's rows; a backup is a file-backend log under the test's dir.
storeContractSuite(`PostgreSQL store (${ENGINE} engine)`, {
  durable: true,
  open: () => pg.writer(),
  holding: async (dir, marker) => {
    const sql = await pg.sql();
    const { rows } = await sql.query<{ seq: string }>(
      `SELECT seq::text FROM "${pg.schema()}".igniter_facts WHERE value::text LIKE $1 ORDER BY seq`,
      [`%${marker}%`],
    );
    return [...rows.map((row) => `igniter_facts seq ${row.seq}`), ...filesContaining(dir, marker)].sort();
  },
  backupPath: (dir) => join(dir, 'backup', 'app.log'),
  openBackup: (path) => openFileStore(path, { engine: ENGINE }),
});
