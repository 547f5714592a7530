import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ValidVector {
  name: string;
  input: string;
  canonical: string;
  sha256: string;
}
export interface InvalidVector {
  name: string;
  input: string;
  reason: string;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The golden vectors shared with the Rust tests (`../shared/vectors` beside the repo). */
export const vectorsPath = resolve(here, '../../../../../shared/vectors/canonical-json.json');

export const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8')) as {
  valid: ValidVector[];
  invalid: InvalidVector[];
};
