import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const demo = join(dirname(fileURLToPath(import.meta.url)), '..', 'demo', 'demo.mjs');
const dir = mkdtempSync(join(tmpdir(), 'igniter-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pnpm demo', () => {
  const result = spawnSync(process.execPath, [demo], {
    env: { ...process.env, IGNITER_DEMO_DIR: dir, IGNITER_DEMO_QUICK: '1' },
    encoding: 'utf8',
  });
  const lines = result.stdout.split('\n');

  it('exits cleanly without warnings', () => {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('walks through every section under a heading', () => {
    expect(lines.filter((line) => line.startsWith('== ')).map((line) => line.replace(/:.*/, ''))).toEqual([
      '== 1. Writes and updates',
      '== 2. Time travel',
      '== 3. Bitemporal read',
      '== 4. History of a key',
      '== 5. Scope query with a consumer',
      '== 6. A derivation and a relation, with provenance',
      '== 7. Lineage with its proof hash',
      '== 8. Retention',
      '== 9. Reopen',
      '== 10. Throughput',
    ]);
  });

  it.each([
    ['current value', '{"status":"done","title":"Buy milk"}'],
    ['t1 as of 2026-01-01 09:00', '{"status":"open","title":"Buy milk"}'],
    ['price on Jan 7, as known today', '{"price":12}'],
    ['price on Jan 7, as known on Jan 8', '{"price":10}'],
    ['open tasks', '["t2: Walk dog","t3: Read a book"]'],
    ['derived revenue', '{"paidOrders":2,"total":42}'],
    ['orders of ada (relation)', '[30,12]'],
    ['compaction', '{"dropped":4,"kept":1}'],
    ['facts before and after', '16 -> 16'],
    ['sensor history after reopen', '[23]'],
    ['compaction receipts after reopen', '1'],
  ])('shows %s as %s', (label, value) => {
    expect(lines).toContain(`   ${label.padEnd(34)} ${value}`);
  });

  it('ends with a throughput figure for both engines', () => {
    expect(lines.filter((line) => / engine {2,}[\d,]+ writes\/s \(20,000 facts\)$/.test(line))).toHaveLength(
      2,
    );
  });
});
