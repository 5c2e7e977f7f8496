import { Router } from 'express';
import type { HealthResponse, ReadinessResponse } from '../../../shared/ops.js';
import { ROUTES } from '../../../shared/routes.js';
import { routeMounter } from './route.js';
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
  const on = routeMounter(router, '');

  on(ROUTES.health, (_req, res) => {
    const body: HealthResponse = { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
    res.json(body);
  });

  on(ROUTES.readiness, async (_req, res) => {
    const results = await Promise.all(deps.checks.map(async ({ name, check }) => [name, await outcome(check)] as const));
    const checks = Object.fromEntries(results);
    const failed = results.filter(([, result]) => result !== 'ok');
    if (failed.length === 0) {
      const body: ReadinessResponse = { status: 'ready', checks };
      res.json(body);
      return;
    }
    res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    const body: ReadinessResponse = {
      status: 'unavailable',
      checks,
      error: {
        code: 'DEPENDENCY_DOWN',
        message: `Not ready: ${failed.map(([name]) => name).join(', ')} unavailable`,
        details: failed.map(([name, result]) => ({ path: name, message: result })),
      },
    };
    res.status(503).json(body);
  });

  on(ROUTES.metrics, async (_req, res) => {
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
