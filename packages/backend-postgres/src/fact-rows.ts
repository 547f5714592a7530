import { type Fact, IgniterError, type Json, type JsonObject } from '@igniter/core';
import { deepFreeze, factShapeProblem } from '@igniter/core/storage';
import type { CopyRow } from './copy-rows.js';
import { FACT_COLUMNS } from './layout.js';
import { isWellFormed } from './well-formed.js';

/**
 * Facts as the column arrays of one multi-row insert (`unnest` of one array per column).
 * Numbers that must keep their exact value (-0, fractions) travel as text.
 */
/** The columns of {@link FactColumns}, in table order. */
const COLUMNS = [
  'seq',
  'id',
  'store',
  'key',
  'value',
  'valueHash',
  'causation',
  'transactionTime',
  'validTime',
  'schemaVersion',
  'producer',
  'derivation',
  'idempotencyKey',
] as const;

export class FactColumns {
  readonly seq: string[] = [];
  readonly id: string[] = [];
  readonly store: string[] = [];
  readonly key: string[] = [];
  readonly value: string[] = [];
  readonly valueHash: string[] = [];
  readonly causation: (string | null)[] = [];
  readonly transactionTime: string[] = [];
  readonly validTime: (string | null)[] = [];
  readonly schemaVersion: number[] = [];
  readonly producer: (string | null)[] = [];
  readonly derivation: (string | null)[] = [];
  readonly idempotencyKey: (string | null)[] = [];
  get length(): number {
    return this.seq.length;
  }

  /** Adds the rows of `other` after these. */
  append(other: FactColumns): void {
    for (const column of COLUMNS) (this[column] as unknown[]).push(...(other[column] as unknown[]));
  }

  /** Adds `fact` as the next row (the caller checked it with {@link storableProblem}). */
  add(fact: Fact, valueJson: string): void {
    this.seq.push(String(fact.seq));
    this.id.push(fact.id);
    this.store.push(fact.store);
    this.key.push(fact.key);
    this.value.push(valueJson);
    this.valueHash.push(fact.valueHash);
    this.causation.push(fact.causation);
    this.transactionTime.push(exactNumber(fact.transactionTime));
    this.validTime.push(fact.validTime === null ? null : exactNumber(fact.validTime));
    this.schemaVersion.push(fact.schemaVersion);
    this.producer.push(fact.producer === null ? null : JSON.stringify(fact.producer));
    this.derivation.push(fact.derivation === null ? null : JSON.stringify(fact.derivation));
    this.idempotencyKey.push(fact.idempotencyKey);
  }

  /** The parameters of {@link insertStatement}, in column order. */
  params(): unknown[] {
    return COLUMNS.map((column) => this[column]);
  }
}

/** `String(-0)` is "0": the sign of a negative zero time must survive the trip. */
function exactNumber(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/** The insert of one {@link FactColumns} batch into `facts`: parameters $1-$13. */
export function insertStatement(facts: string): string {
  return `INSERT INTO ${facts} (${FACT_COLUMNS.join(', ')}) SELECT * FROM unnest(
    $1::bigint[], $2::text[], $3::text[], $4::text[], $5::json[], $6::text[], $7::text[],
    $8::float8[], $9::float8[], $10::int4[], $11::json[], $12::json[], $13::text[])`;
}

/** PostgreSQL text holds neither NUL nor unpaired surrogates (the driver would alter them). */
function unstorableText(text: string | null): boolean {
  return text !== null && (text.includes('\u0000') || !isWellFormed(text));
}

/**
 * Why `fact` cannot be stored in PostgreSQL as it is, or undefined: a malformed fact, or a name,
 * id or idempotency key PostgreSQL text cannot hold. Values, producers and derivations are
 * stored as JSON text, where such characters are escaped. Cost: a scan of the short strings.
 */
export function storableProblem(fact: Fact): string | undefined {
  const shape = factShapeProblem(fact);
  if (shape !== undefined) return shape;
  for (const [field, text] of [
    ['id', fact.id],
    ['store', fact.store],
    ['key', fact.key],
    ['valueHash', fact.valueHash],
    ['causation', fact.causation],
    ['idempotencyKey', fact.idempotencyKey],
  ] as const) {
    if (unstorableText(text))
      return `${field} holds a NUL or an unpaired surrogate, which PostgreSQL text cannot store`;
  }
  return undefined;
}

function text(row: CopyRow, i: number): string | null {
  const start = row.starts[i] as number;
  return start === -1 ? null : row.buf.toString('utf8', start, row.ends[i]);
}

function json(row: CopyRow, i: number): Json | null {
  const source = text(row, i);
  return source === null ? null : deepFreeze(JSON.parse(source) as Json);
}

function int64(row: CopyRow, i: number): number {
  const at = row.starts[i] as number;
  return row.buf.readInt32BE(at) * 2 ** 32 + row.buf.readUInt32BE(at + 4);
}

/** The seq of a row (-1 when its seq is NULL), for naming a row that does not decode. */
export function seqOfRow(row: CopyRow): number {
  return row.starts[0] === -1 ? -1 : int64(row, 0);
}

function float8(row: CopyRow, i: number): number | null {
  const at = row.starts[i] as number;
  return at === -1 ? null : row.buf.readDoubleBE(at);
}

/**
 * The fact of one binary COPY row of `SELECT <FACT_COLUMNS> ...`: frozen, value, producer and
 * derivation deep-frozen. Throws `ERR_CORRUPT_LOG` for a row that is not a well-formed fact
 * (a NULL where a fact has none, JSON that does not parse). Cost: one JSON parse per JSON column.
 */
export function factFromRow(row: CopyRow): Fact {
  let fact: Fact;
  try {
    fact = {
      id: text(row, 1) as string,
      seq: int64(row, 0),
      store: text(row, 2) as string,
      key: text(row, 3) as string,
      value: json(row, 4) as Json,
      valueHash: text(row, 5) as string,
      causation: text(row, 6),
      transactionTime: float8(row, 7) as number,
      validTime: float8(row, 8),
      schemaVersion: row.buf.readInt32BE(row.starts[9] as number),
      producer: json(row, 10) as JsonObject | null,
      derivation: json(row, 11) as JsonObject | null,
      idempotencyKey: text(row, 12),
    };
  } catch (error) {
    throw new IgniterError('ERR_CORRUPT_LOG', `a stored fact row does not decode: ${String(error)}`, {
      cause: error,
    });
  }
  const problem = factShapeProblem(fact);
  if (problem !== undefined) {
    throw new IgniterError('ERR_CORRUPT_LOG', `stored row with seq ${fact.seq} is not a fact: ${problem}`);
  }
  return Object.freeze(fact);
}

/** The read of every fact with a seq above $1, in seq order, as binary COPY (no parameters). */
export function copyFactsAfter(facts: string, afterSeq: number): string {
  return `COPY (SELECT ${FACT_COLUMNS.join(', ')} FROM ${facts} WHERE seq > ${Math.trunc(afterSeq)} ORDER BY seq) TO STDOUT (FORMAT binary)`;
}
