import express, { Router, type Request } from 'express';
import { AppError, parseOrThrow } from '../../../shared/errors.js';
import { endSessionRequestSchema, type CreateSessionResponse } from '../../../shared/protocol.js';
import { candidateTokenFor } from '../interview/candidateToken.js';
import type { InterviewService } from '../interview/service.js';
import { toWireMessage } from '../interview/snapshot.js';
import { requireCandidate } from './candidateAuth.js';
import type { Interview } from '../../../shared/interview.js';
import type { SessionByClientWithVoice, VoiceResult } from '../../../shared/voice.js';

/** The candidate's REST routes; each calls the same service function as its socket twin. */
export function candidateSessionsRouter(deps: {
  service: InterviewService;
  sessionSecret: string;
  /** The voice block of by-client (docs/voice.md "States for the results page"). */
  voiceResult?: (session: Interview) => VoiceResult | null;
  /** An erased interview's clientSessionId is never used again (docs/privacy.md). */
  isErased?: (clientSessionId: string) => Promise<boolean>;
}): Router {
  const { service, sessionSecret } = deps;
  const router = Router();
  const candidate = requireCandidate(sessionSecret);

  router.post('/sessions', async (req, res) => {
    const csid = (req.body as { clientSessionId?: unknown } | undefined)?.clientSessionId;
    if (typeof csid === 'string' && (await deps.isErased?.(csid))) throw new AppError('GONE', 'This interview was deleted; start a new one');
    const { session, created } = await service.createSession(req.body);
    const body: CreateSessionResponse = {
      sessionId: session.id,
      clientSessionId: session.clientSessionId,
      candidateToken: candidateTokenFor(sessionSecret, session.clientSessionId),
      status: session.status,
      created,
    };
    res.status(created ? 201 : 200).json(body);
  });

  router.get('/sessions/by-client/:clientSessionId', candidate, async (req, res) => {
    const session = await service.require(String(req.params.clientSessionId));
    const body: SessionByClientWithVoice = {
      interviewId: session.id,
      conversationId: session.voice?.conversationId ?? null,
      status: session.status,
      evaluationStatus: session.evaluation?.status ?? null,
      evaluation: session.evaluation?.result ?? null,
      messages: session.messages.map(toWireMessage),
      voice: deps.voiceResult?.(session) ?? null,
    };
    res.json(body);
  });

  router.post('/sessions/:clientSessionId/messages', candidate, async (req, res) => {
    res.json(await service.submitAnswer(String(req.params.clientSessionId), req.body));
  });

  // navigator.sendBeacon posts text/plain and cannot set headers: accept both.
  router.post(
    '/sessions/:clientSessionId/end',
    express.text({ type: 'text/plain', limit: '4kb' }),
    (req, _res, next) => {
      req.body = parseBeaconBody(req);
      next();
    },
    requireCandidate(sessionSecret, { tokenInBody: (req) => (req.body as { candidateToken?: unknown } | undefined)?.candidateToken }),
    async (req, res) => {
      const input = parseOrThrow(endSessionRequestSchema, req.body, 'end request');
      res.json(await service.end(String(req.params.clientSessionId), input.endedBy, input.conversationId));
    },
  );

  return router;
}

function parseBeaconBody(req: Request): unknown {
  if (typeof req.body !== 'string') return req.body ?? {};
  try {
    return JSON.parse(req.body) as unknown;
  } catch {
    throw new AppError('VALIDATION', 'Request body is not valid JSON');
  }
}

/** GET /api/roles: what the interviewer can interview for. */
export function rolesRouter(roles: ReadonlyArray<{ id: string; title: string; description: string }>): Router {
  const body = roles.map(({ id, title, description }) => ({ id, title, description }));
  return Router().get('/roles', (_req, res) => {
    res.json(body);
  });
}
