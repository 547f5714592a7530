/**
 * The request metrics of the server, counted in plain numbers per request and handed to
 * prom-client's registries only when scraped: `igniter_http_requests_total{route,code}` (a
 * prom-client Counter filled from these counts by its `collect`) and
 * `igniter_http_request_duration_seconds{route}` (a histogram in the shape prom-client's own
 * `Histogram` hands its registry, rendered by the registry the same way). A prom-client
 * label child costs about 1 µs per request (a label hash and an object walk per `inc` and
 * `observe`); this is a map lookup and a few additions.
 */

/** One route's counts: answered requests per status code, and the durations of the timed ones. */
interface RouteCounts {
  readonly byCode: Map<number, number>;
  /** Observations per bucket (not cumulative), the last one past every bound. */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/** One sample as prom-client's registry renders it. */
interface Sample {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
}

/** What a registry reads from a metric (prom-client's `MetricObjectWithValues`). */
export interface RenderedMetric {
  name: string;
  help: string;
  type: 'histogram';
  values: Sample[];
  aggregator: 'sum';
}

/** The answered requests of every route, by code, and their durations. */
export class RequestSeries {
  readonly #bounds: readonly number[];
  readonly #routes = new Map<string, RouteCounts>();

  /** `bounds`: the duration histogram's bucket upper bounds in seconds, ascending. */
  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
  }

  /** Counts one answered request (`seconds` undefined: not timed). Cost: O(1) after a route's first. */
  answered(route: string, code: number, seconds: number | undefined): void {
    let counts = this.#routes.get(route);
    if (!counts) {
      counts = { byCode: new Map(), buckets: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 };
      this.#routes.set(route, counts);
    }
    counts.byCode.set(code, (counts.byCode.get(code) ?? 0) + 1);
    if (seconds === undefined) return;
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && seconds > (bounds[i] as number)) i++;
    counts.buckets[i] = (counts.buckets[i] as number) + 1;
    counts.sum += seconds;
    counts.count += 1;
  }

  /** Every (route, code) count so far. */
  *codes(): Generator<{ route: string; code: number; count: number }> {
    for (const [route, counts] of this.#routes) {
      for (const [code, count] of counts.byCode) yield { route, code, count };
    }
  }

  /**
   * A histogram metric for a prom-client registry (`registerMetric`) over the timed requests:
   * per route, cumulative `_bucket{le}` samples, `le="+Inf"`, `_sum` and `_count`, as
   * prom-client's `Histogram` gives them. Routes never timed (SSE streams) have no samples.
   */
  histogram(
    name: string,
    help: string,
  ): RenderedMetric & { getForPromString(): Promise<RenderedMetric>; get(): Promise<RenderedMetric> } {
    const render = (): RenderedMetric => {
      const values: Sample[] = [];
      const bucket = `${name}_bucket`;
      for (const [route, counts] of this.#routes) {
        if (counts.count === 0) continue;
        const shared = { route };
        let cumulative = 0;
        this.#bounds.forEach((le, i) => {
          cumulative += counts.buckets[i] as number;
          values.push({ labels: { le }, sharedLabels: shared, value: cumulative, metricName: bucket });
        });
        values.push({
          labels: { le: '+Inf' },
          sharedLabels: shared,
          value: counts.count,
          metricName: bucket,
        });
        values.push({ labels: {}, sharedLabels: shared, value: counts.sum, metricName: `${name}_sum` });
        values.push({ labels: {}, sharedLabels: shared, value: counts.count, metricName: `${name}_count` });
      }
      return { name, help, type: 'histogram', values, aggregator: 'sum' };
    };
    return {
      name,
      help,
      type: 'histogram',
      values: [],
      aggregator: 'sum',
      // What the registry renders from: route as a shared label, after `le`.
      getForPromString: async () => render(),
      // The JSON form (`getMetricsAsJSON`): every label in `labels`, as prom-client's `get`.
      get: async () => {
        const rendered = render();
        for (const sample of rendered.values) {
          sample.labels = { ...sample.labels, ...sample.sharedLabels };
          sample.sharedLabels = {};
        }
        return rendered;
      },
    };
  }
}
