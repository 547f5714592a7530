import { defineConfig } from 'tsup';

// The Node entry only: where the built app's files are. The app itself is built by Vite.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: false,
  sourcemap: true,
  platform: 'node',
  target: 'es2022',
  shims: true,
});
