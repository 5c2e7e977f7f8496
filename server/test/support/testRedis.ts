import net from 'node:net';
import { findExecutable, freePort, startRedisServer, type ChildHandle } from './processes.js';

/** The Redis a machine of this kind runs for everyone (docs/operations.md "Tests"). */
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** Either a Redis URL the tests may use (with a unique key prefix each), or one line saying what is missing. */
export type TestRedis = { url: string; problem?: undefined } | { url?: undefined; problem: string };

/** True when a Redis server answers PING at `url` within `timeoutMs` (without a password). */
export function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || 6379), hostname.replace(/^\[|\]$/g, ''));
    let reply = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      // Only +PONG: a Redis that wants a password (-NOAUTH) is not one the tests can use.
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
  });
}

export interface PreparedRedis {
  redis: TestRedis;
  /** What was decided, in one line for the run's output. */
  note: string;
  /** Stops the redis-server this started (nothing when it reused one). */
  stop(): Promise<void>;
}

/**
 * The Redis for one test run: `TEST_REDIS_URL` when set, else the one answering
 * at `defaultUrl`, else a redis-server of our own on a free port (stopped by
 * `stop`), else a problem line for every test that needs Redis to fail with.
 */
export async function prepareTestRedis(opts: { configuredUrl?: string | undefined; defaultUrl?: string; searchPath?: string } = {}): Promise<PreparedRedis> {
  const nothing = async () => undefined;
  if (opts.configuredUrl) {
    return { redis: { url: opts.configuredUrl }, note: `Redis: TEST_REDIS_URL (${opts.configuredUrl})`, stop: nothing };
  }
  const defaultUrl = opts.defaultUrl ?? DEFAULT_TEST_REDIS_URL;
  if (await redisAnswers(defaultUrl)) return { redis: { url: defaultUrl }, note: `Redis: ${defaultUrl}`, stop: nothing };
  const binary = findExecutable('redis-server', opts.searchPath);
  if (!binary) {
    const problem = `Redis needed: nothing answers on ${defaultUrl} and no redis-server is on PATH (install redis-server, start Redis there, or set TEST_REDIS_URL)`;
    return { redis: { problem }, note: problem, stop: nothing };
  }
  const port = await freePort();
  let child: ChildHandle;
  try {
    child = await startRedisServer(port, binary);
  } catch (err) {
    const problem = `Redis needed: nothing answers on ${defaultUrl} and ${binary} did not start (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
    return { redis: { problem }, note: problem, stop: nothing };
  }
  const url = `redis://127.0.0.1:${port}`;
  return { redis: { url }, note: `Redis: nothing answered on ${defaultUrl}; started ${binary} for this run on ${url}`, stop: () => child.stop() };
}
