import { useEffect, useState } from 'preact/hooks';
import { api, seg } from '../api.js';
import { href, type Route } from '../route.js';
import { useLoad } from '../use-load.js';
import { Status } from './status.js';

type KeysRoute = Extract<Route, { view: 'keys' }>;

/** Keys shown on one page. */
export const KEYS_PAGE = 50;

/** The keys of a store: search by prefix, one page at a time (`next` pages on). */
export function KeysView(props: { route: KeysRoute }) {
  const { store, prefix, after } = props.route;
  const [typed, setTyped] = useState(prefix);
  useEffect(() => setTyped(prefix), [prefix]);
  const loaded = useLoad(() => {
    const query = new URLSearchParams({ limit: String(KEYS_PAGE) });
    if (prefix) query.set('prefix', prefix);
    if (after !== null) query.set('after', after);
    return api<{ keys: string[]; next: string | null }>(`/stores/${seg(store)}/keys?${query}`);
  }, [store, prefix, after]);
  return (
    <section>
      <p class="crumbs">
        <a href={href.stores()}>Stores</a> / {store}
      </p>
      <h1>
        Keys of <code>{store}</code>
      </h1>
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          location.hash = href.keys(store, typed);
        }}
      >
        <label>
          Key prefix{' '}
          <input
            type="search"
            name="prefix"
            value={typed}
            onInput={(event) => setTyped(event.currentTarget.value)}
          />
        </label>
        <button type="submit">Search</button>
      </form>
      <Status loaded={loaded}>
        {(page) => (
          <>
            {page.keys.length === 0 ? (
              <p class="muted">No keys{prefix ? ` starting with "${prefix}"` : ''}.</p>
            ) : (
              <ul class="keys">
                {page.keys.map((key) => (
                  <li key={key}>
                    <a href={href.key(store, key)}>{key}</a>
                  </li>
                ))}
              </ul>
            )}
            <nav class="row" aria-label="Pages">
              {after !== null ? <a href={href.keys(store, prefix)}>First page</a> : null}
              {page.next !== null ? <a href={href.keys(store, prefix, page.next)}>Next page</a> : null}
            </nav>
          </>
        )}
      </Status>
    </section>
  );
}
