import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { followPostgresStore } from '../../src/index.js';
import { schemaNames } from '../../src/layout.js';
import { pgUrl } from '../support/pg.js';
import { ENGINE, usePostgresStores } from '../support/stores.js';

const stores = usePostgresStores();

/** A connection LISTENing on the writer's channel of `schema`, recording every payload. */
async function noticesOf(schema: string): Promise<{ payloads: string[]; next: () => Promise<string> }> {
  const client = await stores.sql();
  const payloads: string[] = [];
  const waiting: Array<(payload: string) => void> = [];
  let read = 0;
  client.on('notification', (message: pg.Notification) => {
    payloads.push(message.payload ?? '');
    waiting.shift()?.(message.payload ?? '');
  });
  await client.query(`LISTEN ${schemaNames(schema).channel}`);
  const next = () => {
    const payload = payloads[read];
    read += 1;
    return payload !== undefined ? Promise.resolve(payload) : new Promise<string>((r) => waiting.push(r));
  };
  return { payloads, next };
}

/** Polls `check` until it holds (a follower's poll runs every 200 ms in these tests). */
async function eventually(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the condition did not come true within 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe(`the writer's notices and a follower that misses them (${ENGINE} engine)`, () => {
  it('each batch sends "append <first> <last>", a compaction "rewrite <high-water seq>"', async () => {
    const writer = await stores.writer();
    const notices = await noticesOf(stores.schema());
    writer.setRetention('temp', { strategy: 'ephemeral' });
    writer.write({ store: 'temp', key: 'a', value: 1 });
    writer.write({ store: 'temp', key: 'a', value: 2 });
    writer.write({ store: 'temp', key: 'b', value: 3 });
    await writer.flush();
    expect(await notices.next()).toBe('append 1 3');
    writer.write({ store: 'temp', key: 'b', value: 4 });
    await writer.flush();
    expect(await notices.next()).toBe('append 4 4');
    writer.compact('temp');
    await writer.flush();
    expect(await notices.next()).toBe(`rewrite ${writer.factLogAll().at(-1)?.seq}`);
  });

  it('a rewrite notice makes a follower drop what the compaction removed, with no poll', async () => {
    const writer = await stores.writer();
    const follower = await stores.follower({ pollMs: 60_000 });
    writer.setRetention('temp', { strategy: 'ephemeral' });
    writer.write({ store: 'temp', key: 'a', value: 1 });
    const second = writer.write({ store: 'temp', key: 'a', value: 2 });
    await writer.flush();
    await follower.waitForSeq(second.seq, { timeoutMs: 10_000 });
    writer.compact('temp');
    const after = writer.write({ store: 'temp', key: 'b', value: 3 });
    await writer.flush();
    await follower.waitForSeq(after.seq, { timeoutMs: 10_000 });
    expect(follower.factLogAll().map((f) => f.id)).toEqual(writer.factLogAll().map((f) => f.id));
    expect(follower.history({ store: 'temp', key: 'a' }).map((f) => f.value)).toEqual([2]);
  });

  it('a follower catches up at its next poll on commits whose notification never came', async () => {
    // The facts are committed under another schema, then copied into the followed table by
    // plain SQL, which notifies nobody.
    const source = await stores.writer();
    const facts = [1, 2, 3].map((n) => source.write({ store: 's', key: `k${n}`, value: { n } }));
    await source.close();
    const from = stores.schema();
    const follower = stores.track(
      await followPostgresStore({
        engine: ENGINE,
        pollMs: 200,
        connectionString: pgUrl,
        schema: `${from}_quiet`,
      }),
    );
    const sql = await stores.sql();
    await sql.query(`INSERT INTO "${from}_quiet".igniter_facts SELECT * FROM "${from}".igniter_facts`);
    await follower.waitForSeq(3, { timeoutMs: 10_000 });
    expect(follower.factLogAll().map((f) => [f.seq, f.id, f.valueHash])).toEqual(
      facts.map((f) => [f.seq, f.id, f.valueHash]),
    );
  });

  it('a follower drops rows a rewrite deleted at its next poll, when the rewrite notified nobody', async () => {
    const writer = await stores.writer();
    const follower = await stores.follower();
    for (const n of [1, 2, 3]) writer.write({ store: 's', key: `k${n}`, value: { n } });
    await writer.close();
    await follower.waitForSeq(3, { timeoutMs: 10_000 });
    const sql = await stores.sql();
    const schema = stores.schema();
    await sql.query('BEGIN');
    await sql.query(`DELETE FROM "${schema}".igniter_facts WHERE seq = 2`);
    await sql.query(`UPDATE "${schema}".igniter_layout SET generation = generation + 1`);
    await sql.query('COMMIT');
    await eventually(() => follower.factCount() === 2);
    expect(follower.factLogAll().map((f) => f.key)).toEqual(['k1', 'k3']);
  });
});
