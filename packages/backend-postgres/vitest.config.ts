import { defineConfig } from 'vitest/config';

// One throwaway PostgreSQL server for the whole run (or IGNITER_PG_URL), started by the global
// setup. Backend tests do not touch an engine and run once; tests through IgniterStore run
// once per engine (ARCHITECTURE.md D9).
export default defineConfig({
  test: {
    pool: 'forks',
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'backend', include: ['test/backend/**/*.test.ts'] } },
      // Separate processes on the default engine: what they prove does not depend on it.
      { extends: true, test: { name: 'processes', include: ['test/processes/**/*.test.ts'] } },
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
