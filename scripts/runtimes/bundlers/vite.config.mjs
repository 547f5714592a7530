// The Vite recipe (docs/runtimes.md "Bundlers"): an SSR build for Node that bundles
// @igniter/core and @igniter/backend-file (ssr.noExternal); @igniter/native stays a run-time
// require, so the bundle finds the addon in node_modules or falls back with one warning.
export default {
  build: { ssr: 'app.mjs', outDir: 'dist/vite', target: 'node20' },
  ssr: { noExternal: ['@igniter/core', '@igniter/backend-file'] },
};
