import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IgniterStore, type LazyFacts } from '@igniter/core';
import {
  CONTRACT_T0,
  contractFact,
  frameOffsets,
  patchFile,
  rewriteInFrame,
  thrown,
  useTempDir,
} from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { FileBackend, openFileStore } from '../../src/index.js';

const temp = useTempDir('igniter-deferred-open-');

async function writeLog(
  path: string,
  count: number,
  valueFor: (seq: number) => unknown = (seq) => ({ n: seq }),
) {
  const backend = new FileBackend(path, { durability: 'none', engine: 'ts' });
  for (let seq = 1; seq <= count; seq++) {
    backend.writeFact(
      contractFact(seq, {
        key: `k${seq % 1000}`,
        value: valueFor(seq) as never,
        transactionTime: CONTRACT_T0 + seq,
      }),
    );
  }
  await backend.close();
}

describe('opening for the TS engine without decoding', () => {
  it('reports a fact whose intact frame does not decode when it is read, naming file and offset', async () => {
    const path = join(temp.dir(), 'app.log');
    await writeLog(path, 3, (seq) => (seq === 2 ? 'AAAAAAAAAA' : seq));
    // Same length, CRC rewritten: the frame is intact, its value is not JSON.
    const offset = rewriteInFrame(path, '"AAAAAAAAAA"', '{"A":AAAAAA}');
    const store = new IgniterStore({ engine: 'ts', backend: new FileBackend(path, { engine: 'ts' }) });
    expect(store.factCount()).toBe(3);
    expect(store.read({ store: 'tasks', key: 'k3' })).toBe(3);
    const error = thrown(() => store.read({ store: 'tasks', key: 'k2' }));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.details).toMatchObject({ file: path, offset });
    await store.close();
  });

  it('opens a log above the reader-thread threshold: every fact, a torn tail cut, an early bit flip reported', async () => {
    const path = join(temp.dir(), 'big.log');
    await writeLog(path, 50_000);
    const { starts } = frameOffsets(path);
    expect(statSync(path).size).toBeGreaterThan(8 * 1024 * 1024);
    const whole = readFileSync(path);

    const backend = new FileBackend(path, { engine: 'ts' });
    const deferred = backend.takePreloaded() as LazyFacts;
    expect(deferred.engine).toBe('ts');
    expect(deferred.count).toBe(50_000);
    expect(deferred.fact(49_999)).toEqual(
      contractFact(50_000, { key: 'k0', value: { n: 50_000 }, transactionTime: CONTRACT_T0 + 50_000 }),
    );
    expect(backend.storageStats().factCount).toBe(50_000);
    await backend.close();

    // A torn last frame is cut off.
    writeFileSync(path, whole.subarray(0, whole.length - 3));
    const torn = new FileBackend(path, { engine: 'ts' });
    expect((torn.takePreloaded() as LazyFacts).count).toBe(49_999);
    expect(torn.storageStats().recoveredTailBytes).toBe(
      whole.length - 3 - (starts[starts.length - 1] as number),
    );
    await torn.close();

    // A bit flip early on, with intact frames after it, is corruption at that frame.
    writeFileSync(path, whole);
    patchFile(path, (starts[100] as number) + 20, Buffer.from([0x21]));
    const error = thrown(() => new FileBackend(path, { engine: 'ts' }));
    expect(error.code).toBe('ERR_CORRUPT_LOG');
    expect(error.details).toMatchObject({ file: path, offset: starts[100] });
  });

  it('erases a pruned fact from memory too: its bytes are zeroed, it no longer decodes', async () => {
    const path = join(temp.dir(), 'app.log');
    const writer = openFileStore(path, { engine: 'ts' });
    const secret = writer.write({ store: 'people', key: 'p1', value: { name: 'ERASE-ME' } });
    writer.write({ store: 'people', key: 'p2', value: { name: 'kept' } });
    await writer.close();
    const backend = new FileBackend(path, { engine: 'ts' });
    const deferred = backend.takePreloaded() as LazyFacts;
    // Hand the same undecoded log to the store, keeping a handle on it.
    backend.takePreloaded = () => deferred;
    const store = new IgniterStore({ engine: 'ts', backend });
    expect(store.pruneFactIds({ factIds: [secret.id], reason: 'erasure request' })).toMatchObject({
      prunedCount: 1,
    });
    expect(thrown(() => deferred.fact(0)).code).toBe('ERR_CORRUPT_LOG');
    expect(deferred.fact(1).value).toEqual({ name: 'kept' });
    expect(store.read({ store: 'people', key: 'p1' })).toBeUndefined();
    await store.close();
  });

  it('has a TS engine store over a backend opened for the native engine decline its log and load the facts', async () => {
    const path = join(temp.dir(), 'app.log');
    const writer = openFileStore(path, { engine: 'ts' });
    const written = [1, 2, 3].map((n) => writer.write({ store: 's', key: `k${n % 2}`, value: n }));
    writer.checkpoint();
    await writer.flush();
    written.push(writer.write({ store: 's', key: 'k1', value: 4 }));
    await writer.close();

    const backend = new FileBackend(path, { engine: 'native' });
    let handed: unknown;
    const take = backend.takePreloaded.bind(backend);
    backend.takePreloaded = () => {
      handed = take();
      return handed as ReturnType<typeof take>;
    };
    const store = new IgniterStore({ engine: 'ts', backend });
    // The reader was picked once, from the backend's engine: the TS engine declines the native
    // log (nothing re-reads files for it) and loads replay(), which decodes the files.
    expect((handed as { engine: string }).engine).toBe('native');
    expect(store.history({ store: 's' })).toEqual(written);
    expect(store.read({ store: 's', key: 'k1' })).toBe(4);
    await store.close();
  });
});
