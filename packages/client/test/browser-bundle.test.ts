import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const builtins = new Set(builtinModules.map((name) => name.replace(/^node:/, '')));

/** Records every import of a Node built-in (`fs`, `node:fs`, `fs/promises`...) the bundle reaches. */
function nodeBuiltinSpy(found: string[]): Plugin {
  return {
    name: 'node-builtin-spy',
    setup(builder) {
      builder.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.replace(/^node:/, '');
        if (args.path.startsWith('node:') || builtins.has(bare) || builtins.has(bare.split('/')[0] ?? '')) {
          found.push(`${args.path} (imported by ${relative(packageDir, args.importer)})`);
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
}

/** The package each bundled input file belongs to. */
function packagesOf(inputs: string[]): string[] {
  const names = inputs.map((input) => {
    if (input.includes('node_modules/')) {
      const rest = input.slice(input.lastIndexOf('node_modules/') + 'node_modules/'.length).split('/');
      return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? input);
    }
    return input.split('/').slice(0, 3).join('/');
  });
  return [...new Set(names)].sort();
}

async function bundle(entry: string, format: 'esm' | 'cjs') {
  const found: string[] = [];
  const result = await build({
    entryPoints: [join(packageDir, entry)],
    bundle: true,
    platform: 'browser',
    format,
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [nodeBuiltinSpy(found)],
  });
  return {
    found,
    inputs: Object.keys(result.metafile.inputs),
    bytes: result.outputFiles[0]?.contents.length ?? 0,
  };
}

describe('the built client in a browser bundle (esbuild, platform browser)', () => {
  it('the ESM build imports no Node built-in, directly or through its dependencies', async () => {
    const { found } = await bundle('dist/index.js', 'esm');
    expect(found).toEqual([]);
  });

  it('the CommonJS build imports no Node built-in either', async () => {
    const { found } = await bundle('dist/index.cjs', 'cjs');
    expect(found).toEqual([]);
  });

  it('takes only the client, core errors entry and eventsource-parser: not the store', async () => {
    const { inputs } = await bundle('dist/index.js', 'esm');
    const fromCore = inputs.filter((input) => input.includes('core/dist/'));
    expect(
      fromCore.filter((input) => !/core\/dist\/(errors\/index|chunk-[A-Z0-9]+)\.js$/.test(input)),
    ).toEqual([]);
    expect(fromCore).toHaveLength(2);
    expect(packagesOf(inputs.filter((input) => !input.includes('core/dist/')))).toEqual([
      'dist/index.js',
      'eventsource-parser',
    ]);
  });
});
