import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { thrown, useTempDir } from '@igniter/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';
import { storeFolderName } from '../../src/layout.js';
import { readRecordFile } from '../../src/record-file.js';
import { parseCatalog } from '../../src/records.js';
import { factOf, headBytes, segmentFile } from '../support/segments.js';

const temp = useTempDir('igniter-seg-');
const seqs = (list: Iterable<{ seq: number }>): number[] => [...list].map((f) => f.seq);

/**
 * "tasks": sealed segments 1 (seqs 1-2) and 2 (3-4), live segment 4 (seq 6); "notes": live
 * segment 3 (seq 5). Closed cleanly, so the catalog lists every size.
 */
function seed(): void {
  const backend = new SegmentedFileBackend(temp.dir(), { maxSegmentFacts: 2, durability: 'none' });
  for (const seq of [1, 2, 3, 4]) backend.writeFact(factOf(seq));
  backend.writeFact(factOf(5, 'notes'));
  backend.writeFact(factOf(6));
  backend.closeSync();
}

function open(repair = false): SegmentedFileBackend {
  return new SegmentedFileBackend(temp.dir(), repair ? { repair: true } : {});
}

/** Opens with repair, capturing the process warnings it emits. */
function openRepairing(): { backend: SegmentedFileBackend; warnings: Array<[string, string]> } {
  const spy = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    const backend = temp.track(open(true));
    const warnings = spy.mock.calls.map(([message, options]) => [
      String(message),
      (options as { code: string }).code,
    ]) as Array<[string, string]>;
    return { backend, warnings };
  } finally {
    spy.mockRestore();
  }
}

describe('a segmented store whose files went missing', () => {
  it('lists every segment in the catalog: sealed with its size, live with its size at the clean close', () => {
    seed();
    const catalog = readRecordFile(join(temp.dir(), 'catalog'), 'catalog', parseCatalog);
    const size = (store: string, segment: number): number =>
      statSync(segmentFile(temp.dir(), store, segment)).size;
    expect(catalog?.inventory).toEqual(
      new Map([
        [
          'tasks',
          [
            { segment: 1, state: 'sealed', bytes: size('tasks', 1) },
            { segment: 2, state: 'sealed', bytes: size('tasks', 2) },
            { segment: 4, state: 'live', bytes: size('tasks', 4) },
          ],
        ],
        ['notes', [{ segment: 3, state: 'live', bytes: size('notes', 3) }]],
      ]),
    );
  });

  it('refuses to open without a sealed segment and its manifest (ERR_CORRUPT_LOG naming it); repair opens without it and says so', () => {
    seed();
    const log = segmentFile(temp.dir(), 'tasks', 2);
    const bytes = statSync(log).size;
    rmSync(log);
    rmSync(segmentFile(temp.dir(), 'tasks', 2, 'manifest'));
    const error = thrown(() => open());
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.details).toEqual({ file: log, lost: [{ file: log, bytes }] });
    expect(error.message).toBe(
      `${log}: the sealed segment ${log} that the catalog lists (${bytes} bytes) is missing; the facts it held are gone unless you restore it. Open with { repair: true } to open without it (it is reported, and the catalog then forgets it)`,
    );
    const { backend, warnings } = openRepairing();
    expect(seqs(backend.replay())).toEqual([1, 2, 5, 6]);
    expect(backend.recoveryReport().lost).toEqual([
      {
        file: log,
        store: 'tasks',
        segment: 2,
        bytes,
        how: 'missing',
        message: `the sealed segment ${log} that the catalog lists (${bytes} bytes) is missing`,
      },
    ]);
    expect(warnings).toEqual([
      [
        `repair opened the segmented store without 1 missing or short file(s) the catalog listed (${bytes} bytes of facts lost): the sealed segment ${log} that the catalog lists (${bytes} bytes) is missing`,
        'IGNITER_RECOVERED',
      ],
    ]);
  });

  it('after a repair the catalog forgets what was lost: the next open needs no repair', async () => {
    seed();
    rmSync(segmentFile(temp.dir(), 'tasks', 1));
    rmSync(segmentFile(temp.dir(), 'tasks', 1, 'manifest'));
    await openRepairing().backend.close();
    const again = temp.track(open());
    expect(seqs(again.replay())).toEqual([3, 4, 5, 6]);
    expect(again.recoveryReport().lost).toEqual([]);
  });

  it('refuses to open without the live segment once a clean close recorded its size', () => {
    seed();
    const log = segmentFile(temp.dir(), 'tasks', 4);
    const bytes = statSync(log).size;
    rmSync(log);
    const error = thrown(() => open());
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.details).toEqual({ file: log, lost: [{ file: log, bytes }] });
    const { backend } = openRepairing();
    expect(seqs(backend.replay())).toEqual([1, 2, 3, 4, 5]);
    expect(backend.recoveryReport().lost.map((l) => [l.file, l.how, l.bytes])).toEqual([
      [log, 'missing', bytes],
    ]);
  });

  it('refuses a live segment cut at a frame boundary below its recorded size: no torn tail shows it, the catalog does', () => {
    seed();
    const log = segmentFile(temp.dir(), 'notes', 3);
    const whole = readFileSync(log);
    // The segment without its only fact frame is a valid, empty live segment.
    const head = headBytes('notes', 3);
    writeFileSync(log, whole.subarray(0, head));
    const error = thrown(() => open());
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.message).toContain(
      `the live segment ${log} is ${head} bytes, the catalog lists ${whole.length}`,
    );
    const { backend } = openRepairing();
    expect(seqs(backend.replay())).toEqual([1, 2, 3, 4, 6]);
    expect(backend.recoveryReport().lost.map((l) => [l.file, l.how, l.bytes])).toEqual([
      [log, 'short', whole.length - head],
    ]);
  });

  it('refuses to open without a whole store folder, naming it; repair opens without the store', () => {
    seed();
    const folder = join(temp.dir(), 'stores', storeFolderName('tasks'));
    const bytes = [1, 2, 4].reduce((n, s) => n + statSync(segmentFile(temp.dir(), 'tasks', s)).size, 0);
    rmSync(folder, { recursive: true });
    const error = thrown(() => open());
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.details).toEqual({ file: folder, lost: [{ file: folder, bytes }] });
    expect(error.message).toContain(
      `the folder ${folder} of store "tasks", which the catalog lists with 3 segment(s) of ${bytes} bytes, is missing`,
    );
    const { backend } = openRepairing();
    expect(seqs(backend.replay())).toEqual([5]);
    expect(Object.keys(backend.segmentManifest().stores)).toEqual(['notes']);
  });

  it('opens a store whose catalog predates inventories, and from then on lists its files', async () => {
    seed();
    const catalogPath = join(temp.dir(), 'catalog');
    const catalog = readRecordFile(catalogPath, 'catalog', parseCatalog);
    const { writeRecordFile } = await import('../../src/record-file.js');
    const { catalogJson } = await import('../../src/records.js');
    writeRecordFile(
      catalogPath,
      catalogJson({ ...(catalog as NonNullable<typeof catalog>), inventory: undefined }),
    );
    const backend = open();
    expect(seqs(backend.replay())).toEqual([1, 2, 3, 4, 5, 6]);
    await backend.close();
    expect(readRecordFile(catalogPath, 'catalog', parseCatalog)?.inventory?.get('tasks')?.length).toBe(3);
  });
});
