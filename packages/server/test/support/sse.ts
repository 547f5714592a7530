import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** An SSE stream read by a test: the events so far, and the comments (heartbeats). */
export interface SseReader {
  status: number;
  events: EventSourceMessage[];
  comments: string[];
  /** Resolves once `count` events have arrived (rejects after `ms`). */
  waitFor(count: number, ms?: number): Promise<EventSourceMessage[]>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens `url` as an SSE stream with fetch and parses it with eventsource-parser. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  let wake: () => void = () => {};
  const parser = createParser({
    onEvent: (event) => {
      events.push(event);
      wake();
    },
    onComment: (comment) => comments.push(comment),
  });
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body)
        parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    } catch {
      // Aborted by close().
    }
    wake();
  })();
  return {
    status: response.status,
    events,
    comments,
    ended,
    close: () => abort.abort(),
    async waitFor(count, ms = 5000) {
      const deadline = Date.now() + ms;
      while (events.length < count) {
        if (Date.now() > deadline) throw new Error(`got ${events.length} SSE events, waited for ${count}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return events.slice(0, count);
    },
  };
}
