import { z } from 'zod';
import { clientEvent, serverEvent, type ClientEventSpec, type ClientEventsOf, type PayloadsOf, type ServerEventSpec, type ServerEventsOf } from './contract.js';
import { sessionEvents } from './events.js';
import { clientSessionIdSchema, conversationIdSchema, objectIdHexSchema } from './ids.js';
import {
  evaluationSchema,
  evaluationStatusSchema,
  interviewModeSchema,
  interviewSchema,
  interviewStatusSchema,
  linkedBySchema,
  turnSchema,
  voiceSchema,
  voiceTranscriptSchema,
} from './interview.js';
import { answerScoreSchema, askedQuestionSchema, phaseSchema, planSummarySchema } from './plan.js';
import { sessionSnapshotSchema, wireMessageSchema } from './protocol.js';
import {
  nudgeAckSchema,
  nudgePayloadSchema,
  nudgeWithdrawAckSchema,
  nudgeWithdrawPayloadSchema,
  takeoverAckSchema,
  takeoverAskAckSchema,
  takeoverAskPayloadSchema,
  takeoverPayloadSchema,
  wireNudgeSchema,
  wireTakeoverSchema,
} from './nudges.js';
import { actorRefSchema } from './recruiters.js';
import { noteAddedResponseSchema, noteAddPayloadSchema, noteEditedResponseSchema, noteEditPayloadSchema, wireNoteSchema } from './notes.js';

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

/** A focus signal as watchers receive it (`focus:signal`) and as REST returns it (dates as ISO strings). */
export const wireFocusSignalSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('focus'), state: z.enum(['visible', 'hidden']), at: z.string(), clientAt: z.string().optional() }),
  z.object({ kind: z.literal('paste'), length: z.number().int().min(0), at: z.string(), clientAt: z.string().optional() }),
]);
export type WireFocusSignal = z.infer<typeof wireFocusSignalSchema>;

export const okAckSchema = z.object({ ok: z.literal(true) });
export const subscribeAckSchema = z.object({ ok: z.literal(true), sessions: z.array(sessionSummarySchema) });
export const watchAckSchema = z.object({
  ok: z.literal(true),
  snapshot: sessionSnapshotSchema,
  focus: z.array(wireFocusSignalSchema).optional(),
  /** Private recruiter notes of the session, oldest first. */
  notes: z.array(wireNoteSchema).optional(),
  /** Recruiter nudges of the session (every state), oldest first. */
  nudges: z.array(wireNudgeSchema).optional(),
  /** Who has taken the session over (by: null: the AI asks). */
  takeover: wireTakeoverSchema.optional(),
});
export const noteAddAckSchema = noteAddedResponseSchema.extend({ ok: z.literal(true) });
export const noteEditAckSchema = noteEditedResponseSchema.extend({ ok: z.literal(true) });

/** Client -> server events of `/monitor` (see interviewClientEvents in events.ts for the rules). */
export const monitorClientEvents = {
  'sessions:subscribe': clientEvent(subscribePayloadSchema, subscribeAckSchema, 'Join the live list: acked with the 50 newest sessions, then sessions:upsert for every change', ['DEPENDENCY_DOWN']),
  'sessions:unsubscribe': clientEvent(z.strictObject({}), okAckSchema, 'Leave the live list'),
  'session:watch': clientEvent(watchPayloadSchema, watchAckSchema, "Watch one session: acked with its snapshot and focus signals, then every live event of it", ['NOT_FOUND', 'DEPENDENCY_DOWN']),
  'session:unwatch': clientEvent(watchPayloadSchema, okAckSchema, 'Stop watching a session', ['DEPENDENCY_DOWN']),
  'note:add': clientEvent(noteAddPayloadSchema, noteAddAckSchema, 'A private note on the session or one transcript line; idempotent by noteId; watchers get note:upserted', ['NOT_FOUND', 'STATE_CONFLICT', 'DEPENDENCY_DOWN']),
  'note:edit': clientEvent(noteEditPayloadSchema, noteEditAckSchema, "Edit one's own note (FORBIDDEN for anyone else's)", ['NOT_FOUND', 'FORBIDDEN', 'STATE_CONFLICT', 'DEPENDENCY_DOWN']),
  'session:nudge': clientEvent(nudgePayloadSchema, nudgeAckSchema, 'Suggest the next question (follow_up) or its topic; the next question generated honours it; idempotent by nudgeId; watchers get nudge:updated, the candidate nothing', ['NOT_FOUND', 'SESSION_ENDED', 'STATE_CONFLICT', 'RATE_LIMITED', 'DEPENDENCY_DOWN']),
  'session:nudge:withdraw': clientEvent(nudgeWithdrawPayloadSchema, nudgeWithdrawAckSchema, 'Withdraw a pending nudge (STATE_CONFLICT once used or expired)', ['NOT_FOUND', 'STATE_CONFLICT', 'DEPENDENCY_DOWN']),
  'session:takeover': clientEvent(takeoverPayloadSchema, takeoverAckSchema, 'Pause the AI of a text interview: the recruiter asks the next question (STATE_CONFLICT for voice, or when someone else holds it)', ['NOT_FOUND', 'STATE_CONFLICT', 'DEPENDENCY_DOWN']),
  'session:takeover:ask': clientEvent(takeoverAskPayloadSchema, takeoverAskAckSchema, 'While taken over: the recruiter’s question, streamed to the candidate like any question (after the candidate answered)', ['NOT_FOUND', 'STATE_CONFLICT', 'RATE_LIMITED', 'DEPENDENCY_DOWN']),
  'session:handback': clientEvent(takeoverPayloadSchema, takeoverAckSchema, 'Give the interview back to the AI (the holder, or an admin); it asks next after the candidate’s answer', ['NOT_FOUND', 'FORBIDDEN', 'DEPENDENCY_DOWN']),
} satisfies Record<string, ClientEventSpec>;

