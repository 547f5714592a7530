import { readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Fact, IgniterStore } from '@igniter/core';
import { frameOffsets, patchFile, rewriteInFrame, treeDigest, useTempDir } from '@igniter/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { openFileStore } from '../../src/index.js';

const temp = useTempDir('igniter-file-');
const engine = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

function open(path: string, options: { repair?: boolean } = {}): IgniterStore {
  return temp.track(openFileStore(path, { engine, durability: 'none', ...options }));
}

/** A store with facts in its snapshot and in its log; returns the facts in seq order. */
async function seeded(path: string): Promise<{ store: IgniterStore; facts: Fact[] }> {
  const store = open(path);
  const facts: Fact[] = [];
  facts.push(store.write({ store: 'notes', key: 'n1', value: { text: 'in the snapshot' } }));
  facts.push(store.write({ store: 'notes', key: 'n1', value: { text: 'also in the snapshot' } }));
  store.checkpoint();
  await store.flush();
  facts.push(store.write({ store: 'notes', key: 'n2', value: { text: 'MARKER-ALPHA in the log' } }));
  facts.push(store.write({ store: 'notes', key: 'n3', value: { text: 'after it' } }));
  facts.push(store.append({ history: 'audit', event: { what: 'last' } }));
  return { store, facts };
}

