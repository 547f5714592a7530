import { defineConfig } from 'vitest/config';

// The client never touches an engine, but the server the tests start does: run the suite once
// per engine (ARCHITECTURE.md D9), like every package whose tests open a store.
export default defineConfig({
  test: {
    pool: 'forks',
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
