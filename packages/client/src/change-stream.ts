import type { ChangeEvent } from '@igniter/core';
import { IgniterError } from '@igniter/core/errors';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { type Backoff, pause, reconnectDelay } from './backoff.js';
import { authHeaders, type Connection, errorOf, request, urlOf } from './http.js';

/** Options of `client.subscribe`. */
export interface SubscribeOptions {
  /**
   * Deliver every event with seq > `after` first (a cursor; 0 = from the beginning). Without it,
   * the subscription starts at the server's last seq when `subscribe()` is called.
   */
  after?: number;
  /** Only these stores' events. */
  stores?: string[];
  /** Waits between reconnects (default 250 ms doubling to 30 s, with jitter). */
  backoff?: Partial<Backoff>;
  /**
   * A connection silent this long is taken for dead and replaced (default 45_000 ms; the server
   * sends a comment at least every 15 s).
   */
  idleTimeoutMs?: number;
}

/** Codes after which reconnecting can help: the server away, draining, busy or failing. */
const TRANSIENT = new Set(['ERR_NETWORK', 'ERR_TIMEOUT', 'ERR_CLOSED', 'ERR_RATE_LIMITED', 'ERR_INTERNAL']);

function isTransient(error: unknown): boolean {
  // Anything but an IgniterError here is the platform failing to read the stream: a cut connection.
  return !(error instanceof IgniterError) || TRANSIENT.has(error.code);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The change event an SSE message carries; throws `ERR_INTERNAL` for one that is not. */
function changeEventOf(message: EventSourceMessage): ChangeEvent {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    data = undefined;
  }
  if (isRecord(data) && data.kind === 'lagged') {
    if (typeof data.missedFrom === 'number' && typeof data.missedTo === 'number') return data as ChangeEvent;
  } else if (isRecord(data) && typeof data.kind === 'string' && typeof data.seq === 'number') {
    return data as ChangeEvent;
  }
  throw new IgniterError(
    'ERR_INTERNAL',
    `the server sent a "${message.event}" event that is not a change event`,
  );
}

/**
 * A changefeed subscription over SSE that outlives its connections: when one drops (the network,
 * a server restart, a silent peer) it reconnects with backoff and jitter and resumes with
 * `Last-Event-ID` = the seq of the last event it delivered, and it drops any event at or below
 * that seq, so no event is skipped or repeated. A `lagged` marker (events the server no longer
 * has) is passed through and moves the cursor past the missed range. Errors that reconnecting
 * cannot cure (`ERR_UNAUTHORIZED`, `ERR_FORBIDDEN`, `ERR_INVALID_ARGUMENT` for a cursor past the
 * server's last seq, `ERR_NOT_FOUND` for a server without a changefeed) end the iteration by
 * throwing. One iteration per subscription; the connection opens when iteration starts and
 * reads only as fast as the consumer pulls (the server turns a slow reader into `lagged`).
 */
export class ChangeStream implements AsyncIterable<ChangeEvent> {
  readonly #connection: Connection;
  readonly #stores: string[] | undefined;
  readonly #backoff: Backoff;
  readonly #idleTimeoutMs: number;
  /** Aborted by `close()`: ends the current connection, a pending request and a backoff wait. */
  readonly #closing = new AbortController();
  #cursor: number | undefined;
  #start: Promise<number> | undefined;
  #iterator: AsyncGenerator<ChangeEvent> | undefined;

  /** Use `client.subscribe()`; the options are checked there. */
  constructor(connection: Connection, options: SubscribeOptions, backoff: Backoff, idleTimeoutMs: number) {
    this.#connection = connection;
    this.#stores = options.stores;
    this.#backoff = backoff;
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#cursor = options.after;
    if (this.#cursor === undefined) {
      // Pin the start now, so events committed before iteration begins are not lost.
      this.#start = this.#lastSeq();
      this.#start.catch(() => undefined);
    }
  }

  /** The seq the subscription resumes after: the last event delivered (or the start cursor). */
  get cursor(): number | undefined {
    return this.#cursor;
  }

  /** Ends the subscription: the connection closes and a waiting `next()` resolves done. Idempotent. */
  close(): void {
    this.#closing.abort();
    // An iterator paused at an event has its connection released now, not at its next pull.
    void this.#iterator?.return(undefined);
  }

