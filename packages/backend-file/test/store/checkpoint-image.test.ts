import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { IgniterStore, type Json } from '@igniter/core';
import { filesContaining, useTempDir } from '@igniter/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/index.js';
import { assertBuilt, spawnScript } from '../support/child.js';

const temp = useTempDir('igniter-file-');
const engine = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
const MARKER = 'ERASE-ME-77d0c1';

function open(path: string): { store: IgniterStore; backend: FileBackend } {
  const backend = new FileBackend(path, { engine, durability: 'none' });
  const store = temp.track(new IgniterStore({ engine, backend }));
  return { store, backend };
}

/** Facts 1..n over three stores; every fifth value is over 134 bytes (kept in the arena). */
function fill(store: IgniterStore, from: number, to: number): void {
  for (let n = from; n <= to; n++) {
    const value: Json = n % 5 === 0 ? { n, text: 'y'.repeat(200) } : { n };
    const producer = n % 7 === 0 ? { kind: 'importer' } : undefined;
    store.write({
      store: `s${n % 3}`,
      key: `k${n % 97}`,
      value,
      producer,
      idempotencyKey: n % 11 === 0 ? `i${n}` : undefined,
    });
  }
}

/** Everything a reader sees: every fact, each store's keys in order, reads as of a time. */
function everything(store: IgniterStore): unknown {
  const stores = ['s0', 's1', 's2'];
  return {
    facts: store.factLogAll(),
    keys: stores.map((name) => store.keys({ store: name })),
    latest: stores.map((name) => store.read({ store: name, key: 'k5' })),
    history: store.history({ store: 's1', key: 'k10' }).map((fact) => fact.seq),
    lastSeq: store.lastSeq(),
  };
}

/** A checkpointed store (snapshot + image for the native engine) and what it held. */
async function checkpointed(path: string): Promise<unknown> {
  const { store } = open(path);
  fill(store, 1, 3000);
  await store.checkpoint().flush();
  fill(store, 3001, 3010); // the log's tail after the checkpoint
  const seen = everything(store);
  await store.close();
  return seen;
}

/** Opens the store at `path`; returns what it holds and what became of the image. */
async function reopened(path: string): Promise<{ seen: unknown; image: string | null }> {
  const { store, backend } = open(path);
  const image = backend.recoveryReport().checkpointImage;
  const seen = everything(store);
  await store.close();
  return { seen, image };
}

/** The image's section offsets (u64 at bytes 80, 104 and 128 of its header; this machine's byte order). */
function sections(imagePath: string): { records: number; payload: number; index: number } {
  const head = readFileSync(imagePath).subarray(0, 160);
  const at = (offset: number) => Number(head.readBigUInt64LE(offset));
  return { records: at(80), payload: at(104), index: at(128) };
}

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = (bytes[offset] as number) ^ 0x10;
  writeFileSync(path, bytes);
}

