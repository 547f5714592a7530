import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  // Browsers, Bun and Deno too: no Node platform assumptions, no shims.
  platform: 'neutral',
  target: 'es2022',
});
