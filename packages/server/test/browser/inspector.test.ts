import { gzipSync } from 'node:zlib';
import type { IgniterStore } from '@igniter/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IgniterServer } from '../../src/index.js';
import { launch, rows, snap } from './browser.js';
import { filledStore, MINUTE, T0 } from './fill-store.js';

// One browser and one store for the whole file (the machine is shared): each test opens a view
// by its URL, as a person following a shared link would.

const iso = (ms: number) => new Date(ms).toISOString();
const TOKEN = 'inspector-test-token';

let browser: Browser;
let page: Page;
let store: IgniterStore;
let cleanup: () => Promise<void>;
let server: IgniterServer;
let url: string;

beforeAll(async () => {
  const filled = filledStore();
  store = filled.store;
  cleanup = filled.cleanup;
  server = createServer({ store, port: 0 });
  url = (await server.listen()).url;
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // Fail on the selector that never came, well inside the test's own timeout.
  page.setDefaultTimeout(10_000);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await cleanup?.();
});

async function open(hash: string): Promise<void> {
  await page.goto(`${url}/${hash}`);
}

/** Waits until the address bar's hash is `hash` (a view's shareable URL); fails showing the hash it had. */
/** What page functions read of the browser (they run there; this package is typed for Node). */
type Window = { location: { hash: string }; document: { documentElement: { scrollWidth: number } } };

async function hashBecomes(hash: string): Promise<void> {
  try {
    await page.waitForFunction(
      (expected) => (globalThis as unknown as Window).location.hash === expected,
      hash,
      { timeout: 5000 },
    );
  } catch {
    expect(await page.evaluate(() => (globalThis as unknown as Window).location.hash)).toBe(hash);
  }
}

