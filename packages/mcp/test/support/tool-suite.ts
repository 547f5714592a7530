import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreAccess } from '../../src/store-access.js';
import { type McpSession, mcpSession } from './mcp-session.js';

/** A store to run the suite against: its access, and how to put it away. */
export interface SuiteTarget {
  access: StoreAccess;
  close(): Promise<void>;
}

const READ_TOOLS = [
  'read',
  'read_fact',
  'history',
  'query',
  'lineage',
  'fact_ref',
  'replay',
  'stores',
  'keys',
  'storage_stats',
];

/**
 * The MCP tools' behaviour over one kind of store access (a store opened in-process, or a server
 * through @igniter/client): every tool, its answers and its errors. `open` gives a fresh, empty
 * file-backed store each time.
 */
export function toolSuite(label: string, open: () => Promise<SuiteTarget>): void {
  describe(`MCP tools over ${label}`, () => {
    let target: SuiteTarget;
    let reader: McpSession;
    let writer: McpSession;

    beforeEach(async () => {
      target = await open();
      reader = await mcpSession(target.access, false);
      writer = await mcpSession(target.access, true);
    });

    afterEach(async () => {
      await reader.close();
      await writer.close();
      await target.close();
    });

    it('lists the ten read tools, each with an object input schema that refuses unknown arguments', async () => {
      const { tools } = await reader.client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(READ_TOOLS);
      for (const tool of tools) {
        expect(tool.inputSchema.type).toBe('object');
        expect((tool.inputSchema as Record<string, unknown>).additionalProperties).toBe(false);
        expect(tool.annotations?.readOnlyHint).toBe(true);
      }
    });

    it('with writes allowed it also lists write and append', async () => {
      const { tools } = await writer.client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual([...READ_TOOLS, 'write', 'append']);
      const write = tools.find((tool) => tool.name === 'write');
      expect(write?.inputSchema.required).toEqual(['store', 'key', 'value']);
    });

    it('a read-only server answers write with ERR_READ_ONLY and writes nothing', async () => {
      const answer = await reader.call('write', { store: 'tasks', key: 't1', value: 1 });
      expect(answer).toEqual({
        isError: true,
        json: { error_code: 'ERR_READ_ONLY', error: 'write needs a server started with --allow-writes' },
      });
      expect((await reader.call('stores')).json).toEqual({ stores: [] });
    });

    it('write adds a fact that read, read_fact and history then return', async () => {
      const written = await writer.call('write', {
        store: 'tasks',
        key: 't1',
        value: { title: 'ship', done: false },
      });
      expect(written.isError).toBe(false);
      const fact = written.json.fact as Record<string, unknown>;
      expect(fact).toMatchObject({
        seq: 1,
        store: 'tasks',
        key: 't1',
        value: { title: 'ship', done: false },
      });
      expect(await reader.call('read', { store: 'tasks', key: 't1' })).toEqual({
        isError: false,
        json: { found: true, value: { title: 'ship', done: false } },
      });
      expect((await reader.call('read_fact', { store: 'tasks', key: 't1' })).json).toEqual({
        found: true,
        fact,
      });
      expect((await reader.call('history', { store: 'tasks', key: 't1' })).json).toEqual({ facts: [fact] });
    });

    it('read of a missing key answers found: false, not an error', async () => {
      expect(await reader.call('read', { store: 'tasks', key: 'nope' })).toEqual({
        isError: false,
        json: { found: false, value: null },
      });
      expect((await reader.call('read_fact', { store: 'tasks', key: 'nope' })).json).toEqual({
        found: false,
        fact: null,
      });
    });

    it('read with as_of answers the value as it was then', async () => {
      const first = (await writer.call('write', { store: 'tasks', key: 't1', value: 'open' })).json.fact as {
        transactionTime: number;
      };
      await new Promise((resolve) => setTimeout(resolve, 5));
      await writer.call('write', { store: 'tasks', key: 't1', value: 'done' });
      expect(
        (await reader.call('read', { store: 'tasks', key: 't1', as_of: first.transactionTime })).json,
      ).toEqual({
        found: true,
        value: 'open',
      });
      expect((await reader.call('read', { store: 'tasks', key: 't1' })).json).toEqual({
        found: true,
        value: 'done',
      });
    });

    it('query answers the keys whose value matches where, one page at a time', async () => {
      for (const [key, status] of [
        ['a', 'open'],
        ['b', 'done'],
        ['c', 'open'],
        ['d', 'open'],
      ]) {
        await writer.call('write', { store: 'tasks', key, value: { status } });
      }
      const first = await reader.call('query', { store: 'tasks', where: { status: 'open' }, limit: 2 });
      expect((first.json.facts as Array<{ key: string }>).map((fact) => fact.key)).toEqual(['a', 'c']);
      expect(first.json.next).toBe('c');
      const second = await reader.call('query', {
        store: 'tasks',
        where: { status: 'open' },
        limit: 2,
        after: 'c',
      });
      expect((second.json.facts as Array<{ key: string }>).map((fact) => fact.key)).toEqual(['d']);
      expect(second.json.next).toBeNull();
    });

    it('stores and keys list what was written', async () => {
      await writer.call('write', { store: 'tasks', key: 'b', value: 1 });
      await writer.call('write', { store: 'tasks', key: 'a', value: 1 });
      await writer.call('write', { store: 'tasks', key: 'a', value: 2 });
      await writer.call('write', { store: 'notes', key: 'n', value: 'x' });
      expect((await reader.call('stores')).json).toEqual({
        stores: [
          { store: 'notes', factCount: 1, keyCount: 1 },
          { store: 'tasks', factCount: 3, keyCount: 2 },
        ],
      });
      expect((await reader.call('keys', { store: 'tasks' })).json).toEqual({ keys: ['a', 'b'], next: null });
      expect((await reader.call('keys', { store: 'tasks', limit: 1 })).json).toEqual({
        keys: ['a'],
        next: 'a',
      });
    });

    it('lineage and fact_ref trace a fact without its value', async () => {
      const one = (await writer.call('write', { store: 'tasks', key: 't1', value: 1 })).json.fact as Record<
        string,
        unknown
      >;
      const two = (await writer.call('write', { store: 'tasks', key: 't1', value: 2 })).json.fact as Record<
        string,
        unknown
      >;
      const lineage = (await reader.call('lineage', { store: 'tasks', key: 't1' })).json;
      expect(lineage.subject).toEqual({ store: 'tasks', key: 't1' });
      expect(lineage.depth).toBe(2);
      expect(
        (lineage.chain as Array<{ id: string; causation: string | null }>).map((e) => [e.id, e.causation]),
      ).toEqual([
        [one.id, null],
        [two.id, one.id],
      ]);
      expect((await reader.call('fact_ref', { fact_id: two.id })).json).toEqual({
        found: true,
        ref: {
          id: two.id,
          store: 'tasks',
          key: 't1',
          transaction_time: two.transactionTime,
          valid_time: null,
          value_hash: two.valueHash,
        },
      });
      expect((await reader.call('fact_ref', { fact_id: 'no-such-id' })).json).toEqual({
        found: false,
        ref: null,
      });
    });

    it('replay pages through every fact in seq order', async () => {
      for (const key of ['a', 'b', 'c']) await writer.call('write', { store: 'tasks', key, value: key });
      const first = (await reader.call('replay', { limit: 2 })).json;
      expect((first.facts as Array<{ seq: number }>).map((fact) => fact.seq)).toEqual([1, 2]);
      expect(first).toMatchObject({ next_cursor: 2, has_more: true });
      const rest = (await reader.call('replay', { after: 2 })).json;
      expect((rest.facts as Array<{ key: string }>).map((fact) => fact.key)).toEqual(['c']);
      expect(rest).toMatchObject({ next_cursor: 3, has_more: false });
    });

    it('storage_stats answers the file store statistics', async () => {
      await writer.call('write', { store: 'tasks', key: 'a', value: 'x' });
      const { stats } = (await reader.call('storage_stats')).json as { stats: Record<string, unknown> };
      expect(stats).toMatchObject({ backend: 'file', fact_count: 1 });
      expect(Object.keys(stats.stores as object)).toEqual(['tasks']);
    });

    it('append adds an event under a fresh key of a history store', async () => {
      const answer = await writer.call('append', { history: 'events', event: { type: 'opened' } });
      expect(answer.isError).toBe(false);
      const fact = answer.json.fact as { store: string; key: string; value: unknown };
      expect(fact.store).toBe('events');
      expect(fact.value).toEqual({ type: 'opened' });
      expect((await reader.call('keys', { store: 'events' })).json).toEqual({ keys: [fact.key], next: null });
    });

    it('a conditional write that does not hold answers ERR_CONFLICT with its details', async () => {
      await writer.call('write', { store: 'tasks', key: 't1', value: 1 });
      const answer = await writer.call('write', { store: 'tasks', key: 't1', value: 2, expect_absent: true });
      expect(answer.isError).toBe(true);
      expect(answer.json).toMatchObject({
        error_code: 'ERR_CONFLICT',
        details: { store: 'tasks', key: 't1', actualSeq: 1 },
      });
      expect((await reader.call('read', { store: 'tasks', key: 't1' })).json).toEqual({
        found: true,
        value: 1,
      });
    });

    it('a write to a reserved store answers ERR_RESERVED_NAME', async () => {
      const answer = await writer.call('write', { store: '__rules', key: 'k', value: 1 });
      expect(answer.isError).toBe(true);
      expect(answer.json.error_code).toBe('ERR_RESERVED_NAME');
    });

    it('an unknown argument answers ERR_INVALID_ARGUMENT naming it', async () => {
      const answer = await reader.call('read', { store: 'tasks', key: 't1', asof: 5 });
      expect(answer.isError).toBe(true);
      expect(answer.json.error_code).toBe('ERR_INVALID_ARGUMENT');
      expect(answer.json.error).toContain('asof');
    });

    it('a missing required argument answers ERR_INVALID_ARGUMENT', async () => {
      const answer = await reader.call('history', { store: 'tasks' });
      expect(answer).toMatchObject({ isError: true, json: { error_code: 'ERR_INVALID_ARGUMENT' } });
    });
  });
}
