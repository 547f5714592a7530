// The facts of the open-time benchmarks (open-time.mjs, postgres/open-time.mjs): 3 stores,
// 50k keys updated repeatedly, ~120-byte values, a producer on every tenth fact.

/** The write inputs of facts `from` (inclusive) to `to` (exclusive). */
export function openTimeInputs(from, to) {
  const inputs = [];
  for (let i = from; i < to; i++) {
    inputs.push({
      store: ['orders', 'customers', 'events'][i % 3],
      key: `key-${i % 50_000}`,
      value: {
        status: i % 5 ? 'open' : 'closed',
        amount: i * 1.25,
        items: [{ sku: `A-${i % 100}`, qty: i % 7 }],
        note: `n${i}`,
      },
      producer: i % 10 === 0 ? { system: 'importer' } : null,
    });
  }
  return inputs;
}

/**
 * Writes a new file store of `facts` such facts at `path` (the TS engine, batches of 10,000,
 * one group commit per 64 MiB) and closes it.
 */
export async function writeOpenTimeLog(openFileStore, path, facts) {
  const store = openFileStore(path, {
    engine: 'ts',
    groupCommitMs: 1000,
    groupCommitBytes: 64 * 1024 * 1024,
  });
  const batch = 10_000;
  for (let from = 0; from < facts; from += batch) {
    store.writeMany(openTimeInputs(from, Math.min(facts, from + batch)));
  }
  await store.close();
}
