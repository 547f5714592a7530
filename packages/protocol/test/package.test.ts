import { rmSync } from 'node:fs';
import { decodeFrames as coreDecodeFrames, encodeFrame as coreEncodeFrame } from '@igniter/core/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames, encodeFrame } from '../src/index.js';
import { assertBuilt, projectWith, runNode } from './support/built.js';
import { ENGINE } from './support/stores.js';

function run(cwd: string, source: string, type: 'commonjs' | 'module'): unknown {
  return JSON.parse(runNode(cwd, source, type)) as unknown;
}

let withProtocol = '';
let coreOnly = '';

beforeAll(() => {
  assertBuilt();
  withProtocol = projectWith(['core', 'protocol']);
  coreOnly = projectWith(['core']);
});

afterAll(() => {
  for (const dir of [withProtocol, coreOnly]) rmSync(dir, { recursive: true, force: true });
});

const DESCRIPTOR = "{ kind: 'store', name: 'tasks', key: 'id' }";

describe(`the built package (${ENGINE} run)`, () => {
  it('store.registerDescriptor loads @igniter/protocol lazily and caches one interpreter (CommonJS)', () => {
    const outcome = run(
      withProtocol,
      `const { IgniterStore } = require('@igniter/core');
       const store = new IgniterStore();
       const receipt = store.registerDescriptor(${DESCRIPTOR});
       const again = store.registerDescriptor(${DESCRIPTOR});
       console.log(JSON.stringify({ status: [receipt.status, again.status], same: store.protocol() === store.protocol() }));`,
      'commonjs',
    );
    expect(outcome).toEqual({ status: ['accepted', 'unchanged'], same: true });
  });

  it('ESM dispatch runs on the interpreter core loaded from the CommonJS build', () => {
    const outcome = run(
      withProtocol,
      `import { IgniterStore } from '@igniter/core';
       import { dispatch } from '@igniter/protocol';
       const store = new IgniterStore();
       store.registerDescriptor(${DESCRIPTOR});
       const viaInterpreter = await dispatch(store.protocol(), { protocol: 'igniter_store', schema_version: 1, op: 'descriptor_snapshot' });
       const conflict = await dispatch(store, { protocol: 'igniter_store', schema_version: 1, op: 'register_descriptor',
         packet: { kind: 'store', name: 'tasks', key: 'uuid' } });
       const closed = await store.close().then(() => dispatch(store.protocol(), { protocol: 'igniter_store', schema_version: 1, op: 'read', packet: { store: 's', key: 'k' } }));
       console.log(JSON.stringify({ names: Object.keys(viaInterpreter.result.stores), conflict: conflict.result.status, closed: closed.error_code }));`,
      'module',
    );
    expect(outcome).toEqual({ names: ['tasks'], conflict: 'conflict', closed: 'ERR_CLOSED' });
  });

  it('the conformance kit loads from its subpath in both module systems', () => {
    const source = (load: string) =>
      `${load}
       console.log(JSON.stringify({ count: kit.conformanceChecks().length, run: typeof kit.runConformance }));`;
    const cjs = run(
      withProtocol,
      source("const kit = require('@igniter/protocol/conformance');"),
      'commonjs',
    );
    const esm = run(withProtocol, source("import * as kit from '@igniter/protocol/conformance';"), 'module');
    expect(esm).toEqual(cjs);
    expect(cjs).toMatchObject({ run: 'function' });
  });

  it('without @igniter/protocol, store.protocol() throws ERR_MISSING_PACKAGE naming it', () => {
    const outcome = run(
      coreOnly,
      `const { IgniterStore } = require('@igniter/core');
       try { new IgniterStore().registerDescriptor(${DESCRIPTOR}); console.log('{}'); }
       catch (error) { console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message })); }`,
      'commonjs',
    );
    expect(outcome).toMatchObject({
      name: 'IgniterError',
      code: 'ERR_MISSING_PACKAGE',
      message: expect.stringContaining('@igniter/protocol'),
    });
  });
});

describe('framing', () => {
  it('encodeFrame and decodeFrames are core’s shared codec, re-exported', () => {
    expect(encodeFrame).toBe(coreEncodeFrame);
    expect(decodeFrames).toBe(coreDecodeFrames);
  });

  it('a frame is u32 BE length | body | u32 BE CRC-32 and decodes back, keeping an incomplete tail', () => {
    const body = new TextEncoder().encode('{"op":"describe"}');
    const frame = encodeFrame(body);
    expect([...frame.subarray(0, 4)]).toEqual([0, 0, 0, body.length]);
    const stream = new Uint8Array([...frame, ...frame.subarray(0, 5)]);
    const { frames, rest } = decodeFrames(stream, { maxFrameBytes: 1024 });
    expect(frames.map((f) => new TextDecoder().decode(f))).toEqual(['{"op":"describe"}']);
    expect(rest.length).toBe(5);
  });

  it('a bad CRC is ERR_CORRUPT_FRAME and a length over maxFrameBytes is ERR_FRAME_TOO_LARGE', () => {
    const frame = encodeFrame(new Uint8Array([1, 2, 3]));
    const damaged = Uint8Array.from(frame);
    damaged[5] = 9;
    expect(() => decodeFrames(damaged, { maxFrameBytes: 1024 })).toThrow(
      expect.objectContaining({ code: 'ERR_CORRUPT_FRAME' }),
    );
    expect(() => decodeFrames(frame, { maxFrameBytes: 2 })).toThrow(
      expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }),
    );
  });
});
