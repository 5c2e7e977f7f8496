import { z } from 'zod';
import { clientEvent, serverEvent, type ClientEventSpec, type ClientEventsOf, type PayloadsOf, type ServerEventSpec, type ServerEventsOf } from './contract.js';
import type { AckError, ErrorBody } from './errors.js';
import { questionIdSchema } from './ids.js';
import { endedBySchema, evaluationStatusSchema, interviewStatusSchema, linkedBySchema } from './interview.js';
import { voiceContextSchema } from './nudges.js';
import { phaseSchema } from './plan.js';
import { answerAckSchema, sessionSnapshotSchema, statusAckSchema, submitAnswerSchema, wireMessageSchema } from './protocol.js';
import {
  voiceConversationIdSchema,
  voiceEndedSchema,
  voiceStartedSchema,
  voiceConversationAckSchema,
  voiceTranscriptPayloadSchema,
} from './voice.js';

/**
 * Socket.IO event maps for `/interview` (PROTOCOL.md), typed from the zod
 * schemas. The server validates every client payload with the schema of the
 * same name before anything else; the client gets the same types.
 */

export const interviewAuthSchema = z.object({
  clientSessionId: z.string().max(64),
  candidateToken: z.string().max(256),
});

export const emptyPayloadSchema = z.strictObject({});
export const endPayloadSchema = z.strictObject({ endedBy: z.enum(['user', 'disconnect']) });

/** Page Visibility API change, reported by the candidate page (docs/openings.md). `at`: the page's clock, ISO. */
export const candidateFocusSchema = z.strictObject({ state: z.enum(['visible', 'hidden']), at: z.iso.datetime() });
/** A paste into the answer box: its length only — the text never leaves the page. */
export const candidatePasteSchema = z.strictObject({ length: z.number().int().min(0).max(1_000_000), at: z.iso.datetime() });
export type CandidateFocus = z.infer<typeof candidateFocusSchema>;
export type CandidatePaste = z.infer<typeof candidatePasteSchema>;
/** Ack of a focus signal: `stored` is false when the session is no longer open (nothing recorded). */
export const focusAckSchema = z.object({ ok: z.literal(true), stored: z.boolean() });
export type FocusAck = z.infer<typeof focusAckSchema>;

const SESSION = ['NOT_FOUND', 'DEPENDENCY_DOWN'] as const;

/**
 * Client -> server events of `/interview`: payload, ack, what it does, the codes its
 * error ack can carry. The server registers its handlers from these entries
 * (server/src/realtime/events.ts) and the AsyncAPI document lists them; add an
 * event here and nowhere else (docs/api.md).
 */
export const interviewClientEvents = {
  'interview:start': clientEvent(emptyPayloadSchema, statusAckSchema, 'Start a text interview: the first question starts streaming (idempotent)', ['STATE_CONFLICT', 'SESSION_ENDED', ...SESSION]),
  'answer:submit': clientEvent(submitAnswerSchema, answerAckSchema, 'Submit an answer; acked after it is stored (a retry with the same messageId stores nothing new)', ['STATE_CONFLICT', 'SESSION_ENDED', 'RATE_LIMITED', ...SESSION]),
  'interview:pause': clientEvent(emptyPayloadSchema, statusAckSchema, 'Pause: answers are refused until resume', ['STATE_CONFLICT', 'SESSION_ENDED', ...SESSION]),
  'interview:resume': clientEvent(emptyPayloadSchema, statusAckSchema, 'Resume a paused interview', ['STATE_CONFLICT', 'SESSION_ENDED', ...SESSION]),
  'interview:end': clientEvent(endPayloadSchema, statusAckSchema, 'End the interview (idempotent); a text interview is evaluated next', ['STATE_CONFLICT', ...SESSION]),
  'voice:started': clientEvent(voiceStartedSchema, statusAckSchema, 'The ElevenLabs call connected: the voice interview is active', ['STATE_CONFLICT', 'SESSION_ENDED', ...SESSION]),
  'voice:conversation-id': clientEvent(voiceConversationIdSchema, voiceConversationAckSchema, 'Report the conversation id the SDK gave; merges an orphaned webhook transcript', ['STATE_CONFLICT', 'CONVERSATION_CONFLICT', ...SESSION]),
  'voice:transcript': clientEvent(voiceTranscriptPayloadSchema, answerAckSchema, 'One live transcript line of the call; idempotent by messageId', ['STATE_CONFLICT', 'SESSION_ENDED', ...SESSION]),
  'voice:ended': clientEvent(voiceEndedSchema, statusAckSchema, 'The call ended; the session waits for the post-call webhook', ['STATE_CONFLICT', ...SESSION]),
  'candidate:focus': clientEvent(candidateFocusSchema, focusAckSchema, 'The page was hidden or shown again (recorded for the recruiter)', ['RATE_LIMITED', ...SESSION]),
  'candidate:paste': clientEvent(candidatePasteSchema, focusAckSchema, 'Something was pasted into the answer box: its length only', ['RATE_LIMITED', ...SESSION]),
} satisfies Record<string, ClientEventSpec>;

