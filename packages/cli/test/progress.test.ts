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
    expect(tty.text()).toMatch(/^\r\x1b\[Kimported 1,000 \(\d+\.\d s\)\r\x1b\[K$/);
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
