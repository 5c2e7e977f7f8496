import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../../../shared/errors.js';
import type { ActingRecruiter } from '../../../shared/recruiters.js';
import { assertAdmin, type RecruiterAuth } from '../recruiters/auth.js';
import { bearerToken } from './candidateAuth.js';

export { looksLikeCandidateToken, recruiterTokenMatches } from '../recruiters/tokens.js';

/** The recruiter each authenticated request acts as (set by requireRecruiter, read with actingRecruiter). */
const acting = new WeakMap<Request, ActingRecruiter>();

/**
 * Recruiter routes: no token -> 401, a candidate token -> 403, a wrong or
 * revoked token -> 401. A named token is looked up on every request (no cache),
 * so a revocation holds from the next one. The handler reads who is acting
 * with `actingRecruiter(req)`.
 */
export function requireRecruiter(auth: RecruiterAuth): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    auth.authenticate(bearerToken(req)).then(
      (result) => {
        if (!result.ok) return next(result.error);
        acting.set(req, result.recruiter);
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

/** requireRecruiter, then the admin role (403 FORBIDDEN for a recruiter). Reusable for every admin-only route. */
export function requireAdmin(auth: RecruiterAuth): RequestHandler {
  const recruiter = requireRecruiter(auth);
  return (req, res, next) =>
    recruiter(req, res, (err?: unknown) => {
      if (err !== undefined) return next(err);
      try {
        assertAdmin(actingRecruiter(req));
        next();
      } catch (refused) {
        next(refused);
      }
    });
}

/** Who is acting on this request. Only valid behind requireRecruiter / requireAdmin. */
export function actingRecruiter(req: Request): ActingRecruiter {
  const recruiter = acting.get(req);
  if (!recruiter) throw new AppError('INTERNAL', 'actingRecruiter() used on a route without requireRecruiter');
  return recruiter;
}
