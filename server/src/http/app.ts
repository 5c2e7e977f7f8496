import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { healthRouter, type ReadinessCheck } from './health.js';
import { apiNotFound, errorHandler } from './middleware/errors.js';
import type { OriginPolicy } from './middleware/origins.js';
import { rateLimitMiddleware } from './middleware/rateLimit.js';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { requestContext } from './middleware/requestContext.js';

export interface HttpAppDeps {
  logger: Logger;
  metrics: Metrics;
  readiness: ReadinessCheck[];
  /** Routers mounted under /api by later layers (sessions, voice, ...). */
  apiRouters?: Router[];
  /** Routers mounted outside /api, before the client (e.g. POST /webhooks/elevenlabs with its raw body). */
  rootRouters?: Router[];
  /** The built client, when present. */
  clientRouter?: Router | null;
  trustProxy?: boolean;
  /** Largest JSON body /api accepts (JSON_BODY_LIMIT_BYTES); larger -> 413 PAYLOAD_TOO_LARGE. */
  jsonLimit?: string | number;
  /** CORS_ORIGINS for /api; absent: no origin checks (unit tests of the app alone). */
  origins?: OriginPolicy;
  /** Per-IP REST limit for /api (HTTP_RATE_LIMIT); absent: none. */
  rateLimiter?: RateLimiterAbstract;
}

export function createHttpApp(deps: HttpAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // One trusted hop (the proxy in front): req.ip is the address that proxy saw, not a client-chosen X-Forwarded-For entry.
  app.set('trust proxy', deps.trustProxy ? 1 : false);
  app.use(requestContext(deps.logger, deps.metrics));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // socket.io and the ElevenLabs SDK open websockets (and WebRTC signalling over https) from the page.
          'connect-src': ["'self'", 'ws:', 'wss:', 'https:'],
          // The ElevenLabs SDK runs its audio processing in worklets loaded from blob: URLs.
          'worker-src': ["'self'", 'blob:'],
        },
      },
    }),
  );
  app.use(healthRouter({ checks: deps.readiness, metrics: deps.metrics }));

  const api = express.Router();
  if (deps.origins) api.use(deps.origins.middleware());
  if (deps.rateLimiter) api.use(rateLimitMiddleware(deps.rateLimiter));
  api.use(express.json({ limit: deps.jsonLimit ?? '128kb' }));
  for (const router of deps.apiRouters ?? []) api.use(router);
  api.use(apiNotFound);
  app.use('/api', api);

  for (const router of deps.rootRouters ?? []) app.use(router);
  if (deps.clientRouter) app.use(deps.clientRouter);
  app.use(apiNotFound);
  app.use(errorHandler(deps.logger));
  return app;
}
