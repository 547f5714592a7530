/**
 * A bounded FIFO over a circular array: O(1) push, shift and indexed access. Storage grows on
 * demand up to `capacity`, so a large capacity costs nothing until it is used. When full, a push
 * evicts the oldest item and returns it.
 */
export class RingBuffer<T> {
  readonly capacity: number;
  #items: Array<T | undefined> = [];
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#size;
  }

  /** The item `index` places after the oldest (0 = oldest); undefined when out of range. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.#size) return undefined;
    return this.#items[(this.#start + index) % this.#items.length];
  }

  /** The oldest item, if any. */
  first(): T | undefined {
    return this.at(0);
  }

  /** The newest item, if any. */
  last(): T | undefined {
    return this.at(this.#size - 1);
  }

  /** Appends `item`; when full, evicts and returns the oldest (with capacity 0, `item` itself). */
  push(item: T): T | undefined {
    if (this.capacity === 0) return item;
    if (this.#size === this.capacity) {
      const evicted = this.#items[this.#start];
      this.#items[this.#start] = item;
      this.#start = (this.#start + 1) % this.#items.length;
      return evicted;
    }
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#start + this.#size) % this.#items.length] = item;
    this.#size += 1;
    return undefined;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#start];
    this.#items[this.#start] = undefined;
    this.#start = (this.#start + 1) % this.#items.length;
    this.#size -= 1;
    return item;
  }

  /** Removes every item (and releases the storage). */
  clear(): void {
    this.#items = [];
    this.#start = 0;
    this.#size = 0;
  }

  /**
   * Index of the first item whose `order(item)` is >= `target`, or `size` when none is.
   * Assumes the items are sorted by `order`. Cost: O(log size).
   */
  lowerBound(target: number, order: (item: T) => number): number {
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const item = this.at(mid) as T; // mid < size, so the slot holds an item
      if (order(item) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #grow(): void {
    const length = Math.min(this.capacity, Math.max(16, this.#items.length * 2));
    const items = new Array<T | undefined>(length);
    for (let i = 0; i < this.#size; i++) items[i] = this.at(i);
    this.#items = items;
    this.#start = 0;
  }
}
