import { api, seg } from '../api.js';
import { isoTime, pretty } from '../format.js';
import { href } from '../route.js';
import type { Fact } from '../types.js';
import { useLoad } from '../use-load.js';
import { Status } from './status.js';

/** The id of the fact a derived fact was computed from, if its derivation names one. */
function sourceFactId(fact: Fact): string | null {
  const id = fact.derivation?.sourceFactId;
  return typeof id === 'string' ? id : null;
}

/** One fact by id: every field, with links to what caused it, what it was derived from and its key. */
export function FactView(props: { id: string }) {
  const loaded = useLoad(() => api<{ fact: Fact }>(`/facts/${seg(props.id)}`), [props.id]);
  return (
    <section>
      <h1>Fact</h1>
      <Status loaded={loaded}>
        {({ fact }) => {
          const source = sourceFactId(fact);
          return (
            <>
              <dl class="fields">
                <dt>Id</dt>
                <dd>
                  <code>{fact.id}</code>
                </dd>
                <dt>Store / key</dt>
                <dd>
                  <a href={href.key(fact.store, fact.key, { asOf: fact.transactionTime })}>
                    {fact.store} / {fact.key}
                  </a>{' '}
                  (<a href={href.lineage(fact.store, fact.key)}>lineage</a>)
                </dd>
                <dt>Seq</dt>
                <dd>{fact.seq}</dd>
                <dt>Transaction time</dt>
                <dd>{isoTime(fact.transactionTime)}</dd>
                <dt>Valid time</dt>
                <dd>{fact.validTime === null ? '-' : isoTime(fact.validTime)}</dd>
                <dt>Caused by</dt>
                <dd class="causation">
                  {fact.causation ? <a href={href.fact(fact.causation)}>{fact.causation}</a> : '-'}
                </dd>
                <dt>Derived from</dt>
                <dd class="derivation">
                  {source ? <a href={href.fact(source)}>{source}</a> : '-'}
                  {fact.derivation ? <pre class="json">{pretty(fact.derivation)}</pre> : null}
                </dd>
                <dt>Producer</dt>
                <dd>{fact.producer ? <pre class="json">{pretty(fact.producer)}</pre> : '-'}</dd>
                <dt>Schema version</dt>
                <dd>{fact.schemaVersion}</dd>
                <dt>Value hash</dt>
                <dd>
                  <code class="hash">{fact.valueHash}</code>
                </dd>
                <dt>Idempotency key</dt>
                <dd>{fact.idempotencyKey ?? '-'}</dd>
              </dl>
              <h2>Value</h2>
              <pre class="json">{pretty(fact.value)}</pre>
            </>
          );
        }}
      </Status>
    </section>
  );
}
