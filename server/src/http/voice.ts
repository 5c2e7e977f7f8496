import { Router, type Request } from 'express';
import type { QaStatus } from '../../../shared/voice.js';
import type { VoiceSimulator } from '../voice/simulator.js';
import type { VoiceService } from '../voice/voiceService.js';
import { requireCandidate } from './candidateAuth.js';

/** `POST /api/voice/session` (candidate): signed URL / token + dynamic variables, or the simulator. */
export function voiceRouter(deps: { voice: VoiceService; sessionSecret: string; simulator: VoiceSimulator | null }): Router {
  const router = Router();
  const candidate = requireCandidate(deps.sessionSecret);
  router.post(
    '/voice/session',
    (req, _res, next) => {
      // requireCandidate checks the token against :clientSessionId; here the id travels in the body.
      const id = (req.body as { clientSessionId?: unknown } | undefined)?.clientSessionId;
      (req as Request & { params: Record<string, string> }).params = { ...req.params, clientSessionId: typeof id === 'string' ? id : '' };
      next();
    },
    candidate,
    async (req, res) => {
      res.json(await deps.voice.startVoiceSession(req.body));
    },
  );

  // QA console: whether the simulator runs, and what its webhook deliveries for a session got back.
  router.get('/qa/status', (_req, res) => {
    const body: QaStatus = { simulator: deps.simulator !== null };
    res.json(body);
  });
  router.get('/qa/deliveries/:clientSessionId', candidate, (req, res) => {
    res.json({ deliveries: deps.simulator?.deliveries(String(req.params.clientSessionId)) ?? [] });
  });
  return router;
}
