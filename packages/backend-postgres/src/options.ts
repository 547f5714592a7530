import { checkInput, type EngineChoice, IgniterError } from '@igniter/core';
import type { PostgresDurability } from './group-commit.js';

/** Options of `PostgresBackend.connect` and `PostgresBackend.follow`. */
export interface PostgresBackendOptions {
  /** A libpq connection string, e.g. `postgresql://user@host:5432/db`. */
  connectionString: string;
  /** The PostgreSQL schema holding the store's tables (created on first use; default `igniter`). */
  schema?: string;
  /**
   * `group` (default): facts are committed in batches, at most one per `groupCommitMs` (sooner
   * when a batch is full), with no wait when the last batch closed longer ago. `sync`: facts are committed only when `flush()` is called. Either way
   * `flush()` resolves once every fact written before it is committed.
   */
  durability?: PostgresDurability;
  /**
   * At most one batch closes per this many milliseconds (default 5); a fact written when the
   * last batch closed longer ago is sent at the end of the current event-loop turn.
   */
  groupCommitMs?: number;
  /**
   * A follower's safety net (default 1000 ms): it catches up this often even without a NOTIFY,
   * so a missed notification only delays it.
   */
  pollMs?: number;
  /**
   * The engine of the store this backend will serve (default 'auto', which honours
   * `IGNITER_ENGINE`): for the native engine the writer's open loads rows straight into a native
   * log the engine adopts, building no fact object in JS. `openPostgresStore` passes the store's.
   */
  engine?: EngineChoice;
}

/** The options once checked, with their defaults. */
export interface PostgresSettings {
  connectionString: string;
  schema: string;
  durability: PostgresDurability;
  groupCommitMs: number;
  pollMs: number;
  engine: EngineChoice;
}

function bad(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}

/** Checks the backend options and fills in defaults; throws `ERR_INVALID_ARGUMENT`. */
export function checkPostgresOptions(options: PostgresBackendOptions): PostgresSettings {
  checkInput(options, 'PostgresBackend options', BACKEND_FIELDS);
  const {
    connectionString,
    schema = 'igniter',
    durability = 'group',
    groupCommitMs = 5,
    pollMs = 1000,
    engine = 'auto',
  } = options;
  if (engine !== 'auto' && engine !== 'native' && engine !== 'ts')
    throw bad("engine must be 'auto', 'native' or 'ts'");
  if (typeof connectionString !== 'string' || connectionString.length === 0) {
    throw bad('connectionString must be a non-empty string');
  }
  if (durability !== 'group' && durability !== 'sync') throw bad("durability must be 'group' or 'sync'");
  if (!Number.isFinite(groupCommitMs) || groupCommitMs < 0) throw bad('groupCommitMs must be a number >= 0');
  if (!Number.isFinite(pollMs) || pollMs < 1) throw bad('pollMs must be a number >= 1');
  return { connectionString, schema, durability, groupCommitMs, pollMs, engine };
}

/** The keys of {@link PostgresBackendOptions}: what `openPostgresStore` passes to the backend. */
export const BACKEND_OPTION_KEYS = [
  'connectionString',
  'schema',
  'durability',
  'groupCommitMs',
  'pollMs',
] as const;

/** Every field of {@link PostgresBackendOptions}: any other is `ERR_INVALID_ARGUMENT`. */
export const BACKEND_FIELDS: ReadonlySet<string> = new Set<string>([...BACKEND_OPTION_KEYS, 'engine']);
