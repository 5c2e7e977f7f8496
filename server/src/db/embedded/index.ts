import type { Document } from 'bson';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CursorRegistry } from './cursors.js';
import { Journal, type Durability, type JournalStats } from './journal.js';
import { lockDataDir, recordDataDirAddress } from './lock.js';
import { ServerParameters } from './params.js';
import { silentLogger, type EmbeddedLogger } from './logger.js';
import { WireServer } from './server.js';
import { Store, toStoreRecord } from './store.js';
import { TtlMonitor } from './ttl.js';
import type { WorkerInit, WorkerMessage } from './worker.js';

export type { EmbeddedLogger } from './logger.js';
export type { Durability } from './journal.js';

/** Journal counters since start: records appended, group commits, bytes written. */
export type EmbeddedStats = JournalStats;

export interface EmbeddedMongoOptions {
  /** Data directory (created if missing); journal + snapshot live here. */
  dir: string;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 = random free port. */
  port?: number;
  /**
   * 'fsync' (default): a write is acknowledged only after its journal record is fsynced (group commit).
   * 'none': the journal is written but not fsynced; an OS crash or power loss can lose
   * acknowledged writes. For throwaway data only (tests, demos).
   */
  durability?: Durability;
  /** A winston Logger satisfies this; default: silent. */
  logger?: EmbeddedLogger;
  /** Journal size that triggers compaction into a snapshot (default 64 MiB). Mainly for tests. */
  compactBytes?: number;
  /**
   * 'main' (default): the server shares the caller's event loop. 'worker': it runs in a worker
   * thread (worker.ts) with its own event loop, so store work never delays the caller's
   * sockets; the returned object is the same (uri, port, stats, close). `stats()` is then
   * up to 20 ms old. Durability and the journal are unchanged.
   */
  thread?: 'main' | 'worker';
  /**
   * Also serve the wire protocol on this Unix domain socket: a client in the same process
   * (Candor's mongoose connection) reaches the store without the TCP stack. `localUri()` names
   * it; the TCP port stays for tools (mongosh, npm run recruiter:add).
   */
  socketPath?: string;
  /**
   * @internal 'sync' when the server has a thread of its own (worker.ts sets it): the journal's
   * group commits block that thread instead of two libuv threadpool round trips each.
   */
  journalIo?: 'async' | 'sync';
}

/** What an EmbeddedMongo delegates to: the server in this thread, or the worker running it. */
interface Backend {
  stats(): EmbeddedStats;
  close(): Promise<void>;
}

/** In-process MongoDB-compatible server (OP_MSG) backed by a durable journal. */
export class EmbeddedMongo {
  private closed: Promise<void> | undefined;

  private constructor(
    readonly host: string,
    readonly port: number,
    private readonly backend: Backend,
    private readonly socketPath?: string,
  ) {}

  static async start(opts: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
    if (opts.thread === 'worker') return startInWorker(opts);
    const logger = opts.logger ?? silentLogger;
    const host = opts.host ?? '127.0.0.1';
    const started = Date.now();
    await mkdir(opts.dir, { recursive: true });
    const unlock = await lockDataDir(opts.dir);
    let journal: Journal | undefined;
    const store = new Store((rec, maxBytes) => {
      // Writes only happen after open() returned, so the journal exists by then.
      (journal as Journal).append(rec as Document, maxBytes);
    });
    try {
      journal = await Journal.open(
        {
          dir: opts.dir,
          durability: opts.durability ?? 'fsync',
          logger,
          ...(opts.compactBytes !== undefined ? { compactBytes: opts.compactBytes } : {}),
          ...(opts.journalIo ? { io: opts.journalIo } : {}),
        },
        (doc) => store.apply(toStoreRecord(doc)),
      );
    } catch (err) {
      await unlock();
      throw err;
    }
    journal.snapshotSource = () => store.snapshotRecords() as Iterable<Document>;
    store.dropTemporaryCollections();
    store.onValidationWarning = (coll, id, details) => {
      // Ids and rule names only: the values that broke the rule may be user content.
      logger.warn('embedded-mongo: document would fail validation', { ns: coll.ns, id: String(id), operatorName: details.operatorName });
    };
    const cursors = new CursorRegistry();
    const params = new ServerParameters();
    const opened = journal;
    const ttl = new TtlMonitor({ store, params, logger, canWrite: () => !opened.failure, flush: () => opened.durable() });
    const server = new WireServer({ store, journal, cursors, params, logger });
    try {
      await server.listen(host, opts.port ?? 0);
    } catch (err) {
      await journal.close().catch(() => undefined);
      await unlock();
      throw err;
    }
    if (opts.socketPath) {
      try {
        await server.listenPath(opts.socketPath);
      } catch (err) {
        await server.close();
        await journal.close().catch(() => undefined);
        await unlock();
        throw err;
      }
    }
    // Tools started while we run (npm run recruiter:add) find us here instead of opening the journal twice.
    await recordDataDirAddress(opts.dir, host, server.port).catch((err: unknown) => logger.warn('embedded-mongo: could not record the address in the lock file', { err }));
    logger.info('embedded-mongo: listening', { host, port: server.port, dir: opts.dir, durability: opts.durability ?? 'fsync', startupMs: Date.now() - started });
    ttl.start();
    const backend: Backend = {
      stats: () => opened.stats(),
      close: async () => {
        ttl.stop();
        await server.close();
        if (opts.socketPath) await rm(opts.socketPath, { force: true });
        cursors.clear();
        try {
          await opened.close();
        } finally {
          await unlock();
        }
        logger.info('embedded-mongo: closed', { port: server.port });
      },
    };
    return new EmbeddedMongo(host, server.port, backend, opts.socketPath);
  }

