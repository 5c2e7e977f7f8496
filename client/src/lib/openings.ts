import { sessionListResponseSchema, type SessionListResponse } from '../../../shared/monitor.js';
import {
  createOpeningRequestSchema,
  openingListResponseSchema,
  openingViewSchema,
  type CreateOpeningRequest,
  type OpeningListResponse,
  type OpeningView,
} from '../../../shared/opening.js';
import { statsResponseSchema, type StatsResponse } from '../../../shared/stats.js';
import { ApiError, recruiterFetch } from './api.js';

/** Recruiter REST for openings and stats (docs/openings.md), parsed with the shared schemas. */

export function listOpenings(token: string, includeArchived: boolean): Promise<OpeningListResponse> {
  return recruiterFetch(openingListResponseSchema, `/api/openings?limit=100${includeArchived ? '&includeArchived=true' : ''}`, token, { cache: 'no-store' });
}

export function createOpening(token: string, body: CreateOpeningRequest): Promise<OpeningView> {
  return recruiterFetch(openingViewSchema, '/api/openings', token, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** PATCH with the version the editor loaded: 409 when someone changed (or archived) it meanwhile. */
export function updateOpening(token: string, id: string, version: number, fields: CreateOpeningRequest): Promise<OpeningView> {
  return recruiterFetch(openingViewSchema, `/api/openings/${encodeURIComponent(id)}`, token, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ version, ...fields }),
  });
}

export function fetchOpening(token: string, id: string): Promise<OpeningView> {
  return recruiterFetch(openingViewSchema, `/api/openings/${encodeURIComponent(id)}`, token, { cache: 'no-store' });
}

export function archiveOpening(token: string, id: string): Promise<OpeningView> {
  return recruiterFetch(openingViewSchema, `/api/openings/${encodeURIComponent(id)}/archive`, token, { method: 'POST' });
}

export function rotateOpeningSlug(token: string, id: string): Promise<OpeningView> {
  return recruiterFetch(openingViewSchema, `/api/openings/${encodeURIComponent(id)}/rotate-slug`, token, { method: 'POST' });
}

export function listOpeningSessions(token: string, openingId: string): Promise<SessionListResponse> {
  return recruiterFetch(sessionListResponseSchema, `/api/sessions?openingId=${encodeURIComponent(openingId)}&limit=100`, token, { cache: 'no-store' });
}

export function fetchStats(token: string, openingId?: string): Promise<StatsResponse> {
  return recruiterFetch(statsResponseSchema, `/api/stats${openingId ? `?openingId=${encodeURIComponent(openingId)}` : ''}`, token, { cache: 'no-store' });
}

/** The share link as a candidate opens it. */
export function shareUrl(opening: Pick<OpeningView, 'link'>, origin = typeof location === 'undefined' ? '' : location.origin): string {
  return `${origin}${opening.link}`;
}

// ---- the create form ---------------------------------------------------------

export interface OpeningForm {
  title: string;
  role: string;
  jobDescription: string;
  minQuestions: string;
  maxQuestions: string;
  text: boolean;
  voice: boolean;
  persona: string;
  /** One must-ask question per line. */
  mustAsk: string;
}

export const EMPTY_FORM: OpeningForm = {
  title: '',
  role: '',
  jobDescription: '',
  minQuestions: '12',
  maxQuestions: '15',
  text: true,
  voice: true,
  persona: 'neutral',
  mustAsk: '',
};

/** An opening as the form edits it. */
export function toForm(o: OpeningView): OpeningForm {
  return {
    title: o.title,
    role: o.role,
    jobDescription: o.jobDescription,
    minQuestions: String(o.length.minQuestions),
    maxQuestions: String(o.length.maxQuestions),
    text: o.allowedModes.includes('text'),
    voice: o.allowedModes.includes('voice'),
    persona: o.persona,
    mustAsk: o.mustAsk.join('\n'),
  };
}

/** Which editable fields differ between two versions (for "changed meanwhile" messages). */
export function changedFields(a: OpeningView, b: OpeningView): string[] {
  const fa = toForm(a);
  const fb = toForm(b);
  const names: Record<keyof OpeningForm, string> = {
    title: 'title',
    role: 'role',
    jobDescription: 'job description',
    minQuestions: 'length',
    maxQuestions: 'length',
    text: 'modes',
    voice: 'modes',
    persona: 'persona',
    mustAsk: 'must-ask questions',
  };
  const out = new Set<string>();
  for (const k of Object.keys(names) as Array<keyof OpeningForm>) if (fa[k] !== fb[k]) out.add(names[k]);
  if (a.archivedAt !== b.archivedAt) out.add('archived');
  if (a.slug !== b.slug) out.add('link');
  return [...out];
}

/** Form field -> error text. Keys are the form's fields ('length' and 'allowedModes' for the groups). */
export type FieldErrors = Partial<Record<keyof OpeningForm | 'length' | 'allowedModes' | 'form', string>>;

/** A zod / server error path (`length.minQuestions`, `mustAsk.3`, `allowedModes`) -> the form field it belongs to. */
export function fieldOfPath(path: string): keyof FieldErrors {
  const [head, sub] = path.split('.');
  switch (head) {
    case 'title':
    case 'role':
    case 'jobDescription':
    case 'persona':
    case 'mustAsk':
      return head;
    case 'length':
      return sub === 'minQuestions' || sub === 'maxQuestions' ? sub : 'length';
    case 'allowedModes':
      return 'allowedModes';
    default:
      return 'form';
  }
}

function addError(errors: FieldErrors, path: string, message: string): void {
  const field = fieldOfPath(path);
  const [, sub] = path.split('.');
  const text = path.startsWith('mustAsk.') && sub !== undefined && /^\d+$/.test(sub) ? `line ${Number(sub) + 1}: ${message}` : message;
  errors[field] = errors[field] ? `${errors[field]}; ${text}` : text;
}

/** The form as the request body, checked with the server's own schema; field errors otherwise. */
export function toCreateRequest(form: OpeningForm): { ok: true; body: CreateOpeningRequest } | { ok: false; errors: FieldErrors } {
  const body = {
    title: form.title,
    role: form.role,
    jobDescription: form.jobDescription,
    length: { minQuestions: Number(form.minQuestions), maxQuestions: Number(form.maxQuestions) },
    allowedModes: [...(form.text ? ['text' as const] : []), ...(form.voice ? ['voice' as const] : [])],
    persona: form.persona,
    mustAsk: form.mustAsk
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0),
  };
  const parsed = createOpeningRequestSchema.safeParse(body);
  if (parsed.success) return { ok: true, body: body as CreateOpeningRequest };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) addError(errors, issue.path.join('.'), issue.message);
  return { ok: false, errors };
}

/** A server refusal as field errors (VALIDATION names each field in `details[].path`). */
export function serverErrors(err: unknown): FieldErrors {
  if (err instanceof ApiError && err.body.details && err.body.details.length > 0) {
    const errors: FieldErrors = {};
    for (const d of err.body.details) addError(errors, d.path, d.message);
    return errors;
  }
  return { form: err instanceof Error ? err.message : 'The opening could not be saved.' };
}
