import { checkInput, checkName } from './args.js';
import type { ChangeSink, CommitKind, CommittedLogReader } from './change-event.js';
import {
  type ChangeSubscription,
  cursorError,
  type FactChangeEvent,
  type FeedSource,
  FeedSubscription,
  factEvent,
  type OverflowPolicy,
  type SubscriptionStats,
} from './changefeed-subscription.js';
import { IgniterError } from './errors.js';
import type { Fact } from './fact.js';
import { CHANGEFEED_FIELDS, SUBSCRIBE_FIELDS } from './input-fields.js';
import { RingBuffer } from './ring-buffer.js';

/** Options of `new Changefeed(options)`. */
export interface ChangefeedOptions {
  /** Events kept in the replay ring (default 10_000; 0 replays from the store's log only). */
  capacity?: number;
  /** Events a live subscriber may have queued and unread (default 1000). */
  queueLimit?: number;
  /**
   * When a live subscriber's queue is full: `drop_oldest` (default) drops its oldest queued
   * event and later tells it with a `lagged` marker; `close` ends the subscription, whose
   * iterator throws `ERR_SUBSCRIBER_OVERFLOW` after the events already queued.
   */
  overflow?: OverflowPolicy;
}

/** Options of `changefeed.subscribe(options)`. */
export interface SubscribeOptions {
  /** Only events of these stores (default: every store, internal ones included). */
  stores?: readonly string[];
  /** Seq cursor: replay every event with a greater seq, then continue live. Default: live only. */
  after?: number;
}

/** Diagnostics of a changefeed, from `changefeed.stats()`. */
export interface ChangefeedStats {
  /** Open subscriptions. */
  subscriberCount: number;
  /** Events published since the changefeed was created. */
  published: number;
  /** The replay ring: its capacity, size and the seq range it holds. */
  ring: { capacity: number; size: number; oldestSeq: number | null; newestSeq: number | null };
  /** One entry per open subscription, in subscription order. */
  subscribers: SubscriptionStats[];
}

const DEFAULT_CAPACITY = 10_000;
const DEFAULT_QUEUE_LIMIT = 1000;

function badArgument(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}

