import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));

/** Starts `child.mjs <args>`; resolves with its URL and a stop() that ends it with SIGTERM. */
export function startChild(args) {
  const child = spawn(process.execPath, [join(here, 'child.mjs'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (!out.includes('\n')) return;
      const { url } = JSON.parse(out.split('\n')[0]);
      resolve({
        url,
        stop: () =>
          new Promise((done) => {
            child.once('exit', done);
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`child ${args[0]} exited (${code})`)));
  });
}

/** Runs autocannon and resolves with its result. */
export function load(options) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: 64, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** One line of figures for a result. */
export function figures(name, result) {
  const errors = result.errors + result.timeouts + result.non2xx;
  return {
    name,
    'req/s': Math.round(result.requests.average),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    requests: result.requests.total,
    errors,
  };
}

/** The 1-minute load average, as the machine is shared. */
export function loadAverage() {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}
