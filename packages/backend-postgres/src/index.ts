/**
 * `@igniter/backend-postgres`: Igniter's fact log in PostgreSQL. One writer per schema, fenced
 * by an advisory lock on its commit connection; group commit; a streaming open; read-only
 * followers woken by LISTEN/NOTIFY that can be promoted to writer.
 */
export type { PostgresDurability } from './group-commit.js';
export { LAYOUT_VERSION } from './layout.js';
export { followPostgresStore, openPostgresStore, type PostgresStoreOptions } from './open-store.js';
export type { PostgresBackendOptions } from './options.js';
export { PostgresBackend } from './postgres-backend.js';
