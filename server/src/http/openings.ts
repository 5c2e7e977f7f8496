import { Router } from 'express';
import { AppError, parseOrThrow } from '../../../shared/errors.js';
import {
  createOpeningRequestSchema,
  listOpeningsQuerySchema,
  type Opening,
  type OpeningListResponse,
  type OpeningView,
  type PersonaSummary,
  type PublicOpening,
  updateOpeningRequestSchema,
} from '../../../shared/opening.js';
import { statsQuerySchema, type StatsResponse } from '../../../shared/stats.js';
import type { Repository } from '../db/repository/index.js';
import { findPersona, PERSONAS } from '../interview/personas.js';
import { findRole } from '../interview/roles.js';
import type { RecruiterAuth } from '../recruiters/auth.js';
import { requireRecruiter } from './recruiterAuth.js';

export const FOCUS_NOTICE =
  'This interview records when this page is hidden or shown again (for example switching tabs) and the length of anything pasted into the answer box — never its text. Your recruiter sees these events next to your answers.';

/**
 * Openings (docs/openings.md): recruiter CRUD with version-guarded edits,
 * archive instead of delete, slug rotation; the public view of a candidate
 * link; personas; dashboard stats.
 */
export function openingsRouter(deps: { repo: Repository; auth: RecruiterAuth; now?: () => Date }): Router {
  const { repo } = deps;
  const router = Router();
  const recruiter = requireRecruiter(deps.auth);
  const now = deps.now ?? (() => new Date());

  router.post('/openings', recruiter, async (req, res) => {
    const fields = parseOrThrow(createOpeningRequestSchema, req.body, 'opening');
    requireKnownRole(fields.role);
    res.status(201).json(toOpeningView(await repo.createOpening(fields)));
  });

  router.get('/openings', recruiter, async (req, res) => {
    const q = parseOrThrow(listOpeningsQuerySchema, req.query, 'query');
    const page = await repo.listOpenings({
      includeArchived: q.includeArchived === 'true',
      limit: q.limit,
      ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
    });
    const body: OpeningListResponse = { items: page.items.map(toOpeningView), nextCursor: page.nextCursor };
    res.json(body);
  });

  router.get('/openings/:id', recruiter, async (req, res) => {
    const opening = await repo.findOpeningById(String(req.params.id));
    if (!opening) throw new AppError('NOT_FOUND', 'No opening with this id');
    res.json(toOpeningView(opening));
  });

  router.patch('/openings/:id', recruiter, async (req, res) => {
    const update = parseOrThrow(updateOpeningRequestSchema, req.body, 'opening update');
    if (update.role !== undefined) requireKnownRole(update.role);
    res.json(toOpeningView(await repo.updateOpening(String(req.params.id), update)));
  });

  router.post('/openings/:id/archive', recruiter, async (req, res) => {
    res.json(toOpeningView(await repo.archiveOpening(String(req.params.id))));
  });

  router.post('/openings/:id/rotate-slug', recruiter, async (req, res) => {
    res.json(toOpeningView(await repo.rotateOpeningSlug(String(req.params.id))));
  });

  // Public: what the candidate link shows before the interview starts.
  router.get('/o/:slug', async (req, res) => {
    const opening = await repo.findOpeningBySlug(String(req.params.slug));
    if (!opening) throw new AppError('NOT_FOUND', 'This interview link does not exist (it may have been replaced by a new one)');
    if (opening.archivedAt) throw new AppError('GONE', 'This interview link is closed: the opening was archived');
    res.json(toPublicOpening(opening));
  });

  router.get('/personas', (_req, res) => {
    const body: PersonaSummary[] = PERSONAS.map(({ id, name, description }) => ({ id, name, description }));
    res.json(body);
  });

  router.get('/stats', recruiter, async (req, res) => {
    const query = parseOrThrow(statsQuerySchema, req.query, 'query');
    const started = performance.now();
    const stats = await repo.sessionStats(query);
    const body: StatsResponse = { ...stats, computedAt: now().toISOString(), tookMs: Math.round(performance.now() - started) };
    res.json(body);
  });

  return router;
}

function requireKnownRole(role: string): void {
  if (!findRole(role)) {
    throw new AppError('VALIDATION', `Invalid opening: role: unknown role "${role}"`, { details: [{ path: 'role', message: 'unknown role; see GET /api/roles' }] });
  }
}

export function toOpeningView(o: Opening): OpeningView {
  return {
    id: o.id,
    title: o.title,
    role: o.role,
    jobDescription: o.jobDescription,
    length: o.length,
    allowedModes: o.allowedModes,
    persona: o.persona,
    mustAsk: o.mustAsk,
    slug: o.slug,
    link: `/o/${o.slug}`,
    version: o.version,
    archivedAt: o.archivedAt?.toISOString() ?? null,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}

export function toPublicOpening(o: Opening): PublicOpening {
  const role = findRole(o.role);
  const persona = findPersona(o.persona);
  return {
    slug: o.slug,
    title: o.title,
    role: { id: o.role, title: role?.title ?? o.role },
    persona: { id: persona.id, name: persona.name, description: persona.description },
    allowedModes: o.allowedModes,
    length: o.length,
    focusNotice: FOCUS_NOTICE,
  };
}
