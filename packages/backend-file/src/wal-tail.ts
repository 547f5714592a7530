import * as fs from 'node:fs';
import type { Fact } from '@igniter/core';
import {
  decodeMetaFrame,
  FACT_CODECS,
  type FactCodec,
  FileKind,
  HEADER_BYTES,
  metaCount,
  probeFrame,
  readBatchMarker,
  readFullySync,
  readHeader,
} from '@igniter/core/storage';
import { StoreTally } from './store-tally.js';

const CODEC_IDS: ReadonlySet<number> = new Set(FACT_CODECS.keys());

/** What one {@link WalTail.read} found. */
export interface WalTailRead {
  /** Facts appended since the last read, in file order. */
  facts: Fact[];
  /** The snapshot seq the log continues (-1 before its metadata record is written). */
  baseSeq: number;
}

/**
 * Reads a write-ahead log that another process is appending to, a little more each time:
 * whole frames only (a frame still being written, or a torn one, is left for a later read and
 * nothing after it is taken), never writing or repairing. When the writer replaces the log (a
 * checkpoint, compaction or prune starts a new one), the next read starts the new file from its
 * beginning. Throws `ERR_UNSUPPORTED_FORMAT` or `ERR_CORRUPT_LOG` for a foreign or damaged header
 * and `ERR_CORRUPT_FRAME` for a whole frame that is not a fact. Cost: one read of the new bytes.
 */
export class WalTail {
  readonly #path: string;
  readonly #maxFrameBytes: number;
  #ino = -1;
  #offset = 0;
  #codec: FactCodec | undefined;
  #baseSeq = -1;
  /** Facts and frame bytes per store of the current file. */
  tally = new StoreTally();

  constructor(path: string, maxFrameBytes: number) {
    this.#path = path;
    this.#maxFrameBytes = maxFrameBytes;
  }

  read(): WalTailRead {
    let fd: number;
    try {
      fd = fs.openSync(this.#path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { facts: [], baseSeq: this.#baseSeq };
      throw error;
    }
    try {
      const { ino, size } = fs.fstatSync(fd);
      if (ino !== this.#ino) {
        this.#ino = ino;
        this.#offset = 0;
        this.#codec = undefined;
        this.#baseSeq = -1;
        this.tally = new StoreTally();
      }
      if (this.#codec === undefined) {
        if (size < HEADER_BYTES) return { facts: [], baseSeq: this.#baseSeq };
        const head = Buffer.alloc(HEADER_BYTES);
        readFullySync(fd, head, 0, HEADER_BYTES, 0);
        this.#codec = FACT_CODECS.get(
          readHeader(head, this.#path, FileKind.wal, CODEC_IDS).codec,
        ) as FactCodec;
        this.#offset = HEADER_BYTES;
      }
      const facts: Fact[] = [];
      if (size > this.#offset) {
        const buf = Buffer.alloc(size - this.#offset);
        const got = readFullySync(fd, buf, 0, buf.length, this.#offset);
        this.#offset += this.#takeFrames(buf.subarray(0, got), facts);
      }
      return { facts, baseSeq: this.#baseSeq };
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * Decodes the whole frames at the start of `buf`; returns the bytes they span. A batch is
   * taken only once all of its frames are there and intact, so a follower never applies part
   * of one.
   */
  #takeFrames(buf: Buffer, facts: Fact[]): number {
    let at = 0;
    for (;;) {
      const probe = probeFrame(buf, at, this.#maxFrameBytes);
      if (probe.kind !== 'frame') return at;
      const marker = this.#baseSeq < 0 ? null : readBatchMarker(buf, probe.bodyStart, probe.bodyEnd);
      if (marker) {
        const end = probe.next + marker.bytes;
        if (end > buf.length) return at;
        const batch = this.#decodeFrames(buf.subarray(0, end), probe.next, marker.count);
        if (batch === undefined) return at;
        for (const fact of batch) facts.push(fact);
        at = end;
        continue;
      }
      if (this.#baseSeq < 0) {
        this.#baseSeq = metaCount(decodeMetaFrame(buf, probe.bodyStart, probe.bodyEnd, 'wal'), 'baseSeq');
      } else {
        facts.push(this.#decode(buf, at, probe.bodyStart, probe.bodyEnd, probe.next));
      }
      at = probe.next;
    }
  }

  /** The `count` facts of the frames from `at` to the end of `buf`, or undefined unless all are whole. */
  #decodeFrames(buf: Buffer, at: number, count: number): Fact[] | undefined {
    const frames: { at: number; bodyStart: number; bodyEnd: number; next: number }[] = [];
    while (at < buf.length) {
      const probe = probeFrame(buf, at, this.#maxFrameBytes);
      if (probe.kind !== 'frame') return undefined;
      frames.push({ at, ...probe });
      at = probe.next;
    }
    if (frames.length !== count) return undefined;
    return frames.map((frame) => this.#decode(buf, frame.at, frame.bodyStart, frame.bodyEnd, frame.next));
  }

  #decode(buf: Buffer, at: number, bodyStart: number, bodyEnd: number, next: number): Fact {
    const fact = (this.#codec as FactCodec).decode(buf, bodyStart, bodyEnd);
    this.tally.add(fact.store, next - at);
    return fact;
  }
}
