import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type OpenMetricsContentType,
  type PrometheusContentType,
  Registry,
} from 'prom-client';
import { RequestSeries } from './request-series.js';

/** What the metrics read from the served store when scraped. */
export interface MetricsSource {
  factCount(): number;
  lastSeq(): number;
  sseClients(): number;
  /** A follower's lag in ms (see `FollowerLag`); null on a writer. */
  followerLagMs(): number | null;
}

/** Bucket bounds of `igniter_http_request_duration_seconds`, in seconds. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** One rendering of the metrics: its content type and text. */
export interface MetricsText {
  contentType: string;
  text: string;
}

/**
 * The server's metrics, on prom-client: `igniter_facts`, `igniter_last_seq`,
 * `igniter_writes_total`, `igniter_flushes_total`, `igniter_flush_requests`, `igniter_flush_duration_seconds`, `igniter_http_requests_total{route,code}`,
 * `igniter_http_request_duration_seconds{route}`, `igniter_sse_subscribers`, `igniter_follower_lag_seconds` (a follower's) and the process
 * defaults. Each metric is registered in two registries, one per exposition format, so that
 * one scrape's format never depends on another's.
 */
export class ServerMetrics {
  readonly #prometheus = new Registry<PrometheusContentType>();
  readonly #openMetrics = new Registry<OpenMetricsContentType>();
  readonly #writes: Counter;
  readonly #flushes: Counter;
  readonly #flushWrites: Histogram;
  readonly #flushSeconds: Histogram;
  /** Answered requests by route and code, and their durations: counted here, read when scraped. */
  readonly #answered = new RequestSeries(DURATION_BUCKETS);

  constructor(source: MetricsSource) {
    this.#openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const registers = [this.#prometheus, this.#openMetrics];
    new Gauge({
      name: 'igniter_facts',
      help: 'Live facts in the store, internal stores included.',
      registers,
      collect() {
        this.set(source.factCount());
      },
    });
    new Gauge({
      name: 'igniter_last_seq',
      help: 'Highest seq committed to the store.',
      registers,
      collect() {
        this.set(source.lastSeq());
      },
    });
    new Gauge({
      name: 'igniter_sse_subscribers',
      help: 'Open SSE changefeed streams.',
      registers,
      collect() {
        this.set(source.sseClients());
      },
    });
    new Gauge({
      name: 'igniter_follower_lag_seconds',
      help: 'On a follower: time from the writer writing the last fact applied to this process applying it (absent on a writer).',
      registers,
      collect() {
        const lag = source.followerLagMs();
        if (lag === null) this.reset();
        else this.set(lag / 1000);
      },
    });
    this.#writes = new Counter({
      name: 'igniter_writes_total',
      help: 'Facts written and appended through the server (REST and dispatch).',
      registers,
    });
    this.#flushes = new Counter({
      name: 'igniter_flushes_total',
      help: 'Store flushes run by group commit; one serves every write request waiting at the time.',
      registers,
    });
    this.#flushWrites = new Histogram({
      name: 'igniter_flush_requests',
      help: 'Write requests answered by one group-commit flush.',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.#flushSeconds = new Histogram({
      name: 'igniter_flush_duration_seconds',
      help: 'Duration of one group-commit flush (the fsync that write requests wait for).',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    const answered = this.#answered;
    new Counter({
      name: 'igniter_http_requests_total',
      help: 'HTTP requests answered, by route pattern and status code.',
      labelNames: ['route', 'code'],
      registers,
      collect() {
        this.reset();
        for (const { route, code, count } of answered.codes()) this.inc({ route, code: String(code) }, count);
      },
    });
    const duration = answered.histogram(
      'igniter_http_request_duration_seconds',
      'HTTP request duration by route pattern (SSE streams excluded).',
    );
    for (const registry of registers) registry.registerMetric(duration as never);
    collectDefaultMetrics({ register: this.#prometheus, prefix: 'igniter_process_' });
    collectDefaultMetrics({ register: this.#openMetrics, prefix: 'igniter_process_' });
  }

  /** Counts `n` facts written through the server. Cost: O(1). */
  wrote(n = 1): void {
    this.#writes.inc(n);
  }

  /** Records one group-commit flush that served `requests` write requests in `seconds`. Cost: O(1). */
  flushed(requests: number, seconds: number): void {
    this.#flushes.inc();
    this.#flushWrites.observe(requests);
    this.#flushSeconds.observe(seconds);
  }

  /** Records one answered request (`seconds` undefined: not timed). Cost: O(1) per label set. */
  answered(route: string, code: number, seconds: number | undefined): void {
    this.#answered.answered(route, code, seconds);
  }

  /**
   * The metrics as text: OpenMetrics when `accept` names `application/openmetrics-text`,
   * Prometheus text otherwise. Cost: one pass over every metric.
   */
  async render(accept: string | undefined): Promise<MetricsText> {
    const registry = accept?.includes('application/openmetrics-text') ? this.#openMetrics : this.#prometheus;
    return { contentType: registry.contentType, text: await registry.metrics() };
  }
}
