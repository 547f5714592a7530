import assert from 'node:assert/strict';
import { assertMessage } from './client.js';
import { check } from './define.js';
import type { ConformanceCheck } from './kit.js';

const S = '5.1';
const REMINDER_COMMAND = {
  kind: 'command',
  name: 'complete',
  owner: 'reminders',
  operation: 'record_update',
  changes: { status: 'done' },
};
const REMINDER_EFFECT = {
  kind: 'effect',
  name: 'complete',
  owner: 'reminders',
  store_op: 'store_write',
  write_kind: 'update',
  source_operation: 'record_update',
};

/** §5.1 Registration of the behaviour kinds: derivation, command, effect, subscription. */
export const behaviourKindChecks: readonly ConformanceCheck[] = [
  check('B18', S, 'a derivation is stored as metadata, with a warning saying so', async ({ client }) => {
    const r = await client.register({
      kind: 'derivation',
      name: 'today_focus',
      inputs: ['tasks'],
      output: 'focus_items',
    });
    assert.equal(r.status, 'accepted');
    assertMessage(r.warnings[0] ?? '', /metadata only/);
    const snapshot = await client.ok('descriptor_snapshot');
    assert.deepEqual(snapshot.derivations.today_focus, {
      kind: 'derivation',
      name: 'today_focus',
      inputs: ['tasks'],
      output: 'focus_items',
    });
  }),
  check('B19', S, 'a command gets its defaults and keeps extra fields', async ({ client }) => {
    assert.equal((await client.register(REMINDER_COMMAND)).status, 'accepted');
    const meta = await client.ok('metadata_snapshot');
    assert.deepEqual(meta.commands.reminders?.complete, {
      ...REMINDER_COMMAND,
      target_shape: 'store',
      boundary: 'app',
      mutation_intent: 'record_update',
    });
  }),
  check('B20', S, 'a command with only a name is rejected naming owner and operation', async ({ client }) => {
    const r = await client.register({ kind: 'command', name: 'complete' });
    assert.equal(r.status, 'rejected');
    assertMessage(r.errors[0] ?? '', /owner, operation/);
  }),
  check('B21', S, 'an unsupported command operation is rejected', async ({ client }) => {
    const r = await client.register({ kind: 'command', name: 'go', owner: 'ships', operation: 'teleport' });
    assert.equal(r.status, 'rejected');
    assertMessage(r.errors[0] ?? '', /unsupported command operation.*teleport/i);
  }),
  check('B22', S, 'an effect gets lowers_to and boundary and keeps source_operation', async ({ client }) => {
    assert.equal((await client.register(REMINDER_EFFECT)).status, 'accepted');
    const meta = await client.ok('metadata_snapshot');
    assert.deepEqual(meta.effects.reminders?.complete, {
      ...REMINDER_EFFECT,
      lowers_to: 'store_t',
      boundary: 'app',
    });
  }),
  check('B23', S, 'an unsupported effect store_op is rejected', async ({ client }) => {
    const r = await client.register({ ...REMINDER_EFFECT, store_op: 'system_shell' });
    assert.equal(r.status, 'rejected');
    assertMessage(r.errors[0] ?? '', /unsupported effect store_op/i);
  }),
  check('B24', S, 'descriptor_snapshot keys commands and effects by owner, then name', async ({ client }) => {
    await client.register(REMINDER_COMMAND);
    await client.register(REMINDER_EFFECT);
    const snapshot = await client.ok('descriptor_snapshot');
    assert.deepEqual(
      [Object.keys(snapshot.commands), Object.keys(snapshot.effects)],
      [['reminders'], ['reminders']],
    );
    assert.deepEqual(
      [Object.keys(snapshot.commands.reminders ?? {}), Object.keys(snapshot.effects.reminders ?? {})],
      [['complete'], ['complete']],
    );
  }),
  check(
    'V1-owner',
    S,
    "a command's identity includes its owner: two owners each register a command of one name",
    async ({ client }) => {
      const tasks = { ...REMINDER_COMMAND, owner: 'tasks', operation: 'record_append' };
      const receipts = [await client.register(REMINDER_COMMAND), await client.register(tasks)];
      assert.deepEqual(
        receipts.map((r) => r.status),
        ['accepted', 'accepted'],
      );
      const meta = await client.ok('metadata_snapshot');
      assert.deepEqual(
        [meta.commands.reminders?.complete?.operation, meta.commands.tasks?.complete?.operation],
        ['record_update', 'record_append'],
      );
      assert.equal((await client.register({ ...tasks, operation: 'none' })).status, 'conflict');
    },
  ),
  check(
    'B25',
    S,
    'a subscription is stored and listed, with a warning that delivery is the changefeed',
    async ({ client }) => {
      const r = await client.register({
        kind: 'subscription',
        name: 'open_tasks_changed',
        source: 'tasks',
        where: { status: 'open' },
        events: ['write'],
      });
      assert.equal(r.status, 'accepted');
      assertMessage(r.warnings[0] ?? '', /changefeed/);
      const snapshot = await client.ok('descriptor_snapshot');
      assert.equal(snapshot.subscriptions.open_tasks_changed?.name, 'open_tasks_changed');
    },
  ),
];
