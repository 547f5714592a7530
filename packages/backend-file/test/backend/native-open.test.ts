import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Fact, IgniterStore } from '@igniter/core';
import { DeferredFacts, encodeTextFrame, jsonFactCodec } from '@igniter/core/storage';
import { CONTRACT_T0, contractFact, useTempDir, variedFacts } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/index.js';
import { codeOf } from '../support/thrown.js';

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
    expect(jsBackend.takePreloaded()).toBeInstanceOf(DeferredFacts);
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
    // The next write continues the seq and the clock, and the idempotency key is known.
    const keyed = facts[1] as Fact;
    const again = store.write({
      store: keyed.store,
      key: keyed.key,
      value: keyed.value,
      idempotencyKey: 'req-42',
    });
    expect(again.id).toBe(keyed.id);
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

  it('leaves a file with a record it does not take as is to the JS decoder', async () => {
    const path = join(temp.dir(), 'app.log');
    await writeLog(path, [contractFact(1)]);
    const spaced = contractFact(2);
    // Valid JSON for the JS decoder, but not the codec's own spacing.
    const record = JSON.parse(bodyOf(jsonFactCodec.frame(spaced))) as unknown;
    appendFileSync(path, encodeTextFrame(JSON.stringify(record, null, 1)));
    const backend = new FileBackend(path, { engine: 'native' });
    // The native reader declined the file; the JS reader indexed it.
    expect(backend.takePreloaded()).toBeInstanceOf(DeferredFacts);
    expect([...backend.replay()]).toEqual([contractFact(1), spaced]);
    await backend.close();
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
