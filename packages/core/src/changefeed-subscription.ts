import { isAppendKey } from './append-key.js';
import type { ChangeEvent, CommitKind, CommittedLogReader } from './change-event.js';
import { IgniterError } from './errors.js';
import type { Fact } from './fact.js';
import { COMPACTION_RECEIPTS, PRUNE_RECEIPTS } from './lifecycle/types.js';
import type { RingBuffer } from './ring-buffer.js';

/** A changefeed event about one committed fact. */
export type FactChangeEvent = Extract<ChangeEvent, { seq: number }>;

/** The marker of events a subscriber asked for and can no longer get. */
export type LaggedEvent = Extract<ChangeEvent, { kind: 'lagged' }>;

/** What a changefeed does when a live subscriber's queue is full. */
export type OverflowPolicy = 'drop_oldest' | 'close';

/**
 * A subscription to a `Changefeed`: an async iterator of events in seq order, which
 * `for await` consumes. Leaving the loop (`break`, `return`, a throw) or calling `close()`
 * releases it.
 */
export interface ChangeSubscription extends AsyncIterable<ChangeEvent> {
  /** Identifies the subscription in `changefeed.stats()`. */
  readonly id: string;
  /**
   * The next event. Pending while the subscriber is caught up and nothing new is committed;
   * `done` once closed. Rejects with `ERR_SUBSCRIBER_OVERFLOW` (after the queued events) when
   * the queue overflowed under `overflow: 'close'`. Cost: O(1) live; replay reads the ring
   * (O(log capacity) per step) or the store's log in batches.
   */
  next(): Promise<IteratorResult<ChangeEvent, undefined>>;
  /** Closes the subscription (what `for await ... break` calls); resolves `done`. */
  return(): Promise<IteratorResult<ChangeEvent, undefined>>;
  /** Ends the iterator: pending and later `next()` calls resolve `done`. Idempotent, O(1). */
  close(): void;
  /** The subscription is its own async iterator. */
  [Symbol.asyncIterator](): ChangeSubscription;
}

/** Where a subscription stands, as `changefeed.stats()` reports it. */
export type SubscriptionState = 'catching_up' | 'live' | 'overflowed';

/** Diagnostics of one open subscription. */
export interface SubscriptionStats {
  /** A unique id of the subscription. */
  id: string;
  /** The stores it follows; `null` for every store. */
  stores: string[] | null;
  /**
   * `catching_up`: reading past events from the ring or the log (holds no queue);
   * `live`: receiving events as they are published, through its queue;
   * `overflowed`: its queue overflowed under `overflow: 'close'`; its iterator will throw.
   */
  state: SubscriptionState;
  /** The highest seq it has received, queued or been told it missed. */
  cursor: number;
  /** Events queued and not yet read (at most `queueLimit`). */
  queueDepth: number;
  /** Fact events handed to the reader so far (lagged markers not counted). */
  delivered: number;
  /** Events dropped from its queue by `drop_oldest` overflow. */
  dropped: number;
}

/** What a subscription needs from its changefeed. */
export interface FeedSource {
  readonly ring: RingBuffer<FactChangeEvent>;
  /** The attached log, if any (a store may attach it after subscriptions exist). */
  reader(): CommittedLogReader | undefined;
  /** The highest seq committed (published, or in the attached log). */
  head(): number;
  detach(subscription: FeedSubscription): void;
}

/** Facts read from the log per batch while a subscriber replays what the ring no longer holds. */
const LOG_BATCH = 512;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

interface Waiter {
  resolve(result: IteratorResult<ChangeEvent, undefined>): void;
  reject(error: unknown): void;
}

function bySeq(event: FactChangeEvent): number {
  return event.seq;
}

/** Builds the (frozen, shareable) event of a committed fact. */
export function factEvent(fact: Fact, kind: CommitKind): FactChangeEvent {
  return Object.freeze({
    seq: fact.seq,
    kind,
    store: fact.store,
    key: fact.key,
    factId: fact.id,
    valueHash: fact.valueHash,
    transactionTime: fact.transactionTime,
  });
}

/** The producer kind of prune receipts (they may live in a caller-chosen receipt store). */
const PRUNE_PRODUCER = 'fact_prune';

/**
 * The kind of a fact read back from the log, where the kind it was published with is not
 * recorded: compaction and prune receipts, appends (by their tagged key, see `appendKey`) and
 * derived facts are recognised; anything else is a `write`.
 */
export function loggedCommitKind(fact: Fact): CommitKind {
  if (fact.store === COMPACTION_RECEIPTS) return 'compacted';
  if (fact.store === PRUNE_RECEIPTS || fact.producer?.kind === PRUNE_PRODUCER) return 'pruned';
  if (fact.causation === null && isAppendKey(fact.key, fact.transactionTime)) return 'append';
  if (fact.derivation !== null) return 'derived';
  return 'write';
}

