// examples/segment-retention.mjs: retention read back, and applied to a segmented store's sealed segments.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SegmentedFileBackend } from '@igniter/backend-segmented';
import { IgniterStore } from '@igniter/core';

const dir = mkdtempSync(join(tmpdir(), 'igniter-retention-'));
let now = Date.UTC(2026, 0, 1);
const clock = () => now;
try {
  const backend = new SegmentedFileBackend(dir, { maxSegmentFacts: 2, clock });
  const store = new IgniterStore({ backend, clock });
  store.setRetention('readings', { strategy: 'ephemeral' });
  console.log('policy:', store.retentionFor('readings'), 'none:', store.retentionFor('notes'));
  for (let celsius = 20; celsius <= 26; celsius++) {
    now += 60_000;
    store.write({ store: 'readings', key: 'r1', value: { celsius } });
  }
  const receipts = store.purgeSegments();
  console.log(
    'purged:',
    receipts.map((r) => `segment ${r.segment}, ${r.factCount} facts`),
  );
  console.log('reason:', receipts[0].reason);
  console.log(
    'history left:',
    store.history({ store: 'readings', key: 'r1' }).map((f) => f.value.celsius),
  );
  console.log(
    'oldest receipt:',
    backend.purgeReceipts({ limit: 1 }).map((r) => r.segment),
  );
  console.log('receipts since a minute ago:', backend.purgeReceipts({ since: now - 60_000 }).length);
  console.log('wire retention:', store.protocol().metadataSnapshot().retention);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
