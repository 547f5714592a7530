import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/** The run's PostgreSQL server (see global-setup.ts). */
export const pgUrl: string = inject('pgUrl');

/** A schema name no other test uses: tests share one server and isolate by schema. */
export function freshSchema(): string {
  return `t_${randomBytes(8).toString('hex')}`;
}
