import { ApiError, api, seg } from '../api.js';
import { isoTime, pretty, short } from '../format.js';
import { href, type Route } from '../route.js';
import type { Fact } from '../types.js';
import { useLoad } from '../use-load.js';
import { DiffView } from './diff-view.js';
import { Status } from './status.js';
import { TimeTravel } from './time-travel.js';
import { Timeline } from './timeline.js';

type KeyRoute = Extract<Route, { view: 'key' }>;

interface KeyData {
  facts: Fact[];
  /** The fact read at the route's moments; null when the key had no value then. */
  shown: Fact | null;
}

async function loadKey(route: KeyRoute): Promise<KeyData> {
  const base = `/stores/${seg(route.store)}/keys/${seg(route.key)}`;
  const query = new URLSearchParams();
  if (route.asOf !== null) query.set('asOf', String(route.asOf));
  if (route.validAt !== null) query.set('validAt', String(route.validAt));
  const [history, shown] = await Promise.all([
    api<{ facts: Fact[] }>(`${base}/history`),
    api<{ fact: Fact }>(`${base}${query.size > 0 ? `?${query}` : ''}`).then(
      (answer) => answer.fact,
      (error: unknown) => {
        if (error instanceof ApiError && error.code === 'ERR_NOT_FOUND') return null;
        throw error;
      },
    ),
  ]);
  return { facts: history.facts, shown };
}

function unique(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** A key: its value at a moment (asOf, validAt), every version on a timeline, and a diff of two versions. */
export function KeyView(props: { route: KeyRoute }) {
  const { route } = props;
  const { store, key, asOf, validAt, diff } = route;
  const loaded = useLoad(() => loadKey(route), [store, key, asOf, validAt]);
  const go = (change: Partial<Pick<KeyRoute, 'asOf' | 'validAt' | 'diff'>>) => {
    location.hash = href.key(store, key, { asOf, validAt, diff, ...change });
  };
  return (
    <section>
      <p class="crumbs">
        <a href={href.stores()}>Stores</a> / <a href={href.keys(store)}>{store}</a> / {key}
      </p>
      <h1>
        <code>{store}</code> / <code>{key}</code>
      </h1>
      <p>
        <a href={href.lineage(store, key)}>Lineage</a>
      </p>
      <Status loaded={loaded}>
        {({ facts, shown }) => {
          if (facts.length === 0) return <p class="muted">This key has no facts.</p>;
          const txMoments = unique(facts.map((fact) => fact.transactionTime));
          const validMoments = unique(facts.map((fact) => fact.validTime ?? fact.transactionTime));
          const last = facts[facts.length - 1] as Fact;
          const first = facts.length > 1 ? (facts[facts.length - 2] as Fact) : last;
          const pair: [number, number] = diff ?? [first.seq, last.seq];
          return (
            <>
              <div class="travel">
                <TimeTravel
                  name="asOf"
                  label="As of (transaction time)"
                  moments={txMoments}
                  value={asOf}
                  onChange={(value) => go({ asOf: value })}
                />
                <TimeTravel
                  name="validAt"
                  label="Valid at (valid time)"
                  moments={validMoments}
                  value={validAt}
                  onChange={(value) => go({ validAt: value })}
                />
              </div>
              <section aria-labelledby="value-title" class="value">
                <h2 id="value-title">Value{asOf !== null || validAt !== null ? ' at this moment' : ''}</h2>
                {shown ? (
                  <>
                    <pre class="json" data-seq={shown.seq}>
                      {pretty(shown.value)}
                    </pre>
                    <p class="muted">
                      seq {shown.seq}, written {isoTime(shown.transactionTime)}
                      {shown.validTime !== null ? `, valid from ${isoTime(shown.validTime)}` : ''}, fact{' '}
                      <a href={href.fact(shown.id)} title={shown.id}>
                        {short(shown.id, 13)}
                      </a>
                    </p>
                  </>
                ) : (
                  <p class="muted no-value">The key had no value at this moment.</p>
                )}
              </section>
              <Timeline facts={facts} shownSeq={shown?.seq ?? null} store={store} keyName={key} />
              {facts.length > 1 ? (
                <DiffView facts={facts} pair={pair} onChange={(next) => go({ diff: next })} />
              ) : null}
            </>
          );
        }}
      </Status>
    </section>
  );
}
