import type { Fact } from '@igniter/core';
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
  /** The connection failed: the follower stops. */
  failed(error: unknown): void;
}

/**
 * Keeps a follower up to date with the table. Catch-ups run one at a time, on each NOTIFY of the
 * writer and every `pollMs` (so a missed notification only delays the follower); wake-ups that
 * come while one is queued join it. After an append notice, a catch-up is one statement: a
 * binary COPY of every fact above the applied seq, skipped when an earlier catch-up already
 * read past the notice's last seq. After a rewrite notice, at the first catch-up and at every
 * poll, it reads the layout row first; when the writer rewrote the table since (the generation
 * moved), it reads which seqs remain and drops the rest. The writer commits in seq order on one
 * connection, so a snapshot never shows a gap below the highest seq it shows.
 *
 * Notices arrive on a connection of their own (`listener`), never on the one that runs the
 * catch-ups' COPY: with both on one connection, a follower now and then stalled for good with
 * its session idle after a COPY (both followers of the multi-process test at once, right as
 * the writer notified them), the copy stream never ending on the client.
 */
export class FollowerSync {
  readonly #client: pg.Client;
  readonly #listener: pg.Client;
  readonly #names: SchemaNames;
  readonly #pollMs: number;
  readonly #host: FollowerHost;
  #generation = -1;
  /** The next catch-up reads the layout (the first one, polls, rewrite notices). */
  #layoutDue = true;
  /** The highest seq an append notice named. */
  #notifiedSeq = 0;
  /** Catch-ups run one after another on this chain; two at once would both read above the same seq. */
  #chain: Promise<void> = Promise.resolve();
  #wakeQueued = false;
  #stopped = false;
  #poll: NodeJS.Timeout | undefined;

  constructor(
    client: pg.Client,
    listener: pg.Client,
    names: SchemaNames,
    pollMs: number,
    host: FollowerHost,
  ) {
    this.#client = client;
    this.#listener = listener;
    this.#names = names;
    this.#pollMs = pollMs;
    this.#host = host;
  }

  /** LISTENs, then reads the whole table (LISTEN first, so no commit falls between the two). */
  async start(): Promise<void> {
    const lost = (error: unknown) => {
      if (!this.#stopped) this.#host.failed(error);
    };
    this.#listener.on('error', lost);
    this.#listener.on('end', () => lost(new Error('the notice connection ended')));
    this.#listener.on('notification', (message) => {
      if (message.channel !== this.#names.channel) return;
      const notice = readNotice(message.payload);
      if (notice.kind === 'append') this.#notifiedSeq = Math.max(this.#notifiedSeq, notice.last);
      else this.#layoutDue = true;
      this.#schedule();
    });
    await this.#listener.query(`LISTEN ${this.#names.channel}`);
    const first = this.#chain.then(() => this.#catchUp());
    this.#chain = first.catch(() => undefined);
    await first;
    this.#poll = setInterval(() => {
      this.#layoutDue = true;
      this.#schedule();
    }, this.#pollMs);
    this.#poll.unref();
  }

  /**
   * Stops following after a last catch-up (the caller holds the writer lock, so it sees
   * everything ever committed); the notice connection is closed.
   */
  async finish(): Promise<void> {
    this.stop();
    await this.#chain;
    this.#layoutDue = true;
    await this.#catchUp();
  }

  /** Stops waking up and closes the notice connection; a catch-up in flight completes. */
  stop(): void {
    if (!this.#stopped) this.#listener.end().catch(() => undefined);
    this.#stopped = true;
    if (this.#poll !== undefined) clearInterval(this.#poll);
    this.#poll = undefined;
  }

  /** Queues one catch-up unless one is already queued (it will see whatever woke this one). */
  #schedule(): void {
    if (this.#stopped || this.#wakeQueued) return;
    this.#wakeQueued = true;
    this.#chain = this.#chain
      .then(() => {
        this.#wakeQueued = false;
        return this.#stopped ? undefined : this.#catchUp();
      })
      .catch((error: unknown) => this.#host.failed(error));
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
    if (!layoutDue) {
      if (this.#host.appliedSeq() < this.#notifiedSeq) await this.#fetchAfterApplied(0);
      return;
    }
    const client = this.#client;
    const layout = await readLayout(client, this.#names);
    if (layout.generation !== this.#generation && this.#generation !== -1) {
      const { rows } = await client.query<{ seq: string }>(
        `SELECT seq FROM ${this.#names.facts} WHERE seq <= $1::bigint`,
        [this.#host.appliedSeq()],
      );
      this.#host.dropExcept(new Set(rows.map((row) => Number(row.seq))));
    }
    this.#generation = layout.generation;
    await this.#fetchAfterApplied(layout.lastSeq);
  }

  /** Reads, keeps and applies every fact above the applied seq; `highWaterSeq` as the layout said. */
  async #fetchAfterApplied(highWaterSeq: number): Promise<void> {
    const fresh: Fact[] = [];
    await streamFacts(this.#client, this.#names, this.#host.appliedSeq(), (fact, bytes) => {
      this.#host.keep(fact, bytes);
      fresh.push(fact);
    });
    this.#host.applied(fresh, Math.max(highWaterSeq, this.#host.appliedSeq()));
  }
}