  /** The events, in seq order, until `close()` or an error reconnecting cannot cure. */
  [Symbol.asyncIterator](): AsyncIterator<ChangeEvent> {
    this.#iterator ??= this.#run();
    return this.#iterator;
  }

  async #lastSeq(): Promise<number> {
    const health = await request(this.#connection, {
      method: 'GET',
      path: 'v1/health',
      signal: this.#closing.signal,
    });
    const lastSeq = isRecord(health) ? health.last_seq : undefined;
    if (typeof lastSeq !== 'number')
      throw new IgniterError('ERR_INTERNAL', 'the server health has no last_seq');
    return lastSeq;
  }

  async *#run(): AsyncGenerator<ChangeEvent> {
    const closing = this.#closing.signal;
    let attempt = 0;
    while (!closing.aborted) {
      try {
        if (this.#cursor === undefined) {
          this.#cursor = await (this.#start ?? this.#lastSeq());
        }
        yield* this.#connect(() => {
          attempt = 0;
        });
      } catch (error) {
        if (closing.aborted) return;
        this.#start = undefined;
        if (!isTransient(error)) throw error;
      }
      if (closing.aborted) return;
      await pause(reconnectDelay(this.#backoff, attempt++), closing);
    }
  }

  /** The URL of the stream (the cursor travels as `Last-Event-ID`). */
  #url(): string {
    return urlOf(this.#connection, 'v1/events', { stores: this.#stores?.join(',') });
  }

  /**
   * One SSE connection: opens it (`onOpen` once the server accepted it), then yields its events
   * past the cursor, moving the cursor, until the server ends it, it stays silent for
   * `idleTimeoutMs`, or the subscription closes. Throws what the server refused with.
   */
  async *#connect(onOpen: () => void): AsyncGenerator<ChangeEvent> {
    const connection = this.#connection;
    const aborter = new AbortController();
    let idle: ReturnType<typeof setTimeout> | undefined;
    // Also clears the silence timer, which would otherwise keep a closed subscription's process alive.
    const abort = (): void => {
      clearTimeout(idle);
      aborter.abort();
    };
    this.#closing.signal.addEventListener('abort', abort);
    const watch = (ms: number): void => {
      clearTimeout(idle);
      idle = setTimeout(abort, ms);
    };
    try {
      watch(connection.timeoutMs);
      let response: Response;
      try {
        response = await connection.fetch(this.#url(), {
          method: 'GET',
          headers: {
            accept: 'text/event-stream',
            'last-event-id': String(this.#cursor),
            ...authHeaders(connection),
          },
          signal: aborter.signal,
        });
      } catch (error) {
        throw new IgniterError('ERR_NETWORK', `GET ${this.#url()} failed: the server could not be reached`, {
          cause: error,
        });
      }
      if (response.status !== 200 || response.body === null) {
        throw errorOf(response.status, await response.text(), this.#url());
      }
      onOpen();
      const queue: EventSourceMessage[] = [];
      const parser = createParser({ onEvent: (message) => queue.push(message) });
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      try {
        for (;;) {
          watch(this.#idleTimeoutMs);
          const { done, value } = await reader.read();
          if (done) return;
          parser.feed(decoder.decode(value, { stream: true }));
          for (const message of queue.splice(0)) {
            // The server ends a stream it cannot keep (a subscriber overflow) with an error event.
            if (message.event === 'error') return;
            const event = this.#accept(changeEventOf(message));
            if (event) yield event;
          }
        }
      } finally {
        await reader.cancel().catch(() => undefined);
      }
    } finally {
      clearTimeout(idle);
      this.#closing.signal.removeEventListener('abort', abort);
      aborter.abort();
    }
  }

  /** The event to deliver, moving the cursor; undefined for one at or below the cursor (a repeat). */
  #accept(event: ChangeEvent): ChangeEvent | undefined {
    const cursor = this.#cursor ?? 0;
    const last = event.kind === 'lagged' ? event.missedTo : event.seq;
    if (last <= cursor) return undefined;
    this.#cursor = last;
    return event;
  }
}
