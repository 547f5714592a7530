import { useEffect, useState } from 'preact/hooks';
import { isoTime, short } from '../format.js';
import { followTail, type TailEvent, type TailState } from '../live-tail.js';
import { href, type Route } from '../route.js';

type TailRoute = Extract<Route, { view: 'tail' }>;

/** Events kept on screen; older ones scroll away. */
const KEEP = 200;

function Row(props: { event: TailEvent }) {
  const { event } = props;
  if (event.kind === 'lagged') {
    return (
      <tr class="lagged">
        <td colSpan={5}>
          Missed seq {event.missedFrom} to {event.missedTo} (the server dropped them for this stream)
        </td>
      </tr>
    );
  }
  return (
    <tr data-seq={event.seq}>
      <td>{event.seq}</td>
      <td>{event.kind}</td>
      <td>
        <a href={href.key(event.store, event.key)}>
          {event.store} / {event.key}
        </a>
      </td>
      <td>{isoTime(event.transactionTime)}</td>
      <td>
        <a href={href.fact(event.factId)} title={event.factId}>
          {short(event.factId, 13)}
        </a>
      </td>
    </tr>
  );
}

/** New facts as they are committed (SSE), newest first; resumes after a reconnect. */
export function TailView(props: { route: TailRoute }) {
  const { stores, after } = props.route;
  const [events, setEvents] = useState<TailEvent[]>([]);
  // The state names the subscription it belongs to: after the route changes, the previous
  // subscription's "live" must not show until the new one has connected.
  const [reported, setState] = useState<{ state: TailState; detail?: string; of?: string }>({
    state: 'connecting',
  });
  const [typed, setTyped] = useState(stores.join(','));
  const storesKey = stores.join(',');
  const subscription = `${storesKey}@${after ?? 'now'}`;
  useEffect(() => {
    setEvents([]);
    return followTail(
      { after, stores },
      (event) => setEvents((shown) => [event, ...shown].slice(0, KEEP)),
      (next, detail) => setState({ state: next, detail, of: subscription }),
    );
  }, [subscription]);
  const state = reported.of === subscription ? reported : { state: 'connecting' as const, detail: undefined };
  return (
    <section>
      <h1>Live tail</h1>
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          location.hash = href.tail(
            typed
              .split(',')
              .map((name) => name.trim())
              .filter(Boolean),
            after,
          );
        }}
      >
        <label>
          Stores (comma-separated, empty = all){' '}
          <input
            type="text"
            name="stores"
            value={typed}
            onInput={(event) => setTyped(event.currentTarget.value)}
          />
        </label>
        <button type="submit">Follow</button>
      </form>
      <p class={`tail-state ${state.state}`} data-stores={storesKey} aria-live="polite">
        {state.state === 'live'
          ? 'Live: new facts appear at the top.'
          : state.state === 'connecting'
            ? 'Connecting…'
            : `Reconnecting (${state.detail ?? 'disconnected'})…`}
      </p>
      <div class="scroll">
        <table class="tail">
          <thead>
            <tr>
              <th scope="col">Seq</th>
              <th scope="col">Kind</th>
              <th scope="col">Store / key</th>
              <th scope="col">Transaction time</th>
              <th scope="col">Fact</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <Row key={event.kind === 'lagged' ? `lag${event.missedFrom}` : event.seq} event={event} />
            ))}
          </tbody>
        </table>
      </div>
      {events.length === 0 ? <p class="muted">No new facts yet.</p> : null}
    </section>
  );
}
