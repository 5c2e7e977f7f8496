import type { Request, RequestHandler } from 'express';
import { AppError } from '../../../shared/errors.js';
import { clientSessionIdSchema } from '../../../shared/ids.js';
import { verifyCandidateToken } from '../interview/candidateToken.js';

/** `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/**
 * Candidate routes carry `:clientSessionId` and the candidate token of THAT
 * session (header, or `candidateToken` in the body where sendBeacon cannot set
 * headers). No token -> 401; a token for another session -> 401 as well, since
 * an HMAC does not say which session it was made for.
 */
export function requireCandidate(secret: string, opts: { tokenInBody?: (req: Request) => unknown } = {}): RequestHandler {
  return (req, _res, next) => {
    const id = clientSessionIdSchema.safeParse(req.params.clientSessionId);
    if (!id.success) {
      next(new AppError('VALIDATION', 'Invalid clientSessionId: must be a UUID', { details: [{ path: 'clientSessionId', message: 'must be a UUID' }] }));
      return;
    }
    const token = bearerToken(req) ?? opts.tokenInBody?.(req);
    if (token === undefined) {
      next(new AppError('UNAUTHORIZED', 'A candidate token is required (Authorization: Bearer <candidateToken>)'));
      return;
    }
    if (!verifyCandidateToken(secret, id.data, token)) {
      next(new AppError('UNAUTHORIZED', 'The candidate token does not open this session'));
      return;
    }
    next();
  };
}
