import type { TestProject } from 'vitest/node';
import { startThrowawayPostgres } from '../../src/testing/throwaway-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server every test of the run uses. */
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
  const server = await startThrowawayPostgres();
  project.provide('pgUrl', server.url);
  return () => server.stop();
}
