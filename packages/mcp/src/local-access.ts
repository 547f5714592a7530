import type {
  ClientQueryInput,
  DispatchRequest,
  DispatchResponse,
  KeysPage,
  QueryPage,
  ReplayPage,
} from '@igniter/client';
import { type Fact, IgniterError, type IgniterStore } from '@igniter/core';
import { dispatch, Interpreter } from '@igniter/protocol';
import type { StoreAccess } from './store-access.js';

/** Page sizes of `query`, `keys` and `replay`, as the server's routes have them (SERVER.md). */
const PAGE = { query: 100, keys: 100, replay: 1000, max: 10_000 } as const;

function pageLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > PAGE.max) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', `limit must be an integer from 1 to ${PAGE.max}`, {
      details: { field: 'limit' },
    });
  }
  return limit;
}

/**
 * A store opened in this process behind the {@link StoreAccess} calls, answering as an Igniter
 * server would: pages of at most `limit` with a `next` cursor, and writes that resolve once
 * durable (`flush()`). Errors are the store's own `IgniterError`s. Cost: the store's calls.
 */
export function localAccess(store: IgniterStore): StoreAccess {
  const interpreter = new Interpreter(store);
  return {
    read: async (input) => store.read(input),
    readFact: async (input) => store.readFact(input),
    history: async (input) => store.history(input),
    lineage: async (input) => store.lineage(input),
    stores: async () => store.stores(),
    async query(input: ClientQueryInput): Promise<QueryPage> {
      const limit = pageLimit(input.limit, PAGE.query);
      const facts = store.query({ ...input, limit: limit + 1 });
      const page = facts.slice(0, limit);
      return { facts: page, next: facts.length > limit ? (page.at(-1)?.key ?? null) : null };
    },
    async keys(input): Promise<KeysPage> {
      const limit = pageLimit(input.limit, PAGE.keys);
      const keys = store.keys({ ...input, limit: limit + 1 });
      const page = keys.slice(0, limit);
      return { keys: page, next: keys.length > limit ? (page.at(-1) ?? null) : null };
    },
    async replay(input = {}): Promise<ReplayPage> {
      const limit = pageLimit(input.limit, PAGE.replay);
      const page = interpreter.replay({ after: input.after ?? 0, limit });
      const facts = page.facts
        .map((packet) => store.factById(packet.id))
        .filter((fact): fact is Fact => !!fact);
      return { facts, next_cursor: page.next_cursor, has_more: page.has_more };
    },
    async write(input) {
      const fact = store.write(input);
      await store.flush();
      return fact;
    },
    async append(input) {
      const fact = store.append(input);
      await store.flush();
      return fact;
    },
    async dispatch(envelope: DispatchRequest): Promise<DispatchResponse> {
      const response = (await dispatch(interpreter, envelope)) as DispatchResponse;
      await store.flush();
      return response;
    },
  };
}
