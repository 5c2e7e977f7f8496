import { z } from 'zod';
import { messageIdSchema, objectIdHexSchema, opaqueIdSchema } from './ids.js';
import { actorRefSchema } from './recruiters.js';

/**
 * Steering a live interview from `/monitor` (issue 16, docs/recruiters.md):
 * nudges ("ask about X next") and take-over (the recruiter types the next
 * question). Everything here is recruiter-facing: the candidate's socket never
 * receives a nudge, its kind, state or author — only the question it shaped
 * (and, in a voice call whose agent runs its own LLM, `voice:context` with the
 * bare text, documented as passing through the candidate's browser).
 */

export const NUDGE_TEXT_MAX = 500;
/** Most nudges one session keeps: the `$push` is refused past it. */
export const NUDGES_PER_SESSION_MAX = 100;
/** Text of a question a recruiter types while they have taken over (a question, not a transcript). */
export const RECRUITER_QUESTION_MAX = 2000;

/** Chosen by the client (crypto.randomUUID); a retried nudge with the same id stores one. */
export const nudgeIdSchema = opaqueIdSchema;

/** `follow_up`: ask this next (verbatim in the interviewer's voice). `topic`: the next question is about this. */
export const nudgeKindSchema = z.enum(['follow_up', 'topic']);
export type NudgeKind = z.infer<typeof nudgeKindSchema>;

/** pending -> used (by the question that honoured it) | withdrawn (by a recruiter) | expired (the interview ended). */
export const nudgeStateSchema = z.enum(['pending', 'used', 'withdrawn', 'expired']);
export type NudgeState = z.infer<typeof nudgeStateSchema>;

const noControl = (text: string) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);

export const nudgeTextSchema = z
  .string()
  .max(NUDGE_TEXT_MAX, `must be at most ${NUDGE_TEXT_MAX} characters`)
  .refine((text) => text.trim().length > 0, 'must not be empty')
  .refine(noControl, 'must not contain control characters');

/** The stored nudge (an element of `interviews.nudges[]`). */
export const nudgeSchema = z.object({
  id: nudgeIdSchema,
  kind: nudgeKindSchema,
  text: z.string().min(1).max(NUDGE_TEXT_MAX),
  state: nudgeStateSchema,
  /** Who suggested it. */
  author: actorRefSchema,
  /** used: the question (text) or agent line (voice) that honoured it, and its number. */
  questionId: messageIdSchema.optional(),
  questionNumber: z.number().int().min(1).optional(),
  /** withdrawn: by whom. */
  withdrawnBy: actorRefSchema.optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Nudge = z.infer<typeof nudgeSchema>;

/** A nudge as recruiters receive it (the ack, `nudge:updated`, the watch ack, the session detail). */
export const wireNudgeSchema = z.object({
  id: nudgeIdSchema,
  sessionId: objectIdHexSchema,
  kind: nudgeKindSchema,
  text: z.string(),
  state: nudgeStateSchema,
  author: actorRefSchema,
  questionId: z.string().nullable(),
  questionNumber: z.number().int().min(1).nullable(),
  withdrawnBy: actorRefSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WireNudge = z.infer<typeof wireNudgeSchema>;

/** What the question cycle reads of a pending nudge (it rides in the answer write's reply). */
export type PendingNudge = Pick<Nudge, 'id' | 'kind' | 'text' | 'createdAt'>;

/** The recruiter who has taken over a text interview (stored as `interviews.takeover`). */
export const takeoverSchema = z.object({ by: actorRefSchema, at: z.date() });
export type Takeover = z.infer<typeof takeoverSchema>;

/** `takeover:updated` and the watch ack: who holds the interview now (null: the AI). */
export const wireTakeoverSchema = z.object({
  sessionId: objectIdHexSchema,
  by: actorRefSchema.nullable(),
  at: z.string().nullable(),
});
export type WireTakeover = z.infer<typeof wireTakeoverSchema>;

// ---- /monitor payloads and acks ------------------------------------------------

export const nudgePayloadSchema = z.strictObject({
  sessionId: objectIdHexSchema,
  nudgeId: nudgeIdSchema,
  kind: nudgeKindSchema,
  text: nudgeTextSchema,
});
export type NudgePayload = z.infer<typeof nudgePayloadSchema>;

export const nudgeWithdrawPayloadSchema = z.strictObject({ sessionId: objectIdHexSchema, nudgeId: nudgeIdSchema });
export type NudgeWithdrawPayload = z.infer<typeof nudgeWithdrawPayloadSchema>;

/** `created` is false for a retried nudge (same nudgeId, same author). */
export const nudgeAckSchema = z.object({ ok: z.literal(true), nudge: wireNudgeSchema, created: z.boolean() });
export const nudgeWithdrawAckSchema = z.object({ ok: z.literal(true), nudge: wireNudgeSchema });

export const takeoverPayloadSchema = z.strictObject({ sessionId: objectIdHexSchema });
export const takeoverAckSchema = z.object({ ok: z.literal(true), takeover: wireTakeoverSchema });

export const recruiterQuestionTextSchema = z
  .string()
  .max(RECRUITER_QUESTION_MAX, `must be at most ${RECRUITER_QUESTION_MAX} characters`)
  .refine((text) => text.trim().length > 0, 'must not be empty')
  .refine(noControl, 'must not contain control characters');

export const takeoverAskPayloadSchema = z.strictObject({ sessionId: objectIdHexSchema, text: recruiterQuestionTextSchema });
export const takeoverAskAckSchema = z.object({ ok: z.literal(true), questionId: z.string(), number: z.number().int().min(1) });

/** `/interview` `voice:context` (server -> candidate's browser, voice sessions only): passed to the agent with `sendContextualUpdate`, never shown. */
export const voiceContextSchema = z.object({ nudgeId: nudgeIdSchema, text: z.string().min(1).max(NUDGE_TEXT_MAX) });
export type VoiceContext = z.infer<typeof voiceContextSchema>;
