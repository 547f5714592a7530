import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'storage/index': 'src/storage/index.ts',
    // No Node imports: @igniter/client takes IgniterError from here into browser bundles.
    'errors/index': 'src/errors-entry.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // Shared chunks in the CJS build too, so every entry point sees one IgniterError class.
  splitting: true,
  sourcemap: true,
  target: 'node20',
  shims: true,
  // The CommonJS build has no import.meta.resolve: optional-package.ts then requires the CommonJS
  // builds of sibling packages (ARCHITECTURE.md, "Packages and module systems").
  esbuildOptions(options, { format }) {
    if (format === 'cjs') options.define = { ...options.define, 'import.meta.resolve': 'undefined' };
  },
  // The contract suite runs inside the caller's vitest; never bundle it.
  external: ['vitest'],
});
