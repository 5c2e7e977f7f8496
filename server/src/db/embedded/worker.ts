/**
 * Entry of the embedded server's worker thread (`EmbeddedMongo.start({thread: 'worker'})`).
 * The store, journal and wire server run here, on their own event loop; the parent talks to
 * them over TCP like any MongoDB client. Messages: the parent sends `close`; this thread
 * sends `started` (host, port), `log` records, `closed` / `error`. Journal counters are
 * copied into the shared `stats` buffer every STATS_EVERY_MS, so `stats()` stays synchronous.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EmbeddedMongo, type EmbeddedMongoOptions } from './index.js';
import type { EmbeddedLogger } from './logger.js';

type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface WorkerInit {
  options: Omit<EmbeddedMongoOptions, 'logger' | 'thread'>;
  /** Float64Array(3): records, flushes, bytes. */
  stats: SharedArrayBuffer;
  /** Levels the parent's logger records: others are dropped here, not posted across threads. */
  levels: LogLevel[];
}

export type WorkerMessage =
  | { type: 'started'; host: string; port: number }
  | { type: 'log'; level: LogLevel; msg: string; meta?: Record<string, unknown> }
  | { type: 'closed' }
  | { type: 'error'; name: string; message: string; stack?: string };

export const STATS_EVERY_MS = 20;

const port = parentPort;
if (!port) throw new Error('embedded worker: no parent port');
const init = workerData as WorkerInit;
const post = (m: WorkerMessage) => port.postMessage(m);
/** Only plain data crosses threads: meta is cloned, an unclonable value becomes its string. */
const forward = (level: LogLevel) => (msg: string, meta?: Record<string, unknown>) => {
  try {
    post({ type: 'log', level, msg, ...(meta ? { meta } : {}) });
  } catch {
    post({ type: 'log', level, msg, meta: { meta: String(meta) } });
  }
};
const enabled = new Set<string>(init.levels);
const drop = (): void => undefined;
const logger: EmbeddedLogger = {
  debug: enabled.has('debug') ? forward('debug') : drop,
  info: enabled.has('info') ? forward('info') : drop,
  warn: enabled.has('warn') ? forward('warn') : drop,
  error: forward('error'),
  isLevelEnabled: (level) => enabled.has(level),
};
const asError = (err: unknown): WorkerMessage => {
  const e = err instanceof Error ? err : new Error(String(err));
  return { type: 'error', name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
};

try {
  // This thread does nothing but the store: blocking it for a group commit's write + fdatasync
  // costs less than the two threadpool round trips of the async calls (docs/performance.md).
  const mongo = await EmbeddedMongo.start({ ...init.options, logger, journalIo: 'sync' });
  const counters = new Float64Array(init.stats);
  const copyStats = () => {
    const s = mongo.stats();
    counters[0] = s.records;
    counters[1] = s.flushes;
    counters[2] = s.bytes;
  };
  const timer = setInterval(copyStats, STATS_EVERY_MS);
  port.on('message', (m: unknown) => {
    if ((m as { type?: string }).type !== 'close') return;
    clearInterval(timer);
    mongo.close().then(
      () => {
        copyStats();
        post({ type: 'closed' });
        port.close();
      },
      (err: unknown) => {
        post(asError(err));
        port.close();
      },
    );
  });
  post({ type: 'started', host: mongo.host, port: mongo.port });
} catch (err) {
  post(asError(err));
  port.close();
}
