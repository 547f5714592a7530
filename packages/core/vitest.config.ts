import { defineConfig } from 'vitest/config';

// Every engine-touching test runs once per engine (ARCHITECTURE.md D9): the project name shows which.
// The differential test builds both engines itself, so it runs once, in its own project.
const differential = 'test/engine-differential.test.ts';

export default defineConfig({
  test: {
    pool: 'forks',
    // The limit only catches hangs: on a loaded machine a test doing real I/O can take seconds.
    testTimeout: 30_000,
    projects: [
      ...['ts', 'native'].map((engine) => ({
        extends: true as const,
        test: {
          name: engine,
          include: ['test/**/*.test.ts'],
          exclude: [differential],
          env: { IGNITER_ENGINE: engine },
        },
      })),
      { extends: true as const, test: { name: 'differential', include: [differential] } },
    ],
  },
});
