import { z } from 'zod';
import { errorBodySchema } from './errors.js';

/** Ops endpoints outside /api (docs/operations.md). */

/** GET /healthz: the process is alive. */
export const healthResponseSchema = z.object({ status: z.literal('ok'), uptimeSeconds: z.number().int().min(0) });
export type HealthResponse = z.infer<typeof healthResponseSchema>;

/** GET /readyz: every dependency check, by name -> 'ok' or why it failed; on 503 also the protocol's error object. */
export const readinessResponseSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), z.string()),
  error: errorBodySchema.optional(),
});
export type ReadinessResponse = z.infer<typeof readinessResponseSchema>;
