import { Router } from 'express';
import { parseOrThrow } from '../../../shared/errors.js';
import { recruiterIdParamSchema, type CreateRecruiterResponse, type MeResponse, type RecruiterListResponse } from '../../../shared/recruiters.js';
import { toRecruiterView, type RecruiterAdmin } from '../recruiters/admin.js';
import type { RecruiterAuth } from '../recruiters/auth.js';
import { actingRecruiter, requireAdmin, requireRecruiter } from './recruiterAuth.js';

/**
 * Named recruiters (docs/security.md "Recruiters"): who am I (any recruiter),
 * and for admins: list, create (the token is in this one response only),
 * revoke (takes effect on the next request; live /monitor sockets are closed).
 */
export function recruitersRouter(deps: { auth: RecruiterAuth; admin: RecruiterAdmin }): Router {
  const router = Router();
  const recruiter = requireRecruiter(deps.auth);
  const admin = requireAdmin(deps.auth);

  router.get('/recruiters/me', recruiter, (req, res) => {
    const body: MeResponse = actingRecruiter(req);
    res.json(body);
  });

  router.get('/recruiters', admin, async (req, res) => {
    const items = await deps.admin.list(actingRecruiter(req));
    const body: RecruiterListResponse = { items: items.map(toRecruiterView) };
    res.json(body);
  });

  router.post('/recruiters', admin, async (req, res) => {
    const { recruiter: created, token } = await deps.admin.create(actingRecruiter(req), req.body);
    const body: CreateRecruiterResponse = { ...toRecruiterView(created), token };
    // The token must not linger in any cache between here and the admin's screen.
    res.status(201).set('cache-control', 'no-store').json(body);
  });

  router.delete('/recruiters/:id', admin, async (req, res) => {
    const { id } = parseOrThrow(recruiterIdParamSchema, req.params, 'path');
    res.json(toRecruiterView(await deps.admin.revoke(actingRecruiter(req), id)));
  });

  return router;
}
