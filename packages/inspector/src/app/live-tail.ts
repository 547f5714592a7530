// A changefeed subscription that survives disconnects: every reconnect resumes after the last
// seq seen, so no event is skipped or shown twice.

import { api, eventsUrl } from './api.js';
import type { ChangeEvent, Health } from './types.js';

export type TailEvent = ChangeEvent | { kind: 'lagged'; missedFrom: number; missedTo: number };
export type TailState = 'connecting' | 'live' | 'reconnecting';

const KINDS = ['write', 'append', 'derived', 'pruned', 'compacted', 'lagged'];
const RETRY_MS = [250, 1000, 2000, 5000];

/**
 * Follows `/v1/events` from `after` (from the server's last seq when null: new facts only).
 * Returns a function that stops it.
 */
export function followTail(
  options: { after: number | null; stores: string[] },
  onEvent: (event: TailEvent) => void,
  onState: (state: TailState, detail?: string) => void,
): () => void {
  let cursor = options.after;
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let stopped = false;

  const schedule = (detail: string) => {
    source?.close();
    source = null;
    onState('reconnecting', detail);
    const wait = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)];
    failures += 1;
    timer = setTimeout(() => void open(), wait);
  };

  const open = async () => {
    if (stopped) return;
    if (cursor === null) {
      try {
        cursor = (await api<Health>('/health')).last_seq;
      } catch (error) {
        return schedule((error as Error).message);
      }
    }
    if (stopped) return;
    // The cursor rides in the URL (EventSource would resend its own Last-Event-ID, but `after` wins).
    const current = new EventSource(eventsUrl({ after: cursor, stores: options.stores }));
    source = current;
    current.onopen = () => {
      failures = 0;
      onState('live');
    };
    const handle = (message: MessageEvent<string>) => {
      const event = JSON.parse(message.data) as TailEvent;
      if (event.kind === 'lagged') {
        cursor = Math.max(cursor ?? 0, event.missedTo);
        onEvent(event);
        return;
      }
      if (cursor !== null && event.seq <= cursor) return;
      cursor = event.seq;
      onEvent(event);
    };
    for (const kind of KINDS) current.addEventListener(kind, handle as EventListener);
    current.onerror = () => {
      if (source === current) schedule('the stream was interrupted');
    };
  };

  onState('connecting');
  void open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    source?.close();
  };
}
