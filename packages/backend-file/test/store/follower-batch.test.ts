import { appendFileSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Fact, IgniterStore } from '@igniter/core';
import { HEADER_BYTES, readBatchMarker } from '@igniter/core/storage';
import { useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { followFileStore, openFileStore } from '../../src/index.js';

const ENGINE = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';
const temp = useTempDir('igniter-follow-batch-');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A closed log with one write (seq 1) and a batch of 5 (seqs 2-6); returns its bytes and the batch's marker offset. */
async function writtenLog(path: string): Promise<{ bytes: Buffer; marker: number }> {
  const w = openFileStore(path, { engine: ENGINE });
  w.write({ store: 's', key: 'single', value: 0 });
  w.writeMany([1, 2, 3, 4, 5].map((n) => ({ store: 's', key: `k${n}`, value: { n, pad: 'p'.repeat(300) } })));
  await w.close();
  const bytes = readFileSync(path);
  for (let at = HEADER_BYTES; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    if (readBatchMarker(bytes, at + 4, at + 4 + length)) return { bytes, marker: at };
    at += length + 8;
  }
  throw new Error('no batch marker');
}

describe(`a file follower (${ENGINE} engine) and writeMany batches`, () => {
  it('never applies part of a batch: it waits until every frame is there, then applies all at once', async () => {
    const path = join(temp.dir(), 'app.log');
    const { bytes, marker } = await writtenLog(path);
    // The log as a writer leaves it partway through the batch's write: marker and two frames.
    const cuts = [marker + 28 + 2 * 400, bytes.length - 1];
    truncateSync(path, cuts[0]);
    const seen: number[] = [];
    const changefeed = { publish: (fact: Fact) => seen.push(fact.seq), attach: () => undefined };
    const f: IgniterStore = temp.track(followFileStore(path, { engine: ENGINE, pollMs: 20, changefeed }));
    expect(f.factLogAll().map((x) => x.seq)).toEqual([1]);
    appendFileSync(path, bytes.subarray(cuts[0], cuts[1]));
    await sleep(200);
    expect(f.factLogAll().map((x) => x.seq)).toEqual([1]);
    expect(seen.filter((seq) => seq > 1)).toEqual([]);
    appendFileSync(path, bytes.subarray(cuts[1]));
    await f.waitForSeq(6, { timeoutMs: 10_000 });
    expect(f.factLogAll().map((x) => x.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen.filter((seq) => seq > 1)).toEqual([2, 3, 4, 5, 6]);
  });
});
