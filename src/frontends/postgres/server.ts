/**
 * PostgreSQL wire protocol frontend: a TCP listener handing each socket to a PgConnection.
 * Tracks connections so close() can end them all; a bad client only ever loses its own socket.
 */
import { createServer, type Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { Gateway } from '../../core/gateway.js';
import type { UserStore } from '../../core/users.js';
import type { PgAuthMethod } from './auth/authenticate.js';
import { PgConnection, type ConnectionContext } from './connection.js';

export type { PgAuthMethod } from './auth/authenticate.js';

/** Options of the PostgreSQL frontend. */
export interface PostgresFrontendOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** PEM certificate and key; `required` refuses clients that do not ask for TLS. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer; readonly required: boolean };
  readonly gateway: Gateway;
  readonly users: UserStore;
  readonly authMethod: PgAuthMethod;
  readonly logger: Logger;
  /** Reported as server_version; clients parse its leading number. Default '15.0 (QueryFlux)'. */
  readonly serverVersion?: string;
  /** Sessions accepted at once (cancel requests do not count). Default unlimited. */
  readonly maxConnections?: number;
  /** Largest accepted protocol message in bytes. Default 64 MiB. */
  readonly maxMessageSize?: number;
}

/** A listening PostgreSQL frontend. */
export interface PostgresFrontend {
  readonly port: number;
  /** Stop accepting new connections; open sessions keep running (graceful drain). */
  stopAccepting(): void;
  /** Stop listening and end every connection. */
  close(): Promise<void>;
  /** Open client sockets. */
  connections(): number;
}

export const DEFAULT_SERVER_VERSION = '15.0 (QueryFlux)';

/** Start the PostgreSQL wire frontend; resolves once it listens. */
export async function startPostgresFrontend(opts: PostgresFrontendOptions): Promise<PostgresFrontend> {
  const live = new Set<PgConnection>();
  let sessions = 0;
  const max = opts.maxConnections ?? Number.POSITIVE_INFINITY;
  const ctx: ConnectionContext = {
    gateway: opts.gateway,
    users: opts.users,
    authMethod: opts.authMethod,
    logger: opts.logger,
    serverVersion: opts.serverVersion ?? DEFAULT_SERVER_VERSION,
    tls: opts.tls ? { context: createSecureContext({ cert: opts.tls.cert, key: opts.tls.key }), required: opts.tls.required } : undefined,
    maxMessageSize: opts.maxMessageSize,
    sessionLimit: max,
    admitSession: () => {
      if (sessions >= max) return false;
      sessions++;
      return true;
    },
    releaseSession: () => {
      sessions--;
    },
    onClosed: (conn) => {
      live.delete(conn);
    },
  };
  const server = createServer({ noDelay: true }, (socket: Socket) => {
    const conn = new PgConnection(socket, ctx);
    live.add(conn);
    void conn.run();
  });
  server.on('error', (err) => opts.logger.error({ err }, 'postgres frontend listener error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  let closing: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;
  const stopAccepting = () => {
    stopped ??= new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    port,
    connections: () => live.size,
    stopAccepting,
    close: () => {
      closing ??= (async () => {
        stopAccepting();
        await Promise.all([...live].map((c) => c.shutdown()));
        await stopped;
      })();
      return closing;
    },
  };
}
