import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../../../shared/errors.js';
import { bearerToken } from './candidateAuth.js';

/** Constant-time comparison of a presented recruiter token (hashing first makes lengths equal). */
export function recruiterTokenMatches(expected: string, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 512) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Candidate tokens have a recognisable shape: presenting one here is the wrong party, not a typo. */
export function looksLikeCandidateToken(token: string): boolean {
  return /^v1\.[A-Za-z0-9_-]{43}$/.test(token);
}

/** Recruiter routes: no token -> 401, a candidate token -> 403, anything else wrong -> 401. */
export function requireRecruiter(expected: string): RequestHandler {
  return (req, _res, next) => {
    const token = bearerToken(req);
    if (token === undefined) next(new AppError('UNAUTHORIZED', 'A recruiter token is required (Authorization: Bearer <RECRUITER_TOKEN>)'));
    else if (recruiterTokenMatches(expected, token)) next();
    else if (looksLikeCandidateToken(token)) next(new AppError('FORBIDDEN', 'A candidate token cannot open recruiter routes'));
    else next(new AppError('UNAUTHORIZED', 'The recruiter token is not valid'));
  };
}
