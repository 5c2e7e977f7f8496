import type { Document } from 'bson';
import { MongoCommandError, toCommandError } from '../errors.js';
import * as admin from './admin.js';
import { collMod } from './collmod.js';
import { explainCommand } from './explain.js';
import type { CommandContext, CommandHandler } from './context.js';
import * as ddl from './ddl.js';
import * as read from './read.js';
import * as write from './write.js';

export type { CommandContext } from './context.js';

const handlers: Record<string, CommandHandler> = {
  hello: admin.hello,
  isMaster: admin.hello,
  ismaster: admin.hello,
  ping: admin.ping,
  buildInfo: admin.buildInfo,
  buildinfo: admin.buildInfo,
  getParameter: admin.getParameter,
  setParameter: admin.setParameter,
  hostInfo: admin.hostInfo,
  serverStatus: admin.serverStatus,
  connectionStatus: admin.connectionStatus,
  whatsmyuri: admin.whatsmyuri,
  getLog: admin.getLog,
  endSessions: admin.okNoop,
  killAllSessions: admin.okNoop,
  killSessions: admin.okNoop,
  refreshSessions: admin.okNoop,
  logout: admin.okNoop,
  saslStart: admin.authNotSupported,
  saslContinue: admin.authNotSupported,
  authenticate: admin.authNotSupported,
  commitTransaction: admin.transactionsNotSupported,
  abortTransaction: admin.transactionsNotSupported,

  insert: write.insert,
  update: write.update,
  delete: write.del,
  findAndModify: write.findAndModify,
  findandmodify: write.findAndModify,

  find: read.find,
  getMore: read.getMore,
  killCursors: read.killCursors,
  count: read.count,
  distinct: read.distinct,
  aggregate: read.aggregate,
  explain: explainCommand,

  create: ddl.create,
  drop: ddl.drop,
  dropDatabase: ddl.dropDatabase,
  createIndexes: ddl.createIndexes,
  listIndexes: ddl.listIndexes,
  dropIndexes: ddl.dropIndexes,
  collMod,
  deleteIndexes: ddl.dropIndexes,
  listCollections: ddl.listCollections,
  listDatabases: ddl.listDatabases,
  collStats: ddl.collStats,
  dbStats: ddl.dbStats,
};

/** Commands allowed to name the `admin` database only (like MongoDB). */
const ADMIN_ONLY = new Set(['listDatabases', 'killAllSessions']);

export function commandName(cmd: Document): string {
  return Object.keys(cmd)[0] ?? '';
}

/**
 * Runs one command synchronously and returns its reply document (errors included:
 * a command never throws out of here).
 */
export function dispatch(cmd: Document, ctx: CommandContext): Document {
  const name = commandName(cmd);
  const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
  if (!handler) {
    return new MongoCommandError('CommandNotFound', `no such command: '${name}'`).toReply();
  }
  try {
    if (cmd.startTransaction === true || cmd.autocommit === false || cmd.txnNumber !== undefined) {
      admin.transactionsNotSupported(cmd, ctx);
    }
    if (ADMIN_ONLY.has(name) && ctx.db !== 'admin') {
      throw new MongoCommandError('IllegalOperation', `${name} may only be run against the admin database.`);
    }
    return handler(cmd, ctx);
  } catch (err) {
    return toCommandError(err).toReply();
  }
}
