import { describe, expect, it } from 'vitest';
import { engineInfo } from '../src/engine/select.js';
import { ENGINE_KIND } from './support/engine.js';
import { useInstalledCore } from './support/installed-core.js';

// A project that has @igniter/core (the built package) but no @igniter/native, as after an
// install with optional dependencies omitted or on an unsupported platform.
const project = useInstalledCore('igniter-no-native-');

const probe = `
const { canonicalJson, engineInfo } = require('@igniter/core');
try {
  const info = engineInfo();
  console.log(JSON.stringify({ info, canonical: canonicalJson({ b: 1, a: 2 }) }));
} catch (error) {
  console.log(JSON.stringify({ code: error.code, name: error.name }));
}`;

const runProbe = (env: Record<string, string>): { stdout: unknown; stderr: string } =>
  project.run(probe, { env });

describe(`engine selection (${ENGINE_KIND} run)`, () => {
  it('picks the engine IGNITER_ENGINE names for auto', () => {
    expect(engineInfo()).toMatchObject({ kind: ENGINE_KIND, reason: `IGNITER_ENGINE=${ENGINE_KIND}` });
  });

  it('falls back to the TS engine with one warning when the addon is missing', () => {
    const { stdout, stderr } = runProbe({});
    expect(stdout).toEqual({
      info: {
        kind: 'ts',
        version: '0.1.0',
        reason: expect.stringContaining('@igniter/native could not be loaded'),
      },
      canonical: '{"a":2,"b":1}',
    });
    expect(stderr.match(/IGNITER_TS_FALLBACK/g)).toHaveLength(1);
  });

  it('fails with ERR_NATIVE_UNAVAILABLE when native is forced and the addon is missing', () => {
    expect(runProbe({ IGNITER_ENGINE: 'native' }).stdout).toEqual({
      code: 'ERR_NATIVE_UNAVAILABLE',
      name: 'IgniterError',
    });
  });

  it('uses the TS engine without a warning when IGNITER_ENGINE=ts', () => {
    const { stdout, stderr } = runProbe({ IGNITER_ENGINE: 'ts' });
    expect(stdout).toMatchObject({ info: { kind: 'ts', reason: 'IGNITER_ENGINE=ts' } });
    expect(stderr).not.toContain('IGNITER_TS_FALLBACK');
  });

  it('rejects an unknown IGNITER_ENGINE with ERR_INVALID_ARGUMENT', () => {
    expect(runProbe({ IGNITER_ENGINE: 'fast' }).stdout).toEqual({
      code: 'ERR_INVALID_ARGUMENT',
      name: 'IgniterError',
    });
  });
});
