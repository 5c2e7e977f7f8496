import mongoose from 'mongoose';
import { AppError } from '../../../shared/errors.js';
import { toDbError } from './errors.js';

export interface ConnectOptions {
  /** Database name when the URI carries none (or to override it). */
  dbName?: string;
  /** How long to wait for a usable server before an operation fails. */
  serverSelectionTimeoutMS?: number;
  maxPoolSize?: number;
  appName?: string;
  /** Emit driver command events (tests use them to count the writes an operation makes). */
  monitorCommands?: boolean;
}

/**
 * Opens a dedicated connection (never mongoose's global default, so tests and
 * tools can hold several). Resolves once the server answered; fails with
 * DEPENDENCY_DOWN when it cannot be reached.
 */
export async function connectMongoose(uri: string, opts: ConnectOptions = {}): Promise<mongoose.Connection> {
  const conn = mongoose.createConnection(uri, {
    ...(opts.dbName === undefined ? {} : { dbName: opts.dbName }),
    appName: opts.appName ?? 'candor',
    serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 5_000,
    connectTimeoutMS: 5_000,
    // Long enough for a slow aggregate, short enough that a dead socket is noticed.
    socketTimeoutMS: 45_000,
    heartbeatFrequencyMS: 5_000,
    maxPoolSize: opts.maxPoolSize ?? 20,
    autoIndex: true,
    autoCreate: true,
    // Fail fast instead of queueing operations while disconnected: a request
    // should get a 503, not hang for bufferTimeoutMS.
    bufferCommands: false,
    monitorCommands: opts.monitorCommands ?? false,
  });
  try {
    await conn.asPromise();
  } catch (err) {
    await conn.close(true).catch(() => undefined);
    throw toDbError(err);
  }
  return conn;
}

export async function closeMongoose(conn: mongoose.Connection): Promise<void> {
  await conn.close();
}

/**
 * Readiness probe: an admin `ping` bounded by `timeoutMs`. Resolves when the
 * database answered; rejects with DEPENDENCY_DOWN (message says why) otherwise.
 */
export async function pingDatabase(conn: mongoose.Connection, timeoutMs = 1_000): Promise<void> {
  const db = conn.db;
  if (!db || conn.readyState !== mongoose.ConnectionStates.connected) {
    throw new AppError('DEPENDENCY_DOWN', 'database not connected', { retryAfterMs: 2_000 });
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AppError('DEPENDENCY_DOWN', `database ping: no answer within ${timeoutMs} ms`, { retryAfterMs: 2_000 })),
      timeoutMs,
    );
  });
  const ping = db
    .admin()
    .command({ ping: 1 }, { timeoutMS: timeoutMs })
    .then((reply) => {
      if (reply['ok'] !== 1) throw new AppError('DEPENDENCY_DOWN', 'database ping: not ok', { retryAfterMs: 2_000 });
    });
  try {
    await Promise.race([ping, timeout]);
  } catch (err) {
    throw toDbError(err);
  } finally {
    clearTimeout(timer);
    ping.catch(() => undefined);
  }
}
