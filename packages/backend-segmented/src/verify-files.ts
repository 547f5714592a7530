import * as fs from 'node:fs';
import { join } from 'node:path';
import type { JsonObject, StoredEntry, VerifyProblem } from '@igniter/core';
import { crc32, FileKind, inspectDataFile, readFullySync, yieldToEventLoop } from '@igniter/core/storage';
import { missingFileProblems } from './inventory.js';
import { CATALOG_FILE, parseSegmentFileName, STORES_DIR, segmentFileName } from './layout.js';
import { readRecordFile } from './record-file.js';
import { type ManifestRecord, parseCatalog, parseManifest, parsePurge } from './records.js';
import type { StoreSegments } from './store-segments.js';

/** A segment file opened for the pass, with what it must hold. */
interface PlannedSegment {
  store: string;
  segment: number;
  generation: number;
  path: string;
  fd: number;
  size: number;
  /** The manifest of a sealed segment; undefined for the live one. */
  manifest: ManifestRecord | undefined;
}

const CHUNK_BYTES = 1024 * 1024;

function frameProblem(file: string, message: string, offset?: number): VerifyProblem {
  return offset === undefined ? { kind: 'frame', file, message } : { kind: 'frame', file, offset, message };
}

function checkRecord(
  path: string,
  type: string,
  parse: (r: JsonObject) => unknown,
  out: VerifyProblem[],
): void {
  try {
    if (readRecordFile(path, type, parse) === undefined)
      out.push(frameProblem(path, `${path}: the ${type} file is missing`));
  } catch (error) {
    out.push(frameProblem(path, error instanceof Error ? error.message : String(error)));
  }
}

/** Problems of the files in `folder` that belong to no current segment: quarantine files and leftovers. */
function strayFiles(folder: string, expected: ReadonlySet<string>, out: VerifyProblem[]): void {
  for (const name of fs.readdirSync(folder).sort()) {
    if (expected.has(name)) continue;
    const path = join(folder, name);
    if (name.includes('.quarantine-')) {
      out.push(
        frameProblem(
          path,
          `${path}: bytes that a repair moved out of a segment; they are not part of the store and prunes do not erase them: inspect, then delete the file`,
        ),
      );
    } else if (parseSegmentFileName(name)) {
      out.push(
        frameProblem(
          path,
          `${path}: a segment file of a replaced generation or an interrupted purge is still on disk; the next open removes it`,
        ),
      );
    }
  }
}

