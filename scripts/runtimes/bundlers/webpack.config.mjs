// The webpack recipe (docs/runtimes.md "Bundlers"): an ESM bundle for Node. @igniter/native
// stays external (webpack cannot bundle a .node binary): the bundle requires it at run time, and
// without it @igniter/core falls back to its TypeScript engine with one warning.
import { resolve } from 'node:path';

export default {
  mode: 'production',
  target: 'node20',
  entry: './app.mjs',
  experiments: { outputModule: true },
  output: { path: resolve('dist', 'webpack'), filename: 'app.mjs', module: true, chunkFormat: 'module' },
  externals: { '@igniter/native': 'node-commonjs @igniter/native' },
};
