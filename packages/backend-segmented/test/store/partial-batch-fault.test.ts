import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IgniterStore, type RecoveredCut } from '@igniter/core';
import { readBatchMarker } from '@igniter/core/storage';
import { useTempDir } from '@igniter/core/testing';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SegmentedFileBackend } from '../../src/index.js';
import { assertBuilt, spawnScript, waitForLine } from '../support/child.js';

const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
const CHILD = fileURLToPath(new URL('../support/fault-child.mjs', import.meta.url));
/** The child's file-size limit, in bash's 1 KiB blocks: every file it writes stays below 64 KiB. */
const LIMIT_KIB = 64;
/** ~1.1 KiB frames: 40 fit in store "big"'s segment under the limit, 40 more do not. */
const PREFILL = 40;
const BIG_PART = 40;

/** Runs the child under the limit, SIGXFSZ ignored (so a write past it fails with EFBIG). */
function runLimited(dir: string): Array<Record<string, unknown>> {
  const script = `trap "" XFSZ; ulimit -f ${LIMIT_KIB}; exec "$0" "$@"`;
  const args = ['-c', script, process.execPath, CHILD, dir, ENGINE, String(PREFILL), String(BIG_PART)];
  const run = spawnSync('bash', args, { encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The bytes are one whole batch part: a part marker, then exactly the frames it announces. */
function isWholePart(bytes: Buffer): boolean {
  if (bytes.length < 8) return false;
  const length = bytes.readUInt32BE(0);
  const marker = readBatchMarker(bytes, 4, 4 + length);
  return marker?.span !== undefined && bytes.length === 8 + length + marker.bytes;
}

describe(`a writeMany whose last part fails on a real EFBIG (${ENGINE} engine)`, () => {
  const temp = useTempDir('igniter-seg-fault-');
  beforeAll(assertBuilt);

  it('commits nothing of the batch, refuses later writes, and a reopen cuts the parts that went in', async () => {
    const dir = join(temp.dir(), 'store');
    const lines = runLimited(dir);
    expect(lines[0]).toEqual({ limit: LIMIT_KIB * 1024 });
    const acks = lines.filter((l) => 'ack' in l);
    expect(acks.map((l) => l.ack)).toEqual(Array.from({ length: PREFILL }, (_, i) => i + 1));
    const step = (name: string) => lines.find((l) => l.step === name);
    // The part of "big" passed the limit after the parts of "s0" and "s1" went in.
    const efbig = {
      igniterError: false,
      code: 'EFBIG',
      syscall: 'write',
      message: 'EFBIG: file too large, write',
    };
    expect(step('batch')).toEqual({ step: 'batch', error: efbig });
    // Nothing may follow a batch that is not whole on disk: both later calls are refused.
    expect(step('write')).toEqual({ step: 'write', error: efbig });
    expect(step('writeMany')).toEqual({ step: 'writeMany', error: efbig });
    expect(lines.find((l) => 'lastSeq' in l)).toEqual({ lastSeq: PREFILL, factCount: PREFILL });
    expect(lines.at(-1)).toEqual({ closed: 'ok' });

    // The same files, for a reopen that cuts and then crashes (below).
    const copy = join(temp.dir(), 'copy');
    cpSync(dir, copy, { recursive: true });

    const cuts: RecoveredCut[] = [];
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    let store: IgniterStore;
    try {
      store = new IgniterStore({
        engine: ENGINE,
        backend: new SegmentedFileBackend(dir),
        onRecover: (cut) => cuts.push(cut),
      });
    } finally {
      warn.mockRestore();
    }
    // Every acknowledged fact, and nothing of the batch.
    expect(store.factLogAll().map((f) => f.id)).toEqual(acks.map((l) => l.id));
    expect(store.lastSeq()).toBe(PREFILL);
    // The parts of "s0" and "s1" are cut, each whole into a side file; "big" had its torn part
    // truncated by the writer when the write failed.
    const where = (cut: RecoveredCut) => relative(dir, cut.file).split(sep)[1];
    expect(cuts.map(where).sort()).toEqual(['s0', 's1']);
    for (const cut of cuts) {
      expect(cut.reason).toBe('incomplete');
      expect(cut.lastIntactSeq).toBe(0);
      expect(existsSync(cut.sideFile)).toBe(true);
      const bytes = readFileSync(cut.sideFile);
      expect(bytes.length).toBe(cut.bytes);
      expect(isWholePart(bytes)).toBe(true);
    }
    expect(store.storageStats()?.recovered).toEqual(cuts);
    // The reopened store takes writes again, continuing the seq.
    expect(
      store
        .writeMany([
          { store: 's0', key: 'again', value: 1 },
          { store: 's1', key: 'again', value: 2 },
        ])
        .map((f) => f.seq),
    ).toEqual([PREFILL + 1, PREFILL + 2]);
    await store.close();

    // A reopen that cuts, then a crash before any write or close (the catalog still lists the
    // longer live segments): the next open finds the segments as the cut left them.
    const crashed = spawnScript('batch-child.mjs', [copy, ENGINE, 'steps', '[]']);
    await waitForLine(crashed.lines, /^written$/);
    await crashed.exited;
    const after = new IgniterStore({ engine: ENGINE, backend: new SegmentedFileBackend(copy) });
    expect(after.factLogAll().map((f) => f.id)).toEqual(acks.map((l) => l.id));
    expect(after.storageStats()?.recovered).toEqual([]);
    await after.close();
  });
});
