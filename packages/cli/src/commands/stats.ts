import { EXIT } from '../cli-io.js';
import type { Command } from '../command.js';
import { openExisting } from './existing-store.js';

/** `igniter stats`: counts, bytes and last seq, as a table or JSON. */
export const stats: Command = {
  name: 'stats',
  summary: 'fact count, stores, bytes and last seq of a store',
  usage: 'igniter stats <path> [--json]',
  help: 'Prints the store totals and one row per user store. --json prints one JSON object.',
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run([path], flags, io) {
    const { store, backend } = openExisting(path as string, { reading: true });
    try {
      const storage = store.storageStats();
      const stores = store.stores().map((entry) => ({
        ...entry,
        byteSize: storage?.stores[entry.store]?.byteSize ?? null,
      }));
      const summary = {
        path,
        backend,
        engine: store.engine,
        factCount: store.factCount(),
        lastSeq: store.lastSeq(),
        byteSize: storage?.byteSize ?? null,
        stores,
      };
      if (flags.json === true) {
        io.stdout.write(`${JSON.stringify(summary)}\n`);
        return EXIT.ok;
      }
      const lines = [
        `path       ${path}`,
        `backend    ${backend} (${store.engine} engine)`,
        `facts      ${summary.factCount}`,
        `last seq   ${summary.lastSeq}`,
        `bytes      ${summary.byteSize ?? '-'}`,
      ];
      if (stores.length > 0) {
        const width = Math.max(5, ...stores.map((entry) => entry.store.length));
        lines.push(
          '',
          `${'store'.padEnd(width)}  ${'facts'.padStart(10)}  ${'keys'.padStart(10)}  ${'bytes'.padStart(12)}`,
        );
        for (const entry of stores) {
          lines.push(
            `${entry.store.padEnd(width)}  ${String(entry.factCount).padStart(10)}  ${String(entry.keyCount).padStart(10)}  ${String(entry.byteSize ?? '-').padStart(12)}`,
          );
        }
      }
      io.stdout.write(`${lines.join('\n')}\n`);
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};
