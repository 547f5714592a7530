import { defineConfig } from 'vite';

// The app lives in src/app and builds to dist/app, static files with relative asset URLs (the
// server serves them at '/'). Preact's automatic JSX runtime; no CDN, nothing fetched at run time.
export default defineConfig({
  root: 'src/app',
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../../dist/app',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
});