  /** @internal the worker-thread variant (startInWorker) builds its instance through this. */
  static fromBackend(host: string, port: number, backend: Backend, socketPath?: string): EmbeddedMongo {
    return new EmbeddedMongo(host, port, backend, socketPath);
  }

  stats(): EmbeddedStats {
    return this.backend.stats();
  }

  uri(dbName?: string): string {
    return `mongodb://${this.host}:${this.port}/${dbName ?? 'candor'}`;
  }

  /** For a client in this process: the Unix socket when there is one (see `socketPath`), else `uri()`. */
  localUri(dbName?: string): string {
    return this.socketPath ? `mongodb://${encodeURIComponent(this.socketPath)}/${dbName ?? 'candor'}` : this.uri(dbName);
  }

  /** Stop accepting, finish in-flight commands, flush + fsync the journal (and snapshot), close files, destroy sockets. */
  close(): Promise<void> {
    this.closed ??= this.backend.close();
    return this.closed;
  }
}

/**
 * The worker running worker.ts (from TypeScript sources: tsx, vitest) or worker.js (the build).
 * tsx's loader does not follow a process into its worker threads, so from sources the worker
 * starts with a one-line bootstrap that registers tsx (a devDependency, present wherever .ts
 * files run) and then imports worker.ts.
 */
function spawnWorker(workerData: WorkerInit): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { workerData });
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** Runs the server in a worker thread (worker.ts): same API object, its own event loop. */
async function startInWorker(opts: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  const { logger: maybeLogger, thread: _thread, ...options } = opts;
  const logger = maybeLogger ?? silentLogger;
  const stats = new SharedArrayBuffer(3 * Float64Array.BYTES_PER_ELEMENT);
  const levels = (['debug', 'info', 'warn', 'error'] as const).filter((l) => logger.isLevelEnabled?.(l) ?? true);
  const worker = spawnWorker({ options, stats, levels });
  type Msg = WorkerMessage;
  const toError = (m: Extract<Msg, { type: 'error' }>): Error => {
    const err = new Error(m.message);
    err.name = m.name;
    if (m.stack) err.stack = m.stack;
    return err;
  };
  let onClosed: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const address = await new Promise<{ host: string; port: number }>((resolve, reject) => {
    worker.on('message', (m: Msg) => {
      if (m.type === 'log') logger[m.level](m.msg, m.meta);
      else if (m.type === 'started') resolve({ host: m.host, port: m.port });
      else if (m.type === 'closed') onClosed?.resolve();
      else if (m.type === 'error') {
        const err = toError(m);
        reject(err);
        onClosed?.reject(err);
      }
    });
    worker.on('error', (err) => {
      logger.error('embedded-mongo: worker failed', { err });
      reject(err);
      onClosed?.reject(err);
    });
    void exited.then((code) => reject(new Error(`embedded-mongo worker exited (${code}) before listening`)));
  });
  const counters = new Float64Array(stats);
  const backend: Backend = {
    stats: () => ({ records: counters[0] ?? 0, flushes: counters[1] ?? 0, bytes: counters[2] ?? 0 }),
    close: async () => {
      const closed = new Promise<void>((resolve, reject) => (onClosed = { resolve, reject }));
      worker.postMessage({ type: 'close' });
      try {
        await Promise.race([closed, exited.then(() => undefined)]);
      } finally {
        await exited;
      }
    },
  };
  return EmbeddedMongo.fromBackend(address.host, address.port, backend, options.socketPath);
}
