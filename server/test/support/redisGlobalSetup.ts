import type { TestProject } from 'vitest/node';
import { prepareTestRedis, type PreparedRedis, type TestRedis } from './testRedis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testRedis: TestRedis;
  }
}

let prepared: PreparedRedis | undefined;

/**
 * Once per run of the server project: finds or starts the Redis the tests use
 * (testRedis.ts) and hands it to them through `inject('testRedis')`; a redis-server
 * started here is stopped in teardown. A missing Redis does not stop the run: only
 * the tests that need it fail, at once, with the line it gives (support/redis.ts).
 */
export async function setup(project: TestProject): Promise<void> {
  prepared = await prepareTestRedis({ configuredUrl: process.env['TEST_REDIS_URL'] });
  process.stdout.write(`${prepared.note}\n`);
  project.provide('testRedis', prepared.redis);
}

export async function teardown(): Promise<void> {
  await prepared?.stop();
}
