import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { thrown, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { FileBackend, openFileStore, writeBackupLog } from '../../src/index.js';

const temp = useTempDir('igniter-file-');

describe('strict file backend options', () => {
  it('refuses an unknown FileBackend option, naming it, and creates no file', () => {
    const path = join(temp.dir(), 'app.log');
    const error = thrown(() => new FileBackend(path, { durabilty: 'fsync' } as never));
    expect([error.code, error.details]).toEqual(['ERR_INVALID_ARGUMENT', { field: 'durabilty' }]);
    expect(error.message).toBe(
      'FileBackend options has an unknown field "durabilty" (known fields: durability, groupCommitMs, groupCommitBytes, repair, maxFrameBytes, engine, openImageFacts)',
    );
    expect(existsSync(path)).toBe(false);
  });

  it('refuses an unknown openFileStore option before the log is created', () => {
    const path = join(temp.dir(), 'app.log');
    const error = thrown(() => openFileStore(path, { lrucap: 5 } as never));
    expect([error.code, error.details]).toEqual(['ERR_INVALID_ARGUMENT', { field: 'lrucap' }]);
    expect(error.message).toContain('did you mean "lruCap"?');
    expect(existsSync(path)).toBe(false);
  });

  it('refuses an unknown replay option', () => {
    const backend = temp.track(new FileBackend(join(temp.dir(), 'app.log')));
    expect(thrown(() => backend.replay({ until: 5 } as never)).details).toEqual({ field: 'until' });
  });

  it('refuses a fractional replay bound', () => {
    const backend = temp.track(new FileBackend(join(temp.dir(), 'app.log')));
    expect(thrown(() => backend.replay({ since: 0.5 })).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('refuses an unknown storageStats option', () => {
    const backend = temp.track(new FileBackend(join(temp.dir(), 'app.log')));
    expect(thrown(() => backend.storageStats({ stores: 'a' } as never)).details).toEqual({ field: 'stores' });
  });

  it('refuses an unknown writeBackupLog option and writes no backup', async () => {
    const path = join(temp.dir(), 'backup.log');
    await expect(writeBackupLog(path, [], { lastSeq: 0 }, { maxFrame: 64 } as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      details: { field: 'maxFrame' },
    });
    expect(existsSync(path)).toBe(false);
  });
});