export const monitorClientSchemas = Object.fromEntries(Object.entries(monitorClientEvents).map(([name, spec]) => [name, spec.payload])) as {
  [K in keyof typeof monitorClientEvents]: (typeof monitorClientEvents)[K]['payload'];
};

export type MonitorClientToServer = ClientEventsOf<typeof monitorClientEvents>;

/**
 * Events only watchers get (never the candidate's room). `focus:signal` and
 * `note:upserted` follow the same join-then-read rule as the transcript: the
 * `session:watch` ack carries the stored signals (`focus`) and notes (`notes`),
 * every later one arrives as an event (a note again after each edit).
 */
export const watcherEvents = {
  'focus:signal': serverEvent(wireFocusSignalSchema, 'A focus signal of the watched session (page hidden/shown, paste length)'),
  'note:upserted': serverEvent(wireNoteSchema, 'A private note of the watched session was added or edited (by any recruiter)'),
  'nudge:updated': serverEvent(wireNudgeSchema, 'A nudge of the watched session was added, used (with the question number), withdrawn or expired'),
  'takeover:updated': serverEvent(wireTakeoverSchema, 'A recruiter took the watched session over (by) or handed it back to the AI (by: null)'),
} satisfies Record<string, ServerEventSpec>;
export type WatcherEventMap = PayloadsOf<typeof watcherEvents>;
export type WatcherEventName = keyof WatcherEventMap;

export const sessionsUpsertSchema = z.object({ summary: sessionSummarySchema });

/** Server -> client events of `/monitor`: the live list, and the watched session's events. */
export const monitorServerEvents = {
  'sessions:upsert': serverEvent(sessionsUpsertSchema, 'A session of the live list changed (after sessions:subscribe)'),
  ...sessionEvents,
  ...watcherEvents,
} satisfies Record<string, ServerEventSpec>;

export type MonitorServerToClient = ServerEventsOf<typeof monitorServerEvents>;

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

/** The answer to a successful link: the session's new live-list row. */
export const linkResponseSchema = z.object({ ok: z.literal(true), summary: sessionSummarySchema });
export type LinkResponse = z.infer<typeof linkResponseSchema>;

/** Dates of the stored document travel as ISO strings (`Date.toISOString()`). */
const isoDateTime = z.iso.datetime();

/**
 * GET /api/sessions/:id — the stored interview (shared/interview.ts) as JSON: every
 * date an ISO string, messages in their wire form, the plan facts with their
 * summary, the focus signals and the session's live-list row. The webhook outbox
 * (`outbox`, `outboxLeaseUntil`) is internal bookkeeping (docs/webhooks-out.md) and not part of it.
 */
export const sessionDetailSchema = interviewSchema.omit({ outbox: true, outboxLeaseUntil: true }).extend({
  turn: turnSchema.extend({ leaseUntil: isoDateTime.optional() }),
  voice: voiceSchema.extend({ startedAt: isoDateTime.optional(), endedAt: isoDateTime.optional(), linkedAt: isoDateTime.optional() }).optional(),
  transcript: voiceTranscriptSchema.extend({ receivedAt: isoDateTime }).optional(),
  evaluation: evaluationSchema.extend({ leaseUntil: isoDateTime.optional(), completedAt: isoDateTime.optional() }).optional(),
  startedAt: isoDateTime.optional(),
  endedAt: isoDateTime.optional(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  /** Questions a recruiter typed (source `recruiter`) name them in `by`. */
  messages: z.array(wireMessageSchema.extend({ by: actorRefSchema.optional() })),
  plan: z.object({
    asked: z.array(askedQuestionSchema.extend({ at: isoDateTime })),
    scores: z.array(answerScoreSchema.extend({ at: isoDateTime })),
    summary: planSummarySchema,
  }),
  focus: z.array(wireFocusSignalSchema),
  /** Private recruiter notes (never on a candidate route), oldest first. */
  notes: z.array(wireNoteSchema),
  /** Recruiter nudges (every state), oldest first. */
  nudges: z.array(wireNudgeSchema),
  /** Who has taken the session over (by: null: the AI asks). */
  takeover: wireTakeoverSchema,
  summary: sessionSummarySchema,
});
export type SessionDetail = z.infer<typeof sessionDetailSchema>;
