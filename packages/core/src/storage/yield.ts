import { setImmediate } from 'node:timers/promises';

/**
 * Resolves after the event loop has run once (timers, I/O callbacks), so that a long job split
 * into chunks lets the application keep working between them. Never rejects. Cost: one turn
 * of the event loop.
 */
export async function yieldToEventLoop(): Promise<void> {
  await setImmediate();
}
