import { describe, expect, it } from 'vitest';
import { ENGINE_KIND } from './support/engine.js';
import { useInstalledCore } from './support/installed-core.js';

// A project that installed only the built @igniter/core: no @igniter/protocol beside it.
const project = useInstalledCore('igniter-core-no-protocol-');

// Opens a store over a backend whose log holds one protocol descriptor, and reports whether it
// opened and which warnings it emitted (warnings are delivered on a later tick).
const source = `
  const { IgniterStore } = require('@igniter/core');
  const first = new IgniterStore();
  first.commitDescriptor('access_path:open', { kind: 'access_path', name: 'open', store: 'tasks', fields: [] });
  first.write({ store: 'tasks', key: 't1', value: { status: 'open' } });
  const facts = first.factLogAll();
  const warnings = [];
  process.on('warning', (w) => warnings.push({ code: w.code, message: w.message }));
  const backend = { replay: () => facts, writeFact() {}, flush: async () => {}, close: async () => {} };
  const store = new IgniterStore({ backend });
  setTimeout(() => console.log(JSON.stringify({ value: store.read({ store: 'tasks', key: 't1' }), warnings })), 10);`;

describe(`a reopened log with descriptors, without @igniter/protocol (${ENGINE_KIND} run)`, () => {
  it('opens, and warns once that the descriptors are not applied', () => {
    expect(project.run(source, { env: { IGNITER_ENGINE: 'ts' } }).stdout).toEqual({
      value: { status: 'open' },
      warnings: [
        {
          code: 'IGNITER_DESCRIPTORS_NOT_APPLIED',
          message:
            'the store holds protocol descriptors but @igniter/protocol is not installed: their access paths and relations are not registered',
        },
      ],
    });
  });
});
