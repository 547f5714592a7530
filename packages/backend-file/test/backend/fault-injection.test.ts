// Fault injection (issue 20): for every damage of a small log or snapshot, opening either keeps
// every acknowledged fact and reports exactly what it cut (the side file holds the cut bytes),
// or refuses with a coded error and changes nothing. Never a silent loss, never a header
// written over data. Runs once per engine (see vitest.config.ts).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fact, RecoveredCut } from '@igniter/core';
import { contractFact, frameOffsets, useTempDir } from '@igniter/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { FileBackend } from '../../src/index.js';
import { xorByte } from '../support/bytes.js';

const temp = useTempDir('igniter-fault-');

const facts = [1, 2, 3].map((seq) => contractFact(seq, { value: { n: seq } }));

/** Bytes of a log holding `facts`, every one fsync-acknowledged. */
function logBytes(): Buffer {
  const path = join(temp.dir(), 'source.log');
  const backend = new FileBackend(path, { durability: 'fsync' });
  for (const fact of facts) backend.writeFact(fact);
  backend.closeSync();
  return readFileSync(path);
}

/** Snapshot (facts 1-2) and log (fact 3) bytes of a checkpointed store. */
function checkpointBytes(): { snapshot: Buffer; log: Buffer } {
  const path = join(temp.dir(), 'checkpointed.log');
  const backend = new FileBackend(path, { durability: 'fsync' });
  for (const fact of facts.slice(0, 2)) backend.writeFact(fact);
  backend.writeSnapshot(facts.slice(0, 2), { lastSeq: 2 });
  backend.writeFact(facts[2] as Fact);
  backend.closeSync();
  return { snapshot: readFileSync(`${path}.snapshot`), log: readFileSync(path) };
}

/** A fresh folder for one case, so that side files of cases never mix. */
function caseDir(name: string): string {
  const dir = join(temp.dir(), name);
  mkdirSync(dir);
  return dir;
}

type Opened = { facts: Fact[]; recovered: RecoveredCut[] } | { code: unknown };

function open(path: string, repair = false): Opened {
  const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    // 'none': closing fsyncs nothing (recovery is the same in every mode), which keeps this fast.
    const backend = new FileBackend(path, { repair, durability: 'none' });
    const opened = { facts: [...backend.replay()], recovered: backend.storageStats().recovered };
    backend.closeSync();
    const codes = warnings.mock.calls.map((call) => (call[1] as { code?: string } | undefined)?.code);
    expect(codes).toEqual(opened.recovered.map(() => 'IGNITER_RECOVERED'));
    return opened;
  } catch (error) {
    return { code: (error as { code?: unknown }).code };
  } finally {
    warnings.mockRestore();
  }
}

/** Index of the frame of `starts` holding byte `at`, or -1 when `at` is before the first. */
function frameIndexOf(starts: readonly number[], at: number): number {
  return starts.filter((start) => start <= at).length - 1;
}

/** Offsets of the fact frames of a data file (after the metadata record) and its end. */
function factFrames(path: string): { starts: number[]; end: number } {
  const { starts, end } = frameOffsets(path);
  return { starts: starts.slice(1), end };
}

describe('fault injection: a log cut at every byte of its last frames', () => {
  it('opens with every fact before the cut and keeps the cut bytes in the side file', () => {
    const bytes = logBytes();
    const source = join(temp.dir(), 'source.log');
    const { starts, end } = factFrames(source);
    const ends = [...starts.slice(1), end];
    // Every byte of the last frame, and the end of the frame before it.
    for (let cut = (starts[starts.length - 1] as number) - 8; cut < end; cut++) {
      const path = join(caseDir(`cut-${cut}`), 'app.log');
      writeFileSync(path, bytes.subarray(0, cut));
      const opened = open(path);
      const whole = ends.filter((e) => e <= cut);
      const intactEnd = whole.length ? (whole[whole.length - 1] as number) : (starts[0] as number);
      expect(opened, `cut at ${cut}`).toEqual({
        facts: facts.slice(0, whole.length),
        recovered:
          cut === intactEnd
            ? []
            : [
                {
                  file: path,
                  offset: intactEnd,
                  bytes: cut - intactEnd,
                  sideFile: expect.stringMatching(/app\.log\.recovered-\d+$/),
                  lastIntactSeq: whole.length,
                  reason: 'incomplete',
                },
              ],
      });
      if ('recovered' in opened && opened.recovered[0]) {
        const kept = readFileSync(opened.recovered[0].sideFile);
        expect(kept.equals(bytes.subarray(intactEnd, cut)), `side file of cut ${cut}`).toBe(true);
      }
      expect(readFileSync(path).equals(bytes.subarray(0, intactEnd)), `log after cut ${cut}`).toBe(true);
    }
  });
});

