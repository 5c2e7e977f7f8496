import { z } from 'zod';
import {
  linkRequestSchema,
  linkResponseSchema,
  sessionDetailSchema,
  sessionListResponseSchema,
  type LinkResponse,
  type SessionSummary,
} from '../../../shared/monitor.js';
import { ApiError, recruiterFetch } from './api.js';

/**
 * Linking a voice conversation by hand (recruiter): an orphaned webhook
 * transcript is merged into the voice session it belongs to with
 * `POST /api/sessions/:id/link {conversationId}` (shared/monitor.ts).
 */

/** The part of `GET /api/sessions/:id` an orphan's review needs. */
export const orphanDetailSchema = sessionDetailSchema.pick({ clientSessionId: true, status: true, voice: true }).strip();
export type OrphanDetail = z.infer<typeof orphanDetailSchema>;

export { linkResponseSchema, type LinkResponse };

export function fetchOrphan(token: string, sessionId: string): Promise<OrphanDetail> {
  return recruiterFetch(orphanDetailSchema, `/api/sessions/${encodeURIComponent(sessionId)}`, token, { cache: 'no-store' });
}

/** Checks the id locally first (same rule as the server), so a typo is named before the round trip. */
export function parseConversationId(raw: string): { ok: true; conversationId: string } | { ok: false; message: string } {
  const value = raw.trim();
  if (!value) return { ok: false, message: 'Paste the conversation id (ElevenLabs, e.g. conv_…).' };
  const parsed = linkRequestSchema.safeParse({ conversationId: value });
  if (!parsed.success) return { ok: false, message: 'That is not a conversation id: letters, digits and _ : . - only.' };
  return { ok: true, conversationId: parsed.data.conversationId };
}

export function linkConversation(token: string, sessionId: string, conversationId: string): Promise<LinkResponse> {
  return recruiterFetch(linkResponseSchema, `/api/sessions/${encodeURIComponent(sessionId)}/link`, token, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ conversationId }),
  });
}

/** Plain words for a refused link: what the server said, prefixed with what it means. */
export function describeLinkError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 404) return `Not found: ${err.message}.`;
    if (err.status === 409) return `Not linked: ${err.message}.`;
    if (err.status === 401 || err.status === 403) return `Not allowed: ${err.message}. Sign in again.`;
    if (err.status === 400) return `Not a valid request: ${err.message}.`;
    return err.message;
  }
  return err instanceof Error ? err.message : 'The link failed.';
}

export type PageFetcher = (cursor: string | null) => Promise<{ items: SessionSummary[]; nextCursor: string | null }>;

/** `GET /api/sessions?mode=voice` one page at a time (newest first). */
export function voicePages(token: string): PageFetcher {
  return (cursor) =>
    recruiterFetch(sessionListResponseSchema, `/api/sessions?mode=voice&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token, { cache: 'no-store' });
}

/**
 * clientSessionId -> the session's summary (its sessionId is what the link
 * route takes). The live list is tried first; the rest are looked up in the
 * recruiter list, newest first, for at most `maxPages` pages. Unknown ids map
 * to null.
 */
export async function resolveCandidates(
  candidates: readonly string[],
  known: readonly SessionSummary[],
  fetchPage: PageFetcher,
  maxPages = 5,
): Promise<Map<string, SessionSummary | null>> {
  const found = new Map<string, SessionSummary | null>();
  for (const id of candidates) found.set(id, known.find((s) => s.clientSessionId === id) ?? null);
  let cursor: string | null = null;
  for (let page = 0; page < maxPages && [...found.values()].some((v) => v === null); page++) {
    const res = await fetchPage(cursor);
    for (const s of res.items) if (found.get(s.clientSessionId) === null) found.set(s.clientSessionId, s);
    if (!res.nextCursor) break;
    cursor = res.nextCursor;
  }
  return found;
}

/** Only a voice session (not an orphan) can take a conversation by hand; only while it has none linked. */
export function canTakeConversation(s: SessionSummary): boolean {
  return s.mode === 'voice' && s.status !== 'orphaned' && s.linkState !== 'linked';
}
