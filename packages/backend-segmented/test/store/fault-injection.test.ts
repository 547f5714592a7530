import { cpSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Fact, IgniterStore } from '@igniter/core';
import { useTempDir } from '@igniter/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';

const temp = useTempDir('igniter-seg-');
const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

/**
 * A small store, closed cleanly: "tasks" with two sealed segments and a live one, "notes" with a
 * live one. Returns every acknowledged fact.
 */
async function seed(dir: string): Promise<Fact[]> {
  const store = new IgniterStore({
    backend: new SegmentedFileBackend(dir, { maxSegmentFacts: 2, durability: 'fsync' }),
    engine: ENGINE,
  });
  const facts = [
    store.write({ store: 'tasks', key: 't1', value: { n: 1 } }),
    store.write({ store: 'tasks', key: 't2', value: { n: 2 } }),
    store.write({ store: 'tasks', key: 't1', value: { n: 3 } }),
    store.write({ store: 'notes', key: 'n1', value: 'four' }),
    store.write({ store: 'tasks', key: 't3', value: { n: 5 } }),
    store.write({ store: 'tasks', key: 't4', value: { n: 6 } }),
    store.write({ store: 'notes', key: 'n2', value: 'seven' }),
  ];
  await store.close();
  return facts;
}

/** Every file and folder under `dir`, relative, folders after the files in them. */
function entriesUnder(dir: string, under = ''): Array<{ path: string; folder: boolean }> {
  const out: Array<{ path: string; folder: boolean }> = [];
  for (const entry of readdirSync(join(dir, under), { withFileTypes: true })) {
    const path = join(under, entry.name);
    if (entry.isDirectory()) out.push(...entriesUnder(dir, path), { path, folder: true });
    else out.push({ path, folder: false });
  }
  return out;
}

type Outcome = { refused: string } | { facts: Fact[]; reported: boolean };

/** Opens `dir` (with `repair` or not): the coded refusal, or the facts and whether a loss was reported. */
async function openOutcome(dir: string, repair: boolean): Promise<Outcome> {
  const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    let backend: SegmentedFileBackend;
    try {
      backend = new SegmentedFileBackend(dir, repair ? { repair: true } : {});
    } catch (error) {
      return { refused: (error as { code?: string }).code ?? `uncoded: ${String(error)}` };
    }
    let store: IgniterStore;
    try {
      store = new IgniterStore({ backend, engine: ENGINE });
    } catch (error) {
      return { refused: (error as { code?: string }).code ?? `uncoded: ${String(error)}` };
    }
    const report = backend.recoveryReport();
    const reported = report.lost.length > 0 || report.quarantined.length > 0 || report.recoveredTailBytes > 0;
    const facts = store.factLogAll().filter((f) => !f.store.startsWith('__'));
    await store.close();
    return { facts, reported };
  } finally {
    warnings.mockRestore();
  }
}

const CODED = ['ERR_CORRUPT_LOG', 'ERR_UNSUPPORTED_FORMAT'];

describe(`fault injection: every file of a segmented store deleted or shortened (${ENGINE} engine)`, () => {
  it('opens with every acknowledged fact, or refuses with a code; with repair, any loss is reported', async () => {
    const golden = join(temp.dir(), 'golden');
    const acknowledged = await seed(golden);
    const work = join(temp.dir(), 'work');
    const cases: string[] = [];
    for (const entry of entriesUnder(golden)) {
      const size = entry.folder ? 0 : statSync(join(golden, entry.path)).size;
      const cuts = entry.folder
        ? []
        : [...new Set([0, 1, Math.floor(size / 2), size - 1])].filter((c) => c < size);
      const mutations: Array<[string, (path: string) => void]> = [
        ['deleted', (path) => rmSync(path, { recursive: true })],
        ...(entry.path.endsWith('.manifest')
          ? [
              [
                'deleted with its segment',
                (path: string) => {
                  rmSync(path);
                  rmSync(path.replace(/\.manifest$/, '.log'));
                },
              ] as [string, (path: string) => void],
            ]
          : []),
        ...cuts.map((cut): [string, (path: string) => void] => [
          `cut to ${cut} bytes`,
          (path) => truncateSync(path, cut),
        ]),
      ];
      for (const [what, mutate] of mutations) {
        for (const repair of [false, true]) {
          rmSync(work, { recursive: true, force: true });
          cpSync(golden, work, { recursive: true });
          mutate(join(work, entry.path));
          const context = `${entry.path} ${what}${repair ? ', repair' : ''}`;
          const outcome = await openOutcome(work, repair);
          cases.push(
            `${context}: ${'refused' in outcome ? outcome.refused : `${outcome.facts.length} facts`}`,
          );
          if ('refused' in outcome) {
            expect(CODED, context).toContain(outcome.refused);
            continue;
          }
          const ids = new Set(outcome.facts.map((f) => f.id));
          const missing = acknowledged.filter((f) => !ids.has(f.id));
          // Without repair, never a silent loss; with it, a loss is always reported.
          if (!repair || !outcome.reported)
            expect(
              missing.map((f) => f.seq),
              context,
            ).toEqual([]);
          for (const fact of outcome.facts) {
            expect(fact, context).toEqual(acknowledged.find((f) => f.id === fact.id));
          }
        }
      }
    }
    // The store really was small and varied: sealed and live segments, manifests, the catalog.
    const names = entriesUnder(golden).map((e) => relative('', e.path));
    expect(names.filter((n) => n.endsWith('.manifest')).length).toBe(2);
    expect(names.filter((n) => n.endsWith('.log')).length).toBe(4);
    expect(names).toContain('catalog');
    // What the issue named: a deleted sealed segment (with its manifest), live segment or store
    // folder is refused, and repair opens without it, reporting the loss.
    expect(cases).toEqual(
      expect.arrayContaining([
        'stores/tasks deleted: ERR_CORRUPT_LOG',
        'stores/tasks deleted, repair: 2 facts',
        'stores/tasks/segment-0000000004.log deleted: ERR_CORRUPT_LOG',
        'stores/tasks/segment-0000000004.log deleted, repair: 6 facts',
        'stores/tasks/segment-0000000001.manifest deleted with its segment: ERR_CORRUPT_LOG',
        'stores/tasks/segment-0000000001.manifest deleted with its segment, repair: 5 facts',
        'stores/tasks/segment-0000000001.log deleted: ERR_CORRUPT_LOG',
        'stores/tasks/segment-0000000001.log deleted, repair: 5 facts',
        // A manifest alone is rebuilt from its intact segment.
        'stores/tasks/segment-0000000001.manifest deleted: 7 facts',
      ]),
    );
    // A segment cut shorter, sealed or live, is never opened without repair.
    const cutLogs = cases.filter((c) => /\.log cut to \d+ bytes: /.test(c));
    expect(cutLogs.length).toBe(16);
    for (const c of cutLogs) expect(c).toMatch(/: ERR_(CORRUPT_LOG|UNSUPPORTED_FORMAT)$/);
  });
});
