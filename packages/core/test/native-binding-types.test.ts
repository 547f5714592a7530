import type * as NativeModule from '@igniter/native';
import { describe, expect, it } from 'vitest';
import type {
  NativeBinding,
  NativeCopyLoad,
  NativeCopyOutEnd,
  NativeImageOpen,
  NativeLogHandle,
  NativeReplayResult,
} from '../src/engine/native-binding.js';

// Type-level checks, enforced by `pnpm typecheck` (tsc over test/): @igniter/native's published
// index.d.ts must give everything core's boundary type NativeBinding relies on, with compatible
// signatures. A method renamed, dropped or retyped on either side fails to compile here.
type Satisfies<Actual extends Expected, Expected> = Actual;
type ModuleIsBinding = Satisfies<typeof NativeModule, NativeBinding>;
type LogIsHandle = Satisfies<NativeModule.NativeLog, NativeLogHandle>;
type ReplayResultsAgree = Satisfies<NativeModule.ReplayResult, NativeReplayResult>;
type CopyLoadsAgree = Satisfies<NativeModule.CopyLoadResult, NativeCopyLoad>;
type ImageOpensAgree = Satisfies<NativeModule.ImageOpenResult, NativeImageOpen>;
type CopyOutEndsAgree = Satisfies<NativeModule.CopyOutEnd, NativeCopyOutEnd>;

/** Every method name core calls on a NativeLogHandle (kept in step with the interface by tsc). */
const HANDLE_METHODS: Record<keyof NativeLogHandle, true> = {
  replayFile: true,
  openImage: true,
  writeImage: true,
  restorable: true,
  last: true,
  setMaxValueBytes: true,
  stage: true,
  discard: true,
  loadBatch: true,
  loadCopy: true,
  copyBegin: true,
  copyPush: true,
  copyFinish: true,
  truncateAfter: true,
  advanceSeq: true,
  latestFor: true,
  latestValue: true,
  readValue: true,
  forgetValues: true,
  byId: true,
  factsFor: true,
  all: true,
  bySeqs: true,
  remove: true,
  takeSpill: true,
  keys: true,
  stores: true,
  storeCounts: true,
  storeName: true,
  size: true,
  lastSeq: true,
  heapBytes: true,
  attachWal: true,
  detachWal: true,
};

describe('@igniter/native index.d.ts and NativeBinding', () => {
  it('agree: the typed module is a NativeBinding (checked by tsc), and the built addon has every method core calls', async () => {
    const checks:
      | [ModuleIsBinding, LogIsHandle, ReplayResultsAgree, CopyLoadsAgree, ImageOpensAgree, CopyOutEndsAgree]
      | undefined = undefined;
    expect(checks).toBeUndefined();
    const native = (await import('@igniter/native')) as unknown as NativeBinding;
    const prototype = native.NativeLog.prototype as unknown as Record<string, unknown>;
    const missing = Object.keys(HANDLE_METHODS).filter((name) => typeof prototype[name] !== 'function');
    expect(missing).toEqual([]);
    expect(typeof native.buildImage).toBe('function');
  });
});
