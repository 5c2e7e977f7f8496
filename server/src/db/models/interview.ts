import { Schema, type Connection, type Model, type Types } from 'mongoose';
import {
  CANDIDATE_TEXT_MAX,
  INTERVIEWER_TEXT_MAX,
  endedBySchema,
  evaluationStatusSchema,
  interviewModeSchema,
  interviewStatusSchema,
  linkedBySchema,
  messageRoleSchema,
  messageSourceSchema,
  turnStateSchema,
  type Interview,
} from '../../../../shared/interview.js';
import { NOTE_TEXT_MAX } from '../../../../shared/notes.js';
import { NUDGE_TEXT_MAX, nudgeKindSchema, nudgeStateSchema } from '../../../../shared/nudges.js';
import { phaseSchema } from '../../../../shared/plan.js';
import { WEBHOOK_EVENT_TYPES } from '../../../../shared/webhookEventTypes.js';
import { STRICT_SCHEMA_OPTIONS } from './options.js';

/**
 * Mongoose mirror of `interviewSchema` (shared/interview.ts), field for field.
 * Zod validates before every write; this schema casts, refuses unknown fields
 * (strict: 'throw') and declares the indexes. Nothing has a mongoose default:
 * the repository writes every field explicitly, so zod alone decides the shape.
 */

/** The stored document: the shared type with `_id` instead of `id`. */
export type InterviewRecord = Omit<Interview, 'id'> & { _id: Types.ObjectId };

const sub = { _id: false, ...STRICT_SCHEMA_OPTIONS } as const;

/** Who did something (shared/recruiters.ts actorRefSchema). */
const actorRefSchema = new Schema(
  {
    id: { type: String, required: true },
    name: { type: String, required: true },
  },
  sub,
);

const messageSchema = new Schema(
  {
    id: { type: String, required: true },
    role: { type: String, required: true, enum: messageRoleSchema.options },
    // The per-role limit (candidate <= CANDIDATE_TEXT_MAX) is zod's; this is the outer bound.
    text: { type: String, required: true, minlength: 1, maxlength: Math.max(CANDIDATE_TEXT_MAX, INTERVIEWER_TEXT_MAX) },
    source: { type: String, required: true, enum: messageSourceSchema.options },
    questionId: { type: String },
    at: { type: Date, required: true },
    by: { type: actorRefSchema },
  },
  sub,
);

const turnSchema = new Schema(
  {
    state: { type: String, required: true, enum: turnStateSchema.options },
    questionId: { type: String },
    leaseUntil: { type: Date },
    node: { type: String },
  },
  sub,
);

const voiceSchema = new Schema(
  {
    agentId: { type: String },
    userId: { type: String },
    conversationId: { type: String },
    startedAt: { type: Date },
    endedAt: { type: Date },
    linkedBy: { type: String, enum: linkedBySchema.options },
    linkedAt: { type: Date },
    candidates: { type: [String], default: undefined },
  },
  sub,
);

const transcriptLineSchema = new Schema(
  {
    role: { type: String, required: true, enum: ['user', 'agent'] },
    text: { type: String, required: true },
    timeInCallSecs: { type: Number },
  },
  sub,
);

const transcriptSchema = new Schema(
  {
    conversationId: { type: String, required: true },
    receivedAt: { type: Date, required: true },
    lines: { type: [transcriptLineSchema], required: true },
    summary: { type: String },
    durationSecs: { type: Number },
  },
  sub,
);

const competencySchema = new Schema(
  {
    name: { type: String, required: true },
    score: { type: Number, required: true },
    evidence: { type: String },
  },
  sub,
);

const evaluationResultSchema = new Schema(
  {
    overall: { type: Number, required: true },
    summary: { type: String, required: true },
    strengths: { type: [String], required: true },
    concerns: { type: [String], required: true },
    competencies: { type: [competencySchema], required: true },
  },
  sub,
);

const evaluationSchema = new Schema(
  {
    status: { type: String, required: true, enum: evaluationStatusSchema.options },
    attempts: { type: Number, required: true },
    result: { type: evaluationResultSchema },
    error: { type: String },
    leaseUntil: { type: Date },
    completedAt: { type: Date },
  },
  sub,
);

const askedQuestionSchema = new Schema(
  {
    questionId: { type: String, required: true },
    number: { type: Number, required: true },
    phase: { type: String, required: true, enum: phaseSchema.options },
    difficulty: { type: Number, required: true },
    skill: { type: String, required: true },
    mustAsk: { type: Number },
    at: { type: Date, required: true },
  },
  sub,
);

