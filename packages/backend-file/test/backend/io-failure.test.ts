import fs, { statSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { contractFact, useTempDir } from '@igniter/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileBackend } from '../../src/index.js';

const temp = useTempDir('igniter-file-');

function noSpace(): never {
  throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

/** Makes every fs.writeSync / fs.fdatasyncSync fail, for ESM importers of node:fs too. */
function failing(method: 'writeSync' | 'fdatasyncSync'): void {
  vi.spyOn(fs, method).mockImplementation(noSpace);
  syncBuiltinESMExports();
}

afterEach(() => {
  vi.restoreAllMocks();
  syncBuiltinESMExports();
});

describe('a failed write or fsync', () => {
  it.each(['fsync', 'none'] as const)(
    "with durability '%s': writeFact throws the system error, the fact is not stored, and later writes are refused",
    async (durability) => {
      const path = join(temp.dir(), 'app.log');
      const backend = temp.track(new FileBackend(path, { durability }));
      backend.writeFact(contractFact(1));
      const size = statSync(path).size;
      failing('writeSync');
      expect(() => backend.writeFact(contractFact(2))).toThrow(/ENOSPC/);
      vi.restoreAllMocks();
      syncBuiltinESMExports();
      expect(statSync(path).size).toBe(size);
      expect(() => backend.writeFact(contractFact(3))).toThrow(/ENOSPC/);
      await expect(backend.flush()).rejects.toThrow(/ENOSPC/);
      await backend.close();
      expect([...temp.track(new FileBackend(path)).replay()]).toEqual([contractFact(1)]);
    },
  );

  it("a failed fsync in 'fsync' mode refuses the fact and every later write", async () => {
    const path = join(temp.dir(), 'app.log');
    const backend = temp.track(new FileBackend(path, { durability: 'fsync' }));
    backend.writeFact(contractFact(1));
    failing('fdatasyncSync');
    expect(() => backend.writeFact(contractFact(2))).toThrow(/ENOSPC/);
    vi.restoreAllMocks();
    syncBuiltinESMExports();
    expect(() => backend.writeFact(contractFact(3))).toThrow(/ENOSPC/);
    await backend.close();
    expect([...temp.track(new FileBackend(path)).replay()]).toEqual([contractFact(1)]);
  });

  it("in 'group' mode a failed commit surfaces on the next write and on flush()", async () => {
    const path = join(temp.dir(), 'app.log');
    const backend = temp.track(new FileBackend(path, { groupCommitMs: 3_600_000, groupCommitBytes: 1 }));
    backend.writeFact(contractFact(1));
    failing('writeSync');
    // The buffer holds fact 1; fact 2 triggers its commit, which fails before fact 2 is taken.
    expect(() => backend.writeFact(contractFact(2))).toThrow(/ENOSPC/);
    vi.restoreAllMocks();
    syncBuiltinESMExports();
    await expect(backend.flush()).rejects.toThrow(/ENOSPC/);
    expect(backend.durabilityStatus().durableSeq).toBe(0);
  });
});
