import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENGINE_KIND } from './support/engine.js';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

describe(`the CommonJS build (${ENGINE_KIND} run)`, () => {
  it('gives every entry point the same IgniterError class', () => {
    const probe = `
      const core = require(${JSON.stringify(`${dist}/index.cjs`)});
      const storage = require(${JSON.stringify(`${dist}/storage/index.cjs`)});
      try {
        storage.decodeFrames(new Uint8Array([0, 0, 0, 1, 7, 0, 0, 0, 0]), { maxFrameBytes: 16 });
      } catch (error) {
        console.log(JSON.stringify({ code: error.code, shared: error instanceof core.IgniterError }));
      }`;
    const result = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ code: 'ERR_CORRUPT_FRAME', shared: true });
  });
});
