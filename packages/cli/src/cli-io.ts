/** Where a command reads and writes: the process's streams, or a test's. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  /** Resolves when the user asks to stop (Ctrl-C, SIGTERM); a second ask calls `onForce`. */
  interrupted(onForce: () => void): Promise<void>;
}

/** Exit codes: 0 ok, 1 a failure reported, 2 bad usage. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A command line the command cannot run: its message is printed with the usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure already explained to the user (exit 1). */
export class ReportedFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportedFailure';
  }
}

/** The process's own streams and signals. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    interrupted(onForce) {
      return new Promise((resolve) => {
        let asked = 0;
        const ask = (): void => {
          asked += 1;
          if (asked === 1) resolve();
          else onForce();
        };
        process.on('SIGINT', ask);
        process.on('SIGTERM', ask);
      });
    },
  };
}

/** Writes `text` and resolves once it is handed to the stream (respects backpressure). */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.write(text)) resolve();
    else {
      stream.once('drain', resolve);
      stream.once('error', reject);
    }
  });
}
