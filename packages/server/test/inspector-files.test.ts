import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { IgniterStore } from '@igniter/core';
import { inspectorAppDir } from '@igniter/inspector';
import { afterEach, describe, expect, it } from 'vitest';
import { call, json, type Running, start } from './support/harness.js';

const running: Running[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

async function serve(options: Parameters<typeof start>[0]): Promise<string> {
  const server = await start(options);
  running.push(server);
  return server.url;
}

const assets = readdirSync(join(inspectorAppDir(), 'assets')).sort();

describe('the inspector files at /', () => {
  it('serves index.html at / and each built asset under /assets, with their types and caching', async () => {
    const url = await serve({ store: new IgniterStore() });
    const index = await call(`${url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.text).toContain('<title>Igniter inspector</title>');
    expect((await call(`${url}/index.html`)).text).toBe(index.text);
    expect(assets.map((name) => name.replace(/-[\w-]+\./, '.')).sort()).toEqual(['index.css', 'index.js']);
    for (const name of assets) {
      const answer = await call(`${url}/assets/${name}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe(
        name.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      );
      expect(index.text).toContain(`./assets/${name}`);
    }
    const head = await fetch(`${url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('answers 404 ERR_NOT_FOUND for a file the app does not have', async () => {
    const url = await serve({ store: new IgniterStore() });
    const answer = await call(`${url}/assets/nothing.js`);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: 'no route GET /assets/nothing.js', error_code: 'ERR_NOT_FOUND' });
  });

  it('serves the page without a token when the server has tokens, while /v1 routes still need one', async () => {
    const url = await serve({
      store: new IgniterStore(),
      tokens: [{ name: 'r', token: 'secret', read: ['*'] }],
    });
    expect((await call(`${url}/`)).status).toBe(200);
    expect((await call(`${url}/assets/${assets[0]}`)).status).toBe(200);
    const refused = await call(`${url}/v1/stores`);
    expect(refused.status).toBe(401);
    expect(json(refused).error_code).toBe('ERR_UNAUTHORIZED');
  });

  it('serves nothing at / with inspector: false', async () => {
    const url = await serve({ store: new IgniterStore(), inspector: false });
    const answer = await call(`${url}/`);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: 'no route GET /', error_code: 'ERR_NOT_FOUND' });
  });
});
