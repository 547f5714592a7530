import { checkInput, IgniterStore, type StoreOptions } from '@igniter/core';
import { STORE_OPTION_FIELDS } from '@igniter/core/storage';
import { BACKEND_FIELDS, BACKEND_OPTION_KEYS, type PostgresBackendOptions } from './options.js';
import { PostgresBackend } from './postgres-backend.js';

/** Options of {@link openPostgresStore} and {@link followPostgresStore}: the backend's and the store's together. */
export type PostgresStoreOptions = PostgresBackendOptions & Omit<StoreOptions, 'backend'>;

/** Every option of the store openers: the store's (but `backend`) and the backend's. */
const STORE_FIELDS: ReadonlySet<string> = new Set(
  [...STORE_OPTION_FIELDS, ...BACKEND_FIELDS].filter((field) => field !== 'backend'),
);

function split(options: PostgresStoreOptions): { backend: PostgresBackendOptions; store: StoreOptions } {
  // Checked before anything connects.
  checkInput(options, 'PostgreSQL store options', STORE_FIELDS);
  const store: Record<string, unknown> = { ...options };
  const backend: Record<string, unknown> = {};
  for (const key of BACKEND_OPTION_KEYS) {
    if (key in store) backend[key] = store[key];
    delete store[key];
  }
  // The backend prepares its open for the store's engine.
  if (store.engine !== undefined) backend.engine = store.engine;
  return { backend: backend as unknown as PostgresBackendOptions, store: store as StoreOptions };
}

async function storeOver(backend: PostgresBackend, options: StoreOptions): Promise<IgniterStore> {
  try {
    return new IgniterStore({ ...options, backend });
  } catch (error) {
    await backend.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Opens the writer of a store kept in PostgreSQL (`PostgresBackend.connect` plus
 * `new IgniterStore`). Rejects with `ERR_LOCKED` when another writer holds the schema,
 * `ERR_UNSUPPORTED_FORMAT` for a newer table layout, `ERR_INVALID_ARGUMENT` for bad options,
 * `ERR_CLOSED` when the server cannot be reached. Cost: one streaming read of the table.
 *
 * @example
 * const store = await openPostgresStore({ connectionString: process.env.DATABASE_URL });
 * store.write({ store: 'tasks', key: 't1', value: { done: false } });
 * await store.flush();
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<IgniterStore> {
  const { backend, store } = split(options);
  return storeOver(await PostgresBackend.connect(backend), store);
}

/**
 * Opens a read-only follower of a store kept in PostgreSQL: it applies what the writer
 * commits (woken by NOTIFY, catching up by seq), refuses writes with `ERR_READ_ONLY`, and can
 * take over with `store.promote()`. Rejects as {@link openPostgresStore} does, never with
 * `ERR_LOCKED`. Cost: one streaming read of the table.
 */
export async function followPostgresStore(options: PostgresStoreOptions): Promise<IgniterStore> {
  const { backend, store } = split(options);
  return storeOver(await PostgresBackend.follow(backend), store);
}
