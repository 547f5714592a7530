import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, keyUrl, type Running, start, tempDir } from './support/harness.js';
import { openSse } from './support/sse.js';

let running: Running;
const temp = tempDir();

beforeAll(async () => {
  running = await start({ path: join(temp.dir, 'metrics.log') });
});
afterAll(async () => {
  await running.close();
  temp.cleanup();
});

/** The value of one sample line of the Prometheus text, or undefined when absent. */
async function sample(line: string): Promise<number | undefined> {
  const text = (await call(`${running.url}/v1/metrics`)).text;
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

const KEY_ROUTE = 'route="/v1/stores/:store/keys/:key"';

describe('request metrics', () => {
  it('counts each answered request once by route pattern and code, and times it', async () => {
    for (let i = 0; i < 3; i++) {
      expect(
        (await call(keyUrl(running.url, 'm', `k${i}`), { method: 'PUT', body: { value: i } })).status,
      ).toBe(201);
    }
    expect((await call(keyUrl(running.url, 'm', 'absent'))).status).toBe(404);
    expect((await call(`${running.url}/v1/no-such-route`)).status).toBe(404);
    expect(await sample(`igniter_http_requests_total{${KEY_ROUTE},code="201"}`)).toBe(3);
    expect(await sample(`igniter_http_requests_total{${KEY_ROUTE},code="404"}`)).toBe(1);
    expect(await sample('igniter_http_requests_total{route="unmatched",code="404"}')).toBe(1);
    // PUT and GET of the key share the route pattern: four timed requests.
    expect(await sample(`igniter_http_request_duration_seconds_count{${KEY_ROUTE}}`)).toBe(4);
    expect(await sample(`igniter_http_request_duration_seconds_bucket{le="+Inf",${KEY_ROUTE}}`)).toBe(4);
  });

  it('counts an SSE stream once, when it starts, and never times it', async () => {
    const stream = await openSse(`${running.url}/v1/events`);
    expect(stream.status).toBe(200);
    expect(await sample('igniter_http_requests_total{route="/v1/events",code="200"}')).toBe(1);
    stream.close();
    await stream.ended;
    // The stream's end reaches the server after the client's: wait until it has no subscriber.
    for (let i = 0; i < 100 && (await sample('igniter_sse_subscribers')) !== 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await sample('igniter_sse_subscribers')).toBe(0);
    expect(await sample('igniter_http_requests_total{route="/v1/events",code="200"}')).toBe(1);
    expect(await sample('igniter_http_request_duration_seconds_count{route="/v1/events"}')).toBeUndefined();
  });
});
