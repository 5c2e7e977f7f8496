import { z } from 'zod';
import type { AckError } from './errors.js';
import type { SessionEventMap } from './events.js';
import { clientSessionIdSchema, conversationIdSchema, objectIdHexSchema } from './ids.js';
import { evaluationStatusSchema, interviewModeSchema, interviewStatusSchema, linkedBySchema } from './interview.js';
import { noteAddPayloadSchema, noteEditPayloadSchema, type NoteAddedResponse, type NoteEditedResponse, type WireNote } from './notes.js';
import { phaseSchema } from './plan.js';
import type { SessionSnapshot } from './protocol.js';

/**
 * The recruiter side of the wire contract: `/monitor` socket events and the
 * recruiter REST bodies (PROTOCOL.md).
 */

/** How a voice session's conversation stands; 'none' for text interviews. */
export const linkStateSchema = z.enum(['none', 'pending', 'linked', 'ambiguous', 'orphaned']);
export type LinkState = z.infer<typeof linkStateSchema>;

/** One row of the live list. */
export const sessionSummarySchema = z.object({
  sessionId: z.string(),
  clientSessionId: clientSessionIdSchema,
  candidateName: z.string().nullable(),
  role: z.string(),
  mode: interviewModeSchema,
  status: interviewStatusSchema,
  /** Questions asked so far and the phase of the latest one. */
  questionNumber: z.number().int().min(0),
  phase: phaseSchema,
  lastActivityAt: z.string(),
  createdAt: z.string(),
  linkState: linkStateSchema,
  linkedBy: linkedBySchema.nullable(),
  evaluationStatus: evaluationStatusSchema.nullable(),
  /** The opening the session was started from (absent for open interviews). */
  openingId: z.string().optional(),
  /** When retention (RETENTION_DAYS) deletes it (ISO); null when interviews are kept (docs/privacy.md). */
  deleteAfter: z.string().nullable(),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

export const monitorAuthSchema = z.object({ token: z.string().max(512) });

export const watchPayloadSchema = z.strictObject({ sessionId: objectIdHexSchema });
export const subscribePayloadSchema = z.strictObject({
  status: interviewStatusSchema.optional(),
  mode: interviewModeSchema.optional(),
});

export const monitorClientSchemas = {
  'sessions:subscribe': subscribePayloadSchema,
  'sessions:unsubscribe': z.strictObject({}),
  'session:watch': watchPayloadSchema,
  'session:unwatch': watchPayloadSchema,
  'note:add': noteAddPayloadSchema,
  'note:edit': noteEditPayloadSchema,
} as const;

type AckFn<T> = (ack: T | AckError) => void;

export interface MonitorClientToServer {
  /** Ack: the newest sessions (first page); then `sessions:upsert` for every change. */
  'sessions:subscribe': (payload: z.infer<typeof subscribePayloadSchema>, ack: AckFn<{ ok: true; sessions: SessionSummary[] }>) => void;
  'sessions:unsubscribe': (payload: Record<string, never>, ack: AckFn<{ ok: true }>) => void;
  /** Ack: the snapshot, the stored focus signals and private notes; then every live event of that session. */
  'session:watch': (
    payload: z.infer<typeof watchPayloadSchema>,
    ack: AckFn<{ ok: true; snapshot: SessionSnapshot; focus?: WireFocusSignal[]; notes?: WireNote[] }>,
  ) => void;
  'session:unwatch': (payload: z.infer<typeof watchPayloadSchema>, ack: AckFn<{ ok: true }>) => void;
  /** A private note on the session or one transcript line (shared/notes.ts); idempotent by noteId. Watchers get `note:upserted`. */
  'note:add': (payload: z.infer<typeof noteAddPayloadSchema>, ack: AckFn<{ ok: true } & NoteAddedResponse>) => void;
  /** Edit one's own note (FORBIDDEN for anyone else's). */
  'note:edit': (payload: z.infer<typeof noteEditPayloadSchema>, ack: AckFn<{ ok: true } & NoteEditedResponse>) => void;
}

type Listeners<M> = { [K in keyof M]: (payload: M[K]) => void };

/** A focus signal as watchers receive it (`focus:signal`) and as REST returns it (dates as ISO strings). */
export const wireFocusSignalSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('focus'), state: z.enum(['visible', 'hidden']), at: z.string(), clientAt: z.string().optional() }),
  z.object({ kind: z.literal('paste'), length: z.number().int().min(0), at: z.string(), clientAt: z.string().optional() }),
]);
export type WireFocusSignal = z.infer<typeof wireFocusSignalSchema>;

/**
 * Events only watchers get (never the candidate's room). `focus:signal` and
 * `note:upserted` follow the same join-then-read rule as the transcript: the
 * `session:watch` ack carries the stored signals (`focus`) and notes (`notes`),
 * every later one arrives as an event (a note again after each edit).
 */
export interface WatcherEventMap {
  'focus:signal': WireFocusSignal;
  'note:upserted': WireNote;
}
export type WatcherEventName = keyof WatcherEventMap;

export interface MonitorServerToClient extends Listeners<SessionEventMap>, Listeners<WatcherEventMap> {
  'sessions:upsert': (payload: { summary: SessionSummary }) => void;
}

// ---- recruiter REST ---------------------------------------------------------

export const listSessionsQuerySchema = z.strictObject({
  status: interviewStatusSchema.optional(),
  /** Only sessions started from this opening. */
  openingId: objectIdHexSchema.optional(),
  mode: interviewModeSchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export const sessionListResponseSchema = z.object({
  items: z.array(sessionSummarySchema),
  nextCursor: z.string().nullable(),
});
export type SessionListResponse = z.infer<typeof sessionListResponseSchema>;

/** POST /api/sessions/:id/link — a recruiter merges an orphaned conversation into this voice session. */
export const linkRequestSchema = z.strictObject({ conversationId: conversationIdSchema });
export type LinkRequest = z.infer<typeof linkRequestSchema>;
