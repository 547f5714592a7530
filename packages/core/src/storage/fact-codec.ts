import { IgniterError } from '../errors.js';
import type { Fact } from '../fact.js';
import { deepFreeze, type Json, type JsonObject } from '../json.js';
import { factShapeProblem } from './fact-shape.js';
import { encodeTextFrame } from './frame.js';
import { factValueJson } from './value-json.js';

/** How fact bodies are encoded in the frames of a data file (its number is in the file header). */
export interface FactCodec {
  /** The codec number recorded in file headers. */
  readonly id: number;
  readonly name: string;
  /**
   * The whole frame (length, body, CRC) of one fact. Throws `ERR_INVALID_ARGUMENT` when the
   * fact is not shaped like a fact. Cost: one encode of the fact and one CRC pass.
   */
  frame(fact: Fact): Buffer;
  /**
   * Decodes the body `buf[start, end)` into a frozen fact with a deep-frozen value, producer
   * and derivation. Throws `ERR_CORRUPT_FRAME` when the body is not a fact of this codec.
   * Cost: one parse of the body.
   */
  decode(buf: Uint8Array, start: number, end: number): Fact;
}

/** Record tag of a fact in the JSON codec (room for other record kinds later). */
const FACT_RECORD = 1;
const FIELD_COUNT = 14;

function quote(text: string | null): string {
  return text === null ? 'null' : JSON.stringify(text);
}

// String() gives the shortest round-trip form like JSON, but keeps -0 (JSON.parse reads it back).
function number(value: number | null): string {
  return value === null ? 'null' : Object.is(value, -0) ? '-0' : String(value);
}

function notAFact(why: string): IgniterError {
  return new IgniterError('ERR_CORRUPT_FRAME', `frame body is not a fact: ${why}`);
}

/** Buffer's own UTF-8 decoder, without `toString`'s argument handling (it runs once per fact). */
type Utf8Slicer = Buffer & { utf8Slice(start: number, end: number): string };

function utf8(buf: Uint8Array, start: number, end: number): string {
  const bytes = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const slicer = bytes as Utf8Slicer;
  return typeof slicer.utf8Slice === 'function'
    ? slicer.utf8Slice(start, end)
    : bytes.toString('utf8', start, end);
}

/**
 * Fact bodies as a positional JSON array (the format: ARCHITECTURE.md, "The record format"):
 * `[1, id, seq, store, key, value, valueHash, causation, transactionTime, validTime,
 * schemaVersion, producer, derivation, idempotencyKey]`. Chosen over MessagePack (msgpackr) by
 * measurement (benchmarks/RESULTS.md): within about 20% of its speed, it keeps every JSON key
 * exactly (msgpackr renames `__proto__`), needs no dependency and reads with a hex dump.
 */
export const jsonFactCodec: FactCodec = {
  id: 1,
  name: 'json-v1',

  frame(fact: Fact): Buffer {
    const problem = factShapeProblem(fact);
    if (problem !== undefined) {
      throw new IgniterError('ERR_INVALID_ARGUMENT', `cannot store a malformed fact: ${problem}`);
    }
    const value = factValueJson(fact);
    const text = `[${FACT_RECORD},${quote(fact.id)},${fact.seq},${quote(fact.store)},${quote(fact.key)},${value},${quote(fact.valueHash)},${quote(fact.causation)},${number(fact.transactionTime)},${number(
      fact.validTime,
    )},${fact.schemaVersion},${JSON.stringify(fact.producer)},${JSON.stringify(fact.derivation)},${quote(
      fact.idempotencyKey,
    )}]`;
    return encodeTextFrame(text);
  },

  decode(buf: Uint8Array, start: number, end: number): Fact {
    let record: unknown;
    try {
      record = JSON.parse(utf8(buf, start, end));
    } catch (error) {
      throw new IgniterError('ERR_CORRUPT_FRAME', 'frame body is not JSON', { cause: error });
    }
    if (!Array.isArray(record) || record.length !== FIELD_COUNT || record[0] !== FACT_RECORD) {
      throw notAFact(`expected a ${FIELD_COUNT}-element fact record`);
    }
    const fact: Fact = {
      id: record[1] as string,
      seq: record[2] as number,
      store: record[3] as string,
      key: record[4] as string,
      value: deepFreeze(record[5] as Json),
      valueHash: record[6] as string,
      causation: record[7] as string | null,
      transactionTime: record[8] as number,
      validTime: record[9] as number | null,
      schemaVersion: record[10] as number,
      producer: record[11] === null ? null : deepFreeze(record[11] as JsonObject),
      derivation: record[12] === null ? null : deepFreeze(record[12] as JsonObject),
      idempotencyKey: record[13] as string | null,
    };
    const problem = factShapeProblem(fact);
    if (problem !== undefined) throw notAFact(problem);
    return Object.freeze(fact);
  },
};

/** Every fact codec this build reads, by the number in the file header. */
export const FACT_CODECS: ReadonlyMap<number, FactCodec> = new Map([[jsonFactCodec.id, jsonFactCodec]]);

/** The codec new files are written with. */
export const DEFAULT_FACT_CODEC: FactCodec = jsonFactCodec;
