// A serving process for the crash tests: serves the store at argv[2] and prints its URL as one
// JSON line. Uses the built package, as a user would.
import { createServer } from '../../dist/index.js';

const server = createServer({ path: process.argv[2], port: 0 });
const { url } = await server.listen();
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.on('SIGTERM', () => {
  server.close().then(() => process.exit(0));
});
