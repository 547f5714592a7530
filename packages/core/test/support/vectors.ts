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
/** The golden vectors the Rust tests read too: the repository's own copy in `vectors/`. */
export const vectorsPath = resolve(here, '../../../../vectors/canonical-json.json');

export const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8')) as {
  valid: ValidVector[];
  invalid: InvalidVector[];
};
