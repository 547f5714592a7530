import type { VerifyProblem } from '@igniter/core';
import { EXIT } from '../cli-io.js';
import type { Command } from '../command.js';
import { Progress } from '../progress.js';
import { openExisting } from './existing-store.js';

/** One line of a verify finding: kind, where, what. */
function finding(problem: VerifyProblem): string {
  const where = [
    problem.file,
    problem.offset === undefined ? undefined : `offset ${problem.offset}`,
    problem.factId,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
  return `${problem.kind}${where ? ` (${where})` : ''}: ${problem.message}`;
}

/** `igniter verify`: re-reads every data file; exit 0 when ok, 1 with the problems listed. */
export const verify: Command = {
  name: 'verify',
  summary: 'check every frame, hash, seq and causation of a store (changes nothing)',
  usage: 'igniter verify <path> [--json]',
  help: [
    'Re-reads every data file: frame CRCs, every value hash recomputed, seqs strictly increasing,',
    'causation links. Exit 0 when the store is intact, 1 with each problem listed. --json prints the',
    'whole report as one JSON object.',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run([path], flags, io) {
    const { store } = openExisting(path as string, { reading: true });
    const progress = new Progress(io.stderr, 'verifying');
    try {
      const result = await store.verify();
      progress.done();
      if (flags.json === true) {
        io.stdout.write(`${JSON.stringify(result)}\n`);
      } else {
        if (result.ok) io.stdout.write(`ok: ${result.factsChecked} facts checked\n`);
        else io.stdout.write(`${result.problems.length} problem(s) in ${result.factsChecked} facts:\n`);
        for (const problem of result.problems) io.stdout.write(`  ${finding(problem)}\n`);
        for (const warning of result.warnings) io.stdout.write(`  warning: ${finding(warning)}\n`);
      }
      return result.ok ? EXIT.ok : EXIT.failure;
    } finally {
      progress.done();
      await store.close();
    }
  },
};
