// One HTTP server in its own process, so the load generator (autocannon, in the parent) does not
// share its event loop. Prints {"url"} on stdout once listening; SIGTERM closes it.
//   node child.mjs fastify | hono | igniter <path> | igniter-memory
// (igniter-memory serves an in-memory store, whose flush does no I/O: the write route's CPU cost.)
// IGNITER_SERVER=<file> serves @igniter/server from another build (an A/B against an older one:
// copy packages/server/dist somewhere under packages/server and point this at its index.js).
// HEAP_PROFILE=<file> samples its allocations and writes them there when it stops (alloc-cost.mjs).
import { serve } from '@hono/node-server';
import { IgniterStore } from '@igniter/core';
import Fastify from 'fastify';
import { Hono } from 'hono';

const { createServer } = await import(process.env.IGNITER_SERVER ?? '@igniter/server');
const PUT_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['value'],
  properties: { value: {} },
};

const STATIC_FACT = {
  fact: {
    id: '01a25025-8d96-711e-b128-37cb3299ecd5',
    seq: 1,
    store: 'bench',
    key: 'k1',
    value: { title: 'a task', done: false, tags: ['x', 'y'], n: 42 },
    valueHash: '15968cea1ce0a5131dcac62e4cd55b19340504bbb66060f128b793fcde2cc8b8',
    causation: null,
    transactionTime: 1796640968086,
    validTime: null,
    schemaVersion: 1,
    producer: null,
    derivation: null,
    idempotencyKey: null,
  },
};

async function fastify() {
  const app = Fastify({ logger: false });
  app.get('/noop', async () => ({ ok: true }));
  // The same bytes as a read of a fact, from a constant: what the HTTP path alone costs for that size.
  app.get('/static-fact', async () => STATIC_FACT);
  app.put('/echo/:key', { schema: { body: PUT_BODY } }, async (request, reply) => {
    reply.code(201);
    return { key: request.params.key, value: request.body.value };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { port: app.server.address().port, close: () => app.close() };
}

async function hono() {
  const app = new Hono();
  app.get('/noop', (c) => c.json({ ok: true }));
  app.put('/echo/:key', async (c) => {
    const body = await c.req.json();
    if (typeof body !== 'object' || body === null || !('value' in body) || Object.keys(body).length !== 1) {
      return c.json({ error_code: 'ERR_INVALID_ARGUMENT' }, 400);
    }
    return c.json({ key: c.req.param('key'), value: body.value }, 201);
  });
  const server = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  return { port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function igniter(path) {
  const server = createServer({ path, port: 0 });
  const { url } = await server.listen();
  return { port: Number(new URL(url).port), close: () => server.close() };
}

async function igniterMemory() {
  const store = new IgniterStore();
  const server = createServer({ store, port: 0 });
  const { url } = await server.listen();
  return { port: Number(new URL(url).port), close: () => server.close().then(() => store.close()) };
}

const [mode, path] = process.argv.slice(2);
const started =
  mode === 'fastify'
    ? await fastify()
    : mode === 'hono'
      ? await hono()
      : mode === 'igniter-memory'
        ? await igniterMemory()
        : await igniter(path);
const heap = process.env.HEAP_PROFILE ? await sampleAllocations() : undefined;
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${started.port}` })}\n`);
process.on('SIGTERM', () => {
  (heap ? heap.write(process.env.HEAP_PROFILE) : Promise.resolve())
    .then(() => started.close())
    .then(() => process.exit(0));
});

/**
 * HEAP_PROFILE=<file>: samples every allocation from here on (one per 1 KiB on average),
 * collected garbage included, and writes the profile to <file> on SIGTERM (alloc-cost.mjs).
 */
async function sampleAllocations() {
  const { Session } = await import('node:inspector');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  const post = (method, params) =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return {
    write: async (file) =>
      writeFileSync(file, JSON.stringify((await post('HeapProfiler.stopSampling')).profile)),
  };
}
