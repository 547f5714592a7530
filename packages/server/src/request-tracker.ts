import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerMetrics } from './metrics.js';

/** The request property marking a request whose response became an SSE stream (a request decoration). */
const STREAM = 'igniterStream';

type Marked = FastifyRequest & { [STREAM]: boolean };

/**
 * Follows every request from its first hook to the close of its response, with one listener per
 * request: counts the requests in flight (the server's close waits for them) and records each
 * answered one in the metrics (route pattern, status, duration). An `onResponse` hook would do
 * the latter at about three times the cost per request (Fastify then times every response and
 * adds and removes two listeners of its own). A response that never finished (the client left)
 * is not counted; an SSE stream is counted once when it starts ({@link streamStarted}), without
 * a duration.
 */
export class RequestTracker {
  readonly #metrics: ServerMetrics;
  #inFlight = 0;
  #onIdle: (() => void) | undefined;

  constructor(app: FastifyInstance, metrics: ServerMetrics) {
    this.#metrics = metrics;
    app.decorateRequest(STREAM, false);
  }

  /** Requests whose response has not closed yet. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Starts following `request`: call once, from the first request hook. Cost: one closure, one listener. */
  track(request: FastifyRequest, reply: FastifyReply): void {
    this.#inFlight += 1;
    const started = performance.now();
    reply.raw.on('close', () => this.#closed(request, reply, started));
  }

  /** Counts `request` as answered 200 now: its response is an SSE stream from here on. */
  streamStarted(request: FastifyRequest): void {
    (request as Marked)[STREAM] = true;
    this.#metrics.answered(request.routeOptions.url ?? 'unmatched', 200, undefined);
  }

  /** Resolves once no request is in flight. */
  idle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onIdle = resolve;
    });
  }

  #closed(request: FastifyRequest, reply: FastifyReply, started: number): void {
    this.#inFlight -= 1;
    const raw = reply.raw;
    if (raw.writableFinished && !(request as Marked)[STREAM]) {
      this.#metrics.answered(
        request.routeOptions.url ?? 'unmatched',
        raw.statusCode,
        (performance.now() - started) / 1000,
      );
    }
    if (this.#inFlight === 0) this.#onIdle?.();
  }
}
