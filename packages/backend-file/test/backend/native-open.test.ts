import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Fact, IgniterStore } from '@igniter/core';
import {
  encodeHeader,
  encodeMetaFrame,
  encodeTextFrame,
  FileKind,
  jsonFactCodec,
} from '@igniter/core/storage';
import { CONTRACT_T0, codeOf, contractFact, useTempDir, variedFacts } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/index.js';

const temp = useTempDir('igniter-native-open-');

/** Facts of every shape, plus values whose keys the log must put in canonical order. */
function shapes(): Fact[] {
  const facts = variedFacts();
  const next = facts.length + 1;
  facts.push(
    contractFact(next, {
      value: JSON.parse('{"b":1,"10":"x","2":"y","a":[{"z":0,"y":0.5}]}'),
      transactionTime: CONTRACT_T0 + next,
    }),
    contractFact(next + 1, {
      key: 'k1',
      value: { emoji: '😀', escaped: 'tab\there "q"' },
      producer: { kind: 'fact_prune', by: 'test' },
      transactionTime: CONTRACT_T0 + next + 1,
    }),
  );
  return facts;
}

function writeLog(path: string, facts: readonly Fact[]): Promise<void> {
  const backend = new FileBackend(path, { durability: 'none', engine: 'ts' });
  for (const fact of facts) backend.writeFact(fact);
  return backend.close();
}

/** Every fact a store holds, looked up by the ids of `facts`. */
function factsOf(store: IgniterStore, facts: readonly Fact[]): (Fact | undefined)[] {
  return facts.map((fact) => store.factById(fact.id));
}

