import { readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { RecoveredCut } from '@igniter/core';
import { thrown, useTempDir } from '@igniter/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { openFileStore } from '../../src/index.js';

const temp = useTempDir('igniter-file-');
const engine = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

describe('the onRecover store option', () => {
  it('is called once per cut open made, with what storageStats().recovered lists', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = openFileStore(path, { engine, durability: 'fsync' });
    store.write({ store: 'tasks', key: 't1', value: 'kept' });
    store.write({ store: 'tasks', key: 't2', value: 'torn' });
    await store.close();
    const size = statSync(path).size;
    const bytes = readFileSync(path);
    truncateSync(path, size - 5);

    const cuts: RecoveredCut[] = [];
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const again = openFileStore(path, { engine, onRecover: (cut) => cuts.push(cut) });
    expect(warnings.mock.calls.map((call) => (call[1] as { code: string }).code)).toEqual([
      'IGNITER_RECOVERED',
    ]);
    warnings.mockRestore();
    expect(again.read({ store: 'tasks', key: 't1' })).toBe('kept');
    expect(again.read({ store: 'tasks', key: 't2' })).toBeUndefined();
    const stats = again.storageStats();
    expect(cuts).toEqual(stats?.recovered);
    const [cut] = cuts;
    expect(cut).toMatchObject({ file: path, lastIntactSeq: 1, reason: 'incomplete' });
    expect(stats?.recoveredTailBytes).toBe(cut?.bytes);
    expect(statSync(path).size).toBe(cut?.offset);
    expect(readFileSync(cut?.sideFile as string).equals(bytes.subarray(cut?.offset, size - 5))).toBe(true);
    await again.close();
  });

  it('is not called when open cut nothing', async () => {
    const path = join(temp.dir(), 'app.log');
    const onRecover = vi.fn();
    const store = openFileStore(path, { engine, onRecover });
    store.write({ store: 'tasks', key: 't1', value: 1 });
    await store.close();
    await openFileStore(path, { engine, onRecover }).close();
    expect(onRecover).not.toHaveBeenCalled();
  });

  it('must be a function, else ERR_INVALID_ARGUMENT', () => {
    const path = join(temp.dir(), 'app.log');
    const error = thrown(() => openFileStore(path, { engine, onRecover: 5 as never }));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toBe('onRecover must be a function');
  });
});
