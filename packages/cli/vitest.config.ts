import { defineConfig } from 'vitest/config';

// Every test runs once per engine (ARCHITECTURE.md D9): the project name shows which.
export default defineConfig({
  test: {
    pool: 'forks',
    // One throwaway PostgreSQL server for the run (or IGNITER_PG_URL): the `serve --postgres` tests.
    globalSetup: ['./test/support/global-setup.ts'],
    // Real processes and servers: a loaded machine can take seconds to start one.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: ['ts', 'native'].map((engine) => ({
      extends: true,
      test: {
        name: engine,
        include: ['test/**/*.test.ts'],
        env: { IGNITER_ENGINE: engine },
      },
    })),
  },
});
