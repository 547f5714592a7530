// @igniter/client installed from its tarball, from CommonJS: its errors are core's IgniterError
// there too (ERR_NETWORK for a server that is not there). One JSON line.
const { createClient, IgniterError: ClientError } = require('@igniter/client');
const { IgniterError } = require('@igniter/core');

createClient({ url: 'http://127.0.0.1:9' })
  .stores()
  .catch((error) => {
    console.log(
      JSON.stringify({
        code: error.code,
        core: error instanceof IgniterError,
        same: ClientError === IgniterError,
      }),
    );
  });
