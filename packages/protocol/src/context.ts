import type { IgniterStore } from '@igniter/core';
import type { DescriptorLog } from './descriptors/descriptor-log.js';

/** What every operation works with: the store, its descriptor log and the interpreter's settings. */
export interface OpContext {
  readonly store: IgniterStore;
  readonly descriptors: DescriptorLog;
  /** Above this many bytes of storage, the observability snapshot raises an alert. */
  readonly storageByteSizeThreshold: number;
  /** Milliseconds since the epoch, by the store's clock. */
  now(): number;
}
