/**
 * A bare Node.js TCP pipe (accept → connect upstream → pipe both ways, noDelay on both
 * sockets): the floor for any proxy written in Node.js. Runs as its own process like the
 * gateway. Usage: node --import tsx bench/overhead/pipe-child.ts <upstreamHost> <upstreamPort>
 * Prints {"port": N} on stdout once listening; exits on SIGTERM/SIGINT or when stdin closes.
 */
import { connect, createServer, type Socket } from 'node:net';

const host = process.argv[2] ?? '127.0.0.1';
const upstreamPort = Number(process.argv[3]);
if (!Number.isInteger(upstreamPort) || upstreamPort <= 0) {
  process.stderr.write('usage: pipe-child.ts <upstreamHost> <upstreamPort>\n');
  process.exit(2);
}

const sockets = new Set<Socket>();
const server = createServer((client) => {
  client.setNoDelay(true);
  const upstream = connect({ host, port: upstreamPort });
  upstream.setNoDelay(true);
  sockets.add(client);
  sockets.add(upstream);
  const done = (): void => {
    client.destroy();
    upstream.destroy();
    sockets.delete(client);
    sockets.delete(upstream);
  };
  client.on('error', done).on('close', done);
  upstream.on('error', done).on('close', done);
  client.pipe(upstream);
  upstream.pipe(client);
});

server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  process.stdout.write(JSON.stringify({ port, pid: process.pid }) + '\n');
});

const stop = (): void => {
  for (const s of sockets) s.destroy();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
