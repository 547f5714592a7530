import type { ChangeEvent } from '@igniter/core';
import { createParser } from 'eventsource-parser';
import { type CliIo, EXIT, ReportedFailure, UsageError, write } from '../cli-io.js';
import { type Command, text } from '../command.js';
import { openExisting } from './existing-store.js';

function line(event: ChangeEvent, json: boolean): string {
  if (json) return `${JSON.stringify(event)}\n`;
  if (event.kind === 'lagged') return `lagged: missed seq ${event.missedFrom}..${event.missedTo}\n`;
  return `${event.seq} ${event.kind} ${event.store}/${event.key} ${event.factId}\n`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Follows a server's SSE changefeed, reconnecting with Last-Event-ID until stopped. */
async function tailUrl(
  url: string,
  after: string | undefined,
  stores: string | undefined,
  token: string | undefined,
  json: boolean,
  io: CliIo,
): Promise<number> {
  const stop = new AbortController();
  void io.interrupted(() => process.exit(130)).then(() => stop.abort());
  let lastId = after;
  let failures = 0;
  while (!stop.signal.aborted) {
    const query = new URLSearchParams();
    if (stores) query.set('stores', stores);
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastId !== undefined) headers['last-event-id'] = lastId;
    if (token) headers.authorization = `Bearer ${token}`;
    try {
      const response = await fetch(
        `${url.replace(/\/$/, '')}/v1/events${query.size > 0 ? `?${query}` : ''}`,
        {
          headers,
          signal: stop.signal,
        },
      );
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => ({}))) as { error_code?: string; error?: string };
        throw new ReportedFailure(
          `${response.status} ${body.error_code ?? ''}: ${body.error ?? 'the server refused the stream'}`,
        );
      }
      failures = 0;
      const pending: string[] = [];
      const parser = createParser({
        onEvent: (event) => {
          if (event.id !== undefined) lastId = event.id;
          pending.push(line(JSON.parse(event.data) as ChangeEvent, json));
        },
      });
      const decoder = new TextDecoder();
      for await (const chunk of response.body) {
        parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
        for (const out of pending.splice(0)) await write(io.stdout, out);
      }
    } catch (error) {
      if (stop.signal.aborted) break;
      if (error instanceof ReportedFailure) throw error;
      failures += 1;
      if (failures === 1) io.stderr.write(`disconnected from ${url}; reconnecting\n`);
    }
    await sleep(Math.min(5000, 250 * 2 ** Math.min(failures, 5)), stop.signal);
  }
  return EXIT.ok;
}

/** Follows a store's changefeed in this process (the store must not be served elsewhere). */
async function tailPath(
  path: string,
  after: number | undefined,
  stores: string[] | undefined,
  json: boolean,
  io: CliIo,
): Promise<number> {
  const { store } = openExisting(path, { changefeed: true });
  const changefeed = store.changefeed as unknown as {
    subscribe(o: object): AsyncIterable<ChangeEvent> & { close(): void };
  };
  const subscription = changefeed.subscribe({
    ...(after === undefined ? {} : { after }),
    ...(stores ? { stores } : {}),
  });
  void io.interrupted(() => process.exit(130)).then(() => subscription.close());
  try {
    for await (const event of subscription) await write(io.stdout, line(event, json));
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/** `igniter tail`: prints change events as they happen, from a server URL or a store path. */
export const tail: Command = {
  name: 'tail',
  summary: 'print change events as they happen (from a server URL or a store path)',
  usage: 'igniter tail <path|url> [--after <seq>] [--stores a,b] [--token <token>] [--json]',
  help: [
    "With a URL (http://...), follows the server's SSE changefeed and reconnects with Last-Event-ID",
    'after a disconnect, so no event is skipped or repeated. With a path, opens the store and prints',
    "the events after --after (it holds the store's lock: a served store is tailed by its URL).",
    'Each line is "<seq> <kind> <store>/<key> <factId>"; --json prints each event as JSON. Ctrl-C stops.',
    '',
    '  --after <seq>     start after this seq (default: from now on)',
    '  --stores a,b      only these stores',
    '  --token <token>   bearer token for a server with tokens (default: $IGNITER_TOKEN)',
  ].join('\n'),
  options: {
    after: { type: 'string' },
    stores: { type: 'string' },
    token: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  async run([target], flags, io) {
    const afterText = text(flags, 'after');
    if (afterText !== undefined && !/^\d+$/.test(afterText))
      throw new UsageError('--after must be a seq (an integer >= 0)');
    const stores = text(flags, 'stores');
    const json = flags.json === true;
    if (/^https?:\/\//.test(target as string)) {
      return tailUrl(
        target as string,
        afterText,
        stores,
        text(flags, 'token') ?? process.env.IGNITER_TOKEN,
        json,
        io,
      );
    }
    return tailPath(
      target as string,
      afterText === undefined ? undefined : Number(afterText),
      stores?.split(','),
      json,
      io,
    );
  },
};
