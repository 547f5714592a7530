// Which HTTP framework @igniter/server is built on, by measurement: Fastify 5 and Hono 4 (with
// @hono/node-server) serve the same two routes (a no-op GET and a JSON PUT with a body check),
// each in its own process, loaded by autocannon (64 connections) from this one; the pair is run
// twice, alternating, to see the noise. Figures go to benchmarks/RESULTS.md.
//   node benchmarks/server/framework-choice.mjs        (DURATION=seconds, default 10)
import { cpus } from 'node:os';
import { figures, load, loadAverage, startChild } from './harness.mjs';

const duration = Number(process.env.DURATION ?? 10);
const body = JSON.stringify({ value: { title: 'hello', n: 42, tags: ['a', 'b'] } });
const rows = [];
console.log(`node ${process.version}, ${cpus().length} cpus, load average before: ${loadAverage()}`);
for (const round of [1, 2]) {
  for (const framework of ['fastify', 'hono']) {
    const server = await startChild([framework]);
    await load({ url: `${server.url}/noop`, duration: 2 }); // warm-up
    rows.push(
      figures(`${framework} no-op GET (round ${round})`, await load({ url: `${server.url}/noop`, duration })),
    );
    rows.push(
      figures(
        `${framework} JSON PUT (round ${round})`,
        await load({
          url: `${server.url}/echo/k1`,
          method: 'PUT',
          body,
          headers: { 'content-type': 'application/json' },
          duration,
        }),
      ),
    );
    await server.stop();
  }
}
console.table(rows);
console.log(`load average after: ${loadAverage()}`);
