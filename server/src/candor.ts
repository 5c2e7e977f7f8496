import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'mongoose';
import type { Config } from './config.js';
import { closeMongoose, connectMongoose, pingDatabase } from './db/connection.js';
import { EmbeddedMongo } from './db/embedded/index.js';
import { createHttpApp } from './http/app.js';
import { staticClientRouter } from './http/staticClient.js';
import type { Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';

export interface RunningCandor {
  /** http://host:port the server listens on (host 127.0.0.1 when bound to all interfaces). */
  url: string;
  port: number;
  /** The MongoDB URI in use (the embedded server's when MONGODB_URI is unset). */
  mongodbUri: string;
  connection: Connection;
  /** Stops accepting, lets in-flight requests finish, then closes the store. */
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/server/src -> dist/client when built; server/src -> dist/client in dev. */
export const defaultClientDir = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../../client' : '../../dist/client');

/**
 * The composition root's body: config -> store -> http. main.ts adds process
 * concerns (signals, exit codes); tests call this directly to run a real server.
 */
export async function startCandor(config: Config, logger: Logger, opts: { clientDir?: string } = {}): Promise<RunningCandor> {
  const embedded = config.mongodbUri
    ? null
    : await EmbeddedMongo.start({
        dir: path.join(config.dataDir, 'db'),
        port: config.embeddedDb.port,
        durability: config.embeddedDb.durability,
        logger: logger.child({ component: 'embedded-db' }),
      });
  const mongodbUri = config.mongodbUri ?? embedded!.uri('candor');
  if (embedded) logger.info('embedded database started', { port: embedded.port, dir: path.join(config.dataDir, 'db') });

  let connection: Connection;
  try {
    connection = await connectMongoose(mongodbUri);
  } catch (err) {
    await embedded?.close();
    throw err;
  }

  const metrics = createMetrics();
  const app = createHttpApp({
    logger,
    metrics,
    trustProxy: config.trustProxy,
    readiness: [{ name: 'database', check: () => pingDatabase(connection) }],
    clientRouter: staticClientRouter(opts.clientDir ?? defaultClientDir),
  });

  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${shownHost}:${port}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Stop accepting; keep-alive sockets with no request in flight are closed now,
      // the rest close as soon as their response is written.
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      // A keep-alive connection becomes idle when its last response is written;
      // close those promptly instead of waiting for the keep-alive timeout.
      const sweeper = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      await drained.finally(() => clearInterval(sweeper));
      await closeMongoose(connection);
      await embedded?.close();
    })());

  return { url, port, mongodbUri, connection, close };
}
