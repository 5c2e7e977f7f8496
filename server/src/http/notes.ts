import { Router } from 'express';
import { parseOrThrow } from '../../../shared/errors.js';
import { noteParamsSchema } from '../../../shared/notes.js';
import { objectIdHexSchema } from '../../../shared/ids.js';
import type { RecruiterAuth } from '../recruiters/auth.js';
import type { NotesService } from '../recruiters/notes.js';
import { actingRecruiter, requireRecruiter } from './recruiterAuth.js';

/**
 * Private notes over REST, the twins of `/monitor` `note:add` / `note:edit`
 * (same service). Recruiters only; GET /api/sessions/:id includes the notes.
 */
export function notesRouter(deps: { auth: RecruiterAuth; notes: NotesService }): Router {
  const router = Router();
  const recruiter = requireRecruiter(deps.auth);

  router.post('/sessions/:id/notes', recruiter, async (req, res) => {
    const sessionId = parseOrThrow(objectIdHexSchema, req.params.id, 'session id');
    const body = await deps.notes.add(actingRecruiter(req), sessionId, req.body);
    res.status(body.created ? 201 : 200).json(body);
  });

  router.patch('/sessions/:id/notes/:noteId', recruiter, async (req, res) => {
    const { id, noteId } = parseOrThrow(noteParamsSchema, req.params, 'path');
    res.json(await deps.notes.edit(actingRecruiter(req), id, noteId, req.body));
  });

  return router;
}
