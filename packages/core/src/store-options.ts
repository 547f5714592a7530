import { checkInput } from './args.js';
import type { RecoveredCut } from './backend.js';
import { DEFAULT_MAX_VALUE_BYTES } from './engine/types.js';
import { IgniterError } from './errors.js';
import { STORE_OPTION_FIELDS } from './input-fields.js';
import type { StoreOptions } from './store-types.js';

const DEFAULT_LRU_CAP = 1000;

/** The options of `IgniterStore.open` that go to the file backend, not the store. */
const BACKEND_OPTION_KEYS = [
  'durability',
  'groupCommitMs',
  'groupCommitBytes',
  'repair',
  'maxFrameBytes',
  'openImageFacts',
] as const;

/** A store's options once checked, with their defaults. */
export interface StoreSettings {
  readonly lruCap: number;
  readonly clock: () => number;
  readonly onRuleError: (error: IgniterError) => void;
  readonly onRecover: ((cut: RecoveredCut) => void) | undefined;
  readonly maxValueBytes: number;
}

function reportDefault(error: IgniterError): void {
  process.emitWarning(error);
}

/** Checks a store's options and fills in their defaults; throws `ERR_INVALID_ARGUMENT`. */
export function checkStoreOptions(options: StoreOptions): StoreSettings {
  checkInput<StoreOptions>(options, 'store options', STORE_OPTION_FIELDS);
  const lruCap = options.lruCap ?? DEFAULT_LRU_CAP;
  if (!Number.isInteger(lruCap) || lruCap < 0) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'lruCap must be an integer >= 0');
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'clock must be a function returning ms');
  }
  if (options.onRuleError !== undefined && typeof options.onRuleError !== 'function') {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'onRuleError must be a function');
  }
  if (options.onRecover !== undefined && typeof options.onRecover !== 'function') {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'onRecover must be a function');
  }
  const maxValueBytes = options.maxValueBytes;
  if (maxValueBytes !== undefined && (!Number.isInteger(maxValueBytes) || maxValueBytes < 1)) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'maxValueBytes must be an integer >= 1');
  }
  return {
    lruCap,
    clock: options.clock ?? Date.now,
    onRuleError: options.onRuleError ?? reportDefault,
    onRecover: options.onRecover,
    maxValueBytes: maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES,
  };
}

/** The options `IgniterStore.open(path, options)` takes: the store's (but `backend`) and the file backend's. */
const FILE_STORE_FIELDS: ReadonlySet<string> = new Set(
  [...STORE_OPTION_FIELDS, ...BACKEND_OPTION_KEYS].filter((field) => field !== 'backend'),
);

/**
 * Splits the options of `IgniterStore.open(path, options)` into the store's and the file
 * backend's. Throws ERR_INVALID_ARGUMENT for a field neither takes, before any file is touched.
 */
export function splitFileStoreOptions(options: StoreOptions & Record<string, unknown>): {
  store: StoreOptions;
  backend: Record<string, unknown>;
} {
  checkInput(options, 'open options', FILE_STORE_FIELDS);
  const storeOptions: Record<string, unknown> = { ...options };
  const backendOptions: Record<string, unknown> = {};
  for (const key of BACKEND_OPTION_KEYS) {
    if (key in storeOptions) {
      backendOptions[key] = storeOptions[key];
      delete storeOptions[key];
    }
  }
  // The backend prepares its replay for the store's engine.
  if (storeOptions.engine !== undefined) backendOptions.engine = storeOptions.engine;
  return { store: storeOptions as StoreOptions, backend: backendOptions };
}
