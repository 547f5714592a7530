import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { IgniterError } from '../errors.js';

/** What a backend keeps at its path: one file (the file backend's log) or a directory (segments). */
export type DataPathKind = 'file' | 'directory';

/** The path itself or its nearest ancestor that exists, with what it is; undefined at the root. */
function nearestExisting(path: string): { path: string; isDirectory: boolean } | undefined {
  let current = path;
  for (;;) {
    let stats: fs.Stats | undefined;
    try {
      stats = fs.statSync(current, { throwIfNoEntry: false });
    } catch (error) {
      // ENOTDIR: an ancestor is a file; the walk up finds it.
      if ((error as { code?: unknown }).code !== 'ENOTDIR') throw error;
    }
    if (stats) return { path: current, isDirectory: stats.isDirectory() };
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * Checks, before a backend creates anything, that `path` (absolute) can hold its data: a log
 * file must not be a directory, a segmented store's directory must not be a file, and the
 * nearest existing ancestor must be a directory. Throws `ERR_INVALID_ARGUMENT` naming the path
 * (`details.path`) instead of the raw `EISDIR`, `ENOTDIR` or `EEXIST` a later file operation
 * would raise after other files were already created. Cost: a few `stat` calls.
 */
export function checkDataPath(path: string, kind: DataPathKind): void {
  const found = nearestExisting(path);
  // An ancestor must be a directory; the path itself must be what the backend keeps there.
  const wantDirectory = found?.path !== path || kind === 'directory';
  if (!found || found.isDirectory === wantDirectory) return;
  let message: string;
  if (found.path !== path) message = `cannot create ${path}: ${found.path} is a file, not a directory`;
  else if (kind === 'file')
    message = `${path} is a directory; give the path of the log file in it, such as ${path}/app.log`;
  else message = `${path} is a file; a segmented store needs a directory`;
  throw new IgniterError('ERR_INVALID_ARGUMENT', message, { details: { path: found.path } });
}
