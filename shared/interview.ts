import { z } from 'zod';
import {
  agentIdSchema,
  candidateIdSchema,
  clientSessionIdSchema,
  conversationIdSchema,
  messageIdSchema,
  objectIdHexSchema,
  openingIdSchema,
  questionIdSchema,
} from './ids.js';
import { NOTES_PER_SESSION_MAX, noteSchema } from './notes.js';
import { NUDGES_PER_SESSION_MAX, nudgeSchema, takeoverSchema } from './nudges.js';
import { actorRefSchema } from './recruiters.js';
import { planStateSchema, type PlanState } from './plan.js';
import { webhookEventIdSchema, webhookEventTypeSchema } from './webhookEventTypes.js';

/**
 * The stored shape of an interview (collection `interviews`). These schemas are
 * the single source of truth: the mongoose schema in server/src/db/models
 * mirrors them field for field, and a test proves stored documents parse here.
 */

export const interviewModeSchema = z.enum(['text', 'voice']);
export type InterviewMode = z.infer<typeof interviewModeSchema>;

export const interviewStatusSchema = z.enum([
  'created',
  'active',
  'paused',
  'ended_pending_webhook',
  'completed',
  'abandoned',
  'orphaned',
]);
export type InterviewStatus = z.infer<typeof interviewStatusSchema>;

/** States in which the interview can still receive answers or be ended. */
export const OPEN_STATUSES = ['created', 'active', 'paused'] as const satisfies readonly InterviewStatus[];

export const endedBySchema = z.enum(['user', 'disconnect', 'timeout', 'server']);
export type EndedBy = z.infer<typeof endedBySchema>;

/** Which role is being interviewed for (an id from GET /api/roles). */
export const roleIdSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'only A-Z a-z 0-9 _ . - allowed');

/** Display name of the candidate. Never logged. */
export const candidateNameSchema = z.string().trim().min(1).max(120);

export const CANDIDATE_TEXT_MAX = 2000;
export const INTERVIEWER_TEXT_MAX = 8000;

export const messageRoleSchema = z.enum(['interviewer', 'candidate']);
export type MessageRole = z.infer<typeof messageRoleSchema>;

/**
 * Where a message came from: `text` typed, `voice` a voice turn served by Candor's Custom LLM endpoint
 * (docs/voice.md), `voice_live` a live line the voice page reported, `webhook` the post-call transcript,
 * `recruiter` a question a recruiter typed while they had taken the interview over (docs/recruiters.md).
 */
export const messageSourceSchema = z.enum(['text', 'voice', 'voice_live', 'webhook', 'recruiter']);
export type MessageSource = z.infer<typeof messageSourceSchema>;

const messageBase = {
  id: messageIdSchema,
  source: messageSourceSchema,
  questionId: questionIdSchema.optional(),
  at: z.date(),
};

/** A candidate answer: 1..2000 characters. */
export const candidateMessageSchema = z.object({
  ...messageBase,
  role: z.literal('candidate'),
  text: z.string().min(1).max(CANDIDATE_TEXT_MAX),
});

/** An interviewer question: may be longer than an answer. */
export const interviewerMessageSchema = z.object({
  ...messageBase,
  role: z.literal('interviewer'),
  text: z.string().min(1).max(INTERVIEWER_TEXT_MAX),
  /** source `recruiter`: who typed it. Recruiter-facing only (never in the candidate's wire messages). */
  by: actorRefSchema.optional(),
});

/** One transcript entry; appended only with `$push` guarded by `'messages.id': {$ne: id}`. */
export const messageSchema = z.discriminatedUnion('role', [candidateMessageSchema, interviewerMessageSchema]);
export type Message = z.infer<typeof messageSchema>;

export const turnStateSchema = z.enum(['idle', 'generating', 'awaiting_answer']);
export type TurnState = z.infer<typeof turnStateSchema>;

/** Id of a server process holding a turn or evaluation lease. */
export const nodeIdSchema = z.string().min(1).max(128);

/** Whose move it is. `leaseUntil` + `node` let another replica take over a turn whose generator died. */
export const turnSchema = z.object({
  state: turnStateSchema,
  questionId: questionIdSchema.optional(),
  leaseUntil: z.date().optional(),
  node: nodeIdSchema.optional(),
});
export type Turn = z.infer<typeof turnSchema>;

export const linkedBySchema = z.enum(['conversation_id', 'dynamic_variable', 'time_window', 'fallback', 'merge']);
export type LinkedBy = z.infer<typeof linkedBySchema>;

/** ElevenLabs side of a voice interview and how its conversation got linked. */
export const voiceSchema = z.object({
  agentId: agentIdSchema.optional(),
  /** ElevenLabs `user_id` (the session's candidateId); matched by the time-window link. */
  userId: candidateIdSchema.optional(),
  /** Set once, when known; unique across interviews. */
  conversationId: conversationIdSchema.optional(),
  startedAt: z.date().optional(),
  endedAt: z.date().optional(),
  linkedBy: linkedBySchema.optional(),
  linkedAt: z.date().optional(),
  /** When a link was ambiguous: the clientSessionIds that could own this conversation. */
  candidates: z.array(clientSessionIdSchema).max(50).optional(),
});
export type Voice = z.infer<typeof voiceSchema>;

export const transcriptLineSchema = z.object({
  role: z.enum(['user', 'agent']),
  text: z.string().max(20_000),
  timeInCallSecs: z.number().nonnegative().optional(),
});
export type TranscriptLine = z.infer<typeof transcriptLineSchema>;

