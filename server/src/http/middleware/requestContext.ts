import type { RequestHandler } from 'express';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { correlationIdFrom, runWithCorrelation } from '../../observability/correlation.js';

/**
 * Gives each request a correlation id (echoed as X-Request-Id), and records
 * one access-log line and one latency observation when the response is done.
 * The route label is the matched pattern, never the raw path, to keep the
 * metric's cardinality bounded.
 */
export function requestContext(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const correlationId = correlationIdFrom(req.get('x-request-id'));
    const started = process.hrtime.bigint();
    res.setHeader('X-Request-Id', correlationId);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeLabel(req.baseUrl, req.route?.path);
      metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      runWithCorrelation(correlationId, () =>
        logger.http('http request', {
          method: req.method,
          route,
          status: res.statusCode,
          durationMs: Math.round(seconds * 1e5) / 100,
        }),
      );
    });
    runWithCorrelation(correlationId, next);
  };
}

function routeLabel(baseUrl: string, routePath: unknown): string {
  if (typeof routePath === 'string') return `${baseUrl}${routePath}`;
  return baseUrl ? `${baseUrl}/*` : 'unmatched';
}
