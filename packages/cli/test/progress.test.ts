import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Progress } from '../src/progress.js';

function stream(isTTY: boolean): PassThrough & { isTTY: boolean; text: () => string } {
  const out = new PassThrough() as PassThrough & { isTTY: boolean; text: () => string };
  let text = '';
  out.on('data', (chunk) => (text += chunk));
  out.isTTY = isTTY;
  out.text = () => text;
  return out;
}

describe('Progress', () => {
  it('draws a count on a terminal and clears its line when done', async () => {
    const tty = stream(true);
    const progress = new Progress(tty, 'imported');
    progress.tick(1000);
    progress.done();
    await new Promise((resolve) => setImmediate(resolve));
    const clear = '\r\u001b[K';
    const text = tty.text();
    expect(text.startsWith(`${clear}imported 1,000 (`)).toBe(true);
    expect(text.endsWith(` s)${clear}`)).toBe(true);
    expect(text.split(clear)).toHaveLength(3);
  });

  it('prints nothing when the stream is not a terminal', async () => {
    const pipe = stream(false);
    const progress = new Progress(pipe, 'imported');
    progress.tick(1000);
    progress.done();
    await new Promise((resolve) => setImmediate(resolve));
    expect(pipe.text()).toBe('');
  });
});
