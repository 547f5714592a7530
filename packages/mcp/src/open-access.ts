import { openFileStore } from '@igniter/backend-file';
import { SegmentedFileBackend } from '@igniter/backend-segmented';
import { createClient } from '@igniter/client';
import { type IgniterStore, IgniterStore as Store } from '@igniter/core';
import { localAccess } from './local-access.js';
import type { StoreAccess } from './store-access.js';

/** Options of {@link openAccess}. */
export interface OpenAccessOptions {
  /** With a path: a segmented store (a directory) instead of a file-backend log. */
  segmented?: boolean;
  /** With a URL: the bearer token. */
  token?: string;
}

/** The store behind an MCP server, and how to let it go. */
export interface OpenedAccess {
  access: StoreAccess;
  /** 'local' for a path opened in this process, 'remote' for a server URL. */
  kind: 'local' | 'remote';
  /** Closes the store (local) or does nothing (remote). */
  close(): Promise<void>;
}

/** True when `target` names an Igniter server rather than a path. */
export function isServerUrl(target: string): boolean {
  return /^https?:\/\//i.test(target);
}

function openStore(path: string, segmented: boolean): IgniterStore {
  if (!segmented) return openFileStore(path);
  const backend = new SegmentedFileBackend(path);
  try {
    return new Store({ backend });
  } catch (error) {
    void backend.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Opens what `igniter mcp <path|url>` serves: an `http(s)://` URL becomes an `@igniter/client`
 * client (checked with one health call, so an unreachable server fails here with
 * `ERR_NETWORK`); anything else is the path of a store opened in this process (which holds its
 * writer lock: `ERR_LOCKED` while `igniter serve` has it open; serve it and pass the URL then).
 * Throws what opening throws. Cost: one health call, or replaying the store.
 */
export async function openAccess(target: string, options: OpenAccessOptions = {}): Promise<OpenedAccess> {
  if (isServerUrl(target)) {
    const client = createClient(
      options.token === undefined ? { url: target } : { url: target, token: options.token },
    );
    await client.health();
    return { access: client, kind: 'remote', close: async () => undefined };
  }
  const store = openStore(target, options.segmented ?? false);
  return { access: localAccess(store), kind: 'local', close: () => store.close() };
}
