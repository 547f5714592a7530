import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '@igniter/backend-file';
import { SegmentedFileBackend } from '@igniter/backend-segmented';
import { IgniterStore } from '@igniter/core';
import type { ConformanceSubject, ConformanceTarget } from '../../src/conformance/index.js';
import { dispatch } from '../../src/index.js';
import { memoryStore, steppingClock } from './stores.js';

function subject(store: IgniterStore, cleanup: () => void = () => {}): ConformanceSubject {
  return {
    dispatch: (request) => dispatch(store, request),
    lifecycle: {
      setRetention: (name, policy) => void store.setRetention(name, policy),
      compact: (name) => void store.compact(name),
      pruneFactIds: (factIds, reason) => void store.pruneFactIds({ factIds, reason }),
    },
    close: async () => {
      await store.close();
      cleanup();
    },
  };
}

/** Fresh in-memory stores, dispatched in process. */
export const memoryTarget: ConformanceTarget = { open: () => subject(memoryStore()) };

/** Fresh file stores (a new temp directory each), dispatched in process. */
export const fileTarget: ConformanceTarget = {
  open: () => {
    const dir = mkdtempSync(join(tmpdir(), 'igniter-protocol-'));
    const store = openFileStore(join(dir, 'store.log'), { clock: steppingClock(), durability: 'none' });
    return subject(store, () => rmSync(dir, { recursive: true, force: true }));
  },
};

/** Fresh segmented stores (a new temp directory each), dispatched in process. */
export const segmentedTarget: ConformanceTarget = {
  open: () => {
    const dir = mkdtempSync(join(tmpdir(), 'igniter-protocol-seg-'));
    const backend = new SegmentedFileBackend(dir, { durability: 'none' });
    const store = new IgniterStore({ backend, clock: steppingClock() });
    return subject(store, () => rmSync(dir, { recursive: true, force: true }));
  },
};
