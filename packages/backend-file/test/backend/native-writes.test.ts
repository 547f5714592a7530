import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IgniterStore } from '@igniter/core';
import { batchBytes, jsonFactCodec } from '@igniter/core/storage';
import { useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/index.js';

const temp = useTempDir('igniter-file-');

/** A native-engine store over a new log; the log's bytes before any write. */
function nativeStore(options: ConstructorParameters<typeof FileBackend>[1] = {}) {
  const path = join(temp.dir(), 'app.log');
  const backend = new FileBackend(path, { engine: 'native', ...options });
  const store = temp.track(new IgniterStore({ engine: 'native', backend }));
  return { path, backend, store, empty: readFileSync(path) };
}

/** The frames the JS codec writes for the facts a TS-engine open reads back from `path`. */
/** The log's facts framed by the JS codec, the frames of seqs in each of `batches` behind their batch marker. */
async function jsFrames(path: string, batches: readonly (readonly number[])[] = []): Promise<Buffer> {
  const backend = new FileBackend(path, { engine: 'ts' });
  const facts = [...backend.replay()];
  await backend.close();
  const out: Buffer[] = [];
  for (let i = 0; i < facts.length; ) {
    const batch = batches.find((seqs) => seqs[0] === facts[i]?.seq);
    const frames = facts
      .slice(i, i + (batch?.length ?? 1))
      .map((fact) => jsonFactCodec.frame(fact) as Buffer);
    out.push(batchBytes(frames));
    i += frames.length;
  }
  return Buffer.concat(out);
}

describe('the native write path of a native engine', () => {
  it('writes exactly the bytes the JS codec writes, also for facts it leaves to JS', async () => {
    const { path, store, empty } = nativeStore({ durability: 'none' });
    store.write({ store: 'orders', key: 'o-1', value: { b: [1.5, 2], a: 'x\u0001"\\é😀' } });
    store.write({
      store: 'orders',
      key: 'o-1\n"quoted"',
      value: { n: -0.000001, big: 1e21 },
      validTime: -1_767_225_600_000,
      schemaVersion: 3,
      producer: { z: 1, a: { y: 2, b: 3 } },
      derivation: { rule: 'r', from: ['x'] },
      idempotencyKey: 'idem\u2028',
    });
    // An idempotency key that starts with U+0000 crosses into Rust escaped: JS frames that fact,
    // and every later fact of its batch, so the file keeps seq order.
    store.writeMany([
      { store: 'orders', key: 'o-2', value: 1 },
      { store: 'orders', key: 'o-3', value: 2, idempotencyKey: '\u0000marker' },
      { store: 'orders', key: 'o-4', value: [null] },
    ]);
    const linked = store.write({ store: 'orders', key: 'o-1', value: { c: 3 } });
    expect(linked.causation).not.toBeNull();
    // A batch Rust frames: its marker is the one JS writes.
    store.writeMany([
      { store: 'orders', key: 'o-5', value: { n: 5 } },
      { store: 'orders', key: 'o-6', value: 'six' },
    ]);
    await store.close();
    const bytes = readFileSync(path);
    const expected = await jsFrames(path, [
      [3, 4, 5],
      [7, 8],
    ]);
    expect(bytes.subarray(0, empty.length).equals(empty)).toBe(true);
    expect(bytes.subarray(empty.length).equals(expected)).toBe(true);
    expect(bytes.length).toBe(empty.length + expected.length);
  });

  it("in 'group' mode commits on its own thread while the event loop never yields", () => {
    const { backend, store } = nativeStore({ groupCommitMs: 5 });
    store.write({ store: 'orders', key: 'o-1', value: 1 });
    store.write({ store: 'orders', key: 'o-2', value: 2 });
    expect(backend.durabilityStatus()).toMatchObject({ durability: 'group', lastSeq: 2 });
    // No timer can fire and no promise can settle during this loop.
    const start = performance.now();
    let status = backend.durabilityStatus();
    while (status.durableSeq < 2 && performance.now() - start < 20_000) status = backend.durabilityStatus();
    expect(status).toEqual({ durability: 'group', pendingBytes: 0, lastSeq: 2, durableSeq: 2, syncs: 1 });
  });

  it("in 'fsync' mode makes each write durable before it returns", () => {
    const { backend, store } = nativeStore({ durability: 'fsync' });
    for (let seq = 1; seq <= 3; seq++) {
      store.write({ store: 'orders', key: `o-${seq}`, value: seq });
      expect(backend.durabilityStatus()).toEqual({
        durability: 'fsync',
        pendingBytes: 0,
        lastSeq: seq,
        durableSeq: seq,
        syncs: seq,
      });
    }
  });

  it('keeps writing after a checkpoint replaced the log, and a reopen reads everything', async () => {
    const { path, backend, store } = nativeStore();
    for (let i = 1; i <= 5; i++) store.write({ store: 'orders', key: `o-${i % 2}`, value: i });
    store.checkpoint();
    await store.flush();
    for (let i = 6; i <= 8; i++) store.write({ store: 'orders', key: `o-${i % 2}`, value: i });
    await store.flush();
    expect(backend.durabilityStatus()).toMatchObject({ lastSeq: 8, durableSeq: 8, pendingBytes: 0 });
    const before = store.history({ store: 'orders', key: 'o-0' });
    await store.close();
    for (const engine of ['native', 'ts'] as const) {
      const again = temp.track(new IgniterStore({ engine, backend: new FileBackend(path, { engine }) }));
      expect(again.factCount()).toBe(8);
      expect(again.history({ store: 'orders', key: 'o-0' })).toEqual(before);
      await again.close();
    }
  });

  it('storage stats count the bytes the native writer framed', async () => {
    const { path, backend, store, empty } = nativeStore({ durability: 'none' });
    store.write({ store: 'a', key: 'k', value: { x: 1 } });
    store.write({ store: 'b', key: 'k', value: 'y' });
    const size = readFileSync(path).length;
    const stats = backend.storageStats();
    expect(stats.byteSize).toBe(size);
    const frameBytes = Object.values(stats.stores).reduce((sum, s) => sum + s.byteSize, 0);
    expect(frameBytes).toBe(size - empty.length);
    await store.close();
  });
});
