import { Router } from 'express';
import { parseOrThrow } from '../../../shared/errors.js';
import { recruiterIdParamSchema, type CreateRecruiterResponse, type MeResponse, type RecruiterListResponse } from '../../../shared/recruiters.js';
import { toRecruiterView, type RecruiterAdmin } from '../recruiters/admin.js';
import type { RecruiterAuth } from '../recruiters/auth.js';
import { ROUTES } from '../../../shared/routes.js';
import { actingRecruiter, requireAdmin, requireRecruiter } from './recruiterAuth.js';
import { routeMounter } from './route.js';

/**
 * Named recruiters (docs/security.md "Recruiters"): who am I (any recruiter),
 * and for admins: list, create (the token is in this one response only),
 * revoke (takes effect on the next request; live /monitor sockets are closed).
 */
export function recruitersRouter(deps: { auth: RecruiterAuth; admin: RecruiterAdmin }): Router {
  const router = Router();
  const on = routeMounter(router, '/api', { recruiter: requireRecruiter(deps.auth), admin: requireAdmin(deps.auth) });

  on(ROUTES.me, (req, res) => {
    const body: MeResponse = actingRecruiter(req);
    res.json(body);
  });

  on(ROUTES.listRecruiters, async (req, res) => {
    const items = await deps.admin.list(actingRecruiter(req));
    const body: RecruiterListResponse = { items: items.map(toRecruiterView) };
    res.json(body);
  });

  on(ROUTES.createRecruiter, async (req, res) => {
    const { recruiter: created, token } = await deps.admin.create(actingRecruiter(req), req.body);
    const body: CreateRecruiterResponse = { ...toRecruiterView(created), token };
    // The token must not linger in any cache between here and the admin's screen.
    res.status(201).set('cache-control', 'no-store').json(body);
  });

  on(ROUTES.revokeRecruiter, async (req, res) => {
    const { id } = parseOrThrow(recruiterIdParamSchema, req.params, 'path');
    res.json(toRecruiterView(await deps.admin.revoke(actingRecruiter(req), id)));
  });

  return router;
}
