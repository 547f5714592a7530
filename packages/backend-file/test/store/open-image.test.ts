import {
  appendFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { IgniterStore, type Json } from '@igniter/core';
import { filesContaining, useTempDir } from '@igniter/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileBackend, followFileStore } from '../../src/index.js';
import { assertBuilt, spawnScript } from '../support/child.js';

// Images an open writes (`openImageFacts`; ARCHITECTURE.md "Open images"): a native open that
// replays at least that many facts writes them as `<path>.image` and maps it; the next open maps
// it and replays only the log after its bytes. The TS engine never writes or reads one.

const temp = useTempDir('igniter-open-image-');
const engine = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
const native = engine === 'native';
const MARKER = 'ERASE-ME-5a11ce';
/** A low threshold keeps the tests small; the default is 65,536. */
const THRESHOLD = 500;

function open(
  path: string,
  options: { engine?: 'native' | 'ts'; repair?: boolean } = {},
): { store: IgniterStore; backend: FileBackend } {
  const use = options.engine ?? engine;
  const backend = new FileBackend(path, {
    engine: use,
    durability: 'none',
    openImageFacts: THRESHOLD,
    repair: options.repair ?? false,
  });
  const store = temp.track(new IgniterStore({ engine: use, backend }));
  return { store, backend };
}

/** Facts from..to over three stores: every fifth value in the arena, some producers and idempotency keys. */
function fill(store: IgniterStore, from: number, to: number): void {
  for (let n = from; n <= to; n++) {
    const value: Json = n % 5 === 0 ? { n, text: 'y'.repeat(200) } : { n };
    store.write({
      store: `s${n % 3}`,
      key: `k${n % 97}`,
      value,
      producer: n % 7 === 0 ? { kind: 'importer' } : undefined,
      idempotencyKey: n % 11 === 0 ? `i${n}` : undefined,
    });
  }
}

/** Everything a reader sees: every fact, keys, latest, history and as-of reads, counts. */
function everything(store: IgniterStore): unknown {
  const stores = ['s0', 's1', 's2'];
  const middle = store.factLogAll()[Math.floor(store.factCount() / 2)]?.transactionTime ?? 0;
  return {
    facts: store.factLogAll(),
    keys: stores.map((name) => store.keys({ store: name })),
    latest: stores.map((name) => store.read({ store: name, key: 'k5' })),
    asOf: stores.map((name) => store.read({ store: name, key: 'k6', asOf: middle })),
    history: store.history({ store: 's1', key: 'k10' }).map((fact) => fact.seq),
    factCount: store.factCount(),
    lastSeq: store.lastSeq(),
  };
}

/** What the store at `path` holds, read by the TS engine (which never reads an image). */
async function tsReads(path: string): Promise<unknown> {
  const { store, backend } = open(path, { engine: 'ts' });
  expect(backend.recoveryReport().checkpointImage).toBeNull();
  const seen = everything(store);
  await store.close();
  return seen;
}

/** Opens the store at `path`: what it reads and its recovery report, then closes it. */
async function reopened(path: string, repair = false) {
  const { store, backend } = open(path, { repair });
  const report = backend.recoveryReport();
  const seen = everything(store);
  await store.close();
  return { seen, report };
}

/** A log of `count` facts written by one open, closed; returns its size. */
async function written(path: string, count: number): Promise<number> {
  const { store } = open(path);
  fill(store, 1, count);
  await store.close();
  return statSync(path).size;
}

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = (bytes[offset] as number) ^ 0x10;
  writeFileSync(path, bytes);
}