/**
 * One subscriber. While catching up it pulls past events from the ring, or from the store's log
 * where the ring no longer reaches, and holds no queue; once caught up it turns live and
 * `offer` (called by `publish`) queues matching events, bounded by `queueLimit`.
 */
export class FeedSubscription implements ChangeSubscription {
  readonly id: string;
  readonly #stores: ReadonlySet<string> | null;
  readonly #feed: FeedSource;
  readonly #overflow: OverflowPolicy;
  readonly #queue: RingBuffer<FactChangeEvent>;
  /** Subscribed with `after`: wants every later seq, also those a newly attached log reveals. */
  readonly #resumes: boolean;
  #live: boolean;
  /** Highest seq received, queued or reported missed; nothing at or below it is delivered again. */
  #cursor: number;
  #pendingLag: { missedFrom: number; missedTo: number } | null = null;
  #waiters: Waiter[] = [];
  #failure: IgniterError | undefined;
  #closed = false;
  #logBuffer: readonly Fact[] = [];
  #logIndex = 0;
  #delivered = 0;
  #dropped = 0;

  constructor(
    id: string,
    feed: FeedSource,
    queue: RingBuffer<FactChangeEvent>,
    options: { stores: ReadonlySet<string> | null; after: number | undefined; overflow: OverflowPolicy },
  ) {
    this.id = id;
    this.#feed = feed;
    this.#queue = queue;
    this.#stores = options.stores;
    this.#overflow = options.overflow;
    this.#resumes = options.after !== undefined;
    const head = feed.head();
    this.#cursor = options.after ?? head;
    this.#live = this.#cursor >= head;
  }

  [Symbol.asyncIterator](): ChangeSubscription {
    return this;
  }

