import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import type { Fact } from '../fact.js';
import { CONTRACT_T0, contractFact, variedFacts } from './facts.js';
import { useTempDir } from './temp-dir.js';

/**
 * Opens the backend stored at `location` (a fresh, empty directory per test): calling it
 * again with the same location reopens the same data. A backend that connects (PostgreSQL)
 * may return a promise.
 */
export type MakeBackend = (location: string) => Backend | Promise<Backend>;

async function expectCode(run: () => unknown, code: string): Promise<void> {
  let thrown: unknown;
  try {
    await run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(Error);
  expect((thrown as { code?: unknown }).code).toBe(code);
}

function requireMethod<K extends keyof Backend>(backend: Backend, method: K): NonNullable<Backend[K]> {
  const fn = backend[method];
  expect(typeof fn).toBe('function');
  return (fn as (...args: unknown[]) => unknown).bind(backend) as NonNullable<Backend[K]>;
}

/**
 * Registers the backend contract tests (vitest `describe`/`it`) for a durable backend: replay
 * after reopen returns exactly what was written (every field, seq order), inclusive since/asOf
 * filters, snapshot plus delta, `replaceWithSnapshot` dropping facts durably, the high-water seq
 * surviving a prune, flush/close, `ERR_CLOSED`, `ERR_LOCKED` and storage stats.
 * Must be called inside a vitest test file. Cost: about 20 small tests, each in a temp directory.
 *
 * @example
 * backendContractSuite('FileBackend', (dir) => new FileBackend(join(dir, 'app.log')));
 */
export function backendContractSuite(name: string, makeBackend: MakeBackend): void {
  describe(`${name} (backend contract)`, () => {
    const temp = useTempDir('igniter-contract-');

    const open = async (): Promise<Backend> => temp.track(await makeBackend(temp.dir()));
    const reopen = async (backend: Backend): Promise<Backend> => {
      await backend.close();
      return open();
    };
    const writeAll = (backend: Backend, facts: readonly Fact[]): void => {
      for (const fact of facts) backend.writeFact(fact);
    };

    it('a new backend replays nothing and its high-water seq is 0', async () => {
      const backend = await open();
      expect([...backend.replay()]).toEqual([]);
      expect(backend.highWaterSeq?.() ?? 0).toBe(0);
    });

    it('replay after reopen returns exactly the facts written, every field intact', async () => {
      const facts = variedFacts();
      const backend = await open();
      backend.replay();
      writeAll(backend, facts);
      const replayed = [...(await reopen(backend)).replay()];
      expect(replayed).toEqual(facts);
      expect(Object.is(replayed[3]?.validTime, -0)).toBe(true);
      expect(Object.keys(replayed[4]?.value as object)).toEqual(['__proto__', 'constructor', '']);
    });

    it('replayed facts are frozen, values deep-frozen', async () => {
      const backend = await open();
      writeAll(backend, variedFacts().slice(0, 2));
      const fact = [...(await reopen(backend)).replay()][1] as Fact;
      expect(Object.isFrozen(fact)).toBe(true);
      expect(Object.isFrozen(fact.value)).toBe(true);
      expect(Object.isFrozen((fact.value as { nested: { list: unknown } }).nested.list)).toBe(true);
      expect(Object.isFrozen(fact.producer)).toBe(true);
    });

    it('replays in seq order', async () => {
      const backend = await open();
      writeAll(backend, [contractFact(1), contractFact(5), contractFact(9), contractFact(10)]);
      const seqs = [...(await reopen(backend)).replay()].map((f) => f.seq);
      expect(seqs).toEqual([1, 5, 9, 10]);
    });

    it('since and asOf are inclusive transaction-time bounds, as ms or Date', async () => {
      const backend = await open();
      writeAll(
        backend,
        [1, 2, 3, 4, 5].map((seq) => contractFact(seq)),
      );
      const again = await reopen(backend);
      const seqs = (opts: Parameters<Backend['replay']>[0]): number[] =>
        [...again.replay(opts)].map((f) => f.seq);
      expect(seqs({ since: CONTRACT_T0 + 1 })).toEqual([2, 3, 4, 5]);
      expect(seqs({ asOf: CONTRACT_T0 + 3 })).toEqual([1, 2, 3, 4]);
      expect(seqs({ since: CONTRACT_T0 + 1, asOf: CONTRACT_T0 + 1 })).toEqual([2]);
      expect(seqs({ since: new Date(CONTRACT_T0 + 3), asOf: new Date(CONTRACT_T0 + 4) })).toEqual([4, 5]);
      expect(seqs({ asOf: CONTRACT_T0 - 1 })).toEqual([]);
    });

    it('replay can be called again and still returns every fact', async () => {
      const backend = await open();
      writeAll(backend, [contractFact(1), contractFact(2)]);
      const again = await reopen(backend);
      expect([...again.replay()].map((f) => f.seq)).toEqual([1, 2]);
      again.writeFact(contractFact(3));
      expect([...again.replay()].map((f) => f.seq)).toEqual([1, 2, 3]);
    });

    it('a snapshot plus the facts written after it replay as the whole log', async () => {
      const backend = await open();
      const facts = variedFacts();
      writeAll(backend, facts.slice(0, 4));
      requireMethod(backend, 'writeSnapshot')(facts.slice(0, 4), { lastSeq: 4 });
      writeAll(backend, facts.slice(4));
      const again = await reopen(backend);
      expect([...again.replay()]).toEqual(facts);
      expect(again.highWaterSeq?.()).toBe(7);
    });

    it('a snapshot with nothing after it reopens to exactly its facts', async () => {
      const backend = await open();
      writeAll(backend, [contractFact(1), contractFact(2)]);
      requireMethod(backend, 'writeSnapshot')([contractFact(1), contractFact(2)], { lastSeq: 2 });
      expect([...(await reopen(backend)).replay()]).toEqual([contractFact(1), contractFact(2)]);
    });

    it('replaceWithSnapshot drops the facts it leaves out, durably', async () => {
      const backend = await open();
      const facts = [1, 2, 3, 4].map((seq) => contractFact(seq));
      writeAll(backend, facts);
      requireMethod(backend, 'replaceWithSnapshot')([facts[0] as Fact, facts[2] as Fact], { lastSeq: 4 });
      expect([...backend.replay()].map((f) => f.seq)).toEqual([1, 3]);
      expect([...(await reopen(backend)).replay()].map((f) => f.seq)).toEqual([1, 3]);
    });

    it('a fact written after replaceWithSnapshot survives a reopen, and dropped facts stay gone', async () => {
      const backend = await open();
      writeAll(backend, [contractFact(1), contractFact(2)]);
      requireMethod(backend, 'replaceWithSnapshot')([contractFact(2)], { lastSeq: 2 });
      backend.writeFact(contractFact(3));
      expect([...(await reopen(backend)).replay()]).toEqual([contractFact(2), contractFact(3)]);
    });

    it('replaceWithSnapshot twice in a row is safe', async () => {
      const backend = await open();
      writeAll(backend, [contractFact(1), contractFact(2)]);
      const replace = requireMethod(backend, 'replaceWithSnapshot');
      replace([contractFact(2)], { lastSeq: 2 });
      replace([contractFact(2)], { lastSeq: 2 });
      expect([...(await reopen(backend)).replay()]).toEqual([contractFact(2)]);
    });

    it('the high-water seq survives a prune of every fact and a reopen', async () => {
      const backend = await open();
      writeAll(
        backend,
        [1, 2, 3, 4, 5].map((seq) => contractFact(seq)),
      );
      requireMethod(backend, 'replaceWithSnapshot')([], { lastSeq: 5 });
      const again = await reopen(backend);
      expect([...again.replay()]).toEqual([]);
      expect(again.highWaterSeq?.()).toBe(5);
    });

    it('refuses a fact whose seq is not above every seq written, and stores nothing', async () => {
      const backend = await open();
      backend.writeFact(contractFact(2));
      await expectCode(() => backend.writeFact(contractFact(2, { key: 'other' })), 'ERR_INVALID_ARGUMENT');
      await expectCode(() => backend.writeFact(contractFact(1)), 'ERR_INVALID_ARGUMENT');
      expect([...(await reopen(backend)).replay()]).toEqual([contractFact(2)]);
    });

    it('flush resolves once written facts are durable, and they survive a reopen', async () => {
      const backend = await open();
      writeAll(backend, [contractFact(1), contractFact(2)]);
      await expect(backend.flush()).resolves.toBeUndefined();
      expect([...(await reopen(backend)).replay()]).toEqual([contractFact(1), contractFact(2)]);
    });

    it('close resolves twice, and every call after it throws ERR_CLOSED', async () => {
      const backend = await open();
      backend.writeFact(contractFact(1));
      await backend.close();
      await expect(backend.close()).resolves.toBeUndefined();
      await expectCode(() => backend.writeFact(contractFact(2)), 'ERR_CLOSED');
      await expectCode(() => backend.replay(), 'ERR_CLOSED');
      await expectCode(() => backend.flush(), 'ERR_CLOSED');
    });

    it('a second open of the same data while it is open fails with ERR_LOCKED', async () => {
      const backend = await open();
      await expectCode(() => open(), 'ERR_LOCKED');
      await backend.close();
      expect([...(await open()).replay()]).toEqual([]);
    });

    it('storage stats count live facts, in total and per store', async () => {
      const backend = await open();
      writeAll(backend, [
        contractFact(1, { store: 'a' }),
        contractFact(2, { store: 'b' }),
        contractFact(3, { store: 'a' }),
      ]);
      const stats = requireMethod(backend, 'storageStats');
      const all = stats();
      expect(all.factCount).toBe(3);
      expect(Object.keys(all.stores).sort()).toEqual(['a', 'b']);
      expect(all.stores.a?.factCount).toBe(2);
      expect(all.stores.b?.factCount).toBe(1);
      const onlyA = stats({ store: 'a' });
      expect(Object.keys(onlyA.stores)).toEqual(['a']);
      expect(onlyA.factCount).toBe(3);
      expect(onlyA.byteSize).toBe(all.byteSize);
      requireMethod(backend, 'replaceWithSnapshot')([contractFact(2, { store: 'b' })], { lastSeq: 3 });
      const afterPrune = requireMethod(await reopen(backend), 'storageStats')();
      expect(afterPrune.factCount).toBe(1);
      expect(Object.keys(afterPrune.stores)).toEqual(['b']);
    });
  });
}