describe(`an image written by an open (${engine} engine)`, () => {
  it('the first open of a large log writes it, the second maps it and replays only the rest; reads equal a TS-engine open', async () => {
    const path = join(temp.dir(), 'app.log');
    const size = await written(path, 2000);
    const first = await reopened(path);
    expect(first.report.openImage).toBe(native ? 'written' : null);
    expect(first.report.checkpointImage).toBeNull();
    expect(existsSync(`${path}.image`)).toBe(native);
    const second = await reopened(path);
    expect(second.report.checkpointImage).toBe(native ? 'used' : null);
    expect(second.report.imageLogEnd).toBe(native ? size : 0);
    expect(second.report.openImage).toBeNull();
    expect(second.seen).toEqual(first.seen);
    expect(second.seen).toEqual(await tsReads(path));
  });

  it('writes after the image are replayed from the log; a long tail makes the open write a new image', async () => {
    const path = join(temp.dir(), 'app.log');
    const size = await written(path, 2000);
    await reopened(path);
    const { store } = open(path);
    fill(store, 2001, 2100);
    await store.close();
    const short = await reopened(path);
    expect(short.report.imageLogEnd).toBe(native ? size : 0);
    expect(short.report.openImage).toBeNull();
    expect(short.seen).toEqual(await tsReads(path));
    const { store: again } = open(path);
    fill(again, 2101, 2800);
    await again.close();
    const longer = statSync(path).size;
    const long = await reopened(path);
    expect(long.report.imageLogEnd).toBe(native ? size : 0);
    expect(long.report.openImage).toBe(native ? 'written' : null);
    const last = await reopened(path);
    expect(last.report.imageLogEnd).toBe(native ? longer : 0);
    expect(last.seen).toEqual(long.seen);
    expect(last.seen).toEqual(await tsReads(path));
  });

  it('a tail shorter than a quarter of the facts the image holds is replayed, not written again', async () => {
    const path = join(temp.dir(), 'app.log');
    await written(path, 4000);
    await reopened(path);
    const size = statSync(path).size;
    const { store } = open(path);
    fill(store, 4001, 4900); // over openImageFacts (500), under 4000 / 4
    await store.close();
    const short = await reopened(path);
    expect(short.report.imageLogEnd).toBe(native ? size : 0);
    expect(short.report.openImage).toBeNull();
    const { store: again } = open(path);
    fill(again, 4901, 5000); // 1000 facts after the image's: a quarter of 4000
    await again.close();
    const quarter = await reopened(path);
    expect(quarter.report.openImage).toBe(native ? 'written' : null);
    expect(quarter.seen).toEqual(await tsReads(path));
  });

  it('an open that replays fewer facts than openImageFacts writes none; 0 never writes one', async () => {
    const path = join(temp.dir(), 'app.log');
    await written(path, THRESHOLD - 1);
    expect((await reopened(path)).report.openImage).toBeNull();
    expect(existsSync(`${path}.image`)).toBe(false);
    const backend = new FileBackend(path, { engine, openImageFacts: 0 });
    expect(backend.recoveryReport().openImage).toBeNull();
    await backend.close();
    expect(existsSync(`${path}.image`)).toBe(false);
    expect(() => new FileBackend(path, { engine, openImageFacts: 1.5 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  // Each fault, applied after the image was written; the open must replay the log, say why,
  // and read exactly what a TS-engine open reads.
  const faults: Array<[string, (path: string, size: number) => void, RegExp | null]> = [
    [
      'a flipped byte in the image header',
      (path) => flipByte(`${path}.image`, 30),
      /header fails its CRC-32/,
    ],
    [
      'a flipped byte in the image records',
      (path) => flipByte(`${path}.image`, 4096 + 256 * 700 + 9),
      /records fail their CRC-32/,
    ],
    ['a truncated image', (path) => truncateSync(`${path}.image`, 8000), /truncated/],
    // Without a snapshot and without an image there is nothing to report (as for a new store).
    ['a deleted image', (path) => rmSync(`${path}.image`), null],
    [
      'a log cut inside the bytes the image covers',
      (path, size) => truncateSync(path, size - 3),
      /shorter than the prefix the image covers/,
    ],
  ];
  for (const [what, damage, reason] of faults) {
    it(`${what}: the image is refused with its reason and the log replayed to the same answers`, async () => {
      const path = join(temp.dir(), 'app.log');
      const size = await written(path, 2000);
      await reopened(path);
      if (native || what === 'a log cut inside the bytes the image covers') damage(path, size);
      const { seen, report } = await reopened(path);
      if (native && reason) expect(report.checkpointImage).toMatch(reason);
      else expect(report.checkpointImage).toBeNull();
      expect(report.imageLogEnd).toBe(0);
      expect(seen).toEqual(await tsReads(path));
    });
  }

  it('a damaged frame inside the bytes the image covers is repaired from the log, not served from the image', async () => {
    const path = join(temp.dir(), 'app.log');
    const size = await written(path, 2000);
    await reopened(path);
    flipByte(path, size - 500);
    expect(() => open(path)).toThrow(expect.objectContaining({ code: 'ERR_CORRUPT_LOG' }));
    const { report, seen } = await reopened(path, true);
    if (native) expect(report.checkpointImage).toMatch(/no longer starts with the bytes the image covers/);
    expect(report.quarantined).not.toBeNull();
    expect((seen as { factCount: number }).factCount).toBeLessThan(2000);
    expect(seen).toEqual(await tsReads(path));
  });

  it('a damaged frame after the bytes the image covers: the image is used and repair quarantines the rest', async () => {
    const path = join(temp.dir(), 'app.log');
    const size = await written(path, 2000);
    await reopened(path);
    const { store } = open(path);
    fill(store, 2001, 2050);
    await store.close();
    flipByte(path, size + 20);
    const { report, seen } = await reopened(path, true);
    expect(report.checkpointImage).toBe(native ? 'used' : null);
    expect(report.quarantined).not.toBeNull();
    expect((seen as { factCount: number }).factCount).toBe(2000);
    expect(seen).toEqual(await tsReads(path));
  });

  it('a checkpoint after it writes a checkpoint image in its place', async () => {
    const path = join(temp.dir(), 'app.log');
    await written(path, 2000);
    await reopened(path);
    const { store, backend } = open(path);
    fill(store, 2001, 2100);
    await store.checkpoint().flush();
    await backend.imageSettled();
    fill(store, 2101, 2110);
    const seen = everything(store);
    await store.close();
    const again = await reopened(path);
    expect(again.report.checkpointImage).toBe(native ? 'used' : null);
    expect(again.report.imageLogEnd).toBe(0);
    expect(again.seen).toEqual(seen);
    expect(again.seen).toEqual(await tsReads(path));
  });

  it('after a checkpoint, a long log tail gives an image of the snapshot and the log, refused once another checkpoint replaces the snapshot', async () => {
    const path = join(temp.dir(), 'app.log');
    const { store, backend } = open(path);
    fill(store, 1, 1000);
    await store.checkpoint().flush();
    await backend.imageSettled();
    fill(store, 1001, 2000);
    await store.close();
    const first = await reopened(path);
    expect(first.report.checkpointImage).toBe(native ? 'used' : null);
    expect(first.report.openImage).toBe(native ? 'written' : null);
    const size = statSync(path).size;
    const second = await reopened(path);
    expect(second.report.imageLogEnd).toBe(native ? size : 0);
    expect(second.seen).toEqual(first.seen);
    expect(second.seen).toEqual(await tsReads(path));
    // A TS-engine checkpoint writes no image: the open's image is then tied to a replaced
    // snapshot and log, and refused.
    const { store: ts } = open(path, { engine: 'ts' });
    fill(ts, 2001, 2010);
    await ts.checkpoint().flush();
    await ts.close();
    const third = await reopened(path);
    expect(third.report.checkpointImage).toBe(
      native ? 'the image belongs to another snapshot (stale or replaced)' : null,
    );
    expect(third.seen).toEqual(await tsReads(path));
  });

  for (const rewrite of ['prune', 'compaction'] as const) {
    it(`a ${rewrite} after it removes the image: no file holds the dropped value once flush() resolves`, async () => {
      const path = join(temp.dir(), 'app.log');
      const { store: first } = open(path);
      const secret = first.write({ store: 'latest', key: 'p', value: { name: MARKER } });
      first.write({ store: 'latest', key: 'p', value: { name: 'current' } });
      fill(first, 1, 2000);
      await first.close();
      const { store, backend } = open(path);
      expect(backend.recoveryReport().openImage).toBe(native ? 'written' : null);
      expect(filesContaining(temp.dir(), MARKER)).toEqual(
        native ? ['app.log', 'app.log.image'] : ['app.log'],
      );
      if (rewrite === 'prune') store.pruneFactIds({ factIds: [secret.id], reason: 'erasure request' });
      else {
        store.setRetention('latest', { strategy: 'ephemeral' });
        expect(store.compact('latest')).toMatchObject([{ droppedCount: 1, keptCount: 1 }]);
      }
      await store.flush();
      expect(filesContaining(temp.dir(), MARKER)).toEqual([]);
      expect(existsSync(`${path}.image`)).toBe(false);
      const seen = everything(store);
      await store.close();
      const again = await reopened(path);
      expect(again.seen).toEqual(seen);
      expect(again.seen).toEqual(await tsReads(path));
    });
  }

  it('a follower of a large log writes no image', async () => {
    const path = join(temp.dir(), 'app.log');
    await written(path, 2000);
    const follower = temp.track(followFileStore(path, { engine, openImageFacts: 1 }));
    const seen = everything(follower);
    await follower.close();
    expect(existsSync(`${path}.image`)).toBe(false);
    expect(readdirSync(temp.dir()).filter((name) => name.includes('.image'))).toEqual([]);
    expect(seen).toEqual(await tsReads(path));
  });
});

describe(`a writer killed after an open wrote its image (${engine} engine)`, () => {
  beforeAll(assertBuilt);

  it('the image stays tied to the bytes it covers: a reopen uses it, cuts the torn tail and holds every acknowledged fact', async () => {
    const path = join(temp.dir(), 'app.log');
    await written(path, 1000);
    const run = spawnScript('open-image-child.mjs', [path, engine, '1000', '10']);
    await run.exited;
    const opened = run.lines.find((line) => line.startsWith('open '))?.split(' ') ?? [];
    expect(opened.slice(1, 3)).toEqual(native ? ['null', 'written'] : ['null', 'null']);
    expect(run.lines).toContain('acked 1200');
    // Half a frame more, as a write cut by the kill leaves it.
    appendFileSync(path, Buffer.from([0, 0, 0, 90, 1, 2, 3]));
    const { seen, report } = await reopened(path);
    expect(report.checkpointImage).toBe(native ? 'used' : null);
    expect(report.imageLogEnd).toBe(native ? Number(opened[4]) : 0);
    expect(report.recoveredTailBytes).toBeGreaterThan(0);
    const facts = (seen as { facts: Array<{ seq: number }> }).facts;
    expect(facts.length).toBeGreaterThanOrEqual(1200);
    expect(facts.map((fact) => fact.seq)).toEqual(Array.from({ length: facts.length }, (_, n) => n + 1));
    expect(seen).toEqual(await tsReads(path));
  }, 90_000);
});
