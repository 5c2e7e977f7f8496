import { Router, type Request } from 'express';
import type { VoiceService } from '../voice/voiceService.js';
import { requireCandidate } from './candidateAuth.js';

/** `POST /api/voice/session` (candidate): signed URL / token + dynamic variables, or the simulator. */
export function voiceRouter(deps: { voice: VoiceService; sessionSecret: string }): Router {
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
  return router;
}
