import { checkInput, IgniterStore, type StoreOptions } from '@igniter/core';
import { STORE_OPTION_FIELDS } from '@igniter/core/storage';
import { FileBackend } from './file-backend.js';
import { FILE_BACKEND_FIELDS, FILE_BACKEND_OPTION_KEYS, type FileBackendOptions } from './options.js';

/** Options of {@link openFileStore}: store options and file backend options together. */
export type FileStoreOptions = Omit<StoreOptions, 'backend'> & FileBackendOptions;

/** Every option of {@link openFileStore}: the store's (but `backend`) and the file backend's. */
export const FILE_STORE_FIELDS: ReadonlySet<string> = new Set(
  [...STORE_OPTION_FIELDS, ...FILE_BACKEND_FIELDS].filter((field) => field !== 'backend'),
);

/**
 * Opens the file store at `path` (the log file; created when missing) and replays it before
 * returning. Throws what `new FileBackend` and `new IgniterStore` throw (`ERR_LOCKED`,
 * `ERR_CORRUPT_LOG`, `ERR_UNSUPPORTED_FORMAT`, `ERR_INVALID_ARGUMENT`, ...); the log is left
 * unlocked when it throws. Cost: one read of the snapshot and the log, and loading every fact.
 *
 * @example
 * const store = openFileStore('./data/app.log', { durability: 'fsync' });
 * store.write({ store: 'tasks', key: 't1', value: { done: false } });
 * await store.close();
 */
export function openFileStore(path: string, options: FileStoreOptions = {}): IgniterStore {
  // Checked before the backend touches any file.
  checkInput(options, 'openFileStore options', FILE_STORE_FIELDS);
  const { store, backend: backendOptions } = splitStoreOptions(options, FILE_BACKEND_OPTION_KEYS);
  const backend = new FileBackend(path, backendOptions as FileBackendOptions);
  try {
    return new IgniterStore({ ...store, backend });
  } catch (error) {
    backend.closeSync();
    throw error;
  }
}

/**
 * Splits store-and-backend options: the keys in `backendKeys` go to the backend, the rest to the
 * store, and the store's `engine` to both (the backend prepares its replay for that engine).
 */
export function splitStoreOptions(
  options: object,
  backendKeys: readonly string[],
): { store: StoreOptions; backend: Record<string, unknown> } {
  const store: Record<string, unknown> = { ...options };
  const backend: Record<string, unknown> = {};
  for (const key of backendKeys) {
    if (key in store) {
      backend[key] = store[key];
      delete store[key];
    }
  }
  if (store.engine !== undefined) backend.engine = store.engine;
  return { store: store as StoreOptions, backend };
}