/** Client -> server payload schemas, by event name. */
export const interviewClientSchemas = Object.fromEntries(Object.entries(interviewClientEvents).map(([name, spec]) => [name, spec.payload])) as {
  [K in keyof typeof interviewClientEvents]: (typeof interviewClientEvents)[K]['payload'];
};

export type Ack<T> = T | AckError;

export type InterviewClientToServer = ClientEventsOf<typeof interviewClientEvents>;

// ---- server -> client --------------------------------------------------------

export const questionStartSchema = z.object({ questionId: questionIdSchema, phase: phaseSchema, number: z.number().int().min(1) });
export const questionTokenSchema = z.object({ questionId: questionIdSchema, index: z.number().int().min(0), text: z.string() });
export const questionEndSchema = z.object({ questionId: questionIdSchema, text: z.string() });
export const questionErrorSchema = z.object({ questionId: questionIdSchema, code: z.string(), retryable: z.boolean() });
export const sessionStatusSchema = z.object({ status: interviewStatusSchema, endedBy: endedBySchema.optional() });
export const sessionLinkedSchema = z.object({ conversationId: z.string(), linkedBy: linkedBySchema });
export const interviewCompleteSchema = z.object({ reason: z.string() });
export const evaluationReadySchema = z.object({ evaluationStatus: evaluationStatusSchema });

/**
 * Events of one session, sent to its candidate room and to its watchers. Adding an
 * event here types the broadcaster, the clients and the AsyncAPI document at once.
 */
export const sessionEvents = {
  'question:start': serverEvent(questionStartSchema, 'A question starts streaming'),
  'question:token': serverEvent(questionTokenSchema, 'The next piece of the question; index starts at 0, no gaps'),
  'question:end': serverEvent(questionEndSchema, 'The question is complete and stored (its full text)'),
  'question:error': serverEvent(questionErrorSchema, 'Generating the question failed; drop its partial text (a retry comes under a new questionId)'),
  'message:appended': serverEvent(wireMessageSchema, 'A transcript line was stored (answers, voice lines)'),
  'session:status': serverEvent(sessionStatusSchema, 'The session status changed'),
  'session:linked': serverEvent(sessionLinkedSchema, 'The voice conversation was linked to the session'),
  'interview:complete': serverEvent(interviewCompleteSchema, 'The interview is complete (the plan ended it)'),
  'evaluation:ready': serverEvent(evaluationReadySchema, 'The evaluation finished (or failed)'),
} satisfies Record<string, ServerEventSpec>;

export type QuestionStart = z.infer<typeof questionStartSchema>;
export type QuestionToken = z.infer<typeof questionTokenSchema>;
export type QuestionEnd = z.infer<typeof questionEndSchema>;
export type QuestionError = z.infer<typeof questionErrorSchema>;
export type SessionStatusEvent = z.infer<typeof sessionStatusSchema>;
export type SessionLinked = z.infer<typeof sessionLinkedSchema>;
export type InterviewComplete = z.infer<typeof interviewCompleteSchema>;
export type EvaluationReady = z.infer<typeof evaluationReadySchema>;

export type SessionEventMap = PayloadsOf<typeof sessionEvents>;
export type SessionEventName = keyof SessionEventMap;

/** Every session event name. */
export const SESSION_EVENT_NAMES = Object.keys(sessionEvents) as SessionEventName[];

/**
 * Events only the candidate's own sockets get. `voice:context`: a recruiter's nudge in a
 * voice call whose agent runs its own LLM — the page passes the text to the agent with
 * the SDK's `conversation.sendContextualUpdate(text)` and never shows it (docs/recruiters.md).
 */
export const candidateEvents = {
  'voice:context': serverEvent(voiceContextSchema, 'Voice only: context for the agent, passed on with conversation.sendContextualUpdate(text); never shown'),
} satisfies Record<string, ServerEventSpec>;
export type CandidateEventMap = PayloadsOf<typeof candidateEvents>;
export type CandidateEventName = keyof CandidateEventMap;

/** Server -> client events of `/interview`: the session's events and the snapshot sent on connect. */
export const interviewServerEvents = {
  'session:state': serverEvent(sessionSnapshotSchema, 'The full snapshot, sent on every connect (render from it, then apply events)'),
  ...sessionEvents,
  ...candidateEvents,
} satisfies Record<string, ServerEventSpec>;

export type InterviewServerToClient = ServerEventsOf<typeof interviewServerEvents>;

/** The error a socket `connect_error` carries in `err.data`. */
export type ConnectErrorData = ErrorBody;
