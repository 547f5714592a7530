import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * The machine's Chromium (Debian's `chromium` package; `.ci/run` installs it): playwright-core
 * drives it and never downloads a browser. `IGNITER_CHROMIUM` names another binary.
 */
export const CHROMIUM = process.env.IGNITER_CHROMIUM ?? '/usr/bin/chromium';

/** Where screenshots of each view go: test artifacts, ignored by git. */
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'inspector');

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set IGNITER_CHROMIUM)`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
}

/** Saves a screenshot of the page as `<name>.png` among the artifacts. */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The text of every cell of every body row of `table`, trimmed. */
export async function rows(page: Page, table: string): Promise<string[][]> {
  return page.$$eval(`${table} tbody tr`, (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())),
  );
}
