import { defineConfig } from 'vitest/config';

// Every test runs once per engine (DESIGN D9): the project name shows which.
export default defineConfig({
  test: {
    pool: 'forks',
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
