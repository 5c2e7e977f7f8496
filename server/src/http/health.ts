import { Router } from 'express';
import type { Metrics } from '../observability/metrics.js';

/** A dependency /readyz checks; `check` rejects when it is not usable. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;
const RETRY_AFTER_SECONDS = 5;

export function healthRouter(deps: { checks: ReadinessCheck[]; metrics: Metrics }): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });

  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(deps.checks.map(async ({ name, check }) => [name, await outcome(check)] as const));
    const checks = Object.fromEntries(results);
    const failed = results.filter(([, result]) => result !== 'ok');
    if (failed.length === 0) {
      res.json({ status: 'ready', checks });
      return;
    }
    res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(503).json({
      status: 'unavailable',
      checks,
      error: {
        code: 'DEPENDENCY_DOWN',
        message: `Not ready: ${failed.map(([name]) => name).join(', ')} unavailable`,
        details: failed.map(([name, result]) => ({ path: name, message: result })),
      },
    });
  });

  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  return router;
}

async function outcome(check: () => Promise<void>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (err) {
    return err instanceof Error ? err.message : 'failed';
  } finally {
    clearTimeout(timer);
  }
}
