import { openFileStore } from '@igniter/backend-file';
import { SegmentedFileBackend } from '@igniter/backend-segmented';
import { Changefeed, IgniterStore } from '@igniter/core';

/** What `health.backend` reports. */
export type BackendName = 'memory' | 'file' | 'segmented' | 'postgres';

/** The store a server serves, and whether the server opened it (and so closes it). */
export interface ServedStore {
  store: IgniterStore;
  backend: BackendName;
  /** True when the server opened the store: `server.close()` closes it. */
  owned: boolean;
  /** The data path, when the server opened it (error messages are scrubbed of it). */
  path?: string;
}

/** Options of {@link openServedStore}. */
export interface OpenStoreOptions {
  /** A segmented store (a directory) instead of a file-backend log. */
  segmented?: boolean;
  /** Events an SSE client may have queued before it is told it lagged (the changefeed's `queueLimit`). */
  queueLimit?: number;
}

/**
 * The group-commit window of a store the server opens, in ms. The server makes every write
 * durable itself (one `flush()` per group of requests) before answering it, so the backend's own
 * window only bounds writes nobody waits for. With the default 5 ms, a flush that outlasts the
 * window (an fsync under load) made the next write fsync synchronously, blocking the event loop.
 */
const SERVED_GROUP_COMMIT_MS = 200;

/**
 * Opens the store at `path` with a changefeed attached, as `createServer({ path })` does: a
 * file-backend log (`openFileStore`, group durability: the server flushes before answering a
 * write), or a segmented store. Throws what those throw (`ERR_LOCKED` when another process has
 * it open, `ERR_CORRUPT_LOG`, ...). Cost: replaying the store.
 */
export function openServedStore(path: string, options: OpenStoreOptions = {}): ServedStore {
  const changefeed = new Changefeed(
    options.queueLimit === undefined ? {} : { queueLimit: options.queueLimit },
  );
  if (options.segmented) {
    const backend = new SegmentedFileBackend(path, { groupCommitMs: SERVED_GROUP_COMMIT_MS });
    try {
      return { store: new IgniterStore({ backend, changefeed }), backend: 'segmented', owned: true, path };
    } catch (error) {
      void backend.close().catch(() => undefined);
      throw error;
    }
  }
  return {
    store: openFileStore(path, { changefeed, groupCommitMs: SERVED_GROUP_COMMIT_MS }),
    backend: 'file',
    owned: true,
    path,
  };
}

/** The backend name of a store someone else opened, from its storage stats. */
export function backendNameOf(store: IgniterStore): BackendName {
  const name = store.storageStats()?.backend as string | undefined;
  if (name === 'file' || name === 'segmented' || name === 'postgres') return name;
  return 'memory';
}
