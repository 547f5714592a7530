import { createRequire } from 'node:module';
import { IgniterError } from '../errors.js';
import { NATIVE_ABI_VERSION, type NativeBinding } from './native-binding.js';
import { NativeEngine } from './native-engine.js';
import { TsEngine } from './ts-engine.js';
import type { Engine, EngineKind, EngineOptions } from './types.js';

/** What `engine` an `IgniterStore` asks for. */
export type EngineChoice = 'auto' | 'native' | 'ts';

/** What `engine: 'auto'` picks on this machine, and why. */
export interface EngineInfo {
  /** The engine 'auto' picks: 'native' or 'ts'. */
  kind: EngineKind;
  /** The engine's version (the Rust crate's for native). */
  version: string;
  /** Why that engine (IGNITER_ENGINE, the addon loaded, or why it did not). */
  reason?: string;
}

type NativeLoad = { ok: true; binding: NativeBinding } | { ok: false; reason: string };
let nativeLoad: NativeLoad | undefined;
let fallbackWarned = false;

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function loadNative(): NativeLoad {
  if (nativeLoad) return nativeLoad;
  try {
    const binding = createRequire(import.meta.url)('@igniter/native') as NativeBinding;
    const abi = binding.abiVersion();
    nativeLoad =
      abi === NATIVE_ABI_VERSION
        ? { ok: true, binding }
        : {
            ok: false,
            reason: `@igniter/native speaks ABI ${abi}, this @igniter/core needs ABI ${NATIVE_ABI_VERSION}`,
          };
  } catch (error) {
    nativeLoad = { ok: false, reason: `@igniter/native could not be loaded: ${describe(error)}` };
  }
  return nativeLoad;
}

function envChoice(): EngineChoice | undefined {
  const raw = process.env.IGNITER_ENGINE;
  if (raw === undefined || raw === '' || raw === 'auto') return undefined;
  if (raw === 'ts' || raw === 'native') return raw;
  throw new IgniterError(
    'ERR_INVALID_ARGUMENT',
    `IGNITER_ENGINE must be 'ts', 'native' or 'auto', not ${JSON.stringify(raw)}`,
  );
}

function resolveChoice(requested: EngineChoice): { choice: EngineChoice; why?: string } {
  if (requested !== 'auto') return { choice: requested, why: `engine: '${requested}' was asked for` };
  const forced = envChoice();
  return forced ? { choice: forced, why: `IGNITER_ENGINE=${forced}` } : { choice: 'auto' };
}

function unavailable(reason: string): IgniterError {
  return new IgniterError('ERR_NATIVE_UNAVAILABLE', `the native engine is unavailable: ${reason}`);
}

/**
 * Creates the engine for a store per DESIGN D9: `'auto'` honours `IGNITER_ENGINE`, else loads
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