describe('the inspector, served at / by a real server, in Chromium', () => {
  it('fits the first-load budget: HTML, scripts and styles are at most 150 KB gzipped, all from this server', async () => {
    const html = await (await fetch(`${url}/`)).text();
    const assets = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((match) => match[1]);
    expect(assets.filter((path) => path?.endsWith('.js'))).toHaveLength(1);
    expect(assets.filter((path) => path?.endsWith('.css'))).toHaveLength(1);
    expect(html).not.toMatch(/https?:\/\//);
    let gzipped = gzipSync(html).length;
    for (const path of assets) {
      const answer = await fetch(`${url}/${path}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      gzipped += gzipSync(Buffer.from(await answer.arrayBuffer())).length;
    }
    expect(gzipped).toBeLessThanOrEqual(150 * 1024);
    const index = await fetch(`${url}/`);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('lists the user stores with their fact and key counts', async () => {
    await open('#/');
    await page.waitForSelector('table.stores tbody tr');
    expect(await rows(page, 'table.stores')).toEqual([
      ['notes', '1', '1'],
      ['orders', '2', '2'],
      ['tasks', '4', '2'],
      ['totals', '2', '1'],
    ]);
    await snap(page, 'stores');
    await page.click('text=tasks');
    await page.waitForSelector('ul.keys li');
    expect(page.url()).toBe(`${url}/#/stores/tasks`);
    expect(await page.$$eval('ul.keys li', (items) => items.map((item) => item.textContent))).toEqual([
      't1',
      't2',
    ]);
    await page.fill('input[name=prefix]', 't2');
    await page.press('input[name=prefix]', 'Enter');
    await hashBecomes('#/stores/tasks?prefix=t2');
    await page.waitForSelector('ul.keys li:only-child');
    expect(await page.$$eval('ul.keys li', (items) => items.map((item) => item.textContent))).toEqual(['t2']);
    await snap(page, 'keys');
  });

  it('shows every version of a key on its timeline, and the value as of a moment the slider moves to', async () => {
    await open('#/stores/tasks/keys/t1');
    await page.waitForSelector('table.timeline tbody tr');
    expect(await rows(page, 'table.timeline')).toEqual([
      [
        'v1',
        '1',
        iso(T0),
        '-',
        '{"done":false,"title":"Buy milk"}',
        expect.stringMatching(/^[0-9a-f-]{13}…$/),
      ],
      [
        'v2',
        '2',
        iso(T0 + MINUTE),
        iso(T0 - 30 * MINUTE),
        '{"done":false,"title":"Buy oat milk"}',
        expect.any(String),
      ],
      ['v3', '3', iso(T0 + 2 * MINUTE), '-', '{"done":true,"title":"Buy oat milk"}', expect.any(String)],
    ]);
    expect(await page.textContent('pre.json')).toBe(
      JSON.stringify({ done: true, title: 'Buy oat milk' }, null, 2),
    );
    expect(await page.textContent('output[name=asOf-shown]')).toBe('latest');
    expect(await page.$$eval('ul.diff li', (items) => items.map((item) => item.textContent))).toEqual([
      '$.done changed- false+ true',
    ]);
    await snap(page, 'key');

    // The keyboard moves the asOf slider one version back at a time; the URL carries the moment.
    await page.focus('input[name=asOf]');
    await page.keyboard.press('ArrowLeft');
    await hashBecomes(`#/stores/tasks/keys/t1?asOf=${T0 + MINUTE}`);
    await page.waitForSelector('pre.json[data-seq="2"]');
    expect(await page.textContent('pre.json')).toBe(
      JSON.stringify({ done: false, title: 'Buy oat milk' }, null, 2),
    );
    expect(await page.textContent('output[name=asOf-shown]')).toBe(iso(T0 + MINUTE));
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('pre.json[data-seq="1"]');
    expect(await page.textContent('pre.json')).toBe(
      JSON.stringify({ done: false, title: 'Buy milk' }, null, 2),
    );
    expect(await page.getAttribute('table.timeline tbody tr[aria-current]', 'aria-current')).toBe('true');
    expect(await page.textContent('table.timeline tbody tr[aria-current] td')).toBe('v1');

    // validAt: at 11:45 only v2 (valid from 11:30) was in force, though it was written at 12:01.
    await open(`#/stores/tasks/keys/t1?validAt=${T0 - 15 * MINUTE}`);
    await page.waitForSelector('pre.json[data-seq="2"]');
    expect(await page.textContent('output[name=validAt-shown]')).toBe(iso(T0 - 15 * MINUTE));
    // Typed moments work too; before any version the key had no value.
    await page.fill('input[name=validAt-moment]', iso(T0 - 60 * MINUTE));
    await page.press('input[name=validAt-moment]', 'Enter');
    await page.waitForSelector('p.no-value');
    expect(await page.textContent('p.no-value')).toBe('The key had no value at this moment.');
  });

  it('shows a derived fact with its derivation link, and the lineage graph with the derivation and proof hash', async () => {
    const derived = store.history({ store: 'totals', key: 'all' });
    const source = store.readFact({ store: 'orders', key: 'o2' });
    const last = derived.at(-1);
    expect(last?.derivation?.sourceFactId).toBe(source?.id);
    await open(`#/facts/${last?.id}`);
    await page.waitForSelector('dd.derivation a');
    expect(await page.textContent('dd.derivation a')).toBe(source?.id);
    await snap(page, 'fact');
    await page.click('dd.derivation a');
    await hashBecomes(`#/facts/${source?.id}`);
    // The derived fact's fields stay on screen until the source fact has loaded.
    await page.waitForSelector('dl.fields dd:nth-of-type(2) a >> text="orders / o2"');
    expect(await page.textContent('dl.fields dd:nth-of-type(2) a')).toBe('orders / o2');

    await open('#/stores/totals/keys/all/lineage');
    await page.waitForSelector('ul.edges li');
    expect(await page.textContent('code.proof')).toBe(
      store.lineage({ store: 'totals', key: 'all' }).proofHash,
    );
    expect(await page.$$eval('ul.edges li', (items) => items.map((item) => item.textContent))).toEqual([
      'source orders/o1 derived v1 totals/all',
      'v1 totals/all caused v2 totals/all',
      'source orders/o2 derived v2 totals/all',
      'rule order_count wrote v2 totals/all',
    ]);
    expect(await page.$$eval('ul.rules li', (items) => items.map((item) => item.textContent))).toEqual([
      'order_count (derivation): orders → totals/all',
    ]);
    expect(await page.$$eval('svg.graph g.node', (nodes) => nodes.length)).toBe(5);
    await snap(page, 'lineage');
  });

  it('shows a write made now in the live tail within a second', async () => {
    await open('#/tail');
    await page.waitForSelector('p.tail-state.live');
    const written = Date.now();
    const answer = await fetch(`${url}/v1/stores/tasks/keys/t3`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: { title: 'Water the plants' } }),
    });
    const { fact } = (await answer.json()) as { fact: { seq: number; id: string; transactionTime: number } };
    await page.waitForSelector(`table.tail tr[data-seq="${fact.seq}"]`, { timeout: 1000 });
    expect(Date.now() - written).toBeLessThan(1000);
    expect(await rows(page, 'table.tail')).toEqual([
      [String(fact.seq), 'write', 'tasks / t3', iso(fact.transactionTime), `${fact.id.slice(0, 13)}…`],
    ]);
    await snap(page, 'tail');
  });

  it('resumes the live tail after the server restarts: what was written meanwhile appears once', async () => {
    await open('#/tail?stores=notes');
    // The hash-only navigation keeps the previous tail's page: wait for this subscription's state.
    await page.waitForSelector('p.tail-state.live[data-stores="notes"]');
    const port = Number(new URL(url).port);
    await server.close();
    await page.waitForSelector('p.tail-state.reconnecting');
    const missed = store.write({ store: 'notes', key: 'n2', value: 'written while the server was down' });
    server = createServer({ store, port });
    await server.listen();
    await page.waitForSelector(`table.tail tr[data-seq="${missed.seq}"]`, { timeout: 10_000 });
    await page.waitForSelector('p.tail-state.live[data-stores="notes"]');
    const next = store.write({ store: 'notes', key: 'n3', value: 'written after' });
    await page.waitForSelector(`table.tail tr[data-seq="${next.seq}"]`);
    expect((await rows(page, 'table.tail')).map((row) => row.slice(0, 3))).toEqual([
      [String(next.seq), 'write', 'notes / n3'],
      [String(missed.seq), 'write', 'notes / n2'],
    ]);
  });

  it('shows storage stats and the segment manifest, and verifies on demand', async () => {
    await open('#/stats');
    await page.waitForSelector('table.manifest tbody tr');
    const manifest = store.segmentManifest();
    const segments = Object.values(manifest?.stores ?? {}).flat();
    expect((await rows(page, 'table.manifest')).length).toBe(segments.length);
    const storage = await rows(page, 'table.storage');
    expect(storage.map((row) => row.slice(0, 2))).toEqual(
      Object.entries(store.storageStats()?.stores ?? {}).map(([name, entry]) => [
        name,
        String(entry.factCount),
      ]),
    );
    expect(storage.find((row) => row[0] === 'tasks')?.[1]).toBe('5');
    await page.click('button:has-text("Verify storage")');
    await page.waitForSelector('.verify-result p');
    const verified = await store.verify();
    expect(verified.ok).toBe(true);
    expect(await page.textContent('.verify-result p')).toBe(
      `OK: ${verified.factsChecked} facts checked, no problems.`,
    );
    await snap(page, 'stats');
  });

  it('is readable at phone width: nothing but wide tables scrolls sideways', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      await phone.goto(`${url}/#/stores/tasks/keys/t1`);
      await phone.waitForSelector('table.timeline tbody tr');
      expect(
        await phone.evaluate(() => (globalThis as unknown as Window).document.documentElement.scrollWidth),
      ).toBeLessThanOrEqual(390);
      await snap(phone, 'key-phone');
    } finally {
      await phone.close();
    }
  });

  it('asks for a token when the server has tokens, and calls nothing successfully until one is given', async () => {
    const guarded = createServer({ store, port: 0, tokens: [{ name: 'reader', token: TOKEN, read: ['*'] }] });
    const guardedUrl = (await guarded.listen()).url;
    const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const refused: number[] = [];
    other.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/v1/') && response.status() === 401) refused.push(401);
    });
    try {
      await other.goto(`${guardedUrl}/#/`);
      await other.waitForSelector('form.token-prompt');
      expect(await other.textContent('#token-title')).toBe('This server needs a token');
      expect(await other.$('table.stores')).toBeNull();
      expect(refused.length).toBeGreaterThanOrEqual(1);
      await snap(other, 'token');
      await other.fill('input[name=token]', 'not-the-token');
      await other.press('input[name=token]', 'Enter');
      await other.waitForSelector('text=The server refused the token given. Enter another one.');
      expect(await other.$('table.stores')).toBeNull();
      await other.fill('input[name=token]', TOKEN);
      await other.press('input[name=token]', 'Enter');
      await other.waitForSelector('table.stores tbody tr');
      expect((await rows(other, 'table.stores')).map((row) => row[0])).toEqual([
        'notes',
        'orders',
        'tasks',
        'totals',
      ]);
    } finally {
      await other.close();
      await guarded.close();
    }
  });
});
