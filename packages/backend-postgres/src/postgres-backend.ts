import type {
  Backend,
  EngineKind,
  Fact,
  PreloadedFacts,
  SnapshotMeta,
  StorageStats,
  StoredEntry,
  StoreLink,
  StoreRole,
  Time,
} from '@igniter/core';
import { IgniterError, toMs } from '@igniter/core';
import { factValueJson } from '@igniter/core/storage';
import type pg from 'pg';
import { commitOp } from './commit-op.js';
import {
  followerSessions,
  lockedError,
  openConnection,
  streamFacts,
  tableBytes,
  tryWriterLock,
} from './connection.js';
import { FactColumns, storableProblem } from './fact-rows.js';
import { type FollowerHost, FollowerSync } from './follower-sync.js';
import { GroupCommit } from './group-commit.js';
import { ensureLayout, type SchemaNames, schemaNames } from './layout.js';
import { OpenedRows } from './open-rows.js';
import { checkPostgresOptions, type PostgresBackendOptions, type PostgresSettings } from './options.js';
import { rowBytes, StoreTally } from './store-tally.js';

/** How often at most `storageStats()` asks PostgreSQL for the table size again. */
const TABLE_BYTES_EVERY_MS = 1000;

/**
 * The fact log in PostgreSQL: one row per fact in `<schema>.igniter_facts` (`seq` the primary
 * key, every field of the fact in its own column, values as `json` text from which `valueHash`
 * recomputes), plus a one-row `<schema>.igniter_layout` (layout version, high-water seq,
 * rewrite generation). Tables are created on first use.
 *
 * A writer (`connect`) holds a session advisory lock on the one connection it commits on: a
 * second writer gets `ERR_LOCKED`, and a writer that loses that connection (and so the lock)
 * stops for good (`ERR_CLOSED`), so nothing it holds after the loss is ever committed. Writes are
 * synchronous in memory; facts reach PostgreSQL by group commit (one multi-row insert per
 * batch, with a NOTIFY for followers in the same statement).
 *
 * A follower (`follow`) reads the table, LISTENs for the writer's notifications and catches up by
 * seq; it refuses writes (`ERR_READ_ONLY`) until `promote()` makes it the writer.
 *
 * The backend keeps the live facts in memory (the store's engine shares them) so that `replay`
 * answers synchronously.
 */
export class PostgresBackend implements Backend {
  readonly #settings: PostgresSettings;
  readonly #names: SchemaNames;
  /** The session commits run on (a writer's) or catch-ups run on (a follower's; replaced on reconnect). */
  #client: pg.Client;
  readonly #tally = new StoreTally();
  /** Live facts as objects: every fact, or those after the ones still in `#opened`. */
  #facts: Fact[] = [];
  /** The rows a writer's open read, undecoded (decoded into `#facts` only when needed). */
  #opened: OpenedRows | undefined;
  #highWater = 0;
  #role: StoreRole;
  #commit: GroupCommit | undefined;
  #follower: FollowerSync | undefined;
  #link: StoreLink | undefined;
  #closing: Promise<void> | undefined;
  #lost: IgniterError | undefined;
  #tableBytes = 0;
  #tableBytesAt = 0;
  #tableBytesAsked = false;

  private constructor(settings: PostgresSettings, names: SchemaNames, client: pg.Client, role: StoreRole) {
    this.#settings = settings;
    this.#names = names;
    this.#client = client;
    this.#role = role;
    // A follower's sessions are watched by its FollowerSync, which reconnects them.
    if (role === 'writer') this.#watch(client);
  }

