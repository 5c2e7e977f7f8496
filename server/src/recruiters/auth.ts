import { AppError } from '../../../shared/errors.js';
import { BOOTSTRAP_RECRUITER_ID, BOOTSTRAP_RECRUITER_NAME, type ActingRecruiter } from '../../../shared/recruiters.js';
import type { Repository } from '../db/repository/index.js';
import { looksLikeCandidateToken, parseRecruiterToken, recruiterTokenMatches, secretMatches } from './tokens.js';

export type Authentication = { ok: true; recruiter: ActingRecruiter } | { ok: false; error: AppError };

/** The bootstrap credential (RECRUITER_TOKEN) acts as this admin. */
export const BOOTSTRAP_RECRUITER: ActingRecruiter = Object.freeze({ id: BOOTSTRAP_RECRUITER_ID, name: BOOTSTRAP_RECRUITER_NAME, role: 'admin' });

/**
 * Who a presented recruiter token is. No cache: a named token is looked up by
 * its id on every request and socket event, so a revocation holds from the
 * very next one, on every node. Failures say as little as they can: a wrong
 * secret and an unknown id are the same 401 (and cost the same work); only
 * the holder of the right secret learns that it was revoked.
 */
export class RecruiterAuth {
  constructor(private readonly deps: { repo: Pick<Repository, 'findRecruiterById'>; bootstrapToken: string }) {}

  async authenticate(token: string | undefined): Promise<Authentication> {
    if (token === undefined || token.length === 0) return refuse('UNAUTHORIZED', 'A recruiter token is required (Authorization: Bearer <token>)');
    if (recruiterTokenMatches(this.deps.bootstrapToken, token)) return { ok: true, recruiter: BOOTSTRAP_RECRUITER };
    if (looksLikeCandidateToken(token)) return refuse('FORBIDDEN', 'A candidate token cannot open recruiter routes');
    const parsed = token.length <= 512 ? parseRecruiterToken(token) : null;
    if (!parsed) return refuse('UNAUTHORIZED', 'The recruiter token is not valid');
    const stored = await this.deps.repo.findRecruiterById(parsed.id);
    if (!secretMatches(parsed.secret, stored?.secretHash) || !stored) return refuse('UNAUTHORIZED', 'The recruiter token is not valid');
    if (stored.revokedAt) return refuse('UNAUTHORIZED', 'This recruiter token was revoked');
    return { ok: true, recruiter: { id: stored.id, name: stored.name, role: stored.role } };
  }

  /** Still allowed to act (checked again before every /monitor event)? The bootstrap admin always is. */
  async isActive(recruiter: ActingRecruiter): Promise<boolean> {
    if (recruiter.id === BOOTSTRAP_RECRUITER_ID) return true;
    const stored = await this.deps.repo.findRecruiterById(recruiter.id);
    return stored !== null && stored.revokedAt === undefined;
  }
}

function refuse(code: 'UNAUTHORIZED' | 'FORBIDDEN', message: string): Authentication {
  return { ok: false, error: new AppError(code, message) };
}

/** Admin-only actions (recruiter management; later webhooks and erasure), for REST and socket handlers alike. */
export function assertAdmin(recruiter: ActingRecruiter): void {
  if (recruiter.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an admin can do this');
}

/** How an action is attributed in stored data. */
export function actorRef(recruiter: ActingRecruiter): { id: string; name: string } {
  return { id: recruiter.id, name: recruiter.name };
}
