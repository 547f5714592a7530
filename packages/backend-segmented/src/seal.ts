import * as fs from 'node:fs';
import { fsyncDirectory } from '@igniter/core/storage';
import { segmentPath } from './layout.js';
import { writeRecordFile } from './record-file.js';
import { type ManifestRecord, manifestJson } from './records.js';
import type { StoreSegments } from './store-segments.js';

/**
 * Seals the live segment of `store`: makes its frames durable, writes its manifest
 * crash-safely and closes it; the store then has no live segment until its next write. An empty
 * live segment is removed instead. If this throws, the segment stays live and usable (unless
 * its own fsync failed). Throws the system error of a failed fsync or write.
 * Cost: one fdatasync, plus two fsyncs for the manifest.
 */
export function sealLiveSegment(store: StoreSegments, now: number): ManifestRecord | undefined {
  const live = store.live;
  if (!live) return undefined;
  live.writer.flushSync();
  if (live.summary.factCount === 0) {
    live.closeSync();
    store.live = undefined;
    fs.rmSync(live.path, { force: true });
    fsyncDirectory(store.folder);
    return undefined;
  }
  const manifest: ManifestRecord = {
    store: store.name,
    segment: live.segment,
    generation: live.generation,
    codec: live.codec.name,
    ...live.summary,
    byteSize: live.writer.size,
    sealedAt: now,
  };
  writeRecordFile(segmentPath(store.folder, live.segment, 'manifest'), manifestJson(manifest));
  live.closeSync();
  store.live = undefined;
  store.sealed.push(manifest);
  return manifest;
}