  /** A writer that loses `client` (and so its lock) stops for good. */
  #watch(client: pg.Client): void {
    client.on('error', (error) => this.#lose(error));
    client.on('end', () => this.#lose(new Error('the connection ended')));
  }

  /**
   * Connects as the writer of `schema`: takes the writer lock, creates the tables if missing,
   * checks their layout and reads every fact with one streaming COPY. Rejects with
   * `ERR_INVALID_ARGUMENT` for bad options, `ERR_LOCKED` when another writer holds the schema,
   * `ERR_UNSUPPORTED_FORMAT` for a newer table layout, `ERR_CLOSED` when the server cannot be
   * reached, `ERR_CORRUPT_LOG` for a row that is not a fact. Cost: one read of the table.
   */
  static async connect(options: PostgresBackendOptions): Promise<PostgresBackend> {
    return PostgresBackend.#open(options, 'writer');
  }

  /**
   * Connects as a follower of `schema`: creates the tables if missing, LISTENs for the writer's
   * commits and reads every fact. Rejects as `connect` does, never with `ERR_LOCKED`.
   * Cost: one read of the table.
   */
  static async follow(options: PostgresBackendOptions): Promise<PostgresBackend> {
    return PostgresBackend.#open(options, 'follower');
  }

  static async #open(options: PostgresBackendOptions, role: StoreRole): Promise<PostgresBackend> {
    const settings = checkPostgresOptions(options);
    const names = schemaNames(settings.schema);
    const reopen = () => followerSessions(settings.connectionString, names);
    const { client, listener } =
      role === 'follower'
        ? await reopen()
        : { client: await openConnection(settings.connectionString, `igniter writer ${names.schema}`) };
    try {
      if (role === 'writer' && !(await tryWriterLock(client, names))) throw lockedError(names);
      await ensureLayout(client, names);
      const backend = new PostgresBackend(settings, names, client, role);
      if (listener) {
        const follower = new FollowerSync(
          { client, listener },
          reopen,
          names,
          settings.pollMs,
          backend.#followerHost(),
        );
        backend.#follower = follower;
        await follower.start().catch((error: unknown) => {
          follower.stop();
          throw error;
        });
      } else {
        backend.#opened = await OpenedRows.read(client, names, settings.engine, backend.#tally);
        backend.#highWater = backend.#opened.highWater;
        backend.#startWriting();
      }
      backend.#tableBytes = await tableBytes(client, names);
      backend.#tableBytesAt = Date.now();
      return backend;
    } catch (error) {
      await client.end().catch(() => undefined);
      await listener?.end().catch(() => undefined);
      throw error;
    }
  }

  /** The schema this backend stores in. */
  get schema(): string {
    return this.#names.schema;
  }

  /** `'writer'`, or `'follower'` until `promote()`. */
  role(): StoreRole {
    return this.#role;
  }

  /** Where to report facts a writer elsewhere committed or removed, and this backend's end. */
  link(link: StoreLink): void {
    this.#link = link;
  }

  /**
   * The log a writer's open read, once, for the store's engine to adopt instead of loading
   * `replay()`: a native log for the native engine, undecoded rows for the TS engine; undefined
   * for an engine of the other kind, after the first call, and for a follower.
   */
  takePreloaded(engine?: EngineKind): PreloadedFacts | undefined {
    return this.#opened?.takePreloaded(engine);
  }

  /**
   * Every live fact in seq order within inclusive transaction-time bounds, from memory (rows a
   * native open kept as bytes are decoded first). Throws `ERR_CLOSED`. Cost: a copy of the list.
   */
  replay(opts: { since?: Time; asOf?: Time } = {}): Iterable<Fact> {
    this.#assertOpen();
    this.#materialize();
    const since = toMs(opts.since, 'since');
    const asOf = toMs(opts.asOf, 'asOf');
    if (since === undefined && asOf === undefined) return [...this.#facts];
    return this.#facts.filter(
      (f) =>
        (since === undefined || f.transactionTime >= since) &&
        (asOf === undefined || f.transactionTime <= asOf),
    );
  }

  /** The highest seq ever committed, also of facts since deleted (it survives reopen). */
  highWaterSeq(): number {
    return this.#highWater;
  }

  /**
   * Queues `fact` for the next group commit. Throws `ERR_READ_ONLY` on a follower, `ERR_CLOSED`
   * after close or once the connection was lost, `ERR_INVALID_ARGUMENT` for a malformed fact, a
   * seq not above every seq written, or a name PostgreSQL text cannot hold (a NUL, an unpaired
   * surrogate). Cost: one stringify of the value.
   */
  writeFact(fact: Fact): void {
    const commit = this.#assertWritable();
    this.#check(fact, this.#highWater);
    this.#queue(commit, fact);
  }

  /**
   * Queues a `writeMany` batch for the next group commit as one unit (see `Backend.writeFacts`):
   * every fact is checked before any is queued, and one statement commits them all. Throws as
   * `writeFact` does, having queued none.
   */
  writeFacts(facts: readonly Fact[]): void {
    const commit = this.#assertWritable();
    let highWater = this.#highWater;
    for (const fact of facts) {
      this.#check(fact, highWater);
      highWater = fact.seq;
    }
    facts.forEach((fact, i) => {
      this.#queue(commit, fact, i < facts.length - 1);
    });
  }

