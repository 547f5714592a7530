import { defineConfig } from 'vitest/config';

// Unit tests of the app's pure modules (routes, diff, formats) in Node; the page itself is tested
// in a real browser by @igniter/server's test/browser suite.
export default defineConfig({
  root: '.',
  test: { include: ['test/**/*.test.ts'] },
});
