import type { Fact, JsonObject } from '@igniter/core';

/** What `GET /v1/health` answers (SERVER.md), as the server sends it. */
export interface ServerHealth {
  status: 'ready' | 'draining';
  protocol: 'igniter_store';
  schema_version: 1;
  backend: 'memory' | 'file' | 'segmented' | 'postgres';
  engine: 'native' | 'ts';
  role: 'writer' | 'follower';
  /** On a follower: ms from the writer writing the last fact applied to the follower applying it; null on a writer. */
  lag_ms: number | null;
  fact_count: number;
  last_seq: number;
  subscribers: number;
}

/** One page of `client.keys`: `next` is the `after` of the next page, null on the last. */
export interface KeysPage {
  keys: string[];
  next: string | null;
}

/** One page of `client.query`: `next` is the `after` of the next page, null on the last. */
export interface QueryPage {
  facts: Fact[];
  next: string | null;
}

/** One page of `client.replay` (as `GET /v1/replay` answers it): pass `next_cursor` as `after`. */
export interface ReplayPage {
  facts: Fact[];
  next_cursor: number;
  has_more: boolean;
}

/** What `client.checkpoint` answers. */
export interface CheckpointResult {
  checkpointed: true;
  lastSeq: number;
  factCount: number;
}

/** What `client.promote` answers: the store's role afterwards and its last seq. */
export interface PromoteResult {
  role: 'writer' | 'follower';
  lastSeq: number;
}

/** A protocol request envelope (API.md "Protocol"; `@igniter/protocol`'s `Request`). */
export interface DispatchRequest {
  protocol: 'igniter_store';
  schema_version: 1;
  request_id?: string | number | null;
  op: string;
  packet?: JsonObject | null;
}

/** A protocol response envelope (`@igniter/protocol`'s `Response`): errors are answers, not throws. */
export type DispatchResponse =
  | {
      protocol: 'igniter_store';
      schema_version: 1;
      request_id: string | number | null;
      status: 'ok';
      result: unknown;
    }
  | {
      protocol: 'igniter_store';
      schema_version: 1;
      request_id: string | number | null;
      status: 'error';
      error: string;
      error_code: string;
      error_details?: JsonObject;
    };