describe('fault injection: a flipped byte anywhere in a log', () => {
  // One test per region keeps each under the test timeout on a loaded machine.
  it.each([
    ['the header and metadata record', 0, 1],
    ['the fact frames before the last', 1, -1],
    ['the last frame', -1, undefined],
  ] as const)(
    'in %s: refuses with a coded error and changes nothing, unless the byte is in the last frame, which is cut and kept',
    (_, from, to) => {
      const bytes = logBytes();
      const { starts } = frameOffsets(join(temp.dir(), 'source.log'));
      const last = starts[starts.length - 1] as number;
      const bounds = [0, ...starts, bytes.length];
      const first = from === -1 ? last : (bounds[from] as number);
      const stop = to === undefined ? bytes.length : to === -1 ? last : (bounds[to + 1] as number);
      for (let at = first; at < stop; at++) {
        const dir = caseDir(`flip-${at}`);
        const path = join(dir, 'app.log');
        const damaged = Buffer.from(bytes);
        xorByte(damaged, at, 0x20);
        writeFileSync(path, damaged);
        const opened = open(path);
        if (at < last) {
          expect(opened, `flip at ${at}`).toEqual({
            code: at < 8 ? 'ERR_UNSUPPORTED_FORMAT' : 'ERR_CORRUPT_LOG',
          });
          expect(readFileSync(path).equals(damaged), `log after flip at ${at}`).toBe(true);
          expect(readdirSync(dir), `files after flip at ${at}`).toEqual(['app.log']);
          continue;
        }
        expect(opened, `flip at ${at}`).toEqual({
          facts: facts.slice(0, -1),
          recovered: [
            {
              file: path,
              offset: last,
              bytes: bytes.length - last,
              sideFile: expect.stringMatching(/app\.log\.recovered-\d+$/),
              lastIntactSeq: facts.length - 1,
              reason: expect.stringMatching(/^(bad-crc|incomplete|too-large)$/),
            },
          ],
        });
        const cut = (opened as { recovered: RecoveredCut[] }).recovered[0] as RecoveredCut;
        expect(readFileSync(cut.sideFile).equals(damaged.subarray(last)), `side file of flip at ${at}`).toBe(
          true,
        );
        expect(readFileSync(path).equals(bytes.subarray(0, last)), `log after flip at ${at}`).toBe(true);
      }
    },
  );
});

describe('fault injection: a flipped byte anywhere in a snapshot', () => {
  it.each([
    ['the header', 0],
    ['the metadata record', 1],
    ['the first fact frame', 2],
    ['the second fact frame', 3],
  ] as const)(
    'in %s: ERR_CORRUPT_LOG naming the snapshot; repair keeps every intact frame plus the log and reports the rest',
    (_, region) => {
      const { snapshot, log } = checkpointBytes();
      const { starts, end } = factFrames(join(temp.dir(), 'checkpointed.log.snapshot'));
      const metaStart = 16;
      const bounds = [0, metaStart, ...starts, end];
      expect(end).toBe(snapshot.length);
      const repairs = (at: number): boolean => {
        const frame = frameIndexOf(starts, at);
        if (frame < 0) return true;
        const start = starts[frame] as number;
        const next = (starts[frame + 1] ?? end) as number;
        return at < start + 4 || at >= next - 4 || (at - start) % 8 === 0;
      };
      for (let at = bounds[region] as number; at < (bounds[region + 1] as number); at++) {
        const dir = caseDir(`snapshot-flip-${at}`);
        const path = join(dir, 'app.log');
        const damaged = Buffer.from(snapshot);
        xorByte(damaged, at, 0x20);
        writeFileSync(`${path}.snapshot`, damaged);
        writeFileSync(path, log);
        expect(open(path), `flip at ${at}`).toEqual({ code: 'ERR_CORRUPT_LOG' });
        expect(readFileSync(`${path}.snapshot`).equals(damaged), `snapshot after flip at ${at}`).toBe(true);
        expect(readdirSync(dir).sort(), `files after flip at ${at}`).toEqual(['app.log', 'app.log.snapshot']);
        // A repair costs four fsyncs: it runs for every byte of the header, the metadata record and
        // each frame's length and CRC, and for every 8th byte inside a fact's body (a flip anywhere
        // in a body is the same damage to the frame: a CRC mismatch).
        if (!repairs(at)) continue;

        // Which piece the byte is in: the header, the metadata record, or fact frame i.
        const frame = frameIndexOf(starts, at);
        const [offset, pieceEnd] =
          at < metaStart
            ? [0, metaStart]
            : frame < 0
              ? [metaStart, starts[0] as number]
              : [starts[frame] as number, (starts[frame + 1] ?? end) as number];
        const repaired = open(path, true);
        expect(repaired, `repair of flip at ${at}`).toEqual({
          facts: facts.filter((_, i) => i !== frame),
          recovered: [
            {
              file: `${path}.snapshot`,
              offset,
              bytes: pieceEnd - offset,
              sideFile: expect.stringMatching(/app\.log\.snapshot\.recovered-\d+$/),
              lastIntactSeq: Math.max(frame, 0),
              reason: 'snapshot-repair',
            },
          ],
        });
        const cut = (repaired as { recovered: RecoveredCut[] }).recovered[0] as RecoveredCut;
        expect(readFileSync(cut.sideFile).equals(damaged), `side file of flip at ${at}`).toBe(true);
        expect(open(path), `reopen after repair of flip at ${at}`).toEqual({
          facts: facts.filter((_, i) => i !== frame),
          recovered: [],
        });
      }
    },
  );
});
