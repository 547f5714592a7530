/** The `code` of what `run` throws, or 'no error' when it returns. */
export function codeOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return 'no error';
}

/** Runs `run` and returns the code, message and details of what it throws (fails if it does not). */
export function thrown(run: () => unknown): { code: unknown; message: string; details: unknown } {
  try {
    run();
  } catch (error) {
    const e = error as { code?: unknown; message: string; details?: unknown };
    return { code: e.code, message: e.message, details: e.details };
  }
  throw new Error('expected a throw');
}
