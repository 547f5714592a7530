import type { Fact } from '@igniter/core';

/** Bytes of the payload of a fact's row: its text columns in UTF-8 plus its numbers as stored. */
export function rowBytes(fact: Fact, valueJson: string): number {
  const texts = [fact.id, fact.store, fact.key, fact.valueHash, fact.causation, fact.idempotencyKey];
  let bytes = Buffer.byteLength(valueJson, 'utf8') + 8 + 8 + 4 + (fact.validTime === null ? 0 : 8);
  for (const text of texts) if (text !== null) bytes += Buffer.byteLength(text, 'utf8');
  if (fact.producer !== null) bytes += Buffer.byteLength(JSON.stringify(fact.producer), 'utf8');
  if (fact.derivation !== null) bytes += Buffer.byteLength(JSON.stringify(fact.derivation), 'utf8');
  return bytes;
}

/** Facts and row bytes per store, kept as facts are written, read and dropped. */
export class StoreTally {
  readonly #stores = new Map<string, { factCount: number; byteSize: number }>();

  /** Counts `facts` facts (default one) of `bytes` row bytes in all. */
  add(store: string, bytes: number, facts = 1): void {
    const entry = this.#stores.get(store);
    if (entry) {
      entry.factCount += facts;
      entry.byteSize += bytes;
    } else {
      this.#stores.set(store, { factCount: facts, byteSize: bytes });
    }
  }

  remove(store: string, bytes: number): void {
    const entry = this.#stores.get(store);
    if (!entry) return;
    entry.factCount -= 1;
    entry.byteSize -= bytes;
    if (entry.factCount <= 0) this.#stores.delete(store);
  }

  /** A copy of the counts, of `store` only when given. */
  snapshot(store?: string): { [store: string]: { factCount: number; byteSize: number } } {
    const out: { [store: string]: { factCount: number; byteSize: number } } = {};
    for (const [name, entry] of this.#stores) {
      if (store === undefined || store === name) out[name] = { ...entry };
    }
    return out;
  }
}