/** Opens a segment for the pass; undefined when it is missing (`missingFileProblems` reports it). */
function openSegment(planned: Omit<PlannedSegment, 'fd' | 'size'>): PlannedSegment | undefined {
  let fd: number;
  try {
    fd = fs.openSync(planned.path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return { ...planned, fd, size: fs.fstatSync(fd).size };
}

/**
 * Plans a read-only verification pass over the segmented directory `dir` holding `stores`:
 * re-reads the catalog, every manifest and purge receipt, lists files that belong to no current
 * segment (quarantine files, leftovers of a replaced generation), and opens every segment file
 * now, so a compaction or purge during the pass cannot mix states (one descriptor per segment
 * is held until the pass ends). The pass yields each segment's facts with file and offset, and
 * every problem: damaged or torn frames, a metadata record or fact that does not belong to the
 * segment, and a sealed segment whose fact count, size or CRC-32 differs from its manifest.
 * Never writes. Throws the system error of a failed open or listing. Cost: one read and decode
 * of every segment, plus a CRC pass over the sealed ones.
 */
export function verifySegmentFiles(
  dir: string,
  stores: readonly StoreSegments[],
  maxFrameBytes: number,
): AsyncIterable<StoredEntry> {
  const problems: VerifyProblem[] = [];
  const planned: PlannedSegment[] = [];
  const plan = (segment: PlannedSegment | undefined): void => {
    if (segment) planned.push(segment);
  };
  try {
    checkRecord(join(dir, CATALOG_FILE), 'catalog', parseCatalog, problems);
    problems.push(...missingFileProblems(stores, dir));
    const known = new Map(stores.map((s) => [s.folder, s]));
    const storesDir = join(dir, STORES_DIR);
    for (const entry of fs.readdirSync(storesDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const folder = join(storesDir, entry.name);
      const store = known.get(folder);
      const expected = new Set<string>();
      for (const m of store?.sealed ?? []) {
        const log = segmentFileName(m.segment, 'log');
        const manifest = segmentFileName(m.segment, 'manifest');
        expected.add(log).add(manifest);
        checkRecord(join(folder, manifest), 'manifest', parseManifest, problems);
        const { store: name, segment, generation } = m;
        plan(openSegment({ store: name, segment, generation, path: join(folder, log), manifest: m }));
      }
      for (const p of store?.purged ?? []) {
        const receipt = segmentFileName(p.segment, 'purged');
        expected.add(receipt);
        checkRecord(join(folder, receipt), 'purge', parsePurge, problems);
      }
      const live = store?.live;
      if (store && live) {
        expected.add(segmentFileName(live.segment, 'log'));
        const { segment, generation, path } = live;
        plan(openSegment({ store: store.name, segment, generation, path, manifest: undefined }));
      }
      strayFiles(folder, expected, problems);
    }
  } catch (error) {
    for (const p of planned) fs.closeSync(p.fd);
    throw error;
  }
  return readPass(planned, problems, maxFrameBytes);
}

async function checksumOf(fd: number, size: number): Promise<number> {
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let checksum = 0;
  for (let at = 0; at < size; ) {
    const n = readFullySync(fd, chunk, 0, Math.min(chunk.length, size - at), at);
    if (n === 0) break;
    checksum = crc32(chunk.subarray(0, n), checksum);
    at += n;
    await yieldToEventLoop();
  }
  return checksum;
}

async function* readSegment(p: PlannedSegment, maxFrameBytes: number): AsyncGenerator<StoredEntry> {
  let factCount = 0;
  for await (const entry of inspectDataFile({
    ...p,
    kind: FileKind.segment,
    metaType: 'segment',
    maxFrameBytes,
  })) {
    if (entry.kind === 'damage') yield { problem: frameProblem(p.path, entry.message, entry.offset) };
    else if (entry.kind === 'meta') {
      const { store, segment, generation } = entry.meta;
      if (store !== p.store || segment !== p.segment || generation !== p.generation) {
        const expected = JSON.stringify({ store: p.store, segment: p.segment, generation: p.generation });
        const found = JSON.stringify({ store, segment, generation });
        yield {
          problem: frameProblem(
            p.path,
            `${p.path}: the metadata record says ${found}, expected ${expected}`,
            entry.offset,
          ),
        };
      }
    } else if (entry.fact.store !== p.store) {
      const message = `${p.path}: the frame at byte ${entry.offset} holds a fact of store ${JSON.stringify(entry.fact.store)}`;
      yield { problem: frameProblem(p.path, message, entry.offset) };
    } else {
      factCount += 1;
      yield { fact: entry.fact, file: p.path, offset: entry.offset };
    }
  }
  const m = p.manifest;
  if (!m) return;
  if (factCount !== m.factCount) {
    const message = `${p.path}: the sealed segment holds ${factCount} intact facts, its manifest says ${m.factCount}`;
    yield { problem: { kind: 'seq', file: p.path, message } };
  }
  const checksum = await checksumOf(p.fd, p.size);
  if (p.size !== m.byteSize || checksum !== m.checksum) {
    const message = `${p.path}: the sealed segment is ${p.size} bytes with CRC-32 ${checksum}, its manifest says ${m.byteSize} bytes with CRC-32 ${m.checksum}`;
    yield { problem: frameProblem(p.path, message) };
  }
}

async function* readPass(
  planned: PlannedSegment[],
  problems: VerifyProblem[],
  maxFrameBytes: number,
): AsyncGenerator<StoredEntry> {
  try {
    for (const problem of problems) yield { problem };
    for (const p of planned) yield* readSegment(p, maxFrameBytes);
  } finally {
    for (const p of planned) fs.closeSync(p.fd);
  }
}
