import { IgniterError, type Json, type JsonObject } from '@igniter/core';
import { metaCount } from '@igniter/core/storage';

/** What a segment holds: counts, bounds and the CRC-32 of the whole file. */
export interface SegmentSummary {
  factCount: number;
  /** Size of the segment file in bytes. */
  byteSize: number;
  minSeq: number | null;
  maxSeq: number | null;
  minTime: number | null;
  maxTime: number | null;
  /** CRC-32 (IEEE) of every byte of the segment file. */
  checksum: number;
}

/** The manifest of a sealed segment. */
export interface ManifestRecord extends SegmentSummary {
  store: string;
  segment: number;
  /** The store's generation the segment belongs to (see the catalog). */
  generation: number;
  codec: string;
  sealedAt: number;
}

/** The durable receipt of a purged segment: its manifest figures, why and when. */
export interface PurgeRecord extends SegmentSummary {
  store: string;
  segment: number;
  reason: string;
  purgedAt: number;
}

/**
 * The root record: the highest seq ever committed (also of facts since dropped), the next
 * segment number, and each store's generation. A store's segments belong to one generation; a
 * compaction writes the surviving facts as the next generation and switches to it by rewriting
 * this record, so a crash leaves the old generation or the new one.
 */
export interface Catalog {
  lastSeq: number;
  nextSegment: number;
  generations: Map<string, number>;
  /**
   * What files each store has (see {@link ListedSegment}), so that open and `verify()` notice a
   * missing or shortened one; undefined in a catalog written before inventories were kept.
   */
  inventory?: Inventory | undefined;
}

/**
 * How the catalog lists one segment: `'sealed'` with its manifest's byte size, `'live'` with the
 * bytes known to be on disk when it was listed (its size at the last clean close; 0 before any
 * fact was recorded: the live segment only grows), `'purged'` (a receipt stands in for it).
 */
export interface ListedSegment {
  segment: number;
  state: 'sealed' | 'live' | 'purged';
  bytes: number;
}

/** The segments of each store the catalog lists, by store name, each list by segment number. */
export type Inventory = Map<string, ListedSegment[]>;

const LISTED_STATES: ReadonlySet<string> = new Set(['sealed', 'live', 'purged']);

function corrupt(what: string): IgniterError {
  return new IgniterError('ERR_CORRUPT_FRAME', what);
}

function timeOrNull(record: JsonObject, field: string): number | null {
  const value = record[field];
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw corrupt(`record field "${field}" is not a finite number or null`);
  }
  return value;
}

function seqOrNull(record: JsonObject, field: string): number | null {
  return record[field] === null ? null : metaCount(record, field);
}

function text(record: JsonObject, field: string): string {
  const value = record[field];
  if (typeof value !== 'string') throw corrupt(`record field "${field}" is not a string`);
  return value;
}

function summaryJson(s: SegmentSummary): JsonObject {
  return {
    factCount: s.factCount,
    byteSize: s.byteSize,
    minSeq: s.minSeq,
    maxSeq: s.maxSeq,
    minTime: s.minTime,
    maxTime: s.maxTime,
    checksum: s.checksum,
  };
}

function parseSummary(record: JsonObject): SegmentSummary {
  return {
    factCount: metaCount(record, 'factCount'),
    byteSize: metaCount(record, 'byteSize'),
    minSeq: seqOrNull(record, 'minSeq'),
    maxSeq: seqOrNull(record, 'maxSeq'),
    minTime: timeOrNull(record, 'minTime'),
    maxTime: timeOrNull(record, 'maxTime'),
    checksum: metaCount(record, 'checksum'),
  };
}

/** The JSON record of a manifest. */
export function manifestJson(m: ManifestRecord): JsonObject & { type: string } {
  return {
    type: 'manifest',
    store: m.store,
    segment: m.segment,
    generation: m.generation,
    codec: m.codec,
    ...summaryJson(m),
    sealedAt: m.sealedAt,
  };
}

/** Parses a manifest record. Throws `ERR_CORRUPT_FRAME` for a malformed one. */
export function parseManifest(record: JsonObject): ManifestRecord {
  return {
    store: text(record, 'store'),
    segment: metaCount(record, 'segment'),
    generation: metaCount(record, 'generation'),
    codec: text(record, 'codec'),
    ...parseSummary(record),
    sealedAt: timeOrNull(record, 'sealedAt') ?? 0,
  };
}

/** The JSON record of a purge receipt. */
export function purgeJson(p: PurgeRecord): JsonObject & { type: string } {
  return {
    type: 'purge',
    store: p.store,
    segment: p.segment,
    ...summaryJson(p),
    reason: p.reason,
    purgedAt: p.purgedAt,
  };
}

/** Parses a purge receipt record. Throws `ERR_CORRUPT_FRAME` for a malformed one. */
export function parsePurge(record: JsonObject): PurgeRecord {
  return {
    store: text(record, 'store'),
    segment: metaCount(record, 'segment'),
    ...parseSummary(record),
    reason: text(record, 'reason'),
    purgedAt: timeOrNull(record, 'purgedAt') ?? 0,
  };
}

/** The JSON record of the catalog (generations as pairs: store names are arbitrary strings). */
export function catalogJson(c: Catalog): JsonObject & { type: string } {
  return {
    type: 'catalog',
    lastSeq: c.lastSeq,
    nextSegment: c.nextSegment,
    generations: [...c.generations].map(([store, generation]) => [store, generation]),
    ...(c.inventory === undefined ? {} : { inventory: inventoryJson(c.inventory) }),
  };
}

function inventoryJson(inventory: Inventory): Json {
  return [...inventory].map(([store, segments]) => [
    store,
    segments.map((s) => [s.segment, s.state, s.bytes]),
  ]);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parseListed(entry: unknown): ListedSegment {
  if (
    !Array.isArray(entry) ||
    !isCount(entry[0]) ||
    typeof entry[1] !== 'string' ||
    !LISTED_STATES.has(entry[1]) ||
    !isCount(entry[2])
  ) {
    throw corrupt('record field "inventory" holds a malformed segment');
  }
  return { segment: entry[0], state: entry[1] as ListedSegment['state'], bytes: entry[2] };
}

function parseInventory(value: unknown): Inventory | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw corrupt('record field "inventory" is not an array');
  const inventory: Inventory = new Map();
  for (const pair of value) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || !Array.isArray(pair[1])) {
      throw corrupt('record field "inventory" holds a malformed store');
    }
    inventory.set(pair[0], pair[1].map(parseListed));
  }
  return inventory;
}

/** Parses the catalog record. Throws `ERR_CORRUPT_FRAME` for a malformed one. */
export function parseCatalog(record: JsonObject): Catalog {
  const pairs = record.generations;
  if (!Array.isArray(pairs)) throw corrupt('record field "generations" is not an array');
  const generations = new Map<string, number>();
  for (const pair of pairs) {
    if (
      !Array.isArray(pair) ||
      typeof pair[0] !== 'string' ||
      typeof pair[1] !== 'number' ||
      !Number.isSafeInteger(pair[1]) ||
      pair[1] < 0
    ) {
      throw corrupt('record field "generations" holds a malformed entry');
    }
    generations.set(pair[0], pair[1]);
  }
  return {
    lastSeq: metaCount(record, 'lastSeq'),
    nextSegment: Math.max(1, metaCount(record, 'nextSegment')),
    generations,
    inventory: parseInventory(record.inventory),
  };
}
