import type { RecoveredCut } from '@igniter/core';
import type { LostFile } from './inventory.js';
import type { OpenedDirectory } from './open-directory.js';

/** What opening the directory found and repaired. */
export interface SegmentedRecoveryReport {
  /** Bytes truncated from live segments: torn tails, plus anything quarantined. */
  recoveredTailBytes: number;
  /** Quarantine files written by `repair: true`. */
  quarantined: string[];
  /** Every cut of a live segment, with the side file that keeps its bytes. */
  recovered: RecoveredCut[];
  /** Leftovers removed: temp files, segments of a replaced or aborted generation, purged segments. */
  removedFiles: string[];
  /**
   * Files the catalog listed that were missing or shorter than listed, opened without because of
   * `repair: true` (without it, open refuses with `ERR_CORRUPT_LOG`): the facts they held are gone.
   */
  lost: Array<{
    file: string;
    store: string;
    segment: number | null;
    bytes: number;
    how: 'missing' | 'short';
    message: string;
  }>;
}

/** Tells (process warning `IGNITER_RECOVERED`) about files a repair opened without. */
export function reportLost(lost: SegmentedRecoveryReport['lost']): void {
  if (lost.length === 0) return;
  const bytes = lost.reduce((n, l) => n + l.bytes, 0);
  process.emitWarning(
    `repair opened the segmented store without ${lost.length} missing or short file(s) the catalog listed (${bytes} bytes of facts lost): ${lost.map((l) => l.message).join('; ')}`,
    { code: 'IGNITER_RECOVERED' },
  );
}

/** A lost file as the report lists it (a whole store folder has segment null). */
export function lostEntry({
  file,
  store,
  segment,
  bytes,
  how,
  message,
}: LostFile): SegmentedRecoveryReport['lost'][number] {
  return { file, store, segment: segment ?? null, bytes, how, message };
}

/** The report of what `openDirectory` found and repaired. */
export function recoveryOf(opened: OpenedDirectory): SegmentedRecoveryReport {
  return {
    recoveredTailBytes: opened.recoveredTailBytes,
    quarantined: opened.quarantined,
    recovered: opened.recovered,
    removedFiles: opened.removedFiles,
    lost: opened.lost.map(lostEntry),
  };
}

/** A copy of `report` the caller may change. */
export function copyReport(report: SegmentedRecoveryReport): SegmentedRecoveryReport {
  return {
    recoveredTailBytes: report.recoveredTailBytes,
    quarantined: [...report.quarantined],
    recovered: report.recovered.map((cut) => ({ ...cut })),
    removedFiles: [...report.removedFiles],
    lost: report.lost.map((l) => ({ ...l })),
  };
}
