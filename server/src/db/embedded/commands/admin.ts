import os from 'node:os';
import type { Document } from 'bson';
import { MongoCommandError } from '../errors.js';
import { transactionsRefused } from '../refusals.js';
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

/** Fields of a getParameter/setParameter command that are not parameter names. */
const PARAMETER_COMMAND_FIELDS = new Set(['getParameter', 'setParameter', '$db', 'lsid', '$clusterTime', '$readPreference', 'comment', 'apiVersion', 'apiStrict', 'apiDeprecationErrors']);

function requireAdmin(name: string, db: string): void {
  if (db !== 'admin') throw new MongoCommandError('Unauthorized', `${name} may only be run against the admin database.`);
}

export const getParameter: CommandHandler = (cmd, ctx) => {
  requireAdmin('getParameter', ctx.db);
  const all = cmd.getParameter === '*';
  const reply: Document = {};
  if (all) Object.assign(reply, ctx.params.all());
  for (const name of Object.keys(cmd)) {
    if (PARAMETER_COMMAND_FIELDS.has(name)) continue;
    if (name === 'featureCompatibilityVersion') reply.featureCompatibilityVersion = { version: '7.0' };
    else if (ctx.params.has(name)) reply[name] = ctx.params.get(name);
    else if (!all) throw new MongoCommandError('InvalidOptions', 'no option found to get');
  }
  if (all) reply.featureCompatibilityVersion = { version: '7.0' };
  reply.ok = 1;
  return reply;
};

/** `setParameter` (admin only): ttlMonitorSleepSecs, ttlMonitorEnabled. Answers `{was}` like MongoDB. */
export const setParameter: CommandHandler = (cmd, ctx) => {
  requireAdmin('setParameter', ctx.db);
  const names = Object.keys(cmd).filter((k) => !PARAMETER_COMMAND_FIELDS.has(k));
  if (names.length === 0) throw new MongoCommandError('BadValue', 'no option found to set, use help:true to see options ');
  let was: unknown;
  for (const name of names) {
    if (!ctx.params.has(name)) throw new MongoCommandError('InvalidOptions', `attempted to set unrecognized parameter [${name}], use help:true to see options `);
  }
  for (const name of names) was = ctx.params.set(name as Parameters<typeof ctx.params.set>[0], cmd[name]);
  return { was, ok: 1 };
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

/** What a standalone mongod answers to transactions, naming why and what to do instead. */
export const transactionsNotSupported: CommandHandler = () => {
  throw transactionsRefused();
};
