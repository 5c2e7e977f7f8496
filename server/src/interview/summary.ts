import type { Evaluation, Interview } from '../../../shared/interview.js';
import type { LinkState, SessionSummary } from '../../../shared/monitor.js';
import { KEEP_FOREVER, type RetentionPolicy } from '../privacy/retentionPolicy.js';
import { planSummary } from './plan.js';

/** What a list row is derived from: a full interview, a list item, or a hot-path write's projected reply. */
export type SummarySource = Pick<
  Interview,
  'id' | 'clientSessionId' | 'candidateName' | 'role' | 'mode' | 'status' | 'plan' | 'voice' | 'updatedAt' | 'createdAt' | 'openingId' | 'endedAt'
> & { evaluation?: Pick<Evaluation, 'status'> | undefined };

/** One row of the recruiter's live list, derived from the stored interview (deleteAfter from the retention policy). */
export function toSessionSummary(session: SummarySource, retention: RetentionPolicy = KEEP_FOREVER): SessionSummary {
  const plan = planSummary(session.plan);
  const deleteAfter = retention.deleteAfter(session);
  return {
    sessionId: session.id,
    clientSessionId: session.clientSessionId,
    candidateName: session.candidateName ?? null,
    role: session.role,
    mode: session.mode,
    status: session.status,
    questionNumber: plan.asked,
    phase: plan.phase,
    lastActivityAt: session.updatedAt.toISOString(),
    createdAt: session.createdAt.toISOString(),
    linkState: linkStateOf(session),
    linkedBy: session.voice?.linkedBy ?? null,
    evaluationStatus: session.evaluation?.status ?? null,
    ...(session.openingId ? { openingId: session.openingId } : {}),
    deleteAfter: deleteAfter ? deleteAfter.toISOString() : null,
  };
}

function linkStateOf(session: Pick<Interview, 'mode' | 'status' | 'voice'>): LinkState {
  if (session.status === 'orphaned') return 'orphaned';
  if (session.mode !== 'voice') return 'none';
  if (session.voice?.linkedBy) return 'linked';
  if ((session.voice?.candidates?.length ?? 0) > 1) return 'ambiguous';
  return 'pending';
}
