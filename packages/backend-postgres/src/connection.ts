import { type Fact, IgniterError } from '@igniter/core';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { BinaryCopyRows, type CopyRow, rowPayloadBytes } from './copy-rows.js';
import { copyFactsAfter, factFromRow, seqOfRow } from './fact-rows.js';
import { FACT_COLUMNS, type SchemaNames } from './layout.js';

/**
 * Opens one connection, named `applicationName` in `pg_stat_activity` (so an operator can tell
 * the writer's session from followers'). Throws `ERR_CLOSED` with the driver's error as `cause`
 * when the server cannot be reached. Cost: one connection handshake.
 */
export async function openConnection(connectionString: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, application_name: applicationName.slice(0, 63) });
  // Until the owner installs its own handler, a dropped connection must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new IgniterError('ERR_CLOSED', `cannot connect to PostgreSQL: ${String(error)}`, { cause: error });
  }
  return client;
}

/**
 * Opens a follower's two sessions on `names`: catch-ups run on `client`, notices arrive on
 * `listener`. Throws `ERR_CLOSED` when either cannot connect (the other is closed then).
 * Cost: two connection handshakes.
 */
export async function followerSessions(
  connectionString: string,
  names: SchemaNames,
): Promise<{ client: pg.Client; listener: pg.Client }> {
  const client = await openConnection(connectionString, `igniter follower ${names.schema}`);
  try {
    const listener = await openConnection(connectionString, `igniter notices ${names.schema}`);
    return { client, listener };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

/** Takes the writer lock of `names` on `client` if it is free; false when another session holds it. */
export async function tryWriterLock(client: pg.Client, names: SchemaNames): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>(
    'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
    [names.lockName],
  );
  return rows[0]?.locked === true;
}

/** `ERR_LOCKED`: another writer holds the schema. */
export function lockedError(names: SchemaNames): IgniterError {
  return new IgniterError('ERR_LOCKED', `another writer holds PostgreSQL schema ${names.schema}`, {
    details: { schema: names.schema },
  });
}

/** A fact read back, with the bytes its row holds (field payloads, for storage statistics). */
export type FactSink = (fact: Fact, rowBytes: number) => void;

/**
 * Streams every fact with a seq above `afterSeq`, in seq order, with one binary COPY (not one
 * round trip per fact), calling `onFact` as rows arrive. A row that is not a fact goes to
 * `onBadRow`, or without it throws `ERR_CORRUPT_LOG`; the driver's error when the connection fails.
 * Cost: one pass over the rows; memory: one network chunk plus the facts kept by `onFact`.
 */
export async function streamFacts(
  client: pg.Client,
  names: SchemaNames,
  afterSeq: number,
  onFact: FactSink,
  onBadRow?: (seq: number, error: IgniterError) => void,
): Promise<void> {
  await streamRows(client, names, afterSeq, (row) => {
    const bytes = rowPayloadBytes(row);
    let fact: Fact;
    try {
      fact = factFromRow(row);
    } catch (error) {
      if (!onBadRow || !(error instanceof IgniterError)) throw error;
      onBadRow(seqOfRow(row), error);
      return;
    }
    onFact(fact, bytes);
  });
}

/**
 * Streams the rows of every fact with a seq above `afterSeq`, in seq order, with one binary
 * COPY, undecoded (`onRow` reads a row inside the call only; its buffer stays valid). Throws
 * `ERR_CORRUPT_LOG` for a stream that is not binary COPY of the fact columns, the driver's
 * error when the connection fails. Cost: one pass over the bytes.
 */
export async function streamRows(
  client: pg.Client,
  names: SchemaNames,
  afterSeq: number,
  onRow: (row: CopyRow) => void,
): Promise<void> {
  const rows = new BinaryCopyRows(FACT_COLUMNS.length);
  const stream = client.query(copyTo(copyFactsAfter(names.facts, afterSeq)));
  for await (const chunk of stream) rows.push(chunk as Buffer, onRow);
  rows.finish();
}

/** Bytes of the tables of `names` on disk (heap, indexes, TOAST). Cost: one statement. */
export async function tableBytes(client: pg.Client, names: SchemaNames): Promise<number> {
  const { rows } = await client.query<{ bytes: string }>(
    `SELECT pg_total_relation_size('${names.facts.replaceAll("'", "''")}') + pg_total_relation_size('${names.layout.replaceAll("'", "''")}') AS bytes`,
  );
  return Number(rows[0]?.bytes ?? 0);
}