const answerScoreSchema = new Schema(
  {
    questionId: { type: String, required: true },
    score: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  sub,
);

/** Append-only plan facts (shared/plan.ts); the current phase etc. are derived, never stored. */
const planSchema = new Schema(
  {
    asked: { type: [askedQuestionSchema], required: true },
    scores: { type: [answerScoreSchema], required: true },
  },
  sub,
);

/** A focus signal (shared/interview.ts focusSignalSchema): `state` for kind focus, `length` for kind paste. */
const focusSignalSchema = new Schema(
  {
    kind: { type: String, required: true, enum: ['focus', 'paste'] },
    state: { type: String, enum: ['visible', 'hidden'] },
    length: { type: Number },
    at: { type: Date, required: true },
    clientAt: { type: Date },
  },
  sub,
);

/** An event waiting in the session's outbox (shared/interview.ts outboxEntrySchema, docs/webhooks-out.md). */
const outboxEntrySchema = new Schema(
  {
    eventId: { type: String, required: true },
    type: { type: String, required: true, enum: WEBHOOK_EVENT_TYPES },
    at: { type: Date, required: true },
    status: { type: String, enum: interviewStatusSchema.options },
  },
  sub,
);


/** A private recruiter note (shared/notes.ts noteSchema); `messageId` absent = about the whole session. */
const noteSchema = new Schema(
  {
    id: { type: String, required: true },
    messageId: { type: String },
    text: { type: String, required: true, minlength: 1, maxlength: NOTE_TEXT_MAX },
    rating: { type: Number, min: 1, max: 5 },
    author: { type: actorRefSchema, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  sub,
);

/** A recruiter nudge (shared/nudges.ts nudgeSchema). */
const nudgeSchema = new Schema(
  {
    id: { type: String, required: true },
    kind: { type: String, required: true, enum: nudgeKindSchema.options },
    text: { type: String, required: true, minlength: 1, maxlength: NUDGE_TEXT_MAX },
    state: { type: String, required: true, enum: nudgeStateSchema.options },
    author: { type: actorRefSchema, required: true },
    questionId: { type: String },
    questionNumber: { type: Number },
    withdrawnBy: { type: actorRefSchema },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  sub,
);

/** Who has taken the interview over (shared/nudges.ts takeoverSchema). */
const takeoverSchema = new Schema(
  {
    by: { type: actorRefSchema, required: true },
    at: { type: Date, required: true },
  },
  sub,
);

const usageEntrySchema = new Schema(
  {
    model: { type: String, required: true },
    calls: { type: Number, required: true },
    inputTokens: { type: Number, required: true },
    outputTokens: { type: Number, required: true },
    costUsd: { type: Number, required: true },
  },
  sub,
);

export const interviewSchema = new Schema<InterviewRecord>(
  {
    clientSessionId: { type: String, required: true },
    mode: { type: String, required: true, enum: interviewModeSchema.options },
    role: { type: String, required: true },
    candidateName: { type: String },
    candidateId: { type: String },
    openingId: { type: String },
    status: { type: String, required: true, enum: interviewStatusSchema.options },
    endedBy: { type: String, enum: endedBySchema.options },
    messages: { type: [messageSchema], required: true },
    turn: { type: turnSchema, required: true },
    plan: { type: planSchema, required: true },
    voice: { type: voiceSchema },
    transcript: { type: transcriptSchema },
    evaluation: { type: evaluationSchema },
    usage: { type: [usageEntrySchema], required: true },
    // Appended only with $push + $each + $slice (capped); absent until the first signal.
    focus: { type: [focusSignalSchema], default: undefined },
    // Appended only with one guarded $push (idempotent by note id, capped); absent until the first note.
    notes: { type: [noteSchema], default: undefined },
    // Appended only with one guarded $push (idempotent by nudge id, capped); absent until the first nudge.
    nudges: { type: [nudgeSchema], default: undefined },
    takeover: { type: takeoverSchema },
    startedAt: { type: Date },
    endedAt: { type: Date },
    // Pushed by the update that makes the state change, pulled by the relay; absent until the first event.
    outbox: { type: [outboxEntrySchema], default: undefined },
    outboxLeaseUntil: { type: Date },
    createdAt: { type: Date },
    updatedAt: { type: Date },
  },
  { ...STRICT_SCHEMA_OPTIONS, collection: 'interviews', timestamps: true },
);

interviewSchema.index({ clientSessionId: 1 }, { unique: true });
// Set only once known, so most documents have none: sparse keeps them out of the unique index.
interviewSchema.index({ 'voice.conversationId': 1 }, { unique: true, sparse: true });
interviewSchema.index({ status: 1, updatedAt: -1 });
// Time-window link: same user + agent, voice started near the call's start.
interviewSchema.index({ 'voice.userId': 1, 'voice.agentId': 1, 'voice.startedAt': 1 });
// Newest-first listing with a (createdAt, _id) cursor, optionally by status.
interviewSchema.index({ createdAt: -1, _id: -1 });
interviewSchema.index({ status: 1, createdAt: -1, _id: -1 });
// Per-opening listing and the dashboard stats (GET /api/stats?openingId=&from=&to=).
interviewSchema.index({ openingId: 1, createdAt: -1, _id: -1 });
// The outbox relay: documents with events waiting (multikey; a document without any has no entry here).
interviewSchema.index({ 'outbox.at': 1 }, { sparse: true });
// Retention (docs/privacy.md): due when endedAt, else updatedAt, is older than RETENTION_DAYS.
interviewSchema.index({ endedAt: 1, updatedAt: 1 });
// Erasure: orphans listing an erased session among their candidates.
interviewSchema.index({ 'voice.candidates': 1 });
// Claiming evaluations left pending or with an expired lease.
interviewSchema.index({ 'evaluation.status': 1, 'evaluation.leaseUntil': 1 });

export type InterviewModel = Model<InterviewRecord>;

export const INTERVIEW_MODEL = 'Interview';

/** The model bound to `conn` (created once per connection, never on the global mongoose). */
export function interviewModel(conn: Connection): InterviewModel {
  const existing = conn.models[INTERVIEW_MODEL];
  if (existing) return existing as InterviewModel;
  return conn.model<InterviewRecord>(INTERVIEW_MODEL, interviewSchema, 'interviews');
}
