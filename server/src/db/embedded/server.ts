import { rm } from 'node:fs/promises';
import net from 'node:net';
import type { Document } from 'bson';
import { ErrorCodes, MongoCommandError } from './errors.js';
import { commandName, dispatch, type CommandContext } from './commands/index.js';
import type { CursorRegistry } from './cursors.js';
import type { Journal } from './journal.js';
import type { EmbeddedLogger } from './logger.js';
import type { ServerParameters } from './params.js';
import type { Store } from './store.js';
import { decodeMessage, encodeReply, MAX_INTERNAL_BSON_BYTES, MessageFramer, type Request } from './wire.js';

interface ServerDeps {
  store: Store;
  journal: Journal;
  cursors: CursorRegistry;
  params: ServerParameters;
  logger: EmbeddedLogger;
}

/** TCP front end: framing, one command at a time per connection, reply only once durable. */
export class WireServer {
  private readonly server = net.createServer((socket) => this.onConnection(socket));
  /** The same wire protocol on a Unix domain socket (for a client in this process: no TCP stack). */
  private local: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly inFlight = new Set<Promise<void>>();
  private nextConnectionId = 1;
  private closing = false;
  private readonly startedAt = Date.now();
  host = '127.0.0.1';
  port = 0;

  constructor(private readonly deps: ServerDeps) {}

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        if (addr && typeof addr === 'object') {
          this.host = host;
          this.port = addr.port;
        }
        this.server.on('error', (err) => this.deps.logger.error('embedded-mongo: server error', { error: err.message }));
        resolve();
      });
    });
  }

  /** Also accepts connections on the Unix domain socket `path` (replacing a stale socket file). */
  async listenPath(path: string): Promise<void> {
    await rm(path, { force: true });
    const local = net.createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      local.once('error', reject);
      local.listen(path, () => {
        local.off('error', reject);
        resolve();
      });
    });
    local.on('error', (err) => this.deps.logger.error('embedded-mongo: socket error', { error: err.message }));
    this.local = local;
  }

  /** Stops accepting, lets in-flight commands finish (and reply), then destroys every socket. */
  async close(): Promise<void> {
    this.closing = true;
    const local = this.local;
    const localClosed = local ? new Promise<void>((resolve) => local.close(() => resolve())) : Promise.resolve();
    const serverClosed = Promise.all([new Promise<void>((resolve) => this.server.close(() => resolve())), localClosed]);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    for (const socket of this.sockets) socket.destroy();
    await serverClosed;
  }

  private onConnection(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const id = this.nextConnectionId++;
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    socket.setNoDelay(true);
    this.sockets.add(socket);
    const framer = new MessageFramer();
    let chain: Promise<void> = Promise.resolve();
    const { logger } = this.deps;
    logger.debug('embedded-mongo: connection opened', { connectionId: id, remote });

    socket.on('data', (data: Buffer) => {
      // While closing, only the commands already received are finished.
      if (this.closing) return;
      let messages: Buffer[];
      try {
        messages = framer.push(data);
      } catch (err) {
        logger.warn('embedded-mongo: closing connection after a framing error', { connectionId: id, error: (err as Error).message });
        socket.destroy();
        return;
      }
      for (const raw of messages) {
        // handle() never rejects, but keep the chain alive even if it ever did.
        const task = chain.then(() => this.handle(raw, socket, id, remote)).catch((err: unknown) => {
          logger.error('embedded-mongo: unexpected error while handling a message', { connectionId: id, error: err instanceof Error ? err.message : String(err) });
          socket.destroy();
        });
        chain = task;
        this.inFlight.add(task);
        void task.finally(() => this.inFlight.delete(task));
      }
    });
    socket.on('error', (err) => logger.debug('embedded-mongo: socket error', { connectionId: id, error: err.message }));
    socket.on('close', () => {
      this.sockets.delete(socket);
      logger.debug('embedded-mongo: connection closed', { connectionId: id });
    });
  }

  private async handle(raw: Buffer, socket: net.Socket, id: number, remote: string): Promise<void> {
    if (socket.destroyed) return;
    const { logger, journal } = this.deps;
    let req: Request;
    try {
      req = decodeMessage(raw);
    } catch (err) {
      // Malformed input: we cannot trust the stream position any more, so drop the connection.
      logger.warn('embedded-mongo: closing connection after a malformed message', { connectionId: id, error: (err as Error).message });
      socket.destroy();
      return;
    }
    const ctx: CommandContext = {
      store: this.deps.store,
      cursors: this.deps.cursors,
      params: this.deps.params,
      db: req.db,
      connection: { id, remote },
      server: { host: this.host, port: this.port, startedAt: this.startedAt, connections: () => this.sockets.size },
    };
    const started = performance.now();
    let reply = journal.failure ? failureReply(journal.failure) : req.oversize ? oversizeReply(req.oversize) : dispatch(req.command, ctx);
    try {
      // Reads wait too: nobody may observe data a crash could still take back.
      await journal.durable();
    } catch (err) {
      reply = failureReply(err);
    }
    if (logger.isLevelEnabled?.('debug') ?? true) {
      logger.debug('embedded-mongo: command', { connectionId: id, command: commandName(req.command), db: req.db, ok: reply.ok, ms: Math.round((performance.now() - started) * 100) / 100 });
    }
    if (req.moreToCome || socket.destroyed) return;
    try {
      socket.write(encodeReply(req, reply));
    } catch (err) {
      // e.g. a reply over the BSON size limit: answer with an error instead of dying.
      logger.error('embedded-mongo: failed to encode reply', { connectionId: id, error: (err as Error).message });
      socket.write(encodeReply(req, { ok: 0, errmsg: `failed to encode reply: ${(err as Error).message}`, code: ErrorCodes.InternalError, codeName: 'InternalError' }));
    }
  }
}

/** MongoDB's answer to a message holding a document it cannot even parse (over 16 MiB + 16 KiB). */
function oversizeReply(o: { size: number; firstElement: string }): Document {
  return new MongoCommandError(
    'BSONObjectTooLarge',
    `BSONObj size: ${o.size} (0x${o.size.toString(16).toUpperCase()}) is invalid. Size must be between 0 and ${MAX_INTERNAL_BSON_BYTES}(16MB) First element: ${o.firstElement}`,
  ).toReply();
}

function failureReply(err: unknown): { ok: 0; errmsg: string; code: number; codeName: string } {
  return { ok: 0, errmsg: err instanceof Error ? err.message : String(err), code: ErrorCodes.InternalError, codeName: 'InternalError' };
}