describe(`the checkpoint image (${engine} engine)`, () => {
  it('is written by a checkpoint; a native open maps it and reads exactly what the snapshot holds, the TS engine reads the snapshot', async () => {
    const path = join(temp.dir(), 'app.log');
    const seen = await checkpointed(path);
    expect(existsSync(`${path}.image`)).toBe(engine === 'native');
    const { seen: again, image } = await reopened(path);
    expect(image).toBe(engine === 'native' ? 'used' : null);
    expect(again).toEqual(seen);
    // Without the image, the snapshot replay gives the same.
    rmSync(`${path}.image`, { force: true });
    const replayed = await reopened(path);
    expect(replayed.seen).toEqual(seen);
    expect(replayed.image).toBe(engine === 'native' ? 'there is no image' : null);
  });

  it('a store opened from its image takes writes, checkpoints again and reopens the same', async () => {
    const path = join(temp.dir(), 'app.log');
    await checkpointed(path);
    const { store } = open(path);
    fill(store, 3011, 3500);
    await store.checkpoint().flush();
    fill(store, 3501, 3520);
    const seen = everything(store);
    await store.close();
    const { seen: again, image } = await reopened(path);
    expect(image).toBe(engine === 'native' ? 'used' : null);
    expect(again).toEqual(seen);
  });

  // Each fault, applied to the image of a checkpointed store; the open must replay the snapshot,
  // say why, and leave the image's bytes where they were.
  const faults: Array<[string, (image: string) => void, RegExp]> = [
    ['a flipped byte in the header', (image) => flipByte(image, 30), /header fails its CRC-32/],
    [
      'a flipped byte in the records',
      (image) => flipByte(image, sections(image).records + 256 * 1500 + 40),
      /records fail their CRC-32/,
    ],
    [
      'a flipped byte in the payload',
      (image) => flipByte(image, sections(image).payload + 10),
      /section fails its CRC-32/,
    ],
    [
      'a flipped byte in the index',
      (image) => flipByte(image, sections(image).index + 50),
      /section fails its CRC-32/,
    ],
    ['a truncated image', (image) => truncateSync(image, sections(image).index + 10), /truncated/],
    ['a deleted image', (image) => rmSync(image), /there is no image/],
  ];
  for (const [what, damage, reason] of faults) {
    it(`${what} is never served: the open replays the snapshot and reports why`, async () => {
      const path = join(temp.dir(), 'app.log');
      const seen = await checkpointed(path);
      const image = `${path}.image`;
      // The TS engine writes no image and never reads one: it gets a damaged stand-in.
      if (engine === 'ts') writeFileSync(image, Buffer.alloc(4096, 7));
      if (engine === 'native' || what === 'a deleted image') damage(image);
      const before = existsSync(image) ? readFileSync(image) : null;
      const { seen: again, image: outcome } = await reopened(path);
      expect(again).toEqual(seen);
      if (engine === 'native') expect(outcome).toMatch(reason);
      else expect(outcome).toBeNull();
      expect(existsSync(image) ? readFileSync(image) : null).toEqual(before);
    });
  }

  it('an image of an older checkpoint is refused as belonging to another snapshot', async () => {
    const path = join(temp.dir(), 'app.log');
    await checkpointed(path);
    if (engine === 'native') renameSync(`${path}.image`, join(temp.dir(), 'old.image'));
    const { store } = open(path);
    fill(store, 3011, 3100);
    await store.checkpoint().flush();
    const seen = everything(store);
    await store.close();
    if (engine === 'native') renameSync(join(temp.dir(), 'old.image'), `${path}.image`);
    const { seen: again, image } = await reopened(path);
    expect(again).toEqual(seen);
    expect(image).toBe(
      engine === 'native' ? 'the image belongs to another snapshot (stale or replaced)' : null,
    );
  });

  it("a prune removes the image with the snapshot's copy of the pruned fact; the next checkpoint writes one without it", async () => {
    const path = join(temp.dir(), 'app.log');
    const { store } = open(path);
    const secret = store.write({ store: 'people', key: 'p1', value: { name: MARKER } });
    fill(store, 1, 200);
    await store.checkpoint().flush();
    expect(filesContaining(temp.dir(), MARKER)).toEqual(
      engine === 'native' ? ['app.log.image', 'app.log.snapshot'] : ['app.log.snapshot'],
    );
    store.pruneFactIds({ factIds: [secret.id], reason: 'erasure request' });
    await store.flush();
    expect(filesContaining(temp.dir(), MARKER)).toEqual([]);
    expect(existsSync(`${path}.image`)).toBe(false);
    fill(store, 201, 210);
    await store.checkpoint().flush();
    expect(existsSync(`${path}.image`)).toBe(engine === 'native');
    expect(filesContaining(temp.dir(), MARKER)).toEqual([]);
    const seen = everything(store);
    await store.close();
    const again = await reopened(path);
    expect(again.seen).toEqual(seen);
    expect(again.image).toBe(engine === 'native' ? 'used' : null);
    expect(readdirSync(temp.dir()).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });
});

describe(`a writer killed while the checkpoint image is written (${engine} engine)`, () => {
  beforeAll(assertBuilt);

  const phases: Array<[string, string]> = [
    ['snapshot', 'right after the new snapshot was renamed into place, the image not yet in place'],
    ['image', 'with the image written and sealed, not renamed'],
  ];
  for (const [phase, what] of phases) {
    it(`${what}: a reopen holds every acknowledged fact, removes the temp file and maps no partial image`, async () => {
      const path = join(temp.dir(), 'app.log');
      const run = spawnScript('image-child.mjs', [path, engine, phase]);
      await run.exited;
      expect(run.lines).toContain('acked 5000');
      // The TS engine writes no image: its checkpoint completes.
      expect(run.lines.includes('checkpointed')).toBe(engine === 'ts' && phase === 'image');
      const { store, backend } = open(path);
      const report = backend.recoveryReport();
      const facts = store.factLogAll();
      expect(facts.map((fact) => fact.seq)).toEqual(Array.from({ length: 5_000 }, (_, n) => n + 1));
      expect(facts.at(-1)?.value).toEqual({ i: 5_000 });
      expect(report.checkpointImage).toBe(engine === 'native' ? 'there is no image' : null);
      if (engine === 'native' && phase === 'image') {
        expect(report.removedTempFiles.map((file) => file.slice(path.length))).toEqual([
          expect.stringMatching(/^\.image\.tmp-/),
        ]);
      }
      expect(existsSync(`${path}.image`)).toBe(false);
      await store.close();
    }, 90_000);
  }
});
