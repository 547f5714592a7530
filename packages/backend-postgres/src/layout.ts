import { createHash } from 'node:crypto';
import { IgniterError } from '@igniter/core';
import type pg from 'pg';
import { isWellFormed } from './well-formed.js';

/**
 * The table layout this build writes and reads. A schema whose layout row names a higher
 * version was written by a newer release: it is refused (`ERR_UNSUPPORTED_FORMAT`), never
 * read half-way.
 */
export const LAYOUT_VERSION = 1;

/** The fact columns in table order: the order of every insert and of the binary COPY read. */
export const FACT_COLUMNS = [
  'seq',
  'id',
  'store',
  'key',
  'value',
  'value_hash',
  'causation',
  'transaction_time',
  'valid_time',
  'schema_version',
  'producer',
  'derivation',
  'idempotency_key',
] as const;

/** The PostgreSQL names of one Igniter schema: its tables, its NOTIFY channel and its lock. */
export interface SchemaNames {
  /** The schema as given. */
  readonly schema: string;
  /** `"schema"."igniter_facts"`, quoted. */
  readonly facts: string;
  /** `"schema"."igniter_layout"`, quoted. */
  readonly layout: string;
  /** The NOTIFY channel, unquoted (a short name derived from the schema). */
  readonly channel: string;
  /** Text whose `hashtextextended` is the writer's advisory lock key. */
  readonly lockName: string;
}

/** Quotes a PostgreSQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The names of schema `schema`. Throws `ERR_INVALID_ARGUMENT` for a name PostgreSQL cannot
 * hold (empty, a NUL, over 63 bytes).
 */
export function schemaNames(schema: unknown): SchemaNames {
  if (typeof schema !== 'string' || schema.length === 0 || schema.includes('\u0000')) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'schema must be a non-empty string without NUL');
  }
  if (Buffer.byteLength(schema, 'utf8') > 63 || !isWellFormed(schema)) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'schema must be well-formed and at most 63 UTF-8 bytes');
  }
  const quoted = quoteIdent(schema);
  // Channel names are identifiers too (63 bytes at most): a digest keeps any schema name short.
  const digest = createHash('sha256').update(schema).digest('hex').slice(0, 24);
  return {
    schema,
    facts: `${quoted}.igniter_facts`,
    layout: `${quoted}.igniter_layout`,
    channel: `igniter_${digest}`,
    lockName: `igniter writer ${schema}`,
  };
}

/** What the layout row says about the stored log. */
export interface LayoutState {
  /** The highest seq ever committed, also of facts since deleted (at least the highest row's). */
  lastSeq: number;
  /** Bumped by every rewrite (compaction, prune): followers then re-check which facts remain. */
  generation: number;
}

/**
 * Creates the schema and its tables when missing (serialized across processes by a
 * transaction-level advisory lock), then checks the layout version. Throws
 * `ERR_UNSUPPORTED_FORMAT` for a newer layout, and the driver's error when the database fails.
 * Cost: a few statements in one transaction.
 */
export async function ensureLayout(client: pg.Client, names: SchemaNames): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `igniter layout ${names.schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(names.schema)}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${names.layout} (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        version integer NOT NULL,
        last_seq bigint NOT NULL DEFAULT 0,
        generation bigint NOT NULL DEFAULT 0)`,
    );
    await client.query(`INSERT INTO ${names.layout} (version) VALUES ($1) ON CONFLICT DO NOTHING`, [
      LAYOUT_VERSION,
    ]);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${names.layout}`);
    const version = rows[0]?.version ?? LAYOUT_VERSION;
    if (version > LAYOUT_VERSION) {
      throw new IgniterError(
        'ERR_UNSUPPORTED_FORMAT',
        `schema ${names.schema} has table layout ${version}; this release reads layouts up to ${LAYOUT_VERSION}`,
        { details: { schema: names.schema, layout: version, supported: LAYOUT_VERSION } },
      );
    }
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${names.facts} (
        seq bigint PRIMARY KEY,
        id text NOT NULL,
        store text NOT NULL,
        key text NOT NULL,
        value json NOT NULL,
        value_hash text NOT NULL,
        causation text,
        transaction_time double precision NOT NULL,
        valid_time double precision,
        schema_version integer NOT NULL,
        producer json,
        derivation json,
        idempotency_key text)`,
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Reads the layout row. Cost: one statement. */
export async function readLayout(client: pg.Client, names: SchemaNames): Promise<LayoutState> {
  const { rows } = await client.query<{ last_seq: string; generation: string; max_seq: string | null }>(
    `SELECT last_seq, generation, (SELECT max(seq) FROM ${names.facts}) AS max_seq FROM ${names.layout}`,
  );
  const row = rows[0];
  return {
    lastSeq: Math.max(Number(row?.last_seq ?? 0), Number(row?.max_seq ?? 0)),
    generation: Number(row?.generation ?? 0),
  };
}