  next(): Promise<IteratorResult<ChangeEvent, undefined>> {
    if (this.#closed) return Promise.resolve(DONE);
    // What is already queued precedes anything still to be pulled (see `attached`).
    if (this.#pendingLag) {
      const lag: LaggedEvent = Object.freeze({ kind: 'lagged', ...this.#pendingLag });
      this.#pendingLag = null;
      return this.#deliver(lag);
    }
    const queued = this.#queue.shift();
    if (queued) return this.#deliver(queued);
    if (this.#failure) {
      const failure = this.#failure;
      this.close();
      return Promise.reject(failure);
    }
    if (!this.#live) {
      let event: ChangeEvent | undefined;
      try {
        event = this.#pull();
      } catch (error) {
        return Promise.reject(error);
      }
      if (event) return this.#deliver(event);
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<ChangeEvent, undefined>> {
    this.close();
    return Promise.resolve(DONE);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.clear();
    this.#pendingLag = null;
    this.#failure = undefined;
    this.#logBuffer = [];
    this.#feed.detach(this);
    for (const waiter of this.#waiters.splice(0)) waiter.resolve(DONE);
  }

  /** Called by `publish` for every event, in seq order. O(1); never blocks, never throws. */
  offer(event: FactChangeEvent): void {
    if (!this.#live || this.#closed || this.#failure || event.seq <= this.#cursor) return;
    if (this.#stores && !this.#stores.has(event.store)) return;
    this.#cursor = event.seq;
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#delivered += 1;
      waiter.resolve({ done: false, value: event });
      return;
    }
    if (this.#queue.size < this.#queue.capacity) {
      this.#queue.push(event);
      return;
    }
    if (this.#overflow === 'drop_oldest') {
      const dropped = this.#queue.push(event);
      if (dropped) this.#recordDrop(dropped.seq);
      return;
    }
    this.#failure = new IgniterError(
      'ERR_SUBSCRIBER_OVERFLOW',
      `changefeed subscriber ${this.id} fell behind: its queue of ${this.#queue.capacity} events is full ` +
        `(overflow: 'close'); resubscribe with { after: <the last seq you processed> } to resume`,
      {
        details: {
          subscriberId: this.id,
          queueLimit: this.#queue.capacity,
          lastQueuedSeq: this.#queue.last()?.seq ?? null,
          missedFrom: event.seq,
        },
      },
    );
  }

  /**
   * The feed attached a log whose last seq is `head`. A subscription with `after` now also wants
   * the seqs up to `head` that were never published here (a store reopened on its log), so it
   * catches up again; a live-only one skips them: they were committed before it subscribed.
   */
  attached(head: number): void {
    if (this.#closed || this.#failure || this.#cursor >= head) {
      if (this.#resumes && !this.#closed && !this.#failure && this.#cursor > head) this.#fail(head);
      return;
    }
    if (!this.#resumes) {
      this.#cursor = head;
      return;
    }
    this.#live = false;
    while (this.#waiters.length > 0 && !this.#live) {
      const waiter = this.#waiters.shift() as Waiter; // length > 0
      let event: ChangeEvent | undefined;
      try {
        event = this.#pull();
      } catch (error) {
        waiter.reject(error);
        continue;
      }
      if (event) {
        if (event.kind !== 'lagged') this.#delivered += 1;
        waiter.resolve({ done: false, value: event });
      } else {
        this.#waiters.unshift(waiter);
      }
    }
  }

  /** Fails a resuming subscription whose cursor is past the attached log's last seq `head`. */
  #fail(head: number): void {
    const error = cursorError(this.#cursor, head);
    const waiters = this.#waiters.splice(0);
    // A read waiting now gets the error; otherwise the next read does (see `next`).
    if (waiters.length === 0) this.#failure = error;
    else this.close();
    for (const waiter of waiters) waiter.reject(error);
  }

  stats(): SubscriptionStats {
    let state: SubscriptionState = this.#live ? 'live' : 'catching_up';
    if (this.#failure) state = 'overflowed';
    return {
      id: this.id,
      stores: this.#stores ? [...this.#stores] : null,
      state,
      cursor: this.#cursor,
      queueDepth: this.#queue.size,
      delivered: this.#delivered,
      dropped: this.#dropped,
    };
  }

  #deliver(event: ChangeEvent): Promise<IteratorResult<ChangeEvent, undefined>> {
    if (event.kind !== 'lagged') this.#delivered += 1;
    return Promise.resolve({ done: false, value: event });
  }

  #recordDrop(seq: number): void {
    this.#dropped += 1;
    if (this.#pendingLag) this.#pendingLag.missedTo = seq;
    else this.#pendingLag = { missedFrom: seq, missedTo: seq };
  }

  #matches(store: string): boolean {
    return this.#stores === null || this.#stores.has(store);
  }

  /** The next past event, or undefined; the subscription turns live once nothing past is left. */
  #pull(): ChangeEvent | undefined {
    const event = this.#pullPast();
    if (this.#cursor >= this.#feed.head()) this.#live = true;
    return event;
  }

  /** The next past event for this subscriber, or undefined once it has caught up. */
  #pullPast(): ChangeEvent | undefined {
    const ring = this.#feed.ring;
    for (;;) {
      const seq = this.#cursor + 1;
      const head = this.#feed.head();
      if (seq > head) return undefined;
      let index = ring.lowerBound(seq, bySeq);
      let next = ring.at(index);
      if (next?.seq === seq) {
        while (next && next.seq === this.#cursor + 1) {
          this.#cursor = next.seq;
          if (this.#matches(next.store)) return next;
          index += 1;
          next = ring.at(index);
        }
        continue;
      }
      // seq is not in the ring: it comes from the log, up to where the ring takes over.
      const event = this.#pullLog(seq, next ? next.seq - 1 : head);
      if (event) return event;
    }
  }

  /** The event of the fact `from` from the log; `lagged` when the log no longer has it. */
  #pullLog(from: number, upper: number): ChangeEvent | undefined {
    const fact = this.#nextLogged(from);
    if (!fact || fact.seq > from) {
      const missedTo = fact ? Math.min(fact.seq - 1, upper) : upper;
      this.#cursor = missedTo;
      return Object.freeze({ kind: 'lagged', missedFrom: from, missedTo });
    }
    this.#cursor = fact.seq;
    return this.#matches(fact.store) ? factEvent(fact, loggedCommitKind(fact)) : undefined;
  }

  /**
   * The first live fact with seq >= `from` in the log. Facts come in batches; a batch lists
   * every fact that was live in its range when read, so a seq missing from it is truly gone.
   */
  #nextLogged(from: number): Fact | undefined {
    while (this.#logIndex < this.#logBuffer.length && (this.#logBuffer[this.#logIndex]?.seq ?? from) < from) {
      this.#logIndex += 1;
    }
    if (this.#logIndex >= this.#logBuffer.length) {
      this.#logBuffer = this.#feed.reader()?.factsAfter(from - 1, LOG_BATCH) ?? [];
      this.#logIndex = 0;
    }
    return this.#logBuffer[this.#logIndex];
  }
}

/**
 * The error of a changefeed cursor `after` above the last committed seq: `ERR_INVALID_ARGUMENT`
 * with `details = { after, lastSeq }`.
 */
export function cursorError(after: number, lastSeq: number): IgniterError {
  return new IgniterError(
    'ERR_INVALID_ARGUMENT',
    `changefeed cursor after=${after} is past the store's last seq ${lastSeq} (a cursor from another store, or from before a restore of an older backup); resubscribe with after <= ${lastSeq}`,
    { details: { after, lastSeq } },
  );
}
