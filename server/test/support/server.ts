import { randomUUID } from 'node:crypto';
import { startCandor, type RunningCandor } from '../../src/candor.js';
import type { WebhooksOutDeps } from '../../src/webhooksOut/index.js';
import { loadConfig, type Config } from '../../src/config.js';
import { makeDataDir } from './candorProcess.js';
import { captureLogs } from './logCapture.js';

export interface TestServer extends RunningCandor {
  config: Config;
  logLines: string[];
  dataDir: string;
}

/**
 * A real Candor server in this process: embedded MongoDB in a temp dir (or a
 * fresh database on MONGODB_URI when set), scripted interviewer, real sockets.
 * Defaults suit fast tests: tokens without delay, one event per token (frames off; the
 * tests of token frames turn them on), no answer rate limit.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  opts: { clientDir?: string; webhooksOut?: Pick<WebhooksOutDeps, 'resolve' | 'send' | 'random'> } = {},
): Promise<TestServer> {
  const dataDir = env.DATA_DIR ?? makeDataDir();
  const mongo = process.env.MONGODB_URI ? { MONGODB_URI: withDatabase(process.env.MONGODB_URI, `candor_test_${randomUUID().slice(0, 8)}`) } : {};
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    SCRIPTED_TOKEN_DELAY_MS: '0',
    TOKEN_FRAME_MS: '0',
    ANSWER_MIN_INTERVAL_MS: '0',
    EMBEDDED_DB_DURABILITY: 'none',
    ...mongo,
    ...env,
  });
  const { logger, lines } = captureLogs('debug');
  const candor = await startCandor(config, logger, { clientDir: opts.clientDir ?? '/nonexistent', ...(opts.webhooksOut ? { webhooksOut: opts.webhooksOut } : {}) });
  return { ...candor, url: candor.url.replace('localhost', '127.0.0.1'), config, logLines: lines, dataDir };
}

function withDatabase(uri: string, db: string): string {
  const url = new URL(uri);
  url.pathname = `/${db}`;
  return url.toString();
}
