import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const TICKS = 100;

/**
 * CPU seconds (user + system) the process `pid` has used so far, from /proc (Linux); NaN
 * elsewhere. Resolution: 10 ms.
 */
export function cpuSeconds(pid) {
  const [user, system] = cpuTimes(pid);
  return user + system;
}

/** User and system CPU seconds of process `pid` so far (all its threads), from /proc; NaN once it is gone. */
export function cpuTimes(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[11]) / TICKS, Number(fields[12]) / TICKS];
  } catch {
    return [Number.NaN, Number.NaN];
  }
}

/**
 * Starts `child.mjs <args>`; resolves with its URL, its pid and a stop() that ends it with
 * SIGTERM. With `profileDir`, the child runs under `--cpu-prof` and writes its CPU profile there
 * when it stops; `env` is its environment.
 */
export function startChild(args, profileDir, env = process.env) {
  const flags = profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${args[0]}.cpuprofile`]
    : [];
  const child = spawn(process.execPath, [...flags, join(here, 'child.mjs'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (!out.includes('\n')) return;
      const { url } = JSON.parse(out.split('\n')[0]);
      resolve({
        url,
        pid: child.pid,
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
