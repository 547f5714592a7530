import { existsSync, statSync } from 'node:fs';
import { followFileStore } from '@igniter/backend-file';
import { followPostgresStore, openPostgresStore } from '@igniter/backend-postgres';
import { Changefeed, type IgniterStore } from '@igniter/core';
import { ReportedFailure, UsageError } from './cli-io.js';

/** What `igniter serve` was asked to serve. */
export interface ServeTarget {
  /** A file-store log or a segmented store's directory (not with `postgres`). */
  path?: string;
  /** Create a segmented store at `path`. */
  segmented: boolean;
  /** A PostgreSQL connection string (not with `path`). */
  postgres?: string;
  /** The PostgreSQL schema holding the store (default `igniter`). */
  schema?: string;
  /** Serve a read-only follower instead of the writer. */
  follow: boolean;
}

/**
 * Checks the combination of where and how to serve; throws `UsageError` (exit 2) for one that
 * cannot work: neither or both of a path and `--postgres`, `--segmented` or `--schema` where
 * they mean nothing, `--follow` of a segmented store.
 */
export function checkServeTarget(target: ServeTarget): void {
  if ((target.path === undefined) === (target.postgres === undefined)) {
    throw new UsageError(
      target.path === undefined
        ? 'give a store <path> or --postgres <url>'
        : 'give a store <path> or --postgres <url>, not both',
    );
  }
  if (target.postgres !== undefined && target.segmented) {
    throw new UsageError('--segmented is for a <path>; a PostgreSQL store has no segments');
  }
  if (target.schema !== undefined && target.postgres === undefined) {
    throw new UsageError('--schema needs --postgres <url>');
  }
  if (target.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(target.schema)) {
    throw new UsageError(
      `--schema must be a PostgreSQL identifier (letters, digits, _), got ${target.schema}`,
    );
  }
  if (target.follow && target.segmented) {
    throw new UsageError(
      '--follow follows a file-store log or PostgreSQL; a segmented store cannot be followed',
    );
  }
}

/**
 * A connection string as it may be printed: the password replaced by `****` (the URL form), or
 * only `PostgreSQL` when it is not a URL.
 */
export function redactedUrl(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password !== '') url.password = '****';
    return url.toString();
  } catch {
    return 'PostgreSQL';
  }
}

/**
 * Opens the store to serve, with a changefeed (the SSE route) whose per-client queue holds
 * `queueLimit` events: the PostgreSQL writer or follower, or a follower of a file-store log that
 * another process writes. A writer of a path is left to `createServer({ path })`, which returns
 * `undefined` here. Rejects with what the openers throw (`ERR_LOCKED` for a second PostgreSQL
 * writer, `ERR_CLOSED` when the database cannot be reached) and `ReportedFailure` for a path
 * with nothing to follow.
 */
export async function openServeStore(
  target: ServeTarget,
  queueLimit: number,
): Promise<IgniterStore | undefined> {
  const changefeed = new Changefeed({ queueLimit });
  if (target.postgres !== undefined) {
    const options = {
      connectionString: target.postgres,
      ...(target.schema === undefined ? {} : { schema: target.schema }),
      changefeed,
    };
    return target.follow ? followPostgresStore(options) : openPostgresStore(options);
  }
  if (!target.follow) return undefined;
  const path = target.path as string;
  if (!existsSync(path)) throw new ReportedFailure(`no store at ${path} to follow`);
  if (statSync(path).isDirectory()) {
    throw new ReportedFailure(`${path} is a segmented store; --follow follows a file-store log`);
  }
  return followFileStore(path, { changefeed });
}
