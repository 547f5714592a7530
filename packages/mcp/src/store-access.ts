import type { IgniterClient } from '@igniter/client';

/**
 * What the MCP tools need from a store: the calls of `@igniter/client`'s `IgniterClient` that
 * they use. A client is one as it is; `localAccess` gives a store opened in this process the
 * same shape (same inputs, same answers, same errors).
 */
export type StoreAccess = Pick<
  IgniterClient,
  | 'read'
  | 'readFact'
  | 'history'
  | 'query'
  | 'lineage'
  | 'replay'
  | 'stores'
  | 'keys'
  | 'write'
  | 'append'
  | 'dispatch'
>;
