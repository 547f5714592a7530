// `prepack` of every platform package under packages/native/npm/: the binary goes in at pack time,
// never into git. This machine's build (packages/native/<binary>, written by `napi build`) wins;
// without one, the binary must already be here (a release job that built it elsewhere puts it
// here with `napi artifacts`). Packing a platform package without its binary fails.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const packageDir = process.cwd();
const { name, main } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const built = resolve(packageDir, '..', '..', main);
const target = join(packageDir, main);

if (existsSync(built)) {
  copyFileSync(built, target);
  console.log(`${name}: packing ${main} from packages/native`);
} else if (existsSync(target)) {
  console.log(`${name}: packing ${main} found in ${packageDir}`);
} else {
  console.error(
    `${name}: ${main} is missing: build it (pnpm --filter @igniter/native build) or put it into ${packageDir} (napi artifacts) before packing`,
  );
  process.exit(1);
}
