import { Router } from 'express';
import { AppError, parseOrThrow } from '../../../shared/errors.js';
import { listSessionsQuerySchema, type SessionListResponse } from '../../../shared/monitor.js';
import type { Repository } from '../db/repository/index.js';
import { toWireFocusSignal } from '../interview/focusSignals.js';
import { planSummary } from '../interview/plan.js';
import { toWireMessage } from '../interview/snapshot.js';
import { toSessionSummary } from '../interview/summary.js';
import { requireRecruiter } from './recruiterAuth.js';

/** Recruiter REST: the paginated list and one full interview (transcript, link info, evaluation). */
export function recruiterRouter(deps: { repo: Repository; recruiterToken: string }): Router {
  const router = Router();
  const recruiter = requireRecruiter(deps.recruiterToken);

  router.get('/sessions', recruiter, async (req, res) => {
    const query = parseOrThrow(listSessionsQuerySchema, req.query, 'query');
    const page = await deps.repo.listSessions(query);
    const body: SessionListResponse = { items: page.items.map(toSessionSummary), nextCursor: page.nextCursor };
    res.json(body);
  });

  router.get('/sessions/:id', recruiter, async (req, res) => {
    const session = await deps.repo.findById(String(req.params.id));
    if (!session) throw new AppError('NOT_FOUND', 'No interview with this id');
    const { messages, plan, focus, ...rest } = session;
    res.json({
      ...rest,
      focus: (focus ?? []).map(toWireFocusSignal),
      summary: toSessionSummary(session),
      plan: { ...plan, summary: planSummary(plan) },
      messages: messages.map(toWireMessage),
    });
  });

  return router;
}
