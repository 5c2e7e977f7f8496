import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { healthRouter, type ReadinessCheck } from './health.js';
import { apiNotFound, errorHandler } from './middleware/errors.js';
import { requestContext } from './middleware/requestContext.js';

export interface HttpAppDeps {
  logger: Logger;
  metrics: Metrics;
  readiness: ReadinessCheck[];
  /** Routers mounted under /api by later layers (sessions, voice, ...). */
  apiRouters?: Router[];
  /** The built client, when present. */
  clientRouter?: Router | null;
  trustProxy?: boolean;
  jsonLimit?: string;
}

export function createHttpApp(deps: HttpAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(requestContext(deps.logger, deps.metrics));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // socket.io and the ElevenLabs SDK open websockets from the page.
          'connect-src': ["'self'", 'ws:', 'wss:'],
        },
      },
    }),
  );
  app.use(healthRouter({ checks: deps.readiness, metrics: deps.metrics }));

  const api = express.Router();
  api.use(express.json({ limit: deps.jsonLimit ?? '32kb' }));
  for (const router of deps.apiRouters ?? []) api.use(router);
  api.use(apiNotFound);
  app.use('/api', api);

  if (deps.clientRouter) app.use(deps.clientRouter);
  app.use(apiNotFound);
  app.use(errorHandler(deps.logger));
  return app;
}
