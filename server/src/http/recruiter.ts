import { Router } from 'express';
import { AppError, parseOrThrow } from '../../../shared/errors.js';
import type { Interview } from '../../../shared/interview.js';
import { linkRequestSchema, listSessionsQuerySchema, type SessionListResponse } from '../../../shared/monitor.js';
import type { Repository } from '../db/repository/index.js';
import { toWireFocusSignal } from '../interview/focusSignals.js';
import { planSummary } from '../interview/plan.js';
import { toWireMessage } from '../interview/snapshot.js';
import { toSessionSummary } from '../interview/summary.js';
import type { RecruiterAuth } from '../recruiters/auth.js';
import { toWireNote } from '../recruiters/notes.js';
import type { RetentionPolicy } from '../privacy/retentionPolicy.js';
import { requireRecruiter } from './recruiterAuth.js';

/** Recruiter REST: the paginated list and one full interview (transcript, link info, evaluation). */
export interface RecruiterRouterDeps {
  repo: Repository;
  auth: RecruiterAuth;
  /** Merges an orphaned conversation's transcript into a session (the voice linker's merge). */
  mergeOrphan: (clientSessionId: string, conversationId: string) => Promise<{ merged: boolean; session: Interview | null }>;
  /** Computes each summary's deleteAfter (docs/privacy.md). */
  retention?: RetentionPolicy;
}

export function recruiterRouter(deps: RecruiterRouterDeps): Router {
  const router = Router();
  const recruiter = requireRecruiter(deps.auth);

  router.get('/sessions', recruiter, async (req, res) => {
    const query = parseOrThrow(listSessionsQuerySchema, req.query, 'query');
    const page = await deps.repo.listSessions(query);
    const body: SessionListResponse = { items: page.items.map((s) => toSessionSummary(s, deps.retention)), nextCursor: page.nextCursor };
    res.json(body);
  });

  router.get('/sessions/:id', recruiter, async (req, res) => {
    const session = await deps.repo.findById(String(req.params.id));
    if (!session) throw new AppError('NOT_FOUND', 'No interview with this id');
    // The webhook outbox is internal bookkeeping (docs/webhooks-out.md), not part of the session view.
    const { messages, plan, focus, notes, outbox: _outbox, outboxLeaseUntil: _lease, ...rest } = session;
    res.json({
      ...rest,
      focus: (focus ?? []).map(toWireFocusSignal),
      // Private recruiter notes (never on a candidate route), oldest first.
      notes: (notes ?? []).map((n) => toWireNote(session.id, n)),
      summary: toSessionSummary(session, deps.retention),
      plan: { ...plan, summary: planSummary(plan) },
      messages: messages.map(toWireMessage),
    });
  });

  router.post('/sessions/:id/link', recruiter, async (req, res) => {
    const { conversationId } = parseOrThrow(linkRequestSchema, req.body, 'link request');
    const session = await deps.repo.findById(String(req.params.id));
    if (!session) throw new AppError('NOT_FOUND', 'No interview with this id');
    if (session.mode !== 'voice' || session.status === 'orphaned') {
      throw new AppError('STATE_CONFLICT', 'Only a voice interview can take an orphaned conversation');
    }
    if (session.transcript && session.transcript.conversationId !== conversationId) {
      throw new AppError('STATE_CONFLICT', 'This interview already has a linked transcript');
    }
    const orphan = await deps.repo.findByConversationId(conversationId);
    if (!orphan && session.voice?.conversationId !== conversationId) {
      throw new AppError('NOT_FOUND', 'No orphaned conversation with this id');
    }
    const result = await deps.mergeOrphan(session.clientSessionId, conversationId);
    const current = result.session ?? session;
    if (!result.merged && current.voice?.conversationId !== conversationId) {
      throw new AppError('STATE_CONFLICT', 'The conversation could not be linked to this interview (it may belong to another one)');
    }
    res.json({ ok: true, summary: toSessionSummary(current, deps.retention) });
  });

  return router;
}
