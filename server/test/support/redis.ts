import { inject } from 'vitest';

/**
 * The Redis URL for a test that needs Redis (give each test its own REDIS_PREFIX):
 * the machine's 127.0.0.1:6379, TEST_REDIS_URL, or a redis-server this run started
 * (redisGlobalSetup.ts). Without any, throws the one line saying what is missing.
 */
export function testRedisUrl(): string {
  const redis = inject('testRedis');
  if (!redis) throw new Error('Redis needed: this project has no Redis global setup (vitest.config.ts)');
  if (redis.problem !== undefined) throw new Error(redis.problem);
  return redis.url;
}
