import { EXIT } from '../cli-io.js';
import type { Command } from '../command.js';
import { Progress } from '../progress.js';
import { openExisting } from './existing-store.js';

/** `igniter backup`: a consistent copy that opens like the original. */
export const backup: Command = {
  name: 'backup',
  summary: 'copy a store consistently to <dest>',
  usage: 'igniter backup <path> <dest> [--json]',
  help: 'Writes a copy holding every fact up to the last seq; it opens like the original. --json prints the result.',
  options: { json: { type: 'boolean' } },
  positionals: { min: 2, max: 2 },
  async run([path, dest], flags, io) {
    const { store } = openExisting(path as string, { reading: true });
    const progress = new Progress(io.stderr, 'backing up');
    try {
      const result = await store.backup(dest as string);
      progress.done();
      io.stdout.write(
        flags.json === true
          ? `${JSON.stringify(result)}\n`
          : `backed up ${result.factCount} facts (up to seq ${result.seq}, ${result.bytes} bytes) to ${result.path}\n`,
      );
      return EXIT.ok;
    } finally {
      progress.done();
      await store.close();
    }
  },
};
