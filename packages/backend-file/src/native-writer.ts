import * as fs from 'node:fs';
import { type Engine, type GroupCommitWriter, NativeWalWriter } from '@igniter/core/storage';
import type { ResolvedOptions } from './options.js';

/**
 * The native writer of the log at `path` for `engine`, attached to it, to replace `writer`
 * (whose frames end at `writer.size` and hold seqs up to `lastSeq`): the engine then frames each
 * fact into it in the call that appends it. Undefined, changing nothing, for the TS engine, when
 * the addon is missing, or when `writer` still holds frames that are not durable.
 * Throws the system error of opening the log.
 */
export function nativeWriterFor(
  engine: Engine,
  path: string,
  writer: GroupCommitWriter | NativeWalWriter,
  lastSeq: number,
  options: ResolvedOptions,
): NativeWalWriter | undefined {
  if (engine.kind !== 'native' || !engine.attachWal) return undefined;
  const status = writer.status();
  if (status.pendingBytes > 0 || status.durableSeq !== status.lastSeq) return undefined;
  const { durability, groupCommitMs, groupCommitBytes, maxFrameBytes } = options;
  const native = NativeWalWriter.open(path, {
    end: writer.size,
    lastSeq,
    durability,
    groupCommitMs,
    groupCommitBytes,
    maxFrameBytes,
  });
  if (native && engine.attachWal(native)) return native;
  native?.discard();
  return undefined;
}

/**
 * Points `native` (and the engine framing into it) at the log a rewrite just made at `path`,
 * holding seqs up to `lastSeq`. Returns the error when it cannot (the files on disk are
 * consistent, but the writer has no usable log: it is closed), else undefined.
 */
export function reopenNativeWriter(
  native: NativeWalWriter,
  path: string,
  lastSeq: number,
): Error | undefined {
  try {
    native.reopen(path, fs.statSync(path).size, lastSeq);
    return undefined;
  } catch (error) {
    native.discard();
    return error instanceof Error ? error : new Error(String(error));
  }
}