describe(`verify() of a file store (${engine} engine)`, () => {
  it('reports a clean store as ok, having checked every fact of the snapshot and the log', async () => {
    const path = join(temp.dir(), 'app.log');
    const { store } = await seeded(path);
    expect(await store.verify()).toEqual({ ok: true, factsChecked: 5, problems: [], warnings: [] });
  });

  it('finds a value changed under an intact frame CRC: a hash problem with file, offset and fact id', async () => {
    const path = join(temp.dir(), 'app.log');
    const { store, facts } = await seeded(path);
    await store.flush();
    const offset = rewriteInFrame(path, 'MARKER-ALPHA', 'MARKER-OMEGA'.slice(0, 12));
    const changed = facts[2] as Fact;
    const result = await store.verify();
    expect(result.ok).toBe(false);
    expect(result.factsChecked).toBe(5);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ kind: 'hash', file: path, offset, factId: changed.id });
    expect(result.problems[0]?.message).toContain(
      `has valueHash ${changed.valueHash}, but its value hashes to`,
    );
  });

  it('finds a damaged frame in the middle of the log, names file and offset, and checks the frames after it', async () => {
    const path = join(temp.dir(), 'app.log');
    const { store } = await seeded(path);
    await store.flush();
    const { starts } = frameOffsets(path);
    // Frames of the log: the metadata record, then the three facts written after the checkpoint.
    const damaged = starts[2] as number;
    const bytes = readFileSync(path);
    patchFile(path, damaged + 10, Buffer.of(bytes.readUInt8(damaged + 10) ^ 0x01));
    const result = await store.verify();
    expect(result).toEqual({
      ok: false,
      factsChecked: 4,
      problems: [
        {
          kind: 'frame',
          file: path,
          offset: damaged,
          message: `${path}: the frame at byte ${damaged} fails its CRC-32 check; the next intact frame is at byte ${starts[3]}`,
        },
      ],
      warnings: [],
    });
  });

  it('reports a torn tail as a frame problem and leaves it in place', async () => {
    const path = join(temp.dir(), 'app.log');
    const { store } = await seeded(path);
    await store.flush();
    const size = statSync(path).size;
    // A frame header promising more bytes than follow: what a crash mid-append leaves.
    patchFile(path, size, Buffer.of(0, 0, 1, 0, 0x5b));
    const result = await store.verify();
    expect(result).toEqual({
      ok: false,
      factsChecked: 5,
      problems: [
        {
          kind: 'frame',
          file: path,
          offset: size,
          message: `${path}: torn tail: the file ends inside the frame at byte ${size} (5 bytes)`,
        },
      ],
      warnings: [],
    });
    expect(statSync(path).size).toBe(size + 5);
  });

  it('finds damage in the snapshot too', async () => {
    const path = join(temp.dir(), 'app.log');
    const { store, facts } = await seeded(path);
    const [first, second] = facts as [Fact, Fact];
    const snapshot = `${path}.snapshot`;
    const { starts } = frameOffsets(snapshot);
    const damaged = starts[1] as number;
    patchFile(snapshot, damaged + 12, Buffer.from('#'));
    const result = await store.verify();
    expect(result.factsChecked).toBe(4);
    expect(result.problems).toEqual([
      {
        kind: 'frame',
        file: snapshot,
        offset: damaged,
        message: `${snapshot}: the frame at byte ${damaged} fails its CRC-32 check; the next intact frame is at byte ${starts[2]}`,
      },
      {
        kind: 'seq',
        file: snapshot,
        message: `${snapshot}: the snapshot declares 2 facts but holds 1 intact ones`,
      },
      {
        // The second fact follows the damaged first one, which is now nowhere to be read.
        kind: 'causation',
        file: snapshot,
        offset: starts[2],
        factId: second.id,
        message: `fact ${second.id} (seq 2) has causation ${first.id}, which is neither a stored fact nor a pruned one`,
      },
    ]);
  });

  it('never modifies a byte of the store directory, clean or damaged', async () => {
    const path = join(temp.dir(), 'app.log');
    const { store } = await seeded(path);
    await store.flush();
    const clean = treeDigest(temp.dir());
    await store.verify();
    expect(treeDigest(temp.dir())).toBe(clean);
    const { starts } = frameOffsets(path);
    patchFile(path, (starts[2] as number) + 9, Buffer.from('~'));
    patchFile(path, statSync(path).size, Buffer.of(0, 0, 0, 9));
    const damaged = treeDigest(temp.dir());
    expect((await store.verify()).ok).toBe(false);
    expect(treeDigest(temp.dir())).toBe(damaged);
  });

  it('reports quarantine files a repair left: bytes outside the store that prunes do not erase', async () => {
    const path = join(temp.dir(), 'app.log');
    const { store } = await seeded(path);
    await store.close();
    const { starts } = frameOffsets(path);
    patchFile(path, (starts[2] as number) + 9, Buffer.from('~'));
    const repaired = open(path, { repair: true });
    const quarantine = `${path}.quarantine-1`;
    expect(statSync(quarantine).size).toBeGreaterThan(0);
    const result = await repaired.verify();
    expect(result).toEqual({
      ok: false,
      factsChecked: 3,
      problems: [
        {
          kind: 'frame',
          file: quarantine,
          message: `${quarantine}: bytes that a repair moved out of the log; they are not part of the store and prunes do not erase them: inspect, then delete the file`,
        },
      ],
      warnings: [],
    });
  });

  it('reports the side file of a cut torn tail: bytes outside the store that prunes do not erase', async () => {
    const path = join(temp.dir(), 'app.log');
    const { store } = await seeded(path);
    await store.close();
    truncateSync(path, statSync(path).size - 3);
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const reopened = open(path);
    warnings.mockRestore();
    const sideFile = reopened.storageStats()?.recovered[0]?.sideFile as string;
    expect(sideFile).toMatch(/app\.log\.recovered-\d+$/);
    expect(await reopened.verify()).toEqual({
      ok: false,
      factsChecked: 4,
      problems: [
        {
          kind: 'frame',
          file: sideFile,
          message: `${sideFile}: bytes that open cut from the store's files (see storageStats().recovered); they are not part of the store and prunes do not erase them: inspect, then delete the file`,
        },
      ],
      warnings: [],
    });
  });

  it('accepts causations to pruned and compacted facts, reading the receipts from disk', async () => {
    const path = join(temp.dir(), 'app.log');
    const store = open(path);
    const first = store.write({ store: 'people', key: 'p1', value: { v: 1 } });
    const second = store.write({ store: 'people', key: 'p1', value: { v: 2 } });
    expect(second.causation).toBe(first.id);
    store.pruneFactIds({ factIds: [first.id], reason: 'erasure request' });
    for (let v = 0; v < 3; v++) store.write({ store: 'latest', key: 'k', value: { v } });
    store.setRetention('latest', { strategy: 'ephemeral' });
    store.compact('latest');
    store.write({ store: 'latest', key: 'k', value: { v: 3 } });
    expect(await store.verify()).toEqual({ ok: true, factsChecked: 5, problems: [], warnings: [] });
  });
});
