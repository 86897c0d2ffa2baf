// SPDX-License-Identifier: GPL-3.0-or-later
// The floor of an HTTP answer from Node on this machine, for section 5: a bare node:http server
// that answers every request with the same small JSON body (the size of a registered-users
// answer), kept alive, with nothing else to do. Prints `listening at http://127.0.0.1:PORT`.
import { createServer } from 'node:http';

const body = JSON.stringify({ backend: 'SOGo', vuser: 'sim123-4', usernames: ['sim123-4'] });
const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) };

const server = createServer((_request, response) => {
  response.writeHead(200, headers);
  response.end(body);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening at http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
