import { type Fact, IgniterError } from '@igniter/core';
import type pg from 'pg';
import { streamFacts } from './connection.js';
import { readLayout, type SchemaNames } from './layout.js';
import { readNotice } from './notice.js';

/** What a follower's backend keeps, as {@link FollowerSync} reads it from the table. */
export interface FollowerHost {
  /** The highest seq applied so far. */
  appliedSeq(): number;
  /** Keeps a fact read from the table (above every fact kept before). */
  keep(fact: Fact, rowBytes: number): void;
  /** Drops every kept fact whose seq is not in `live` (a rewrite by the writer). */
  dropExcept(live: ReadonlySet<number>): Fact[];
  /** The facts kept by one catch-up, in seq order, then the writer's high-water seq. */
  applied(facts: readonly Fact[], highWaterSeq: number): void;
  /** Something reconnecting cannot cure (a row that is not a fact, a newer layout): the follower stops. */
  failed(error: unknown): void;
  /** A new session replaced the lost one (`client`: the one catch-ups and `promote()` use). */
  reconnected(client: pg.Client): void;
}

/** The follower's two sessions: catch-ups run on `client`, notices arrive on `listener`. */
export interface FollowerSessions {
  client: pg.Client;
  listener: pg.Client;
}

/** Waits between reconnect attempts: doubling from the first to the last, then the last. */
const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 5000;

/** True for what a new session can cure: the driver's and the network's errors, `ERR_CLOSED`. */
function curable(error: unknown): boolean {
  return !(error instanceof IgniterError) || error.code === 'ERR_CLOSED';
}

/**
 * Keeps a follower up to date with the table. Catch-ups run one at a time, on each NOTIFY of the
 * writer and every `pollMs` (so a missed notification only delays the follower); wake-ups that
 * come while one is queued join it. After an append notice, a catch-up is one statement: a
 * binary COPY of every fact above the applied seq, skipped when an earlier catch-up already
 * read past the notice's last seq. After a rewrite notice, at the first catch-up and at every
 * poll, it reads the layout row first; when the writer rewrote the table since (the generation
 * moved), it reads which seqs remain and drops the rest. The writer commits in seq order on one
 * connection, so a snapshot never shows a gap below the highest seq it shows, and the facts of
 * a COPY cut short are a gap-free prefix: they are applied too.
 *
 * Notices arrive on a connection of their own (`listener`), never on the one that runs the
 * catch-ups' COPY: with both on one connection, a follower now and then stalled for good with
 * its session idle after a COPY (both followers of the multi-process test at once, right as
 * the writer notified them), the copy stream never ending on the client.
 *
 * When either session fails (the server restarts, the network drops, the session is
 * terminated), the follower keeps what it holds and reconnects, waiting 100 ms doubling to 5 s
 * between attempts, for as long as it is open; a new pair of sessions LISTENs, reads the layout
 * (a rewrite made meanwhile is seen through its generation) and catches up from the applied
 * seq, so no fact is skipped or applied twice.
 */
export class FollowerSync {
  readonly #reopen: () => Promise<FollowerSessions>;
  readonly #names: SchemaNames;
  readonly #pollMs: number;
  readonly #host: FollowerHost;
  #client: pg.Client;
  #listener: pg.Client;
  #generation = -1;
  /** The next catch-up reads the layout (the first one, polls, rewrite notices, reconnects). */
  #layoutDue = true;
  /** The highest seq an append notice named. */
  #notifiedSeq = 0;
  /** Catch-ups run one after another on this chain; two at once would both read above the same seq. */
  #chain: Promise<void> = Promise.resolve();
  #wakeQueued = false;
  #stopped = false;
  #poll: NodeJS.Timeout | undefined;
  /** Set while the sessions are lost and a reconnect is pending. */
  #reconnecting = false;
  #retry: NodeJS.Timeout | undefined;
  #attempts = 0;

  constructor(
    sessions: FollowerSessions,
    reopen: () => Promise<FollowerSessions>,
    names: SchemaNames,
    pollMs: number,
    host: FollowerHost,
  ) {
    this.#client = sessions.client;
    this.#listener = sessions.listener;
    this.#reopen = reopen;
    this.#names = names;
    this.#pollMs = pollMs;
    this.#host = host;
  }

  /** True while the sessions are lost and the follower is reconnecting. */
  get reconnecting(): boolean {
    return this.#reconnecting;
  }

  /** LISTENs, then reads the whole table (LISTEN first, so no commit falls between the two). */
  async start(): Promise<void> {
    this.#watch(this.#client);
    await this.#listen(this.#listener);
    const first = this.#chain.then(() => this.#catchUp());
    this.#chain = first.catch(() => undefined);
    await first;
    this.#startPolling();
  }

