import * as fs from 'node:fs';
import { type Fact, IgniterError } from '@igniter/core';
import { type FactCodec, FRAME_OVERHEAD, factShapeProblem } from '@igniter/core/storage';
import { hasLoneSurrogate } from './errors.js';
import { segmentPath } from './layout.js';
import { bucketOf } from './live-segment.js';
import type { ResolvedOptions } from './options.js';
import { writeRecordFile } from './record-file.js';
import { type ManifestRecord, manifestJson } from './records.js';
import { segmentHeadBytes, writeSegmentFile } from './segment-file.js';
import type { StoreSegments } from './store-segments.js';

/** The facts of one store that a snapshot keeps (seq order), with their frames. */
export interface StoreFacts {
  facts: Fact[];
  frames: Buffer[];
}

function invalid(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}

/**
 * Groups snapshot `facts` by store, leaving out facts of purged segments (a purge is final).
 * Throws `ERR_INVALID_ARGUMENT` for facts that are malformed, out of seq order or above
 * `lastSeq`; nothing is written either way. Cost: one pass, no encoding.
 */
export function groupByStore(
  facts: readonly Fact[],
  lastSeq: number,
  stores: ReadonlyMap<string, StoreSegments>,
): Map<string, Fact[]> {
  const out = new Map<string, Fact[]>();
  let previous = 0;
  for (const fact of facts) {
    const problem = factShapeProblem(fact);
    if (problem !== undefined) throw invalid(`cannot store a malformed fact: ${problem}`);
    if (fact.seq <= previous || fact.seq > lastSeq) {
      throw invalid(
        `snapshot facts must be in increasing seq order and at most lastSeq ${lastSeq}; got seq ${fact.seq} after ${previous}`,
      );
    }
    if (hasLoneSurrogate(fact.store)) throw invalid('store contains a lone UTF-16 surrogate');
    previous = fact.seq;
    if (stores.get(fact.store)?.isPurged(fact.seq)) continue;
    const group = out.get(fact.store);
    if (group) group.push(fact);
    else out.set(fact.store, [fact]);
  }
  return out;
}

/**
 * `facts` with their frames. Throws `ERR_VALUE_TOO_LARGE` for a frame over `maxFrameBytes`.
 * Cost: one encode of every fact.
 */
export function encodeFacts(facts: Fact[], codec: FactCodec, maxFrameBytes: number): StoreFacts {
  const frames = facts.map((fact) => {
    const frame = codec.frame(fact);
    if (frame.length - FRAME_OVERHEAD > maxFrameBytes) {
      throw new IgniterError(
        'ERR_VALUE_TOO_LARGE',
        `fact ${fact.id} needs a frame over ${maxFrameBytes} bytes`,
      );
    }
    return frame;
  });
  return { facts, frames };
}

/**
 * True when a snapshot keeps exactly the facts `store` holds: as many, none newer than
 * `highWater`, with the same first and last seq. The store only ever passes facts it replayed
 * or wrote, so equal counts mean equal sets. Cost: O(segments of the store).
 */
export function holdsExactly(
  store: StoreSegments | undefined,
  kept: readonly Fact[] | undefined,
  highWater: number,
): boolean {
  const facts = kept ?? [];
  const count = store?.factCount ?? 0;
  if (facts.length !== count) return false;
  if (count === 0) return true;
  const bounds = store?.seqBounds();
  const first = (facts[0] as Fact).seq;
  const last = (facts[facts.length - 1] as Fact).seq;
  return last <= highWater && bounds?.min === first && bounds.max === last;
}

/** What {@link writeGeneration} needs besides the facts. */
export interface GenerationContext {
  codec: FactCodec;
  options: ResolvedOptions;
  /** Hands out the next unused segment number. */
  allocate(): number;
  now: number;
}

/**
 * Writes `kept` (one store's surviving facts, seq order) as sealed segments of generation
 * `generation` in `folder`, cut by the same size, count and time-bucket limits as live writes,
 * each segment and manifest crash-safely. The files stay invisible until the catalog names the
 * generation. Appends every path written to `written` (so a caller can remove them if a later
 * step fails) and returns the manifests. Throws the system error of a failed write.
 * Cost: one write of the facts, four fsyncs per segment.
 */
export function writeGeneration(
  store: string,
  folder: string,
  generation: number,
  kept: StoreFacts,
  context: GenerationContext,
  written: string[],
): ManifestRecord[] {
  const { codec, options } = context;
  const { facts, frames } = kept;
  const manifests: ManifestRecord[] = [];
  let i = 0;
  while (i < facts.length) {
    const segment = context.allocate();
    const head = { store, segment, generation };
    let size = segmentHeadBytes(codec, head).length;
    const start = i;
    const bucket = bucketOf((facts[i] as Fact).transactionTime, options.segmentDurationMs);
    for (; i < facts.length; i++) {
      const bytes = (frames[i] as Buffer).length;
      const full =
        i - start >= options.maxSegmentFacts ||
        size + bytes > options.maxSegmentBytes ||
        bucketOf((facts[i] as Fact).transactionTime, options.segmentDurationMs) !== bucket;
      if (i > start && full) break;
      size += bytes;
    }
    const chunk = facts.slice(start, i);
    const log = segmentPath(folder, segment, 'log');
    written.push(log);
    const file = writeSegmentFile(log, head, codec, frames.slice(start, i));
    let minTime = Number.POSITIVE_INFINITY;
    let maxTime = Number.NEGATIVE_INFINITY;
    for (const f of chunk) {
      minTime = Math.min(minTime, f.transactionTime);
      maxTime = Math.max(maxTime, f.transactionTime);
    }
    const manifest: ManifestRecord = {
      store,
      segment,
      generation,
      codec: codec.name,
      factCount: chunk.length,
      byteSize: file.size,
      minSeq: (chunk[0] as Fact).seq,
      maxSeq: (chunk[chunk.length - 1] as Fact).seq,
      minTime,
      maxTime,
      checksum: file.checksum,
      sealedAt: context.now,
    };
    const manifestPath = segmentPath(folder, segment, 'manifest');
    written.push(manifestPath);
    writeRecordFile(manifestPath, manifestJson(manifest));
    manifests.push(manifest);
  }
  return manifests;
}

/** Removes `paths`, ignoring failures (best effort: what is left is removed on the next open). */
export function removeQuietly(paths: readonly string[]): void {
  for (const path of paths) {
    try {
      fs.rmSync(path, { force: true });
    } catch {
      // A leftover of a generation the catalog does not name is removed when the directory opens.
    }
  }
}
