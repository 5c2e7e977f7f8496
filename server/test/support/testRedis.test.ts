import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type ChildHandle } from './processes.js';
import { prepareTestRedis, redisAnswers } from './testRedis.js';

/** The test run's Redis (redisGlobalSetup.ts), exercised on ports of its own: the machine's 6379 is never touched. */
const started: ChildHandle[] = [];
afterAll(async () => {
  await Promise.all(started.map((c) => c.stop()));
});

describe('the Redis a test run uses', () => {
  it('a Redis answering at the default address is used as it is, and left running', async () => {
    const port = await freePort();
    started.push(await startRedisServer(port));
    const url = `redis://127.0.0.1:${port}`;
    const prepared = await prepareTestRedis({ defaultUrl: url });
    expect(prepared.redis).toEqual({ url });
    await prepared.stop();
    expect(await redisAnswers(url)).toBe(true);
  });

  it('with nothing answering, the run starts its own redis-server on a free port and stops it at the end', async () => {
    const silent = `redis://127.0.0.1:${await freePort()}`;
    const prepared = await prepareTestRedis({ defaultUrl: silent });
    const url = prepared.redis.url!;
    expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe(silent);
    expect(prepared.note).toContain(`nothing answered on ${silent}`);
    expect(await redisAnswers(url)).toBe(true);
    await prepared.stop();
    expect(await redisAnswers(url)).toBe(false);
  });

  it('with nothing answering and no redis-server, it says in one line what is missing, at once', async () => {
    const silent = `redis://127.0.0.1:${await freePort()}`;
    const t0 = Date.now();
    const prepared = await prepareTestRedis({ defaultUrl: silent, searchPath: '' });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(prepared.redis.url).toBeUndefined();
    expect(prepared.redis.problem).toBe(`Redis needed: nothing answers on ${silent} and no redis-server is on PATH (install redis-server, start Redis there, or set TEST_REDIS_URL)`);
  });

  it('TEST_REDIS_URL is used without probing anything', async () => {
    const prepared = await prepareTestRedis({ configuredUrl: 'redis://redis.internal:6380', searchPath: '' });
    expect(prepared.redis).toEqual({ url: 'redis://redis.internal:6380' });
  });
});
