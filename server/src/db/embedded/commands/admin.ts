import os from 'node:os';
import type { Document } from 'bson';
import { MongoCommandError } from '../errors.js';
import type { CommandHandler } from './context.js';

export const MAX_WIRE_VERSION = 21; // MongoDB 7.0
const VERSION = '7.0.0';

/**
 * Handshake reply. No `topologyVersion` (so the driver polls instead of streaming hello)
 * and no compression. No `setName`: we are a standalone, so the driver sends no txnNumber.
 */
export const hello: CommandHandler = (_cmd, ctx) => ({
  helloOk: true,
  ismaster: true,
  isWritablePrimary: true,
  maxBsonObjectSize: 16 * 1024 * 1024,
  maxMessageSizeBytes: 48_000_000,
  maxWriteBatchSize: 100_000,
  localTime: new Date(),
  logicalSessionTimeoutMinutes: 30,
  connectionId: ctx.connection.id,
  minWireVersion: 0,
  maxWireVersion: MAX_WIRE_VERSION,
  readOnly: false,
  ok: 1,
});

export const ping: CommandHandler = () => ({ ok: 1 });

export const buildInfo: CommandHandler = () => ({
  version: VERSION,
  gitVersion: 'candor-embedded',
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: 16 * 1024 * 1024,
  storageEngines: ['candor-embedded'],
  javascriptEngine: 'none',
  modules: [],
  ok: 1,
});

export const getParameter: CommandHandler = (cmd) => {
  const reply: Document = {};
  if (cmd.featureCompatibilityVersion !== undefined || cmd.getParameter === '*') reply.featureCompatibilityVersion = { version: '7.0' };
  reply.ok = 1;
  return reply;
};

export const hostInfo: CommandHandler = () => ({
  system: { currentTime: new Date(), hostname: os.hostname(), cpuAddrSize: 64, memSizeMB: Math.round(os.totalmem() / 1048576), numCores: os.cpus().length, cpuArch: os.arch() },
  os: { type: os.type(), name: os.platform(), version: os.release() },
  extra: {},
  ok: 1,
});

export const serverStatus: CommandHandler = (_cmd, ctx) => {
  const uptimeMillis = Date.now() - ctx.server.startedAt;
  return {
    host: `${ctx.server.host}:${ctx.server.port}`,
    version: VERSION,
    process: 'mongod',
    pid: process.pid,
    uptime: Math.floor(uptimeMillis / 1000),
    uptimeMillis,
    localTime: new Date(),
    connections: { current: ctx.server.connections(), available: 1000 },
    storageEngine: { name: 'candor-embedded' },
    ok: 1,
  };
};

export const connectionStatus: CommandHandler = () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 });

export const whatsmyuri: CommandHandler = (_cmd, ctx) => ({ you: ctx.connection.remote, ok: 1 });

export const getLog: CommandHandler = (cmd) => {
  if (cmd.getLog === '*') return { names: ['global', 'startupWarnings'], ok: 1 };
  return { totalLinesWritten: 0, log: [], ok: 1 };
};

/** Session bookkeeping is a no-op: there are no transactions or server-side session state. */
export const okNoop: CommandHandler = () => ({ ok: 1 });

export const authNotSupported: CommandHandler = () => {
  throw new MongoCommandError('AuthenticationFailed', 'Authentication failed: the embedded server runs without authentication; remove credentials from the URI');
};

export const transactionsNotSupported: CommandHandler = () => {
  throw new MongoCommandError('IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');
};
