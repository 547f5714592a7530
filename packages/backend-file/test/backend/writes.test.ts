import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Fact } from '@igniter/core';
import { codeOf, contractFact, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { FileBackend, type FileBackendOptions } from '../../src/index.js';

const temp = useTempDir('igniter-file-');

describe('options', () => {
  it.each<[string, unknown]>([
    ['durability', { durability: 'sometimes' }],
    ['groupCommitMs', { groupCommitMs: -1 }],
    ['groupCommitMs', { groupCommitMs: Number.NaN }],
    ['groupCommitBytes', { groupCommitBytes: 1.5 }],
    ['repair', { repair: 'yes' }],
    ['maxFrameBytes', { maxFrameBytes: 10 }],
    ['openImageFacts', { openImageFacts: -1 }],
    ['the options bag', 'fast'],
  ])('a bad %s is ERR_INVALID_ARGUMENT and creates nothing', (_, options) => {
    const path = join(temp.dir(), 'app.log');
    expect(codeOf(() => new FileBackend(path, options as FileBackendOptions))).toBe('ERR_INVALID_ARGUMENT');
    expect(readdirSync(temp.dir())).toEqual([]);
  });

  it('an empty path is ERR_INVALID_ARGUMENT', () => {
    expect(codeOf(() => new FileBackend(''))).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('writeFact', () => {
  it('refuses a malformed fact with ERR_INVALID_ARGUMENT and writes nothing', () => {
    const path = join(temp.dir(), 'app.log');
    const backend = temp.track(new FileBackend(path, { durability: 'none' }));
    const size = statSync(path).size;
    const bad = [
      { ...contractFact(1), store: '' },
      { ...contractFact(1), seq: 0 },
      { ...contractFact(1), seq: 1.5 },
      { ...contractFact(1), value: undefined },
      { ...contractFact(1), producer: ['not', 'an', 'object'] },
      { ...contractFact(1), transactionTime: Number.POSITIVE_INFINITY },
      { ...contractFact(1), causation: 7 },
    ] as unknown as Fact[];
    for (const fact of bad) expect(codeOf(() => backend.writeFact(fact))).toBe('ERR_INVALID_ARGUMENT');
    expect(statSync(path).size).toBe(size);
    expect(backend.highWaterSeq()).toBe(0);
    backend.writeFact(contractFact(1));
    expect([...backend.replay()]).toEqual([contractFact(1)]);
  });

  it('refuses a fact over maxFrameBytes with ERR_VALUE_TOO_LARGE and writes nothing', () => {
    const path = join(temp.dir(), 'app.log');
    const backend = temp.track(new FileBackend(path, { durability: 'none', maxFrameBytes: 1024 }));
    expect(codeOf(() => backend.writeFact(contractFact(1, { value: 'x'.repeat(2000) })))).toBe(
      'ERR_VALUE_TOO_LARGE',
    );
    expect(backend.durabilityStatus().lastSeq).toBe(0);
    backend.writeFact(contractFact(1));
    expect(backend.highWaterSeq()).toBe(1);
  });
});

describe('snapshots', () => {
  it('refuses facts out of seq order, above lastSeq, or a lastSeq below what was written, changing nothing', () => {
    const path = join(temp.dir(), 'app.log');
    const backend = temp.track(new FileBackend(path));
    for (const seq of [1, 2, 3]) backend.writeFact(contractFact(seq));
    const attempts: Array<[Fact[], number]> = [
      [[contractFact(2), contractFact(1)], 3],
      [[contractFact(1), contractFact(4)], 3],
      [[contractFact(1)], 2],
    ];
    for (const [facts, lastSeq] of attempts) {
      expect(codeOf(() => backend.replaceWithSnapshot(facts, { lastSeq }))).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(readdirSync(temp.dir()).sort()).toEqual(['app.log', 'app.log.lock']);
    expect([...backend.replay()].map((f) => f.seq)).toEqual([1, 2, 3]);
  });

  it('a snapshot may carry a lastSeq above every fact; the next seq must pass it', () => {
    const path = join(temp.dir(), 'app.log');
    const backend = temp.track(new FileBackend(path));
    backend.writeFact(contractFact(1));
    backend.writeSnapshot([contractFact(1)], { lastSeq: 10 });
    expect(backend.highWaterSeq()).toBe(10);
    expect(codeOf(() => backend.writeFact(contractFact(10)))).toBe('ERR_INVALID_ARGUMENT');
    backend.writeFact(contractFact(11));
  });

  it('writes the snapshot to <path>.snapshot and cuts the log to its header', () => {
    const path = join(temp.dir(), 'app.log');
    const backend = temp.track(new FileBackend(path));
    const emptyLog = statSync(path).size;
    for (const seq of [1, 2, 3]) backend.writeFact(contractFact(seq));
    backend.writeSnapshot(
      [1, 2, 3].map((seq) => contractFact(seq)),
      { lastSeq: 3 },
    );
    expect(existsSync(`${path}.snapshot`)).toBe(true);
    expect(statSync(path).size).toBe(emptyLog);
  });
});

describe('storageStats', () => {
  it('byteSize is the size of the log and snapshot files; per-store byteSize sums frame bytes', async () => {
    const path = join(temp.dir(), 'app.log');
    const backend = temp.track(new FileBackend(path));
    backend.writeFact(contractFact(1, { store: 'a' }));
    backend.writeFact(contractFact(2, { store: 'b' }));
    backend.writeSnapshot([contractFact(1, { store: 'a' }), contractFact(2, { store: 'b' })], { lastSeq: 2 });
    backend.writeFact(contractFact(3, { store: 'a' }));
    await backend.flush();
    const stats = backend.storageStats();
    const logSize = statSync(path).size;
    const snapshotSize = statSync(`${path}.snapshot`).size;
    expect(stats.byteSize).toBe(logSize + snapshotSize);
    expect(stats.factCount).toBe(3);
    const frames = (stats.stores.a?.byteSize ?? 0) + (stats.stores.b?.byteSize ?? 0);
    expect(frames).toBeLessThan(stats.byteSize);
    expect(stats.stores).toEqual({
      a: { factCount: 2, byteSize: stats.stores.a?.byteSize },
      b: { factCount: 1, byteSize: stats.stores.b?.byteSize },
    });
    await backend.close();
    const again = temp.track(new FileBackend(path));
    expect(again.storageStats()).toEqual(stats);
  });

  it('keeps working after close', async () => {
    const backend = new FileBackend(join(temp.dir(), 'app.log'));
    backend.writeFact(contractFact(1));
    await backend.close();
    expect(backend.storageStats().factCount).toBe(1);
  });
});

describe('replay', () => {
  it('a bad bound is ERR_INVALID_ARGUMENT', () => {
    const backend = temp.track(new FileBackend(join(temp.dir(), 'app.log')));
    expect(codeOf(() => backend.replay({ since: Number.NaN }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => backend.replay({ asOf: new Date('nope') }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => backend.replay({ asOf: '2024' as unknown as number }))).toBe('ERR_INVALID_ARGUMENT');
  });
});
