import { checkInput, fieldsOf, IgniterError } from '@igniter/core';
import {
  checkDurabilityOptions,
  DEFAULT_FACT_CODEC,
  DEFAULT_MAX_FRAME_BYTES,
  type Durability,
  FACT_CODECS,
} from '@igniter/core/storage';

/** Options of a {@link SegmentedFileBackend}. */
export interface SegmentedFileBackendOptions {
  /**
   * A segment is sealed and a new one started before a fact would make it larger than this many
   * bytes (default 64 MiB). A single fact larger than the limit gets a segment of its own.
   */
  maxSegmentBytes?: number;
  /** A segment is sealed once it holds this many facts (default: no limit). */
  maxSegmentFacts?: number;
  /**
   * Segments hold facts of one time bucket of this many ms, by the fact's own transaction time
   * (buckets start at the Unix epoch, so the default, 86 400 000, is one UTC day); `null` turns
   * time buckets off.
   */
  segmentDurationMs?: number | null;
  /**
   * `'fsync'`: each write is on disk before `writeFact` returns. `'group'` (default): each write
   * goes to the OS at once, and the segments written since the last commit are fsynced together
   * at least every `groupCommitMs` or `groupCommitBytes`; a process crash loses nothing, a power
   * loss at most that window. `'none'`: each write goes to the OS page cache (survives a process
   * crash, not a power loss).
   */
  durability?: Durability;
  /** Longest time a write waits for its fsync in `'group'` mode, in ms (default 5). */
  groupCommitMs?: number;
  /** Most bytes written between fsyncs in `'group'` mode (default 4 MiB). */
  groupCommitBytes?: number;
  /** Body codec of new segments (default and only one so far: `'json-v1'`, lossless). */
  codec?: string;
  /**
   * Open segments with a damaged frame in their middle by moving everything from that frame on
   * to `<segment>.quarantine-<n>` (default false: such a segment fails with `ERR_CORRUPT_LOG`).
   */
  repair?: boolean;
  /** Largest frame body written or read, in bytes (default 64 MiB). */
  maxFrameBytes?: number;
  /** Wall clock for `purgedAt` and `sealedAt`, in ms since the epoch (default `Date.now`). */
  clock?: () => number;
}

/** Every option a {@link SegmentedFileBackend} takes (any other field is `ERR_INVALID_ARGUMENT`). */
export const SEGMENTED_BACKEND_FIELDS = fieldsOf<SegmentedFileBackendOptions>({
  maxSegmentBytes: true,
  maxSegmentFacts: true,
  segmentDurationMs: true,
  durability: true,
  groupCommitMs: true,
  groupCommitBytes: true,
  codec: true,
  repair: true,
  maxFrameBytes: true,
  clock: true,
});

/** Options with every default filled in. */
export interface ResolvedOptions {
  maxSegmentBytes: number;
  maxSegmentFacts: number;
  segmentDurationMs: number | null;
  durability: Durability;
  groupCommitMs: number;
  groupCommitBytes: number;
  codec: string;
  repair: boolean;
  maxFrameBytes: number;
  clock: () => number;
}

const DAY_MS = 86_400_000;

function bad(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}

function count(value: unknown, name: string, fallback: number, min: number, integer = true): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    (integer && !Number.isSafeInteger(value))
  ) {
    throw bad(`${name} must be ${integer ? 'an integer' : 'a number'} of at least ${min}`);
  }
  return value;
}

/** Checks options and fills in defaults. Throws `ERR_INVALID_ARGUMENT` for a bad one. Cost: constant. */
export function resolveOptions(options: unknown): ResolvedOptions {
  const o = checkInput<SegmentedFileBackendOptions>(
    options === undefined ? {} : options,
    'SegmentedFileBackend options',
    SEGMENTED_BACKEND_FIELDS,
  );
  const { durability, repair } = checkDurabilityOptions(o);
  if (o.clock !== undefined && typeof o.clock !== 'function') throw bad('clock must be a function');
  const codec = o.codec ?? DEFAULT_FACT_CODEC.name;
  if (![...FACT_CODECS.values()].some((c) => c.name === codec)) {
    const known = [...FACT_CODECS.values()].map((c) => `'${c.name}'`).join(', ');
    throw bad(`unknown codec ${JSON.stringify(codec)}; this build knows ${known}`);
  }
  const maxFrameBytes = count(o.maxFrameBytes, 'maxFrameBytes', DEFAULT_MAX_FRAME_BYTES, 64);
  if (maxFrameBytes > 0xffffffff) throw bad('maxFrameBytes must be at most 2^32 - 1');
  const segmentDurationMs =
    o.segmentDurationMs === null ? null : count(o.segmentDurationMs, 'segmentDurationMs', DAY_MS, 1);
  return {
    maxSegmentBytes: count(o.maxSegmentBytes, 'maxSegmentBytes', 64 * 1024 * 1024, 1),
    maxSegmentFacts: count(o.maxSegmentFacts, 'maxSegmentFacts', Number.MAX_SAFE_INTEGER, 1),
    segmentDurationMs,
    durability,
    groupCommitMs: count(o.groupCommitMs, 'groupCommitMs', 5, 0, false),
    groupCommitBytes: count(o.groupCommitBytes, 'groupCommitBytes', 4 * 1024 * 1024, 0),
    codec,
    repair,
    maxFrameBytes,
    clock: o.clock ?? Date.now,
  };
}
