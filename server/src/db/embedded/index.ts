import type { Document } from 'bson';
import { mkdir } from 'node:fs/promises';
import { CursorRegistry } from './cursors.js';
import { Journal, type Durability, type JournalStats } from './journal.js';
import { lockDataDir } from './lock.js';
import { silentLogger, type EmbeddedLogger } from './logger.js';
import { WireServer } from './server.js';
import { Store, toStoreRecord } from './store.js';

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
}

/** In-process MongoDB-compatible server (OP_MSG) backed by a durable journal. */
export class EmbeddedMongo {
  private closed: Promise<void> | undefined;

  private constructor(
    readonly host: string,
    readonly port: number,
    private readonly server: WireServer,
    private readonly journal: Journal,
    private readonly cursors: CursorRegistry,
    private readonly logger: EmbeddedLogger,
    private readonly unlock: () => Promise<void>,
  ) {}

  static async start(opts: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
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
        { dir: opts.dir, durability: opts.durability ?? 'fsync', logger, ...(opts.compactBytes !== undefined ? { compactBytes: opts.compactBytes } : {}) },
        (doc) => store.apply(toStoreRecord(doc)),
      );
    } catch (err) {
      await unlock();
      throw err;
    }
    journal.snapshotSource = () => store.snapshotRecords() as Iterable<Document>;
    const cursors = new CursorRegistry();
    const server = new WireServer({ store, journal, cursors, logger });
    try {
      await server.listen(host, opts.port ?? 0);
    } catch (err) {
      await journal.close().catch(() => undefined);
      await unlock();
      throw err;
    }
    logger.info('embedded-mongo: listening', { host, port: server.port, dir: opts.dir, durability: opts.durability ?? 'fsync', startupMs: Date.now() - started });
    return new EmbeddedMongo(host, server.port, server, journal, cursors, logger, unlock);
  }

  stats(): EmbeddedStats {
    return this.journal.stats();
  }

  uri(dbName?: string): string {
    return `mongodb://${this.host}:${this.port}/${dbName ?? 'candor'}`;
  }

  /** Stop accepting, finish in-flight commands, flush + fsync the journal (and snapshot), close files, destroy sockets. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.server.close();
      this.cursors.clear();
      try {
        await this.journal.close();
      } finally {
        await this.unlock();
      }
      this.logger.info('embedded-mongo: closed', { port: this.port });
    })();
    return this.closed;
  }
}
