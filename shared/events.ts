import { z } from 'zod';
import type { AckError, ErrorBody } from './errors.js';
import { questionIdSchema } from './ids.js';
import { endedBySchema, evaluationStatusSchema, interviewStatusSchema, linkedBySchema } from './interview.js';
import { phaseSchema } from './plan.js';
import { submitAnswerSchema, type AnswerAck, type SessionSnapshot, type StatusAck, type WireMessage } from './protocol.js';
import {
  voiceConversationIdSchema,
  voiceEndedSchema,
  voiceStartedSchema,
  voiceTranscriptPayloadSchema,
  type VoiceConversationAck,
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
export interface FocusAck {
  ok: true;
  stored: boolean;
}

/** Client -> server payload schemas, by event name. */
export const interviewClientSchemas = {
  'interview:start': emptyPayloadSchema,
  'answer:submit': submitAnswerSchema,
  'interview:pause': emptyPayloadSchema,
  'interview:resume': emptyPayloadSchema,
  'interview:end': endPayloadSchema,
  'voice:started': voiceStartedSchema,
  'voice:conversation-id': voiceConversationIdSchema,
  'voice:transcript': voiceTranscriptPayloadSchema,
  'voice:ended': voiceEndedSchema,
  'candidate:focus': candidateFocusSchema,
  'candidate:paste': candidatePasteSchema,
} as const;

export type Ack<T> = T | AckError;
type AckFn<T> = (ack: Ack<T>) => void;

export interface InterviewClientToServer {
  'interview:start': (payload: z.infer<typeof emptyPayloadSchema>, ack: AckFn<StatusAck>) => void;
  'answer:submit': (payload: z.infer<typeof submitAnswerSchema>, ack: AckFn<AnswerAck>) => void;
  'interview:pause': (payload: z.infer<typeof emptyPayloadSchema>, ack: AckFn<StatusAck>) => void;
  'interview:resume': (payload: z.infer<typeof emptyPayloadSchema>, ack: AckFn<StatusAck>) => void;
  'interview:end': (payload: z.infer<typeof endPayloadSchema>, ack: AckFn<StatusAck>) => void;
  'voice:started': (payload: z.infer<typeof voiceStartedSchema>, ack: AckFn<StatusAck>) => void;
  'voice:conversation-id': (payload: z.infer<typeof voiceConversationIdSchema>, ack: AckFn<VoiceConversationAck>) => void;
  /** Ack: the stored line's id and 1-based position, like answer:submit. */
  'voice:transcript': (payload: z.infer<typeof voiceTranscriptPayloadSchema>, ack: AckFn<AnswerAck>) => void;
  'voice:ended': (payload: z.infer<typeof voiceEndedSchema>, ack: AckFn<StatusAck>) => void;
  'candidate:focus': (payload: CandidateFocus, ack: AckFn<FocusAck>) => void;
  'candidate:paste': (payload: CandidatePaste, ack: AckFn<FocusAck>) => void;
}

// ---- server -> client --------------------------------------------------------

export const questionStartSchema = z.object({ questionId: questionIdSchema, phase: phaseSchema, number: z.number().int().min(1) });
export const questionTokenSchema = z.object({ questionId: questionIdSchema, index: z.number().int().min(0), text: z.string() });
export const questionEndSchema = z.object({ questionId: questionIdSchema, text: z.string() });
export const questionErrorSchema = z.object({ questionId: questionIdSchema, code: z.string(), retryable: z.boolean() });
export const sessionStatusSchema = z.object({ status: interviewStatusSchema, endedBy: endedBySchema.optional() });
export const sessionLinkedSchema = z.object({ conversationId: z.string(), linkedBy: linkedBySchema });
export const interviewCompleteSchema = z.object({ reason: z.string() });
export const evaluationReadySchema = z.object({ evaluationStatus: evaluationStatusSchema });

export type QuestionStart = z.infer<typeof questionStartSchema>;
export type QuestionToken = z.infer<typeof questionTokenSchema>;
export type QuestionEnd = z.infer<typeof questionEndSchema>;
export type QuestionError = z.infer<typeof questionErrorSchema>;
export type SessionStatusEvent = z.infer<typeof sessionStatusSchema>;
export type SessionLinked = z.infer<typeof sessionLinkedSchema>;
export type InterviewComplete = z.infer<typeof interviewCompleteSchema>;
export type EvaluationReady = z.infer<typeof evaluationReadySchema>;

/** Events of one session, sent to its candidate room and to its watchers. */
export interface SessionEventMap {
  'question:start': QuestionStart;
  'question:token': QuestionToken;
  'question:end': QuestionEnd;
  'question:error': QuestionError;
  'message:appended': WireMessage;
  'session:status': SessionStatusEvent;
  'session:linked': SessionLinked;
  'interview:complete': InterviewComplete;
  'evaluation:ready': EvaluationReady;
}
export type SessionEventName = keyof SessionEventMap;

/** Every session event name; a Record so adding an event to the map without listing it here fails to compile. */
const SESSION_EVENT_FLAGS: Record<SessionEventName, true> = {
  'question:start': true,
  'question:token': true,
  'question:end': true,
  'question:error': true,
  'message:appended': true,
  'session:status': true,
  'session:linked': true,
  'interview:complete': true,
  'evaluation:ready': true,
};
export const SESSION_EVENT_NAMES = Object.keys(SESSION_EVENT_FLAGS) as SessionEventName[];

type Listeners<M> = { [K in keyof M]: (payload: M[K]) => void };

export interface InterviewServerToClient extends Listeners<SessionEventMap> {
  'session:state': (snapshot: SessionSnapshot) => void;
}

/** The error a socket `connect_error` carries in `err.data`. */
export type ConnectErrorData = ErrorBody;