describe('opening natively', () => {
  it('hands the native engine a log holding exactly the facts the JS decoder reads', async () => {
    const path = join(temp.dir(), 'app.log');
    const facts = shapes();
    await writeLog(path, facts);
    const jsBackend = new FileBackend(path, { engine: 'ts' });
    // For the TS engine open indexes the facts without decoding them.
    expect(jsBackend.takePreloaded()?.engine).toBe('ts');
    const decoded = [...jsBackend.replay()];
    await jsBackend.close();
    expect(decoded).toEqual(facts);

    const backend = new FileBackend(path, { engine: 'native' });
    const stats = backend.storageStats();
    const store = new IgniterStore({ engine: 'native', backend });
    expect(backend.takePreloaded()).toBeUndefined(); // the engine took it
    expect(factsOf(store, facts)).toEqual(facts);
    expect(store.factCount()).toBe(facts.length);
    expect(store.storageStats()).toEqual(stats);
    // The next write continues the seq and the clock, and the idempotency key is known: a
    // request that differs from the keyed fact's (its fractional validTime cannot be written
    // again) is a conflict naming that fact.
    const keyed = facts[1] as Fact;
    let conflict: unknown;
    try {
      store.write({ store: keyed.store, key: keyed.key, value: keyed.value, idempotencyKey: 'req-42' });
    } catch (error) {
      conflict = error;
    }
    expect(conflict).toMatchObject({
      code: 'ERR_CONFLICT',
      details: { store: keyed.store, idempotencyKey: 'req-42', factId: keyed.id },
    });
    const fresh = store.write({ store: 'tasks', key: 'k1', value: 2 });
    expect(fresh.seq).toBe(facts.length + 1);
    expect(fresh.causation).toBe((facts.at(-1) as Fact).id);
    await store.close();
  });

  it('opens a snapshot and the log after it, with the same tallies as the JS path', async () => {
    const path = join(temp.dir(), 'app.log');
    const facts = shapes();
    const backend = new FileBackend(path, { engine: 'ts' });
    for (const fact of facts.slice(0, 5)) backend.writeFact(fact);
    backend.writeSnapshot(facts.slice(0, 5), { lastSeq: 5 });
    for (const fact of facts.slice(5)) backend.writeFact(fact);
    await backend.close();
    const stats = (engine: 'ts' | 'native') => {
      const opened = new FileBackend(path, { engine });
      const result = { stats: opened.storageStats(), preloaded: opened.takePreloaded() !== undefined };
      opened.closeSync();
      return result;
    };
    expect(stats('native')).toEqual({ ...stats('ts'), preloaded: true });
    const store = new IgniterStore({
      engine: 'native',
      backend: new FileBackend(path, { engine: 'native' }),
    });
    expect(factsOf(store, facts)).toEqual(facts);
    await store.close();
  });

  it('has the JS decoder judge a record the native reader does not take as is, then reads on natively', async () => {
    const path = join(temp.dir(), 'app.log');
    await writeLog(path, [contractFact(1)]);
    const spaced = contractFact(2);
    // Valid JSON for the JS decoder, but not the codec's own spacing.
    const record = JSON.parse(bodyOf(jsonFactCodec.frame(spaced))) as unknown;
    appendFileSync(path, encodeTextFrame(JSON.stringify(record, null, 1)));
    appendFileSync(path, jsonFactCodec.frame(contractFact(3)));
    const backend = new FileBackend(path, { engine: 'native' });
    const stats = backend.storageStats();
    expect(stats.factCount).toBe(3);
    const store = new IgniterStore({ engine: 'native', backend });
    // One native log holds all three: the engine adopted it.
    expect(backend.takePreloaded()).toBeUndefined();
    const all = [contractFact(1), spaced, contractFact(3)];
    expect(factsOf(store, all)).toEqual(all);
    expect(store.factCount()).toBe(3);
    expect(store.storageStats()).toEqual(stats);
    await store.close();
  });

  it('stops where the decoding reader stops: a record out of seq order', async () => {
    const path = join(temp.dir(), 'app.log');
    await writeLog(path, [contractFact(1), contractFact(2)]);
    // Seq 2 again: both readers refuse it at the same offset, with the same reason.
    const offset = readFileSync(path).length;
    appendFileSync(path, jsonFactCodec.frame(contractFact(2)));
    appendFileSync(path, jsonFactCodec.frame(contractFact(3)));
    const failure = (engine: 'ts' | 'native') => {
      try {
        new FileBackend(path, { engine }).closeSync();
      } catch (error) {
        const { code, message } = error as { code: string; message: string };
        return { code, message };
      }
      return undefined;
    };
    const native = failure('native');
    expect(native).toEqual({
      code: 'ERR_CORRUPT_LOG',
      message: `${path}: damaged frame at byte ${offset} (seq 2 does not follow seq 2); open with { repair: true } to move it and everything after it to a quarantine file`,
    });
    expect(failure('ts')).toEqual(native);
  });

  it('reads a snapshot holding a record the native reader does not take as is, as the TS reader does', async () => {
    const path = join(temp.dir(), 'app.log');
    const facts = [contractFact(1), contractFact(2), contractFact(3)];
    const spaced = JSON.stringify(JSON.parse(bodyOf(jsonFactCodec.frame(contractFact(2)))), null, 1);
    const snapshot = (lastSeq: number) =>
      Buffer.concat([
        encodeHeader(FileKind.snapshot, jsonFactCodec.id),
        encodeMetaFrame({ type: 'snapshot', lastSeq, factCount: 3 }),
        jsonFactCodec.frame(contractFact(1)),
        encodeTextFrame(spaced),
        jsonFactCodec.frame(contractFact(3)),
      ]);
    writeFileSync(`${path}.snapshot`, snapshot(3));
    writeFileSync(
      path,
      Buffer.concat([
        encodeHeader(FileKind.wal, jsonFactCodec.id),
        encodeMetaFrame({ type: 'wal', baseSeq: 3 }),
      ]),
    );
    const opened = async (engine: 'ts' | 'native') => {
      const store = new IgniterStore({ engine, backend: new FileBackend(path, { engine }) });
      const seen = { facts: factsOf(store, facts), stats: store.storageStats() };
      await store.close();
      return seen;
    };
    const native = await opened('native');
    expect(native.facts).toEqual(facts);
    expect(native).toEqual(await opened('ts'));
    // A snapshot whose last fact is above its lastSeq: the same error from both readers.
    writeFileSync(`${path}.snapshot`, snapshot(2));
    const failure = (engine: 'ts' | 'native') => {
      try {
        new FileBackend(path, { engine }).closeSync();
      } catch (error) {
        return (error as Error).message;
      }
      return undefined;
    };
    expect(failure('native')).toMatch(/damaged frame at byte \d+ \(seq 3 after 2 \(snapshot lastSeq 2\)\)/);
    expect(failure('native')).toBe(failure('ts'));
  });

  it('recovers a torn tail natively', async () => {
    const path = join(temp.dir(), 'app.log');
    await writeLog(path, [contractFact(1), contractFact(2)]);
    const size = readFileSync(path).length;
    appendFileSync(path, jsonFactCodec.frame(contractFact(3)).subarray(0, 20));
    const backend = new FileBackend(path, { engine: 'native' });
    expect(backend.storageStats().recoveredTailBytes).toBe(20);
    expect(readFileSync(path).length).toBe(size);
    const store = new IgniterStore({ engine: 'native', backend });
    expect(factsOf(store, [contractFact(1), contractFact(2)])).toEqual([contractFact(1), contractFact(2)]);
    expect(store.factCount()).toBe(2);
    await store.close();
  });

  it("stores a native fact's value as the canonical JSON the engine holds, without decoding it", async () => {
    const path = join(temp.dir(), 'app.log');
    const store = new IgniterStore({
      engine: 'native',
      backend: new FileBackend(path, { engine: 'native' }),
    });
    const value = JSON.parse('{"b":1,"10":[{"y":2,"x":1}],"2":"two"}');
    const fact = store.write({ store: 's', key: 'k', value });
    await store.close();
    // JSON.stringify of any JS object would put "2" before "10"; canonical order does not.
    expect(readFileSync(path, 'utf8')).toContain('{"10":[{"x":1,"y":2}],"2":"two","b":1}');
    const reopened = new IgniterStore({ engine: 'ts', backend: new FileBackend(path, { engine: 'ts' }) });
    expect(reopened.factById(fact.id)).toEqual(fact);
    expect(reopened.read({ store: 's', key: 'k' })).toEqual(value);
    await reopened.close();
  });

  it('drops a log no engine took when it closes', async () => {
    const path = join(temp.dir(), 'app.log');
    await writeLog(path, [contractFact(1)]);
    const backend = new FileBackend(path, { engine: 'native' });
    await backend.close();
    expect(backend.takePreloaded()).toBeUndefined();
  });

  it('rejects an engine that is not a choice', () => {
    expect(codeOf(() => new FileBackend(join(temp.dir(), 'x.log'), { engine: 'rust' as 'ts' }))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });
});

/** The body of a frame, as text. */
function bodyOf(frame: Buffer): string {
  return frame.subarray(4, frame.length - 4).toString('utf8');
}
