import { ReportedFailure } from '../cli-io.js';
import { type OpenedStore, openStore, storeExists } from '../open-store.js';

/** Opens a store that must exist already (the reading commands never create one). */
export function openExisting(
  path: string,
  options: { changefeed?: boolean; reading?: boolean } = {},
): OpenedStore {
  if (!storeExists(path)) throw new ReportedFailure(`no store at ${path}`);
  return openStore({ path, ...options });
}
