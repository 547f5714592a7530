import { assertJson } from '../canonical.js';
import { fromNativeError } from '../errors.js';
import type { NativeBinding } from './native-binding.js';
import { TsEngine } from './ts-engine.js';
import type { EngineKind, EngineOptions } from './types.js';

/**
 * The engine backed by the napi-rs addon: canonical JSON and SHA-256 run in Rust.
 */
export class NativeEngine extends TsEngine {
  override readonly kind: EngineKind = 'native';
  override readonly version: string;

  constructor(
    private readonly binding: NativeBinding,
    options: EngineOptions = {},
  ) {
    super(options);
    this.version = binding.crateVersion();
  }

  override canonicalJson(value: unknown): string {
    assertJson(value);
    return this.call(() => this.binding.canonicalJson(JSON.stringify(value)));
  }

  override valueHash(value: unknown): string {
    assertJson(value);
    return this.call(() => this.binding.valueHash(JSON.stringify(value)));
  }

  override sha256Hex(text: string): string {
    return this.binding.sha256Hex(text);
  }

  protected override hashCanonical(canonical: string): string {
    return this.binding.sha256Hex(canonical);
  }

  private call<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw fromNativeError(error);
    }
  }
}
