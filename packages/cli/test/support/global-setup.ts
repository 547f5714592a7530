import { startThrowawayPostgres } from '@igniter/backend-postgres/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server the `--postgres` tests use. */
    pgUrl: string;
  }
}

/**
 * Starts one throwaway PostgreSQL server for the run (about 2 s) unless `IGNITER_PG_URL` names
 * another server; stops it when the run ends. Tests isolate themselves by schema.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.IGNITER_PG_URL;
  if (given) {
    project.provide('pgUrl', given);
    return async () => undefined;
  }
  const server = await startThrowawayPostgres({ fsync: false });
  project.provide('pgUrl', server.url);
  return () => server.stop();
}