  /** Throws `ERR_INVALID_ARGUMENT` when `fact` cannot be stored or its seq is not above `highWater`. */
  #check(fact: Fact, highWater: number): void {
    const problem = storableProblem(fact);
    if (problem !== undefined)
      throw new IgniterError('ERR_INVALID_ARGUMENT', `cannot store the fact: ${problem}`);
    if (fact.seq <= highWater) {
      throw new IgniterError(
        'ERR_INVALID_ARGUMENT',
        `fact seq ${fact.seq} is not above the highest seq written, ${highWater}`,
      );
    }
  }

  /** Queues a checked fact; `more` when facts of the same batch follow (see `GroupCommit.add`). */
  #queue(commit: GroupCommit, fact: Fact, more = false): void {
    const valueJson = factValueJson(fact);
    commit.add(fact, valueJson, more);
    this.#facts.push(fact);
    this.#highWater = fact.seq;
    this.#tally.add(fact.store, rowBytes(fact, valueJson));
  }

  /** Resolves once every fact written before the call is committed (at once on a follower). */
  async flush(): Promise<void> {
    this.#assertOpen();
    await this.#commit?.flush();
  }

  /**
   * Commits what is queued, releases the writer lock and disconnects. Resolves twice; rejects
   * with the commit error when queued facts could not be committed.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        if (!this.#lost) await this.#commit?.flush();
      } finally {
        this.#follower?.stop();
        this.#commit?.fail(new IgniterError('ERR_CLOSED', 'the PostgreSQL backend is closed'));
        await this.#client.end().catch(() => undefined);
      }
    })();
    return this.#closing;
  }

  /** A no-op: the table is the state, a reopen reads it whole (checks that the store may write). */
  writeSnapshot(_facts: readonly Fact[], _meta: SnapshotMeta): void {
    this.#assertWritable();
  }

  /**
   * Makes the table hold exactly `facts` (compaction, prune): in one transaction after every
   * queued fact, rows left out are deleted and new ones (the receipt) inserted; then VACUUM
   * makes the deleted rows' space reusable. Throws as `writeFact` does.
   */
  replaceWithSnapshot(facts: readonly Fact[], meta: SnapshotMeta): void {
    const commit = this.#assertWritable();
    this.#materialize();
    const rows = new FactColumns();
    const kept = new Set<number>();
    const added: Array<{ fact: Fact; bytes: number }> = [];
    for (const fact of facts) {
      kept.add(fact.seq);
      if (fact.seq <= this.#highWater) continue;
      const problem = storableProblem(fact);
      if (problem !== undefined)
        throw new IgniterError('ERR_INVALID_ARGUMENT', `cannot store the fact: ${problem}`);
      const valueJson = factValueJson(fact);
      rows.add(fact, valueJson);
      added.push({ fact, bytes: rowBytes(fact, valueJson) });
    }
    const dropped = this.#facts.filter((f) => !kept.has(f.seq));
    const highWater = Math.max(this.#highWater, meta.lastSeq, ...added.map((a) => a.fact.seq));
    commit.rewrite(
      rows,
      dropped.map((f) => f.seq),
      highWater,
    );
    for (const fact of dropped) this.#tally.remove(fact.store, rowBytes(fact, factValueJson(fact)));
    for (const { fact, bytes } of added) this.#tally.add(fact.store, bytes);
    this.#facts = [...facts];
    this.#highWater = highWater;
  }

  /**
   * Facts and row bytes per store as this backend holds them; `byteSize` is the tables' size on
   * disk as PostgreSQL last reported it (asked again in the background at most once a second,
   * when this is called: never on the commit path, where it would delay a batch).
   */
  storageStats(opts: { store?: string } = {}): StorageStats {
    this.#assertOpen();
    this.#askTableBytes();
    return {
      backend: 'postgres',
      byteSize: this.#tableBytes,
      factCount: (this.#opened?.count ?? 0) + this.#facts.length,
      recoveredTailBytes: 0,
      recovered: [],
      stores: this.#tally.snapshot(opts.store),
    };
  }

  /**
   * Reads every row again (one COPY), yielding each fact with `file` naming the table and
   * `offset` its seq, and a `frame` problem for a row that does not decode. Never writes.
   */
  async *verifyFiles(): AsyncIterable<StoredEntry> {
    this.#assertOpen();
    const file = `postgresql:${this.#names.facts}`;
    const entries: StoredEntry[] = [];
    await streamFacts(
      this.#client,
      this.#names,
      0,
      (fact) => entries.push({ fact, file, offset: fact.seq }),
      (seq, error) => entries.push({ problem: { kind: 'frame', file, offset: seq, message: error.message } }),
    );
    yield* entries;
  }

  /**
   * Makes this follower the writer: takes the writer lock (`ERR_LOCKED` while another session
   * holds it), applies everything committed before, stops listening, and accepts writes.
   */
  async promote(): Promise<void> {
    this.#assertOpen();
    const follower = this.#follower;
    if (this.#role === 'writer' || !follower) return;
    const away = (cause?: unknown) =>
      new IgniterError(
        'ERR_NETWORK',
        `the follower of PostgreSQL schema ${this.#names.schema} lost its connection and is reconnecting; promote it once it is back`,
        { cause },
      );
    if (follower.reconnecting) throw away();
    let locked = false;
    try {
      locked = await tryWriterLock(this.#client, this.#names);
      if (locked) await follower.finish();
    } catch (error) {
      // A failed session (the lock, if taken, went with it) reconnects; anything else stops the
      // follower, its session and lock with it.
      follower.lost(error);
      if (error instanceof IgniterError) throw error;
      throw away(error);
    }
    if (!locked) throw lockedError(this.#names);
    this.#follower = undefined;
    this.#role = 'writer';
    this.#watch(this.#client);
    this.#startWriting();
  }

  // ---------------------------------------------------------------- private

  #assertOpen(): void {
    if (this.#lost) throw this.#lost;
    if (this.#closing) throw new IgniterError('ERR_CLOSED', 'the PostgreSQL backend is closed');
  }

  #assertWritable(): GroupCommit {
    this.#assertOpen();
    if (!this.#commit)
      throw new IgniterError('ERR_READ_ONLY', 'a follower does not write; promote() it first');
    return this.#commit;
  }

  /** Decodes the rows the open kept undecoded into `#facts` (compaction, prune, replay). */
  #materialize(): void {
    const opened = this.#opened;
    if (!opened) return;
    this.#opened = undefined;
    this.#facts = opened.facts().concat(this.#facts);
  }

  #keep(fact: Fact, bytes: number): void {
    this.#facts.push(fact);
    this.#tally.add(fact.store, bytes);
    if (fact.seq > this.#highWater) this.#highWater = fact.seq;
  }

  #followerHost(): FollowerHost {
    return {
      appliedSeq: () => this.#highWater,
      keep: (fact, bytes) => this.#keep(fact, bytes),
      dropExcept: (live) => {
        const dropped = this.#facts.filter((f) => !live.has(f.seq));
        if (dropped.length === 0) return [];
        this.#facts = this.#facts.filter((f) => live.has(f.seq));
        for (const fact of dropped) this.#tally.remove(fact.store, rowBytes(fact, factValueJson(fact)));
        this.#link?.removeFacts(dropped.map((f) => f.id));
        return dropped;
      },
      applied: (facts, highWater) => {
        this.#highWater = Math.max(this.#highWater, highWater);
        this.#link?.applyFacts(facts, this.#highWater);
      },
      failed: (error) => this.#lose(error),
      reconnected: (client) => {
        this.#client = client;
      },
    };
  }

  #startWriting(): void {
    this.#commit = new GroupCommit((op) => commitOp(this.#client, this.#names, op), {
      durability: this.#settings.durability,
      groupCommitMs: this.#settings.groupCommitMs,
      onFailure: (error) => this.#lose(error),
    });
  }

  /** Asks for the table size again, without waiting, when the last answer is a second old. */
  #askTableBytes(): void {
    if (this.#tableBytesAsked || Date.now() - this.#tableBytesAt < TABLE_BYTES_EVERY_MS) return;
    this.#tableBytesAsked = true;
    tableBytes(this.#client, this.#names).then(
      (bytes) => {
        this.#tableBytes = bytes;
        this.#tableBytesAt = Date.now();
        this.#tableBytesAsked = false;
      },
      // A lost connection is reported by the client's own events; the last size stays.
      () => {
        this.#tableBytesAsked = false;
      },
    );
  }

  /** The connection is gone (or a commit failed): stop for good and tell the store. */
  #lose(cause: unknown): void {
    if (this.#lost || this.#closing) return;
    const error =
      cause instanceof IgniterError && cause.code === 'ERR_CLOSED'
        ? cause
        : new IgniterError(
            'ERR_CLOSED',
            `the PostgreSQL connection of schema ${this.#names.schema} was lost; this backend stops for good: ${String(cause)}`,
            { cause },
          );
    this.#lost = error;
    this.#commit?.fail(error);
    this.#follower?.stop();
    this.#client.end().catch(() => undefined);
    this.#link?.closed(error);
  }
}
