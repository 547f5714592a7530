import { IgniterError } from '../errors.js';
import { type EngineChoice, loadNative, resolveChoice } from './engine-choice.js';
import { NativeEngine } from './native-engine.js';
import { TsEngine } from './ts-engine.js';
import type { Engine, EngineKind, EngineOptions } from './types.js';

export type { EngineChoice } from './engine-choice.js';

let fallbackWarned = false;

/** What `engine: 'auto'` picks on this machine, and why. */
export interface EngineInfo {
  /** The engine 'auto' picks: 'native' or 'ts'. */
  kind: EngineKind;
  /** The engine's version (the Rust crate's for native). */
  version: string;
  /** Why that engine (IGNITER_ENGINE, the addon loaded, or why it did not). */
  reason?: string;
}

function unavailable(reason: string): IgniterError {
  return new IgniterError('ERR_NATIVE_UNAVAILABLE', `the native engine is unavailable: ${reason}`);
}

/**
 * Creates the engine for a store per ARCHITECTURE.md D9: `'auto'` honours `IGNITER_ENGINE`, else loads
 * the addon and falls back to the TS engine with one process warning.
 * Throws `ERR_NATIVE_UNAVAILABLE` when native is forced and cannot load, `ERR_INVALID_ARGUMENT`
 * for a bad choice.
 */
export function createEngine(requested: EngineChoice = 'auto', options: EngineOptions = {}): Engine {
  if (requested !== 'auto' && requested !== 'native' && requested !== 'ts') {
    throw new IgniterError('ERR_INVALID_ARGUMENT', `engine must be 'auto', 'native' or 'ts'`);
  }
  const { choice } = resolveChoice(requested);
  if (choice === 'ts') return new TsEngine(options);
  const load = loadNative();
  if (load.ok) return new NativeEngine(load.binding, options);
  if (choice === 'native') throw unavailable(load.reason);
  if (!fallbackWarned) {
    fallbackWarned = true;
    process.emitWarning(`Igniter falls back to the TypeScript engine: ${load.reason}`, {
      code: 'IGNITER_TS_FALLBACK',
    });
  }
  return new TsEngine(options);
}

/**
 * What `engine: 'auto'` picks in this process (`IGNITER_ENGINE` included) and why.
 * Throws `ERR_NATIVE_UNAVAILABLE` when `IGNITER_ENGINE=native` and the addon cannot load, and
 * `ERR_INVALID_ARGUMENT` for a bad `IGNITER_ENGINE`; a missing addon is otherwise a `reason`.
 */
export function engineInfo(): EngineInfo {
  const { choice, why } = resolveChoice('auto');
  if (choice === 'ts') return { kind: 'ts', version: new TsEngine().version, reason: why ?? 'asked for' };
  const load = loadNative();
  if (load.ok) {
    return {
      kind: 'native',
      version: load.binding.crateVersion(),
      reason: why ?? 'the native addon loaded',
    };
  }
  if (choice === 'native') throw unavailable(load.reason);
  return { kind: 'ts', version: new TsEngine().version, reason: load.reason };
}
