import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as binding from '../src/engine/native-binding.js';

// The packed fact layout is named twice, once per side of the boundary: the SLOT_* constants of
// native-binding.ts (read by native-fact.ts) and `mod slot` of the Rust packer (written by it).
const packRs = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../crates/igniter-napi/src/native_log/pack.rs',
);

/** `pub const NAME: usize = N;` lines of `text`, as { NAME: N }. */
function rustConsts(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const match of text.matchAll(/pub const ([A-Z_]+): usize = (\d+);/g)) {
    out[match[1] as string] = Number(match[2]);
  }
  return out;
}

function rustSlotModule(): string {
  const text = readFileSync(packRs, 'utf8');
  const start = text.indexOf('pub mod slot {');
  expect(start).toBeGreaterThanOrEqual(0);
  return text.slice(start, text.indexOf('\n}', start));
}

describe('the packed fact layout', () => {
  it('names the same slot for every number in Rust (pack.rs) and TypeScript (native-binding.ts)', () => {
    const rust = rustConsts(rustSlotModule());
    const ts = Object.fromEntries(
      Object.entries(binding)
        .filter(([name]) => name.startsWith('SLOT_'))
        .map(([name, value]) => [name.slice('SLOT_'.length), value]),
    );
    expect(Object.keys(rust).length).toBe(binding.PACKED_FACT_STRIDE);
    expect(ts).toEqual(rust);
    // Every slot of a stride is named exactly once.
    expect(Object.values(ts).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: binding.PACKED_FACT_STRIDE }, (_, i) => i),
    );
  });

  it('has the same stride and text group size on both sides', () => {
    const rust = rustConsts(readFileSync(packRs, 'utf8'));
    expect(rust.FACT_STRIDE).toBe(binding.PACKED_FACT_STRIDE);
    expect(rust.GROUP).toBe(binding.PACKED_FACT_GROUP);
  });
});
