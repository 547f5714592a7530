import type { ServerResponse } from 'node:http';
import type { ChangeEvent, Changefeed, ChangeSubscription } from '@igniter/core';
import type { Principal } from '../auth/tokens.js';
import { HttpError } from '../http-error.js';
import { sseComment, sseEvent } from './sse-frame.js';

/** Limits of the changefeed streams (from the server's `limits`). */
export interface StreamLimits {
  sseClients: number;
  sseHeartbeatMs: number;
  sseStallMs: number;
}

/** What one SSE client asked for. */
export interface StreamRequest {
  /** Resume after this seq (from `after` or `Last-Event-ID`); live only when undefined. */
  after: number | undefined;
  /** Only these stores (the changefeed filters); undefined = every store the token may read. */
  stores: string[] | undefined;
}

interface OpenStream {
  subscription: ChangeSubscription;
  response: ServerResponse;
  ended: Promise<void>;
}

/** Resolves true once `response` drained, false after `ms` without draining or when it closed. */
function drained(response: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (value: boolean): void => {
      clearTimeout(timer);
      response.off('drain', onDrain);
      response.off('close', onClose);
      resolve(value);
    };
    const onDrain = (): void => done(true);
    const onClose = (): void => done(false);
    const timer = setTimeout(() => done(false), ms);
    response.on('drain', onDrain);
    response.on('close', onClose);
  });
}

/**
 * The open SSE changefeed streams of a server. Each stream is one changefeed subscription
 * pumped into one HTTP response, with backpressure: while the client's socket is full the pump
 * stops reading, so events pile up only in the subscription's bounded queue, whose overflow
 * becomes a `lagged` event (or closes the stream, per the changefeed's `overflow`); a client
 * that stays full for `sseStallMs` is disconnected. Memory per client is therefore bounded by
 * the changefeed's `queueLimit` plus one socket buffer.
 */
export class ChangefeedStreams {
  readonly #limits: StreamLimits;
  readonly #open = new Set<OpenStream>();

  constructor(limits: StreamLimits) {
    this.#limits = limits;
  }

  /** Streams open now. */
  get size(): number {
    return this.#open.size;
  }

  /**
   * Throws `ERR_RATE_LIMITED` when `sseClients` streams are open. Called before the response
   * is taken over, so the refusal is an ordinary error response.
   */
  checkCapacity(): void {
    if (this.#open.size >= this.#limits.sseClients) {
      throw new HttpError(
        'ERR_RATE_LIMITED',
        `the server has its maximum of ${this.#limits.sseClients} SSE clients`,
        {
          headers: { 'retry-after': '1' },
        },
      );
    }
  }

  /**
   * Starts streaming `changefeed` events to `response` (already taken over from the framework):
   * headers, a comment, then one SSE event per change event the principal may read, with
   * heartbeats. Throws what `changefeed.subscribe` throws (before anything is written).
   */
  start(
    changefeed: Pick<Changefeed, 'subscribe'>,
    response: ServerResponse,
    principal: Principal,
    request: StreamRequest,
  ): void {
    const subscription = changefeed.subscribe({
      ...(request.after === undefined ? {} : { after: request.after }),
      ...(request.stores === undefined ? {} : { stores: request.stores }),
    });
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write(`retry: 1000\n${sseComment('igniter changefeed')}`);
    const stream: OpenStream = { subscription, response, ended: Promise.resolve() };
    this.#open.add(stream);
    response.on('close', () => subscription.close());
    stream.ended = this.#pump(stream, principal).finally(() => {
      this.#open.delete(stream);
      if (!response.writableEnded) response.end();
    });
  }

  /** Ends every stream (the server is closing) and waits until their pumps stopped. */
  async closeAll(): Promise<void> {
    const streams = [...this.#open];
    for (const stream of streams) {
      stream.subscription.close();
      // The connection goes too: a keep-alive socket left idle would hold the server's close.
      stream.response.end(() => stream.response.destroy());
    }
    await Promise.all(streams.map((stream) => stream.ended));
  }

  async #pump(stream: OpenStream, principal: Principal): Promise<void> {
    const { subscription, response } = stream;
    const { sseHeartbeatMs, sseStallMs } = this.#limits;
    let lastWrite = Date.now();
    const heartbeat = setInterval(
      () => {
        // A full socket already proves the stream is alive; skip the comment then.
        if (Date.now() - lastWrite < sseHeartbeatMs / 2 || response.writableNeedDrain) return;
        response.write(sseComment('heartbeat'));
        lastWrite = Date.now();
      },
      Math.max(5, Math.floor(sseHeartbeatMs / 2)),
    );
    heartbeat.unref();
    try {
      for await (const event of subscription) {
        if (!visible(event, principal)) continue;
        lastWrite = Date.now();
        if (response.write(sseEvent(event))) continue;
        if (!(await drained(response, sseStallMs))) {
          response.destroy();
          break;
        }
      }
    } catch (error) {
      // ERR_SUBSCRIBER_OVERFLOW under overflow 'close': tell the client, then end the stream.
      const code = (error as { code?: unknown }).code;
      if (!response.destroyed) {
        response.write(
          `event: error\ndata: ${JSON.stringify({ error_code: typeof code === 'string' ? code : 'ERR_INTERNAL' })}\n\n`,
        );
      }
    } finally {
      clearInterval(heartbeat);
      subscription.close();
    }
  }
}

/** Lagged markers always pass (they carry no data); a fact event only for a readable store. */
function visible(event: ChangeEvent, principal: Principal): boolean {
  return event.kind === 'lagged' || principal.may('read', event.store);
}
