import { defineConfig } from 'vitest/config';

// Every test runs once per engine (ARCHITECTURE.md D9): the project name shows which. The inspector's
// browser tests drive the page, not an engine: they run once, in their own project.
export default defineConfig({
  test: {
    pool: 'forks',
    // Real processes and servers: a loaded machine can take seconds to start one.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      ...['ts', 'native'].map((engine) => ({
        extends: true as const,
        test: {
          name: engine,
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**'],
          env: { IGNITER_ENGINE: engine },
        },
      })),
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'] } },
    ],
  },
});
