import type { Fact } from '@igniter/core';
import { type BatchSpan, batchPartBytes, PART_MARKER_FRAME_BYTES } from '@igniter/core/storage';

/** One store's part of a `writeMany` batch: its facts and frames in seq order. */
export interface StorePart {
  store: string;
  facts: Fact[];
  frames: Buffer[];
  /** Bytes the part takes in its segment, its marker included. */
  bytes: number;
}

/**
 * Splits a batch of two or more facts (seq order) with their checked `frames` into one part
 * per store, in the order the stores first appear. Each part goes whole into one segment
 * behind a part marker (ARCHITECTURE.md, "The record format"). Never throws. Cost: O(facts).
 */
export function storeParts(facts: readonly Fact[], frames: readonly Buffer[]): StorePart[] {
  const parts = new Map<string, StorePart>();
  facts.forEach((fact, i) => {
    let part = parts.get(fact.store);
    if (!part) {
      part = { store: fact.store, facts: [], frames: [], bytes: PART_MARKER_FRAME_BYTES };
      parts.set(fact.store, part);
    }
    const frame = frames[i] as Buffer;
    part.facts.push(fact);
    part.frames.push(frame);
    part.bytes += frame.length;
  });
  return [...parts.values()];
}

/** The span every part marker of the batch `facts` (seq order, two or more) records. */
export function spanOf(facts: readonly Fact[]): BatchSpan {
  return {
    firstSeq: (facts[0] as Fact).seq,
    lastSeq: (facts.at(-1) as Fact).seq,
    total: facts.length,
  };
}

/** The bytes of `part` as its segment holds them: marker, then frames. Cost: one copy. */
export function partBytes(part: StorePart, span: BatchSpan): Buffer {
  return batchPartBytes(part.frames, span);
}
