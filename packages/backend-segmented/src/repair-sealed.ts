import * as fs from 'node:fs';
import { corruptLog, HEADER_BYTES, quarantineRange } from '@igniter/core/storage';
import { writeRecordFile } from './record-file.js';
import { type ManifestRecord, manifestJson } from './records.js';
import { scanSegment } from './segment-file.js';

/** What {@link repairSealed} did to a sealed segment. */
export interface SealedRepair {
  /** The manifest now on disk (the old one when nothing was wrong). */
  manifest: ManifestRecord;
  /** Bytes cut from the segment (moved to `quarantined` when that is set). */
  removedBytes: number;
  quarantined: string | null;
}

/**
 * For `repair: true`: reads the whole sealed segment at `path` and, when it does not match
 * `manifest` (a damaged frame, a missing tail, another checksum), moves everything from the
 * first damaged frame on to `<path>.quarantine-<n>`, truncates the segment there and rewrites its
 * manifest to what is left, with a process warning. Throws `ERR_CORRUPT_LOG` when the segment's
 * metadata record is damaged (there is nothing to keep), `ERR_UNSUPPORTED_FORMAT` for a file that
 * is not a segment, and system errors. Cost: one read of the segment; a repair adds a copy and
 * four fsyncs.
 */
export function repairSealed(
  path: string,
  manifestPath: string,
  manifest: ManifestRecord,
  maxFrameBytes: number,
): SealedRepair {
  const fd = fs.openSync(path, 'r+');
  try {
    const read = scanSegment(fd, path, maxFrameBytes, () => false);
    const { damage } = read.scan;
    const { summary } = read;
    if (!read.head || damage?.offset === HEADER_BYTES) {
      const why = read.problem?.why ?? `metadata record ${damage?.reason ?? 'missing'}`;
      throw corruptLog(path, HEADER_BYTES, why, read.problem?.cause, false);
    }
    const intact =
      !damage &&
      summary.factCount === manifest.factCount &&
      summary.byteSize === manifest.byteSize &&
      summary.checksum === manifest.checksum;
    if (intact) return { manifest, removedBytes: 0, quarantined: null };
    let quarantined: string | null = null;
    if (damage) {
      quarantined = quarantineRange(fd, path, damage.offset, read.scan.size);
      fs.ftruncateSync(fd, damage.offset);
      fs.fsyncSync(fd);
    }
    const repaired: ManifestRecord = { ...manifest, ...summary };
    writeRecordFile(manifestPath, manifestJson(repaired));
    const lost = manifest.factCount - summary.factCount;
    process.emitWarning(
      `${path}: the sealed segment did not match its manifest; kept ${summary.factCount} intact facts` +
        (quarantined
          ? `, moved the ${read.scan.size - summary.byteSize} bytes from byte ${summary.byteSize} on to ${quarantined}`
          : '') +
        ` (${lost} facts of the manifest are not in the segment)`,
      { code: 'IGNITER_LOG_REPAIRED' },
    );
    return { manifest: repaired, removedBytes: read.scan.size - summary.byteSize, quarantined };
  } finally {
    fs.closeSync(fd);
  }
}
