import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PostgreSQL server started for tests or benchmarks, with its own data directory. */
export interface ThrowawayPostgres {
  /** Connection string of the `postgres` database as the `postgres` superuser, over loopback TCP. */
  readonly url: string;
  /** The port it listens on (127.0.0.1 only). */
  readonly port: number;
  /**
   * Stops the server at once and deletes its data directory (also done when the process exits
   * without calling it). Resolves twice.
   */
  stop(): Promise<void>;
  /**
   * Stops the server the way a crash does (`pg_ctl stop -m immediate`: no checkpoint, sessions
   * cut), keeping its data directory. Throws when `pg_ctl` fails.
   */
  crash(): void;
  /** Starts the server again on the same port and data (it recovers from its WAL). */
  restart(): void;
}

/** Options of {@link startThrowawayPostgres}. */
export interface ThrowawayOptions {
  /**
   * Whether the server fsyncs (default true: commits are as durable as in production, which is
   * what the benchmarks measure). Tests that only need a server may turn it off to go faster.
   */
  fsync?: boolean;
}

/**
 * Finds the folder holding `initdb` and `pg_ctl`: `pg_config --bindir`, else the newest
 * `/usr/lib/postgresql/<major>/bin` (Debian's layout; its `pg_config` lives in libpq-dev).
 */
export function postgresBinDir(): string | undefined {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    // No pg_config on PATH: look where Debian installs the server.
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(root, majors[0], 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user. */
function asServerUser(): { prefix: string[]; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { prefix: ['runuser', '-u', 'postgres', '--'], uid, gid };
}

function run(prefix: string[], command: string, args: string[]): void {
  const [program, ...rest] = [...prefix, command, ...args] as [string, ...string[]];
  const result = spawnSync(program, rest, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `${command} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`,
    );
  }
}

/**
 * Starts a fresh PostgreSQL server from the machine's own server binaries: a new data
 * directory (`initdb`, trust authentication), a private socket directory and a free loopback
 * port (`pg_ctl start`), run as the `postgres` user when the caller is root. Takes about 2 s.
 * Throws when no server binaries are installed (Debian: `apt-get install postgresql`) or when
 * the server does not start.
 */
export async function startThrowawayPostgres(options: ThrowawayOptions = {}): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  if (bin === undefined) {
    throw new Error('no PostgreSQL server binaries found (pg_config --bindir, /usr/lib/postgresql/*/bin)');
  }
  const user = asServerUser();
  const prefix = user?.prefix ?? [];
  const home = mkdtempSync(join(tmpdir(), 'igniter-pg-'));
  const data = join(home, 'data');
  const sockets = join(home, 'sockets');
  mkdirSync(sockets);
  if (user) {
    for (const dir of [home, sockets]) chownSync(dir, user.uid, user.gid);
  }
  chmodSync(home, 0o700);
  try {
    run(prefix, join(bin, 'initdb'), [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    const startOn = (port: number): void => {
      const settings = [
        `-p ${port}`,
        `-k ${sockets}`,
        "-c listen_addresses='127.0.0.1'",
        `-c fsync=${options.fsync === false ? 'off' : 'on'}`,
      ].join(' ');
      run(prefix, join(bin, 'pg_ctl'), [
        '-D',
        data,
        '-l',
        join(home, 'server.log'),
        '-w',
        '-t',
        '60',
        '-o',
        settings,
        'start',
      ]);
    };
    let started: number | undefined;
    for (let attempt = 0; started === undefined; attempt++) {
      const port = await freePort();
      try {
        startOn(port);
        started = port;
      } catch (error) {
        // Another process may have taken the port between the probe and the start.
        if (attempt >= 2) throw error;
      }
    }
    const port = started;
    const stopNow = (): void => {
      try {
        if (existsSync(join(data, 'postmaster.pid'))) {
          run(prefix, join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
        }
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    };
    // A process that ends without stopping its server (an uncaught error) must not leave it running.
    process.once('exit', stopNow);
    let stopped: Promise<void> | undefined;
    return {
      url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
      port,
      crash: () => run(prefix, join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']),
      restart: () => startOn(port),
      stop: () => {
        stopped ??= (async () => {
          process.removeListener('exit', stopNow);
          stopNow();
        })();
        return stopped;
      },
    };
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
}
