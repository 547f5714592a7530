/**
 * Test helpers of `@igniter/backend-postgres` (`@igniter/backend-postgres/testing`): a
 * throwaway PostgreSQL server started from the machine's own binaries, for tests and
 * benchmarks that need a real database.
 */
export {
  postgresBinDir,
  startThrowawayPostgres,
  type ThrowawayOptions,
  type ThrowawayPostgres,
} from './throwaway-server.js';
