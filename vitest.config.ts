import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default (cores - 1) is ONE worker on a 2-core machine, and most test files wait on
    // child processes, sockets and timers rather than compute: two workers there (900 -> ~500 s).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The last line of every run is a plain `N passed, N failed, N skipped` (scripts/vitest/summaryReporter.ts).
    reporters: ['default', './scripts/vitest/summaryReporter.ts'],
    projects: [
      {
        extends: true,
        // Redis: the machine's 127.0.0.1:6379, else a redis-server of the run's own (server/test/support/testRedis.ts).
        test: {
          name: 'server',
          include: ['server/test/**/*.test.ts', 'shared/**/*.test.ts', 'scripts/**/*.test.ts'],
          globalSetup: ['server/test/support/redisGlobalSetup.ts'],
        },
      },
      {
        // Component and unit tests of the React client; DOM tests pick happy-dom per file.
        extends: true,
        test: { name: 'client', include: ['client/**/*.test.{ts,tsx}'] },
      },
      {
        // Real Chromium against a real server: built and started once in globalSetup.
        extends: true,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          globalSetup: ['e2e/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
