import type pg from 'pg';
import { insertStatement } from './fact-rows.js';
import type { CommitOp } from './group-commit.js';
import type { SchemaNames } from './layout.js';
import { appendNotice, rewriteNotice } from './notice.js';

/**
 * Commits one group-commit op on `client` (the connection that holds the writer lock), atomically:
 * appended facts in one statement with the followers' NOTIFY (an append notice naming their
 * seqs); a rewrite (compaction, prune) in one transaction that inserts the new rows, deletes the
 * dropped ones, raises the high-water seq, bumps the generation followers watch and sends a
 * rewrite notice, then VACUUMs the table. Throws the driver's error (the op is then not
 * committed, or for a rewrite rolled back).
 * Cost: one round trip for appends; five plus the VACUUM for a rewrite.
 */
export async function commitOp(client: pg.Client, names: SchemaNames, op: CommitOp): Promise<void> {
  const { facts, layout, channel } = names;
  if (op.kind === 'facts') {
    const notice = appendNotice(op.rows.seq[0] as string, op.rows.seq[op.rows.length - 1] as string);
    // One statement, one round trip, one transaction: the rows and the followers' wake-up.
    // Prepared once per connection: PostgreSQL parses and plans the insert once.
    await client.query({
      name: 'igniter_append',
      text: `WITH inserted AS (${insertStatement(facts)}) SELECT pg_notify($14, $15)`,
      values: [...op.rows.params(), channel, notice],
    });
    return;
  }
  await client.query('BEGIN');
  try {
    if (op.rows.length > 0) await client.query(insertStatement(facts), op.rows.params());
    await client.query(`DELETE FROM ${facts} WHERE seq = ANY($1::bigint[])`, [op.deleteSeqs]);
    await client.query(
      `UPDATE ${layout} SET last_seq = greatest(last_seq, $1::bigint), generation = generation + 1`,
      [op.lastSeq],
    );
    await client.query('SELECT pg_notify($1, $2)', [channel, rewriteNotice(op.lastSeq)]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  // Deleted rows stay in the table's pages until VACUUM marks their space reusable.
  if (op.deleteSeqs.length > 0) await client.query(`VACUUM ${facts}`);
}
