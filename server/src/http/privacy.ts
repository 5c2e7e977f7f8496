import { Router, type RequestHandler } from 'express';
import { AppError } from '../../../shared/errors.js';
import type { ErasureService } from '../privacy/erasureService.js';

/**
 * DELETE /api/sessions/:id (admin): erases the interview everywhere it is stored
 * (docs/privacy.md). 204 once erased; 404 for an unknown id and for every repeat.
 */
export function privacyRouter(deps: { erasure: ErasureService; adminGuard: RequestHandler }): Router {
  const router = Router();
  router.delete('/sessions/:id', deps.adminGuard, async (req, res) => {
    const result = await deps.erasure.eraseSession(String(req.params.id));
    if (result === 'not_found') throw new AppError('NOT_FOUND', 'No interview with this id');
    res.status(204).end();
  });
  return router;
}