function checkCount(value: unknown, fallback: number, min: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw badArgument(`${what} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

function checkStores(value: unknown): ReadonlySet<string> | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.length === 0) {
    throw badArgument('stores must be a non-empty array of store names (omit it for every store)');
  }
  return new Set(value.map((store, i) => checkName(store, `stores[${i}]`)));
}

/**
 * The changefeed of a store (ARCHITECTURE.md D12): one event per committed fact, in seq order, kept in a
 * bounded replay ring and fanned out to subscribers with bounded queues. Pass it to
 * `new IgniterStore({ changefeed })`; the store attaches its log, so a subscriber can resume
 * from any seq the log still holds, also after a restart of a durable store.
 *
 * Publishing never waits for a subscriber: a stalled one only fills its own queue.
 */
export class Changefeed implements ChangeSink {
  /** Events kept in the replay ring. */
  readonly capacity: number;
  /** Events a live subscriber may have queued and unread. */
  readonly queueLimit: number;
  /** What happens when a live subscriber's queue is full. */
  readonly overflow: OverflowPolicy;

  readonly #ring: RingBuffer<FactChangeEvent>;
  readonly #subscribers = new Set<FeedSubscription>();
  #reader: CommittedLogReader | undefined;
  /** What subscriptions read: the ring, the attached log (it may be attached after they subscribe). */
  readonly #source: FeedSource;
  #lastPublished = 0;
  #published = 0;
  #nextId = 1;

  /**
   * Creates a changefeed. Throws `ERR_INVALID_ARGUMENT` for an unknown option, a `capacity`
   * that is not an integer >= 0, a `queueLimit` that is not an integer >= 1, or an `overflow`
   * other than `'drop_oldest'` / `'close'`. Cost: O(1); ring storage grows as events arrive.
   */
  constructor(options: ChangefeedOptions = {}) {
    const raw = checkInput<Record<string, unknown>>(options, 'changefeed options', CHANGEFEED_FIELDS);
    this.capacity = checkCount(raw.capacity, DEFAULT_CAPACITY, 0, 'capacity');
    this.queueLimit = checkCount(raw.queueLimit, DEFAULT_QUEUE_LIMIT, 1, 'queueLimit');
    const overflow = raw.overflow ?? 'drop_oldest';
    if (overflow !== 'drop_oldest' && overflow !== 'close') {
      throw badArgument(
        `overflow must be 'drop_oldest' or 'close', got ${JSON.stringify(overflow) ?? 'undefined'}`,
      );
    }
    this.overflow = overflow;
    this.#ring = new RingBuffer(this.capacity);
    this.#source = {
      ring: this.#ring,
      reader: () => this.#reader,
      head: () => this.#head(),
      detach: (subscription) => {
        this.#subscribers.delete(subscription);
      },
    };
  }

  /**
   * Subscribes to events. Without `after`, only events committed from now on; with
   * `after: n`, every event with seq > n (from the ring, else from the store's log), then live,
   * with no gap and no duplicate. Events that are gone (pruned or compacted away, or older than
   * the ring with no log attached) are reported by a `lagged` marker with their inclusive seq
   * range, in their place; such a range may include seqs of stores outside `stores`.
   * Events replayed from the log keep their kind: appends are recognised by their tagged key,
   * derived facts and the default receipt stores by their content.
   * Throws `ERR_INVALID_ARGUMENT` for an unknown option, a `stores` that is not a non-empty
   * array of store names, an `after` that is not an integer >= 0, or an `after` above the
   * attached store's last seq (`details = { after, lastSeq }`; a subscription made before the
   * store attaches fails with that error on its next read once it does). Cost: O(1).
   */
  subscribe(options: SubscribeOptions = {}): ChangeSubscription {
    const raw = checkInput<Record<string, unknown>>(options, 'subscribe options', SUBSCRIBE_FIELDS);
    const stores = checkStores(raw.stores);
    const after = raw.after === undefined ? undefined : checkCount(raw.after, 0, 0, 'after');
    // Once a log is attached its last seq is known: a cursor past it (say, kept from a store
    // since restored from an older backup) would silently skip the next events.
    if (after !== undefined && this.#reader && after > this.#head()) throw cursorError(after, this.#head());
    const subscription = new FeedSubscription(
      `sub-${this.#nextId++}`,
      this.#source,
      new RingBuffer(this.queueLimit),
      { stores, after, overflow: this.overflow },
    );
    this.#subscribers.add(subscription);
    return subscription;
  }

  /**
   * Called by the store for each committed fact, in seq order: records the event in the ring
   * and offers it to every subscriber. Throws `ERR_INVALID_ARGUMENT` when `fact.seq` is not
   * above the last published seq (two stores sharing one changefeed). Cost: O(subscribers);
   * never waits.
   */
  publish(fact: Fact, kind: CommitKind): void {
    if (fact.seq <= this.#lastPublished) {
      throw badArgument(
        `changefeed got seq ${fact.seq} after seq ${this.#lastPublished}; a changefeed follows the log of one store`,
      );
    }
    const event = factEvent(fact, kind);
    this.#lastPublished = fact.seq;
    this.#published += 1;
    this.#ring.push(event);
    for (const subscription of this.#subscribers) subscription.offer(event);
  }

  /**
   * Called by the store once hydrated: the log that subscribers resume from when the ring no
   * longer reaches back. A store reopened on the same log may attach again. Throws
   * `ERR_INVALID_ARGUMENT` when the ring already holds events past the log's last seq (a
   * different log). Cost: O(1).
   */
  attach(reader: CommittedLogReader): void {
    if (typeof reader?.factsAfter !== 'function' || typeof reader.lastSeq !== 'function') {
      throw badArgument('attach takes a reader with factsAfter(after, limit) and lastSeq()');
    }
    const lastSeq = reader.lastSeq();
    if (this.#lastPublished > lastSeq) {
      throw badArgument(
        `changefeed already carries events up to seq ${this.#lastPublished}, past the last seq ${lastSeq} of the store attaching it`,
      );
    }
    this.#reader = reader;
    const head = this.#head();
    for (const subscription of this.#subscribers) subscription.attached(head);
  }

  /** Diagnostics: ring bounds and, per open subscription, its state, queue depth and drops. Cost: O(subscribers). */
  stats(): ChangefeedStats {
    return {
      subscriberCount: this.#subscribers.size,
      published: this.#published,
      ring: {
        capacity: this.capacity,
        size: this.#ring.size,
        oldestSeq: this.#ring.first()?.seq ?? null,
        newestSeq: this.#ring.last()?.seq ?? null,
      },
      subscribers: [...this.#subscribers].map((s) => s.stats()),
    };
  }

  #head(): number {
    return Math.max(this.#lastPublished, this.#reader?.lastSeq() ?? 0);
  }
}
