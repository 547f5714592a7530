import { useEffect, useState } from 'preact/hooks';
import { needsToken, onAuthChange } from '../api.js';
import { href, parseRoute, type Route } from '../route.js';
import { FactView } from './fact.js';
import { KeyView } from './key.js';
import { KeysView } from './keys.js';
import { LineageView } from './lineage.js';
import { StatsView } from './stats.js';
import { StoresView } from './stores.js';
import { TailView } from './tail.js';
import { TokenPrompt } from './token-prompt.js';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

function useNeedsToken(): boolean {
  const [needed, setNeeded] = useState(needsToken());
  useEffect(() => onAuthChange(() => setNeeded(needsToken())), []);
  return needed;
}

function View(props: { route: Route }) {
  const { route } = props;
  switch (route.view) {
    case 'stores':
      return <StoresView />;
    case 'keys':
      return <KeysView route={route} />;
    case 'key':
      return <KeyView route={route} />;
    case 'lineage':
      return <LineageView route={route} />;
    case 'fact':
      return <FactView id={route.id} />;
    case 'tail':
      return <TailView route={route} />;
    case 'stats':
      return <StatsView />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>. <a href={href.stores()}>See the stores</a>.
          </p>
        </section>
      );
  }
}

function FactJump() {
  const [id, setId] = useState('');
  return (
    <form
      class="fact-jump"
      onSubmit={(event) => {
        event.preventDefault();
        if (id.trim()) location.hash = href.fact(id.trim());
      }}
    >
      <label>
        <span class="visually-hidden">Fact id</span>
        <input
          type="search"
          placeholder="Open a fact by id"
          value={id}
          onInput={(event) => setId(event.currentTarget.value)}
        />
      </label>
      <button type="submit">Open</button>
    </form>
  );
}

/** The inspector: a header with the main views, the token prompt when needed, and the view of the URL. */
export function App() {
  const route = useRoute();
  const tokenNeeded = useNeedsToken();
  return (
    <>
      <header>
        <strong class="brand">Igniter inspector</strong>
        <nav aria-label="Views">
          <a href={href.stores()} aria-current={route.view === 'stores' ? 'page' : undefined}>
            Stores
          </a>
          <a href={href.tail()} aria-current={route.view === 'tail' ? 'page' : undefined}>
            Live tail
          </a>
          <a href={href.stats()} aria-current={route.view === 'stats' ? 'page' : undefined}>
            Storage
          </a>
        </nav>
        <FactJump />
      </header>
      <main id="main">{tokenNeeded ? <TokenPrompt /> : <View route={route} />}</main>
    </>
  );
}
