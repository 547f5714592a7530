import { defineConfig } from 'vitest/config';

// Backend tests do not touch an engine and run once; tests through IgniterStore run once per
// engine (ARCHITECTURE.md D9). The project name shows which.
export default defineConfig({
  test: {
    pool: 'forks',
    // The limit only catches hangs: on a loaded machine a test doing real I/O can take seconds.
    testTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'backend', include: ['test/backend/**/*.test.ts'] } },
      ...['ts', 'native'].map((engine) => ({
        extends: true as const,
        test: {
          name: engine,
          include: ['test/store/**/*.test.ts'],
          env: { IGNITER_ENGINE: engine },
        },
      })),
    ],
  },
});