/** The post-call webhook transcript; authoritative for a voice interview once linked. */
export const voiceTranscriptSchema = z.object({
  conversationId: conversationIdSchema,
  receivedAt: z.date(),
  lines: z.array(transcriptLineSchema).max(5000),
  summary: z.string().max(20_000).optional(),
  durationSecs: z.number().nonnegative().optional(),
});
export type VoiceTranscript = z.infer<typeof voiceTranscriptSchema>;

export const evaluationStatusSchema = z.enum(['pending', 'running', 'complete', 'failed']);
export type EvaluationStatus = z.infer<typeof evaluationStatusSchema>;

const score = z.number().min(0).max(10);

/** What the evaluator concludes. Owned by interview/evaluation; change it here and in the model together. */
export const evaluationResultSchema = z.object({
  overall: score,
  summary: z.string().max(8000),
  strengths: z.array(z.string().max(1000)).max(20),
  concerns: z.array(z.string().max(1000)).max(20),
  competencies: z
    .array(
      z.object({
        name: z.string().min(1).max(120),
        score,
        evidence: z.string().max(2000).optional(),
      }),
    )
    .max(40),
});
export type EvaluationResult = z.infer<typeof evaluationResultSchema>;

/** Status and payload live in one subdocument and are written in one update. */
export const evaluationSchema = z.object({
  status: evaluationStatusSchema,
  attempts: z.number().int().nonnegative(),
  result: evaluationResultSchema.optional(),
  error: z.string().max(2000).optional(),
  /** While running: the claim expires here, after which another worker may take it. */
  leaseUntil: z.date().optional(),
  completedAt: z.date().optional(),
});
export type Evaluation = z.infer<typeof evaluationSchema>;

/** Progressive assessment facts; see shared/plan.ts. */
export const planSchema = planStateSchema;
export type Plan = PlanState;

/** Tokens and cost of one model over the whole interview. */
export const usageEntrySchema = z.object({
  model: z.string().min(1).max(128),
  calls: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type UsageEntry = z.infer<typeof usageEntrySchema>;

/** Most focus signals kept per session: older ones are dropped by the same `$push` ($slice). */
export const FOCUS_SIGNALS_MAX = 200;

/**
 * A live focus signal from the candidate page (docs/openings.md): the tab was
 * hidden/shown, or something was pasted into the answer box (its length only,
 * never the text). `at` is the server's receive time, `clientAt` the page's claim.
 */
export const focusSignalSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('focus'), state: z.enum(['visible', 'hidden']), at: z.date(), clientAt: z.date().optional() }),
  z.object({ kind: z.literal('paste'), length: z.number().int().min(0).max(1_000_000), at: z.date(), clientAt: z.date().optional() }),
]);
export type FocusSignal = z.infer<typeof focusSignalSchema>;

/**
 * An event waiting in the session's transactional outbox (docs/webhooks-out.md):
 * pushed by the same update as the state change that causes it, removed by the
 * relay once copied into `webhook_deliveries`. `status` is the session's status
 * the change produced (absent when the change did not set one).
 */
export const outboxEntrySchema = z.object({
  eventId: webhookEventIdSchema,
  type: webhookEventTypeSchema,
  at: z.date(),
  status: interviewStatusSchema.optional(),
});
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

/** One document per client session, as the repository returns it (`_id` exposed as `id`). */
export const interviewSchema = z.strictObject({
  id: objectIdHexSchema,
  clientSessionId: clientSessionIdSchema,
  mode: interviewModeSchema,
  role: roleIdSchema,
  candidateName: candidateNameSchema.optional(),
  candidateId: candidateIdSchema.optional(),
  openingId: openingIdSchema.optional(),
  status: interviewStatusSchema,
  endedBy: endedBySchema.optional(),
  messages: z.array(messageSchema),
  turn: turnSchema,
  plan: planSchema,
  voice: voiceSchema.optional(),
  transcript: voiceTranscriptSchema.optional(),
  evaluation: evaluationSchema.optional(),
  usage: z.array(usageEntrySchema),
  /** Newest last, capped at FOCUS_SIGNALS_MAX; absent until the first signal. */
  focus: z.array(focusSignalSchema).max(FOCUS_SIGNALS_MAX).optional(),
  /** Private recruiter notes (shared/notes.ts); absent until the first. Never sent to the candidate. */
  notes: z.array(noteSchema).max(NOTES_PER_SESSION_MAX).optional(),
  /** Recruiter nudges (shared/nudges.ts); absent until the first. Never sent to the candidate. */
  nudges: z.array(nudgeSchema).max(NUDGES_PER_SESSION_MAX).optional(),
  /** Set while a recruiter has taken the (text) interview over: the AI asks nothing. */
  takeover: takeoverSchema.optional(),
  startedAt: z.date().optional(),
  endedAt: z.date().optional(),
  /** Events not yet relayed to webhook deliveries; absent until the first one. */
  outbox: z.array(outboxEntrySchema).optional(),
  /** The relay working on this document's outbox holds it until then (any node may take over after). */
  outboxLeaseUntil: z.date().optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Interview = z.infer<typeof interviewSchema>;

/** What a list returns: everything but the (large) transcripts, the focus signals, the notes and the nudges. */
export const interviewSummarySchema = interviewSchema.omit({ messages: true, transcript: true, focus: true, notes: true, nudges: true });
export type InterviewSummary = z.infer<typeof interviewSummarySchema>;

/** Input of session creation (POST /api/sessions). */
export const createSessionInputSchema = z.strictObject({
  clientSessionId: clientSessionIdSchema,
  mode: interviewModeSchema,
  role: roleIdSchema,
  candidateName: candidateNameSchema.optional(),
  candidateId: candidateIdSchema.optional(),
  openingId: openingIdSchema.optional(),
});
export type CreateSessionInput = z.infer<typeof createSessionInputSchema>;
