import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageScripts } from '@igniter/core/testing';

export { waitForLine } from '@igniter/core/testing';

/** This package's child scripts (`assertBuilt`, `spawnScript`): see `packageScripts`. */
export const { assertBuilt, spawnScript } = packageScripts(dirname(fileURLToPath(import.meta.url)));
