import { Router, type Request } from 'express';
import { ROUTES } from '../../../shared/routes.js';
import type { VoiceSimulator } from '../voice/simulator.js';
import type { VoiceService } from '../voice/voiceService.js';
import { requireCandidate } from './candidateAuth.js';
import { routeMounter } from './route.js';

/** `POST /api/voice/session` (candidate): signed URL / token + dynamic variables, or the simulator. */
export function voiceRouter(deps: { voice: VoiceService; sessionSecret: string; simulator: VoiceSimulator | null }): Router {
  const router = Router();
  const on = routeMounter(router, '/api', { candidate: requireCandidate(deps.sessionSecret) });
  on(
    ROUTES.voiceSession,
    {
      before: [
        (req, _res, next) => {
          // requireCandidate checks the token against :clientSessionId; here the id travels in the body.
          const id = (req.body as { clientSessionId?: unknown } | undefined)?.clientSessionId;
          (req as Request & { params: Record<string, string> }).params = { ...req.params, clientSessionId: typeof id === 'string' ? id : '' };
          next();
        },
      ],
    },
    async (req, res) => {
      res.json(await deps.voice.startVoiceSession(req.body));
    },
  );

  // QA console: whether the simulator runs, and what its webhook deliveries for a session got back.
  on(ROUTES.qaStatus, (_req, res) => {
    res.json({ simulator: deps.simulator !== null });
  });
  on(ROUTES.qaDeliveries, (req, res) => {
    res.json({ deliveries: deps.simulator?.deliveries(req.params.clientSessionId) ?? [] });
  });
  return router;
}
