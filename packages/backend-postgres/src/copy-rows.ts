import { IgniterError } from '@igniter/core';

/** `PGCOPY\n\377\r\n\0`: the signature that opens PostgreSQL's binary COPY format. */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8;

/**
 * Where the fields of one row lie: `starts[i]`..`ends[i]` of `buf` for field `i`, or
 * `starts[i] === -1` for NULL. Reused from row to row: read it inside the callback only.
 */
export interface CopyRow {
  buf: Buffer;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

function malformed(why: string): IgniterError {
  return new IgniterError('ERR_CORRUPT_LOG', `the binary COPY stream is malformed: ${why}`);
}

/**
 * Splits a binary COPY stream (`COPY ... TO STDOUT (FORMAT binary)`) into rows of `fields`
 * fields, in arrival order, without copying field bytes: chunks are joined only where a row
 * straddles two. Throws `ERR_CORRUPT_LOG` for a stream that is not binary COPY of that width.
 * Cost: a few reads per field.
 */
export class BinaryCopyRows {
  readonly #row: CopyRow;
  readonly #fields: number;
  #pending: Buffer | undefined;
  #headerRead = false;
  #ended = false;

  constructor(fields: number) {
    this.#fields = fields;
    this.#row = { buf: Buffer.alloc(0), starts: new Int32Array(fields), ends: new Int32Array(fields) };
  }

  /** Parses the rows completed by `chunk`, calling `onRow` for each. */
  push(chunk: Buffer, onRow: (row: CopyRow) => void): void {
    let buf = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = undefined;
    let at = 0;
    if (!this.#headerRead) {
      if (buf.length < HEADER_BYTES) {
        this.#pending = buf;
        return;
      }
      if (!buf.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw malformed('no PGCOPY signature');
      at = HEADER_BYTES + buf.readInt32BE(SIGNATURE.length + 4);
      this.#headerRead = true;
    }
    const row = this.#row;
    const { starts, ends } = row;
    const fields = this.#fields;
    row.buf = buf;
    for (;;) {
      if (this.#ended) {
        if (at < buf.length) throw malformed('bytes after the trailer');
        return;
      }
      const rowStart = at;
      if (buf.length - at < 2) break;
      const count = buf.readInt16BE(at);
      at += 2;
      if (count === -1) {
        this.#ended = true;
        continue;
      }
      if (count !== fields) throw malformed(`a row of ${count} fields, expected ${fields}`);
      let whole = true;
      for (let i = 0; i < fields; i++) {
        if (buf.length - at < 4) {
          whole = false;
          break;
        }
        const length = buf.readInt32BE(at);
        at += 4;
        if (length === -1) {
          starts[i] = -1;
          ends[i] = -1;
          continue;
        }
        if (buf.length - at < length) {
          whole = false;
          break;
        }
        starts[i] = at;
        ends[i] = at + length;
        at += length;
      }
      if (!whole) {
        at = rowStart;
        break;
      }
      onRow(row);
    }
    if (at < buf.length) {
      buf = buf.subarray(at);
      this.#pending = Buffer.from(buf);
    }
  }

  /** Throws `ERR_CORRUPT_LOG` unless the stream ended with its trailer. */
  finish(): void {
    if (!this.#ended) throw malformed('the stream ended without its trailer');
  }
}

/** Bytes of a row's field payloads (NULLs count 0): what storage statistics count per fact. */
export function rowPayloadBytes(row: CopyRow): number {
  let bytes = 0;
  for (let i = 0; i < row.starts.length; i++) {
    const start = row.starts[i] as number;
    if (start !== -1) bytes += (row.ends[i] as number) - start;
  }
  return bytes;
}
