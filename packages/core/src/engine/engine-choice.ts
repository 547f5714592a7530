import { createRequire } from 'node:module';
import { IgniterError } from '../errors.js';
import { NATIVE_ABI_VERSION, type NativeBinding } from './native-binding.js';

/** What `engine` an `IgniterStore` asks for. */
export type EngineChoice = 'auto' | 'native' | 'ts';

/** The addon, or why it did not load. */
export type NativeLoad = { ok: true; binding: NativeBinding } | { ok: false; reason: string };
let nativeLoad: NativeLoad | undefined;

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** Loads `@igniter/native` once per process and checks its ABI. Never throws. */
export function loadNative(): NativeLoad {
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

/**
 * The engine `requested` resolves to: itself unless 'auto', then `IGNITER_ENGINE` if set.
 * Throws `ERR_INVALID_ARGUMENT` for a bad `IGNITER_ENGINE`.
 */
export function resolveChoice(requested: EngineChoice): { choice: EngineChoice; why?: string } {
  if (requested !== 'auto') return { choice: requested, why: `engine: '${requested}' was asked for` };
  const forced = envChoice();
  return forced ? { choice: forced, why: `IGNITER_ENGINE=${forced}` } : { choice: 'auto' };
}
