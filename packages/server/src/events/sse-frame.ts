import type { ChangeEvent } from '@igniter/core';

/**
 * One change event as an SSE frame: `id: <seq>`, `event: <kind>`, `data: <event JSON>`. A
 * `lagged` marker carries the last seq it covers as its id, so a client that reconnects with
 * `Last-Event-ID` does not ask for the missed range again. JSON has no raw newlines, so the
 * data fits one `data:` line.
 */
export function sseEvent(event: ChangeEvent): string {
  const id = event.kind === 'lagged' ? event.missedTo : event.seq;
  return `id: ${id}\nevent: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** An SSE comment line (ignored by clients; keeps proxies and idle timers from closing the stream). */
export function sseComment(text: string): string {
  return `: ${text}\n\n`;
}
