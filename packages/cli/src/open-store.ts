import { existsSync, statSync } from 'node:fs';
import { openFileStore } from '@igniter/backend-file';
import { SegmentedFileBackend } from '@igniter/backend-segmented';
import { Changefeed, IgniterStore } from '@igniter/core';

/** How a command asks for a store. */
export interface StoreLocation {
  /** A file-store log, or a segmented store's directory. */
  path: string;
  /** Create a segmented store (an existing directory is opened as one anyway). */
  segmented?: boolean;
  /** Attach a changefeed (tail). */
  changefeed?: boolean;
  /**
   * A one-shot reading command (verify, backup, export, stats): the open writes no image of
   * what it replayed (the file backend's `openImageFacts: 0`), it only reads the files.
   */
  reading?: boolean;
}

/** An opened store and what it is, for messages and `stats`. */
export interface OpenedStore {
  store: IgniterStore;
  backend: string;
}

/**
 * Opens the store a command names: an existing directory or `segmented` is a segmented store,
 * anything else a file-store log (created when missing). Other stores (PostgreSQL) plug in here.
 * Throws what the backends throw (`ERR_LOCKED` when `igniter serve` has it open, ...).
 */
export function openStore(location: StoreLocation): OpenedStore {
  const changefeed = location.changefeed ? new Changefeed() : undefined;
  const isDirectory = existsSync(location.path) && statSync(location.path).isDirectory();
  if (location.segmented || isDirectory) {
    const backend = new SegmentedFileBackend(location.path);
    try {
      return {
        store: new IgniterStore({ backend, ...(changefeed ? { changefeed } : {}) }),
        backend: 'segmented',
      };
    } catch (error) {
      void backend.close().catch(() => undefined);
      throw error;
    }
  }
  const options = {
    ...(changefeed ? { changefeed } : {}),
    ...(location.reading ? { openImageFacts: 0 } : {}),
  };
  return { store: openFileStore(location.path, options), backend: 'file' };
}

/** True when `path` already holds data (commands that only read refuse to create a store). */
export function storeExists(path: string): boolean {
  return existsSync(path);
}
