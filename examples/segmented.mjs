// A segmented store: one folder per store, sealed segments with manifests, purge with receipts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SegmentedFileBackend } from '@igniter/backend-segmented';
import { IgniterStore } from '@igniter/core';

const dir = mkdtempSync(join(tmpdir(), 'igniter-segmented-'));
let now = Date.UTC(2026, 0, 1);
const clock = () => now;
try {
  const backend = new SegmentedFileBackend(dir, { maxSegmentFacts: 2, clock });
  const store = new IgniterStore({ backend, clock });
  for (let i = 1; i <= 5; i++) {
    now += 60_000;
    store.write({ store: 'readings', key: `r${i}`, value: { celsius: 20 + i } });
  }
  const segments = store.segmentManifest().stores.readings;
  console.log(
    'segments:',
    segments.map((s) => `${s.segment}:${s.sealed ? 'sealed' : 'live'}:${s.factCount}`),
  );

  const receipts = backend.purge({
    store: 'readings',
    before: now - 90_000,
    reason: 'older than the window',
  });
  console.log(
    'purged segments:',
    receipts.map((r) => r.segment),
    'facts left:',
    store.factCount(),
  );
  console.log(
    'activity:',
    store.compactionActivity().map((e) => `${e.kind} ${e.store} ${e.factCount}`),
  );
  await store.close();

  const reopened = new IgniterStore({ backend: new SegmentedFileBackend(dir, { clock }), clock });
  console.log(
    'after reopen:',
    reopened.factLogAll().map((f) => f.key),
  );
  await reopened.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
