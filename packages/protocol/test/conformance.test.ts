import { describe, expect, it } from 'vitest';
import { conformanceChecks, registerConformanceTests, runConformance } from '../src/conformance/index.js';
import { ENGINE } from './support/stores.js';
import { fileTarget, memoryTarget, segmentedTarget } from './support/targets.js';

const leftInMemory = registerConformanceTests(
  memoryTarget,
  { describe, it },
  { name: `conformance, in memory (${ENGINE})` },
);
const leftOnFile = registerConformanceTests(
  fileTarget,
  { describe, it },
  { name: `conformance, file store (${ENGINE})` },
);
const leftSegmented = registerConformanceTests(
  segmentedTarget,
  { describe, it },
  { name: `conformance, segmented store (${ENGINE})` },
);

describe(`the conformance kit (${ENGINE} engine)`, () => {
  it('registers every check for a subject with lifecycle hooks', () => {
    expect([leftInMemory, leftOnFile, leftSegmented]).toEqual([[], [], []]);
  });

  it('covers §5.1 to §5.6 with unique ids', () => {
    const checks = conformanceChecks();
    expect(new Set(checks.map((c) => c.id)).size).toBe(checks.length);
    expect([...new Set(checks.map((c) => c.section))]).toEqual(['5.1', '5.2', '5.3', '5.4', '5.5', '5.6']);
  });

  it('reports lifecycle checks as not applicable to a subject without hooks, and passes the rest', async () => {
    const outcomes = await runConformance({
      open: () => {
        const { dispatch, close } = memoryTarget.open() as Awaited<ReturnType<typeof memoryTarget.open>>;
        return { dispatch, close };
      },
    });
    expect(outcomes.filter((o) => o.status === 'not_applicable').map((o) => o.id)).toEqual([
      'B75',
      'B76',
      'B77',
    ]);
    expect(outcomes.filter((o) => o.status === 'failed')).toEqual([]);
  });

  it('reports a failing behaviour with its reason', async () => {
    const outcomes = await runConformance({
      open: () => ({
        dispatch: async (request) => ({
          ...(request as object),
          status: 'error',
          error: 'down',
          error_code: 'ERR_INTERNAL',
          request_id: null,
        }),
      }),
    });
    const b40 = outcomes.find((o) => o.id === 'B40');
    expect(b40).toMatchObject({ status: 'failed', reason: expect.any(String) });
  });
});
