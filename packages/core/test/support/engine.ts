import { createEngine } from '../../src/engine/select.js';
import type { Engine, EngineKind } from '../../src/engine/types.js';

/** The engine this test run is for (the vitest project sets IGNITER_ENGINE). */
export const ENGINE_KIND: EngineKind = process.env.IGNITER_ENGINE === 'native' ? 'native' : 'ts';

/** A fresh engine of the kind under test; fails loudly if native was asked for and is missing. */
export function engineUnderTest(): Engine {
  return createEngine(ENGINE_KIND);
}
