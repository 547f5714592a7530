// Child process of local-registry.mjs: Verdaccio on 127.0.0.1 with a port the OS picks, reported to
// the parent over IPC. Exits when the parent disconnects, so a crashed test never leaves it running.
// Usage (via fork): local-registry-server.mjs <config.yaml>
import verdaccio from 'verdaccio';

const [configPath] = process.argv.slice(2);
const server = await verdaccio.runServer(configPath);

const stop = () => {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);

server.listen(0, '127.0.0.1', () => {
  process.send({ port: server.address().port });
});
