import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { contractFact, filesUnder, thrown, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { SegmentedFileBackend, storeFolderName } from '../../src/index.js';

const temp = useTempDir('igniter-seg-');

describe('store names in the directory layout', () => {
  it('escapes every byte outside a-z 0-9 _ - as %XX, so no name leaves stores/ or breaks a glob', () => {
    expect(storeFolderName('tasks')).toBe('tasks');
    expect(storeFolderName('__compaction_receipts')).toBe('__compaction_receipts');
    expect(storeFolderName('../x')).toBe('%2E%2E%2Fx');
    expect(storeFolderName('a/b')).toBe('a%2Fb');
    expect(storeFolderName('*')).toBe('%2A');
    expect(storeFolderName('..')).toBe('%2E%2E');
    expect(storeFolderName('.')).toBe('%2E');
    expect(storeFolderName('a\\b?[c]')).toBe('a%5Cb%3F%5Bc%5D');
    expect(storeFolderName('%2A')).toBe('%252%41');
    expect(storeFolderName('Tasks')).toBe('%54asks');
    expect(storeFolderName('ünï ✓')).toBe('%C3%BCn%C3%AF%20%E2%9C%93');
  });

  it('escapes Windows device names', () => {
    expect(storeFolderName('con')).toBe('%63on');
    expect(storeFolderName('lpt1')).toBe('%6Cpt1');
    expect(storeFolderName('console')).toBe('console');
  });

  it('keeps long names under 121 characters with a hash, distinct names staying distinct', () => {
    const long = 'x'.repeat(1024);
    const other = `${'x'.repeat(1023)}y`;
    expect(storeFolderName(long)).toMatch(/^x{80}~[0-9a-f]{32}$/);
    expect(storeFolderName(other)).toMatch(/^x{80}~[0-9a-f]{32}$/);
    expect(storeFolderName(long)).not.toBe(storeFolderName(other));
    // An escape is never cut in half.
    expect(storeFolderName(`${'x'.repeat(79)}${'/'.repeat(100)}`)).toMatch(/^x{79}~[0-9a-f]{32}$/);
    expect(storeFolderName(`${'x'.repeat(78)}${'/'.repeat(100)}`)).toMatch(/^x{78}~[0-9a-f]{32}$/);
    expect(storeFolderName(`${'x'.repeat(77)}${'/'.repeat(100)}`)).toMatch(/^x{77}%2F~[0-9a-f]{32}$/);
  });

  it('keeps facts of stores named ../x, a/b, *, .. and . inside dir, and replays them after reopen', async () => {
    const dir = join(temp.dir(), 'data');
    const names = ['../x', 'a/b', '*', '..', '.', 'x'.repeat(300)];
    const facts = names.map((store, i) => contractFact(i + 1, { store }));
    const backend = new SegmentedFileBackend(dir);
    for (const fact of facts) backend.writeFact(fact);
    await backend.close();
    expect(readdirSync(temp.dir())).toEqual(['data']);
    expect(readdirSync(join(dir, 'stores')).sort()).toEqual(names.map(storeFolderName).sort());
    expect(filesUnder(dir).filter((f) => f.startsWith('stores/'))).toEqual(
      names
        .map((name, i) => `stores/${storeFolderName(name)}/segment-${String(i + 1).padStart(10, '0')}.log`)
        .sort(),
    );
    const again = temp.track(new SegmentedFileBackend(dir));
    expect([...again.replay()]).toEqual(facts);
    expect(Object.keys(again.storageStats().stores).sort()).toEqual([...names].sort());
  });

  it('refuses a store name with a lone surrogate, which has no UTF-8 form', () => {
    const backend = temp.track(new SegmentedFileBackend(temp.dir()));
    expect(thrown(() => backend.writeFact(contractFact(1, { store: 'a\uD800' }))).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(
      thrown(() => backend.replaceWithSnapshot([contractFact(1, { store: '\uDC00' })], { lastSeq: 1 })).code,
    ).toBe('ERR_INVALID_ARGUMENT');
    expect(backend.highWaterSeq()).toBe(0);
  });
});