  /**
   * Stops following after a last catch-up (the caller holds the writer lock, so it sees
   * everything ever committed); the notice connection is closed. When the catch-up fails the
   * follower goes on following (the caller reports the failure through `lost`).
   */
  async finish(): Promise<void> {
    const last = this.#chain.then(() => {
      this.#layoutDue = true;
      return this.#catchUp();
    });
    this.#chain = last.catch(() => undefined);
    await last;
    // Catch-ups queued behind this one see the stop and do nothing.
    this.stop();
  }

  /** Stops waking up, reconnecting and listening (the notice connection is closed); a catch-up in flight completes. */
  stop(): void {
    if (!this.#stopped) this.#listener.end().catch(() => undefined);
    this.#stopped = true;
    clearInterval(this.#poll);
    clearTimeout(this.#retry);
    this.#poll = undefined;
  }

  /** A session failed: a curable failure starts a reconnect, any other stops the follower. */
  lost(error: unknown): void {
    if (this.#stopped || this.#reconnecting) return;
    if (!curable(error)) {
      this.#host.failed(error);
      return;
    }
    this.#reconnecting = true;
    clearInterval(this.#poll);
    this.#poll = undefined;
    this.#client.end().catch(() => undefined);
    this.#listener.end().catch(() => undefined);
    this.#retryLater();
  }

  #retryLater(): void {
    const wait = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** this.#attempts);
    this.#attempts += 1;
    this.#retry = setTimeout(() => void this.#reconnect(), wait);
    this.#retry.unref();
  }

  async #reconnect(): Promise<void> {
    if (this.#stopped) return;
    let sessions: FollowerSessions;
    try {
      sessions = await this.#reopen();
    } catch {
      if (!this.#stopped) this.#retryLater();
      return;
    }
    if (this.#stopped) {
      for (const session of [sessions.client, sessions.listener]) session.end().catch(() => undefined);
      return;
    }
    this.#client = sessions.client;
    this.#listener = sessions.listener;
    this.#watch(sessions.client);
    this.#host.reconnected(sessions.client);
    try {
      await this.#listen(sessions.listener);
    } catch (error) {
      this.#reconnecting = false;
      this.lost(error);
      return;
    }
    this.#reconnecting = false;
    this.#attempts = 0;
    this.#layoutDue = true;
    this.#wakeQueued = false;
    this.#schedule();
    this.#startPolling();
  }

  /** Reports `client`'s failure while it is the catch-up session. */
  #watch(client: pg.Client): void {
    const failed = (error: unknown) => {
      if (client === this.#client) this.lost(error);
    };
    client.on('error', failed);
    client.on('end', () => failed(new Error('the connection ended')));
  }

  /** Takes notices on `listener` (while it is the notice session), then LISTENs. */
  async #listen(listener: pg.Client): Promise<void> {
    const failed = (error: unknown) => {
      if (listener === this.#listener) this.lost(error);
    };
    listener.on('error', failed);
    listener.on('end', () => failed(new Error('the notice connection ended')));
    listener.on('notification', (message) => {
      if (message.channel !== this.#names.channel) return;
      const notice = readNotice(message.payload);
      if (notice.kind === 'append') this.#notifiedSeq = Math.max(this.#notifiedSeq, notice.last);
      else this.#layoutDue = true;
      this.#schedule();
    });
    await listener.query(`LISTEN ${this.#names.channel}`);
  }

  #startPolling(): void {
    clearInterval(this.#poll);
    this.#poll = setInterval(() => {
      this.#layoutDue = true;
      this.#schedule();
    }, this.#pollMs);
    this.#poll.unref();
  }

  /** Queues one catch-up unless one is already queued (it will see whatever woke this one). */
  #schedule(): void {
    if (this.#stopped || this.#reconnecting || this.#wakeQueued) return;
    this.#wakeQueued = true;
    this.#chain = this.#chain.then(() => {
      this.#wakeQueued = false;
      if (this.#stopped || this.#reconnecting) return;
      const client = this.#client;
      // A catch-up on a session already replaced failed with it; the new one has its own.
      return this.#catchUp().catch((error: unknown) => {
        if (client === this.#client) this.lost(error);
      });
    });
  }

  /**
   * One catch-up: when the layout is due, the layout row first, then one COPY of every fact
   * above the applied seq (a consistent snapshot of its own). A rewrite that lands before the
   * COPY is seen by the next catch-up (its notice, or the generation the next layout read
   * finds moved); a rewrite deletes only facts at or below the seq it was made at, so the COPY
   * never skips a fact that later reappears.
   */
  async #catchUp(): Promise<void> {
    const layoutDue = this.#layoutDue;
    this.#layoutDue = false;
    const client = this.#client;
    try {
      if (!layoutDue) {
        if (this.#host.appliedSeq() < this.#notifiedSeq) await this.#fetchAfterApplied(client, 0);
        return;
      }
      const layout = await readLayout(client, this.#names);
      if (layout.generation !== this.#generation && this.#generation !== -1) {
        const { rows } = await client.query<{ seq: string }>(
          `SELECT seq FROM ${this.#names.facts} WHERE seq <= $1::bigint`,
          [this.#host.appliedSeq()],
        );
        this.#host.dropExcept(new Set(rows.map((row) => Number(row.seq))));
      }
      this.#generation = layout.generation;
      await this.#fetchAfterApplied(client, layout.lastSeq);
    } catch (error) {
      // The next catch-up (after a reconnect) reads the layout again.
      if (layoutDue) this.#layoutDue = true;
      throw error;
    }
  }

  /**
   * Reads, keeps and applies every fact above the applied seq; `highWaterSeq` as the layout
   * said. When the COPY fails part-way, the facts it delivered (a gap-free prefix) are applied
   * before the error is thrown: they are kept already, and the next catch-up starts after them.
   */
  async #fetchAfterApplied(client: pg.Client, highWaterSeq: number): Promise<void> {
    const fresh: Fact[] = [];
    try {
      await streamFacts(client, this.#names, this.#host.appliedSeq(), (fact, bytes) => {
        this.#host.keep(fact, bytes);
        fresh.push(fact);
      });
    } catch (error) {
      if (fresh.length > 0) this.#host.applied(fresh, this.#host.appliedSeq());
      throw error;
    }
    this.#host.applied(fresh, Math.max(highWaterSeq, this.#host.appliedSeq()));
  }
}
