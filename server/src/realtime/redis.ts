import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';

export interface RedisLink {
  /** Commands and publishes (socket.io adapter, in-flight text, rate limits) — one connection, so their order holds. */
  pub: Redis;
  /** Subscriptions of the socket.io adapter. */
  sub: Redis;
  ping(): Promise<void>;
  isUp(): boolean;
  close(): Promise<void>;
}

/**
 * Two ioredis connections that reconnect by themselves, forever, with capped
 * backoff. Commands fail fast while Redis is down (no offline queue), so an
 * outage degrades fan-out instead of piling up memory or stalling the
 * candidate's own stream; errors are logged once per outage, not per command.
 */
export function connectRedis(url: string, logger: Logger): RedisLink {
  const options = {
    lazyConnect: false,
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 6), 3_000),
    connectionName: 'candor',
  };
  const pub = new Redis(url, options);
  // The subscriber must queue its SUBSCRIBE until connected; it sends nothing else.
  const sub = new Redis(url, { ...options, enableOfflineQueue: true, enableAutoPipelining: false });
  let down = false;
  const onError = (which: string) => (err: Error) => {
    if (down) return;
    down = true;
    logger.warn('redis unavailable; serving local sockets only until it returns', { client: which, code: (err as { code?: unknown }).code });
  };
  pub.on('error', onError('pub'));
  sub.on('error', onError('sub'));
  pub.on('ready', () => {
    if (down) logger.info('redis reconnected');
    down = false;
  });

  return {
    pub,
    sub,
    async ping() {
      await pub.ping();
      // A node whose subscriber is still reconnecting publishes but hears nothing from the others.
      if (sub.status !== 'ready') throw new Error(`redis subscriber ${sub.status}`);
    },
    isUp: () => pub.status === 'ready',
    async close() {
      pub.disconnect();
      sub.disconnect();
    },
  };
}

/**
 * The socket.io Redis adapter calls `publish` without handling its promise; a
 * rejected publish during an outage would be an unhandled rejection. This view
 * of the client swallows (and counts) those failures; local delivery is not
 * affected because the adapter delivers to local sockets regardless.
 */
export function failSoftPublisher(pub: Redis, onDrop: () => void): Redis {
  return new Proxy(pub, {
    get(target, prop, receiver) {
      if (prop === 'publish') {
        return (...args: Parameters<Redis['publish']>) =>
          target.publish(...args).catch(() => {
            onDrop();
            return 0;
          });
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
