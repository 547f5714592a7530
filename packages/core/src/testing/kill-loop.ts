import { vi } from 'vitest';
import { type ScriptChild, waitForLine } from './crash-harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A crash test's seed: `IGNITER_CRASH_SEED` when set (to replay a failing run), else the clock. */
export function crashSeed(): number {
  return Number(process.env.IGNITER_CRASH_SEED ?? Date.now() % 2 ** 31);
}

/** When {@link killAtRandom} kills. */
export interface KillTiming {
  /** The kill comes up to this many ms after the child's `ready ` line (plus `minMs`). */
  writingMs: number;
  /** The least wait after the ready line; 0 unless given. */
  minMs?: number;
  /** The share of rounds (0 to 1) killed within 120 ms of the start instead: during startup and recovery. */
  startupShare: number;
}

/**
 * Kills `run`, a writer that prints a line starting with `ready ` once it writes, with SIGKILL at
 * a moment drawn from `random`: mostly while it writes, in `timing.startupShare` of the calls
 * during its startup. Resolves once it exited, true when the kill came while it wrote.
 */
export async function killAtRandom(
  run: ScriptChild,
  random: () => number,
  timing: KillTiming,
): Promise<boolean> {
  let writing = false;
  if (timing.startupShare === 0 || random() >= timing.startupShare) {
    await waitForLine(run.lines, /^ready /);
    await sleep((timing.minMs ?? 0) + random() * timing.writingMs);
    writing = true;
  } else {
    await sleep(random() * 120);
  }
  run.child.kill('SIGKILL');
  await run.exited;
  return writing;
}

/**
 * Kills `run`, a writer of numbered `writeMany` batches that prints `ack <n>` once batch n's
 * write returned, with SIGKILL about one batch's time after an ack, mostly near the end of the
 * next batch (where its write is), whatever the machine's speed. Resolves once it exited, with
 * the highest batch acknowledged.
 */
export async function killBatchWriter(run: ScriptChild, random: () => number): Promise<number> {
  await waitForLine(run.lines, /^ack 1$/, 60_000);
  const first = Date.now();
  await waitForLine(run.lines, /^ack 2$/, 60_000);
  const cycle = Date.now() - first;
  await sleep(cycle * (0.6 + 0.5 * random()));
  run.child.kill('SIGKILL');
  await run.exited;
  const acks = run.lines.filter((l) => /^ack \d+$/.test(l)).map((l) => Number(l.slice(4)));
  return Math.max(0, ...acks);
}

/** How many rounds {@link crashRounds} runs. */
export interface RoundCount {
  /** Rounds always run. */
  min: number;
  /** Rounds at most. */
  max: number;
  /** Asked after each round past `min`: whether the rounds so far still lack what the test needs. */
  more: () => boolean;
}

/**
 * Runs `round(0)`, `round(1)`, ...: `count.min` rounds, then more while `count.more()` holds, up
 * to `count.max`. Process warnings (the `IGNITER_RECOVERED` of each reopen) are silenced
 * meanwhile. Resolves with the number of rounds run.
 */
export async function crashRounds(
  count: RoundCount,
  round: (index: number) => Promise<void>,
): Promise<number> {
  const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  let index = 0;
  try {
    for (; index < count.min || (index < count.max && count.more()); index++) await round(index);
  } finally {
    warn.mockRestore();
  }
  return index;
}
