import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { jsonFactCodec } from '@igniter/core/storage';
import { contractFact, useTempDir } from '@igniter/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/index.js';
import { assertBuilt } from '../support/child.js';

const temp = useTempDir('igniter-file-');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("durability 'group'", () => {
  it('fsyncs every groupCommitMs while the event loop never yields', () => {
    const backend = temp.track(new FileBackend(join(temp.dir(), 'app.log'), { groupCommitMs: 5 }));
    const writtenAt: number[] = [0];
    const start = performance.now();
    let seq = 0;
    // One synchronous burst of 60 ms: no timer can fire, no promise can settle.
    while (performance.now() - start < 60) {
      seq += 1;
      backend.writeFact(contractFact(seq));
      writtenAt[seq] = performance.now();
    }
    const status = backend.durabilityStatus();
    const last = writtenAt[seq] as number;
    let shouldBeDurable = 0;
    while ((writtenAt[shouldBeDurable + 1] as number) <= last - 20) shouldBeDurable += 1;
    expect(status.syncs).toBeGreaterThanOrEqual(4);
    expect(status.durableSeq).toBeGreaterThanOrEqual(shouldBeDurable);
    expect(status.lastSeq).toBe(seq);
  });

  it('once the event loop has turned, a write that finds the window over syncs on the pool, not the JS thread', async () => {
    const backend = temp.track(new FileBackend(join(temp.dir(), 'app.log'), { groupCommitMs: 5 }));
    backend.writeFact(contractFact(1));
    await new Promise((resolve) => setImmediate(resolve));
    const start = performance.now();
    while (performance.now() - start < 10) {
      // The window passes without yielding.
    }
    backend.writeFact(contractFact(2));
    // The first group went to the OS and its fdatasync to the pool: none finished on this thread.
    expect(backend.durabilityStatus()).toMatchObject({
      syncs: 0,
      durableSeq: 0,
      lastSeq: 2,
      pendingBytes: jsonFactCodec.frame(contractFact(2)).length,
    });
    await backend.flush();
    expect(backend.durabilityStatus()).toMatchObject({ durableSeq: 2, pendingBytes: 0 });
  });

  it('fsyncs before the buffer would pass groupCommitBytes, without yielding', () => {
    const backend = temp.track(
      new FileBackend(join(temp.dir(), 'app.log'), { groupCommitMs: 3_600_000, groupCommitBytes: 2_000 }),
    );
    let most = 0;
    // The commits expected: one whenever the next frame would take the buffer past 2000 bytes.
    let pending = 0;
    let commits = 0;
    let committedSeq = 0;
    for (let seq = 1; seq <= 100; seq++) {
      const frameBytes = jsonFactCodec.frame(contractFact(seq)).length;
      if (pending > 0 && pending + frameBytes > 2_000) {
        commits += 1;
        committedSeq = seq - 1;
        pending = 0;
      }
      pending += frameBytes;
      backend.writeFact(contractFact(seq));
      most = Math.max(most, backend.durabilityStatus().pendingBytes);
    }
    expect(most).toBeLessThanOrEqual(2_000);
    expect(backend.durabilityStatus()).toMatchObject({
      syncs: commits,
      durableSeq: committedSeq,
      pendingBytes: pending,
    });
    expect(commits).toBeGreaterThan(5);
  });

  it('an idle buffer is committed by the timer', async () => {
    const backend = temp.track(new FileBackend(join(temp.dir(), 'app.log'), { groupCommitMs: 5 }));
    backend.writeFact(contractFact(1));
    expect(backend.durabilityStatus()).toMatchObject({ durableSeq: 0, lastSeq: 1 });
    expect(backend.durabilityStatus().pendingBytes).toBeGreaterThan(0);
    for (let i = 0; i < 200 && backend.durabilityStatus().durableSeq < 1; i++) await sleep(5);
    expect(backend.durabilityStatus()).toMatchObject({ durableSeq: 1, pendingBytes: 0 });
  });

  it('flush() resolves once everything written is durable', async () => {
    const backend = temp.track(new FileBackend(join(temp.dir(), 'app.log'), { groupCommitMs: 3_600_000 }));
    for (let seq = 1; seq <= 5; seq++) backend.writeFact(contractFact(seq));
    expect(backend.durabilityStatus().durableSeq).toBe(0);
    await Promise.all([backend.flush(), backend.flush()]);
    expect(backend.durabilityStatus()).toMatchObject({ durableSeq: 5, pendingBytes: 0 });
  });

  it('a reopen reads facts that were still buffered at close', async () => {
    const path = join(temp.dir(), 'app.log');
    const backend = new FileBackend(path, { groupCommitMs: 3_600_000 });
    backend.writeFact(contractFact(1));
    await backend.close();
    expect([...temp.track(new FileBackend(path)).replay()]).toEqual([contractFact(1)]);
  });

  describe('the commit timer', () => {
    beforeAll(assertBuilt);

    it('does not keep the process alive, and a normal exit still flushes the buffer', () => {
      const path = join(temp.dir(), 'app.log');
      const script = `
        const { FileBackend } = await import(${JSON.stringify(resolve('dist/index.js'))});
        const backend = new FileBackend(${JSON.stringify(path)}, { groupCommitMs: 600000 });
        backend.writeFact(${JSON.stringify(contractFact(1))});
        backend.writeFact(${JSON.stringify(contractFact(2))});
        if (backend.durabilityStatus().durableSeq !== 0) throw new Error('committed too early');
      `;
      const started = Date.now();
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
      expect(result.stderr.toString()).toBe('');
      expect(result.status).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect([...temp.track(new FileBackend(path)).replay()]).toEqual([contractFact(1), contractFact(2)]);
    });
  });
});

describe("durability 'fsync' and 'none'", () => {
  it("'fsync' makes each fact durable before writeFact returns", () => {
    const backend = temp.track(new FileBackend(join(temp.dir(), 'app.log'), { durability: 'fsync' }));
    backend.writeFact(contractFact(1));
    expect(backend.durabilityStatus()).toMatchObject({
      durability: 'fsync',
      durableSeq: 1,
      syncs: 1,
      pendingBytes: 0,
    });
    backend.writeFact(contractFact(2));
    expect(backend.durabilityStatus()).toMatchObject({ durableSeq: 2, syncs: 2 });
  });

  it("'none' writes to the OS at once and fsyncs only on flush", async () => {
    const path = join(temp.dir(), 'app.log');
    const backend = temp.track(new FileBackend(path, { durability: 'none' }));
    backend.writeFact(contractFact(1));
    expect(backend.durabilityStatus()).toMatchObject({ durableSeq: 0, pendingBytes: 0, syncs: 0 });
    await backend.flush();
    expect(backend.durabilityStatus()).toMatchObject({ durableSeq: 1, syncs: 1 });
  });
});
