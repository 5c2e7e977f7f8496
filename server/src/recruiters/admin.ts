import { AppError, parseOrThrow } from '../../../shared/errors.js';
import { createRecruiterRequestSchema, type ActingRecruiter, type Recruiter, type RecruiterView } from '../../../shared/recruiters.js';
import type { Repository } from '../db/repository/index.js';
import type { Logger } from '../observability/logger.js';
import { actorRef, assertAdmin } from './auth.js';
import { formatRecruiterToken, hashRecruiterSecret, newRecruiterSecret } from './tokens.js';

/**
 * Creating and revoking named recruiters: one code path for the REST routes
 * (acting admin) and `npm run recruiter:add` (no actor: whoever can reach the
 * database). Logs carry ids and roles only, never names or tokens.
 */
export class RecruiterAdmin {
  constructor(
    private readonly deps: {
      repo: Pick<Repository, 'createRecruiter' | 'listRecruiters' | 'revokeRecruiter'>;
      logger: Logger;
      /** Cuts the revoked recruiter's live /monitor sockets off, on every node. */
      onRevoked?: (recruiterId: string) => void;
    },
  ) {}

  /** Returns the new recruiter and its token — the only time the token exists outside its holder's hands. */
  async create(actor: ActingRecruiter | null, raw: unknown): Promise<{ recruiter: Recruiter; token: string }> {
    if (actor) assertAdmin(actor);
    const input = parseOrThrow(createRecruiterRequestSchema, raw, 'recruiter');
    const secret = newRecruiterSecret();
    const recruiter = await this.deps.repo.createRecruiter({
      name: input.name,
      role: input.role,
      secretHash: hashRecruiterSecret(secret),
      ...(actor ? { createdBy: actorRef(actor) } : {}),
    });
    this.deps.logger.info('recruiter created', { recruiterId: recruiter.id, role: recruiter.role, by: actor?.id ?? 'command-line' });
    return { recruiter, token: formatRecruiterToken(recruiter.id, secret) };
  }

  list(actor: ActingRecruiter): Promise<Recruiter[]> {
    assertAdmin(actor);
    return this.deps.repo.listRecruiters();
  }

  /** Idempotent: revoking a revoked recruiter returns it unchanged (and disconnects again, harmlessly). */
  async revoke(actor: ActingRecruiter, id: string): Promise<Recruiter> {
    assertAdmin(actor);
    const result = await this.deps.repo.revokeRecruiter(id, actorRef(actor));
    if (result.outcome === 'not_found') throw new AppError('NOT_FOUND', 'No recruiter with this id');
    if (result.outcome === 'revoked') this.deps.logger.info('recruiter revoked', { recruiterId: id, by: actor.id });
    this.deps.onRevoked?.(id);
    return result.recruiter;
  }
}

export function toRecruiterView(r: Recruiter): RecruiterView {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdBy ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
    revokedBy: r.revokedBy ?? null,
  };
}
