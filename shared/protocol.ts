import { z } from 'zod';
import { clientSessionIdSchema, conversationIdSchema, messageIdSchema, questionIdSchema } from './ids.js';
import {
  CANDIDATE_TEXT_MAX,
  createSessionInputSchema,
  endedBySchema,
  evaluationResultSchema,
  evaluationStatusSchema,
  interviewModeSchema,
  interviewStatusSchema,
  messageRoleSchema,
  messageSourceSchema,
} from './interview.js';
import { openingSlugSchema } from './opening.js';
import { phaseSchema } from './plan.js';

/**
 * The wire contract (PROTOCOL.md) as zod schemas: REST bodies and the socket
 * payloads both namespaces share. Dates travel as ISO strings.
 */

// ---- REST -----------------------------------------------------------------

export const roleSummarySchema = z.object({ id: z.string(), title: z.string(), description: z.string() });
export type RoleSummary = z.infer<typeof roleSummarySchema>;

/**
 * POST /api/sessions. Either `role` (an open interview) or `openingSlug` (the
 * candidate link `/o/<slug>`): with a slug the server takes the role from the
 * opening and binds `openingId`; a `role` sent with it must match. The opening
 * id itself is never accepted from a client (docs/openings.md).
 */
export const createSessionRequestSchema = createSessionInputSchema
  .omit({ openingId: true })
  .extend({ role: createSessionInputSchema.shape.role.optional(), openingSlug: openingSlugSchema.optional() })
  .refine((r) => r.role !== undefined || r.openingSlug !== undefined, { message: 'role or openingSlug is required', path: ['role'] });
export type CreateSessionRequest = z.infer<typeof createSessionRequestSchema>;

export const createSessionResponseSchema = z.object({
  sessionId: z.string(),
  clientSessionId: clientSessionIdSchema,
  candidateToken: z.string(),
  status: interviewStatusSchema,
  /** False when the clientSessionId already existed: the same session is returned. */
  created: z.boolean(),
});
export type CreateSessionResponse = z.infer<typeof createSessionResponseSchema>;

/** The answer text as the candidate typed it: trimmed must be non-empty, at most 2000 characters. */
export const answerTextSchema = z
  .string()
  .max(CANDIDATE_TEXT_MAX, `must be at most ${CANDIDATE_TEXT_MAX} characters`)
  .refine((text) => text.trim().length > 0, 'must not be empty');

export const submitAnswerSchema = z.strictObject({ messageId: messageIdSchema, text: answerTextSchema });
export type SubmitAnswer = z.infer<typeof submitAnswerSchema>;

export const endSessionRequestSchema = z.strictObject({
  endedBy: z.enum(['user', 'disconnect']),
  conversationId: conversationIdSchema.optional(),
  /** For navigator.sendBeacon, which cannot set an Authorization header. */
  candidateToken: z.string().max(256).optional(),
});
export type EndSessionRequest = z.infer<typeof endSessionRequestSchema>;

// ---- snapshot (socket session:state, monitor watch ack, REST) -------------

export const wireMessageSchema = z.object({
  id: messageIdSchema,
  role: messageRoleSchema,
  text: z.string(),
  source: messageSourceSchema,
  questionId: questionIdSchema.optional(),
  at: z.string(),
});
export type WireMessage = z.infer<typeof wireMessageSchema>;

/** A question still streaming: its text so far and the index of the last token included. */
export const inflightSchema = z.object({
  questionId: questionIdSchema,
  phase: phaseSchema,
  number: z.number().int().min(1),
  text: z.string(),
  /** -1 when no token has been emitted yet. */
  lastIndex: z.number().int().min(-1),
});
export type Inflight = z.infer<typeof inflightSchema>;

export const planViewSchema = z.object({
  phase: phaseSchema,
  /** Questions asked (completed) so far. */
  asked: z.number().int().min(0),
  scored: z.number().int().min(0),
  boundaries: z.number().int().min(0),
  complete: z.string().nullable(),
});
export type PlanView = z.infer<typeof planViewSchema>;

export const sessionSnapshotSchema = z.object({
  sessionId: z.string(),
  clientSessionId: clientSessionIdSchema,
  status: interviewStatusSchema,
  mode: interviewModeSchema,
  role: z.string(),
  endedBy: endedBySchema.optional(),
  messages: z.array(wireMessageSchema),
  plan: planViewSchema,
  /** The turn: whether the candidate may answer now, and about which question. */
  turn: z.object({ state: z.enum(['idle', 'generating', 'awaiting_answer']), questionId: questionIdSchema.optional() }),
  inflight: inflightSchema.nullable(),
  evaluationStatus: evaluationStatusSchema.nullable(),
});
export type SessionSnapshot = z.infer<typeof sessionSnapshotSchema>;

/** GET /api/sessions/by-client/:clientSessionId — what the results page polls. */
export const sessionByClientResponseSchema = z.object({
  interviewId: z.string().nullable(),
  conversationId: z.string().nullable(),
  status: interviewStatusSchema.nullable(),
  evaluationStatus: evaluationStatusSchema.nullable(),
  evaluation: evaluationResultSchema.nullable(),
  messages: z.array(wireMessageSchema).optional(),
});
export type SessionByClientResponse = z.infer<typeof sessionByClientResponseSchema>;

// ---- socket acks -----------------------------------------------------------

export const answerAckSchema = z.object({ ok: z.literal(true), messageId: messageIdSchema, seq: z.number().int().min(1) });
export type AnswerAck = z.infer<typeof answerAckSchema>;

export const statusAckSchema = z.object({ ok: z.literal(true), status: interviewStatusSchema });
export type StatusAck = z.infer<typeof statusAckSchema>;
