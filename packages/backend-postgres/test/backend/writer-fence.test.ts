import { contractFact } from '@igniter/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresBackend } from '../../src/index.js';
import { freshSchema, pgUrl } from '../support/pg.js';
import { codeOf, usePostgresStores } from '../support/stores.js';

const pg = usePostgresStores();
const opened: PostgresBackend[] = [];
afterEach(async () => {
  for (const backend of opened.splice(0)) await backend.close().catch(() => undefined);
});
const connect = async (schema: string, durability: 'group' | 'sync' = 'group') => {
  const backend = await PostgresBackend.connect({ connectionString: pgUrl, schema, durability });
  opened.push(backend);
  return backend;
};
const seqsIn = async (schema: string): Promise<number[]> => {
  const sql = await pg.sql();
  const { rows } = await sql.query<{ seq: string }>(`SELECT seq FROM "${schema}".igniter_facts ORDER BY seq`);
  return rows.map((r) => Number(r.seq));
};
/** Ends the backend's session from another connection, as a server restart or a network cut would. */
const cutWriterConnection = async (schema: string): Promise<void> => {
  const sql = await pg.sql();
  const { rows } = await sql.query<{ ended: boolean }>(
    `SELECT pg_terminate_backend(pid) AS ended FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objid = (hashtextextended($1, 0) & 4294967295)::oid`,
    [`igniter writer ${schema}`],
  );
  expect(rows).toEqual([{ ended: true }]);
};
const until = async (check: () => boolean, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('the writer fence', () => {
  it('a second writer of the same schema gets ERR_LOCKED, a writer of another schema does not', async () => {
    const schema = freshSchema();
    await connect(schema);
    expect(await codeOf(() => connect(schema))).toBe('ERR_LOCKED');
    expect((await connect(freshSchema())).role()).toBe('writer');
  });

  it('closing the writer frees the lock for the next one', async () => {
    const schema = freshSchema();
    const first = await connect(schema);
    first.writeFact(contractFact(1));
    await first.close();
    const second = await connect(schema);
    expect([...second.replay()].map((f) => f.seq)).toEqual([1]);
  });

  it('a writer whose connection is cut stops: writes throw ERR_CLOSED, flush rejects, nothing more reaches the table', async () => {
    const schema = freshSchema();
    const writer = await connect(schema);
    writer.writeFact(contractFact(1));
    await writer.flush();
    writer.writeFact(contractFact(2));
    let lost: { code: string } | undefined;
    writer.link({
      applyFacts: () => undefined,
      removeFacts: () => undefined,
      closed: (error) => (lost = error),
    });
    await cutWriterConnection(schema);
    await until(() => lost !== undefined);
    expect(lost?.code).toBe('ERR_CLOSED');
    expect(await codeOf(() => writer.writeFact(contractFact(3)))).toBe('ERR_CLOSED');
    expect(await codeOf(() => writer.flush())).toBe('ERR_CLOSED');
    const next = await connect(schema);
    const seqs = [...next.replay()].map((f) => f.seq);
    // Fact 2 was never acknowledged: it may or may not have committed before the cut.
    expect(seqs.slice(0, 1)).toEqual([1]);
    expect(seqs.every((s) => s <= 2)).toBe(true);
    next.writeFact(contractFact(10));
    await next.flush();
    expect(await seqsIn(schema)).toEqual([...seqs, 10]);
  });

  it("durability 'sync' commits only when flush is called", async () => {
    const schema = freshSchema();
    const writer = await connect(schema, 'sync');
    writer.writeFact(contractFact(1));
    await new Promise((r) => setTimeout(r, 100));
    expect(await seqsIn(schema)).toEqual([]);
    await writer.flush();
    expect(await seqsIn(schema)).toEqual([1]);
  });

  it("durability 'group' commits within a few group-commit periods without a flush", async () => {
    const schema = freshSchema();
    const writer = await connect(schema);
    writer.writeFact(contractFact(1));
    writer.writeFact(contractFact(2));
    let seqs: number[] = [];
    for (let i = 0; i < 100 && seqs.length < 2; i++) {
      seqs = await seqsIn(schema);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seqs).toEqual([1, 2]);
    expect(writer.role()).toBe('writer');
  });
});
