import { defineConfig } from 'vitest/config';

// Every test runs once per engine (ARCHITECTURE.md D9): backend tests too, because a backend opened for
// the native engine reads its files in Rust and one for the TS engine decodes them in JS. The
// project name shows which.
export default defineConfig({
  test: {
    pool: 'forks',
    // The limit only catches hangs: on a loaded machine a test doing real I/O can take seconds.
    testTimeout: 30_000,
    projects: ['ts', 'native'].flatMap((engine) => [
      {
        extends: true as const,
        test: {
          name: `backend-${engine}`,
          include: ['test/backend/**/*.test.ts'],
          env: { IGNITER_ENGINE: engine },
        },
      },
      {
        extends: true as const,
        test: { name: engine, include: ['test/store/**/*.test.ts'], env: { IGNITER_ENGINE: engine } },
      },
    ]),
  },
});
