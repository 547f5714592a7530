export { IgniterError, type IgniterErrorCode, type IgniterErrorOptions } from './errors.js';
export type { Json, JsonObject } from './json.js';
export type { Fact, FactRef } from './fact.js';
export { canonicalJson, valueHash } from './values.js';
export { engineInfo, type EngineChoice, type EngineInfo } from './engine/select.js';
export type { EngineKind } from './engine/types.js';
