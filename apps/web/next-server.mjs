#!/usr/bin/env node
// The portal's server: `next start`, plus the one fact Next.js hides from route handlers — the
// address of the socket's peer. Next only copies it into X-Forwarded-For when that header is
// absent, so a client that sends its own X-Forwarded-For would erase it. This wrapper puts
// the peer in PEER_HEADER on every request (replacing whatever a client sent under that name),
// and marks the process so that the portal believes the header only when it runs under here.
// The portal then applies TRUST_PROXY to peer + X-Forwarded-For (src/server/api-client.ts),
// with the rule the api uses. Usage mirrors `next start`: [-p port] [-H host].
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';

const PEER_HEADER = 'x-sightline-peer-address';

const args = process.argv.slice(2);
const option = (flag) => {
  const at = args.indexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
};
const port = Number(option('-p') ?? process.env.PORT ?? 3000);
const hostname = option('-H');

const app = next({ dev: false, dir: dirname(fileURLToPath(import.meta.url)), port, ...(hostname ? { hostname } : {}) });
const handle = app.getRequestHandler();
await app.prepare();
globalThis[Symbol.for('sightline.web.peerHeader')] = PEER_HEADER;

const server = createServer((req, res) => {
  req.headers[PEER_HEADER] = req.socket.remoteAddress ?? '';
  void handle(req, res);
});
server.listen(port, hostname, () => {
  process.stdout.write(`portal listening on http://${hostname ?? 'localhost'}:${port}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  });
}
