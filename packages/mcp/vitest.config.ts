import { defineConfig } from 'vitest/config';

// Every test runs once per engine (ARCHITECTURE.md D9): the project name shows which.
export default defineConfig({
  test: {
    pool: 'forks',
    // The remote suite and the README start real servers: a loaded machine can take seconds.
    testTimeout: 30_000,
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
