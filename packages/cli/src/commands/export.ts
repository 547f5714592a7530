import { EXIT, UsageError, write } from '../cli-io.js';
import { type Command, text } from '../command.js';
import { Progress } from '../progress.js';
import { openExisting } from './existing-store.js';

/** `igniter export`: NDJSON of facts (camelCase, every field), seq order, to stdout. */
export const exportFacts: Command = {
  name: 'export',
  summary: 'write the facts of a store as NDJSON (seq order) to stdout',
  usage: 'igniter export <path> [--store <name>] [--after <seq>]',
  help: [
    'One fact per line, every field, in seq order. Without --store, every user store (internal',
    '"__" stores only when named). --after <seq> starts after that seq.',
  ].join('\n'),
  options: { store: { type: 'string' }, after: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run([path], flags, io) {
    const only = text(flags, 'store');
    const afterText = text(flags, 'after');
    const after = afterText === undefined ? 0 : Number(afterText);
    if (!/^\d+$/.test(afterText ?? '0') || !Number.isSafeInteger(after)) {
      throw new UsageError('--after must be a seq (an integer >= 0)');
    }
    const { store } = openExisting(path as string, { reading: true });
    const progress = new Progress(io.stderr, 'exported');
    try {
      for (const fact of store.factLogAll()) {
        if (fact.seq <= after) continue;
        if (only === undefined ? fact.store.startsWith('__') : fact.store !== only) continue;
        await write(io.stdout, `${JSON.stringify(fact)}\n`);
        progress.tick();
      }
      return EXIT.ok;
    } finally {
      progress.done();
      await store.close();
    }
  },
};
