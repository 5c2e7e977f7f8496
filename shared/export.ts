import { z } from 'zod';
import { clientSessionIdSchema, messageIdSchema, objectIdHexSchema, opaqueIdSchema, questionIdSchema } from './ids.js';
import {
  endedBySchema,
  evaluationResultSchema,
  evaluationStatusSchema,
  interviewModeSchema,
  interviewStatusSchema,
  linkedBySchema,
  messageSourceSchema,
} from './interview.js';
import { listSessionsQuerySchema } from './monitor.js';
import { phaseSchema } from './plan.js';

/**
 * Exports of one interview (docs/exports.md): `GET /api/sessions/:id/export`
 * (recruiter) and `GET /api/sessions/by-client/:clientSessionId/export`
 * (the candidate's own). JSON is this schema; Markdown and PDF render the
 * same object. The JSON Schema published at EXPORT_JSON_SCHEMA_PATH is
 * generated from `sessionExportSchema`, so the contract cannot drift.
 *
 * Versioned and closed: every object of the schema forbids unknown fields
 * (`additionalProperties: false`), so ANY change of shape is a new version
 * (`candor.export.v2` at a new schema path, served beside v1).
 */

export const EXPORT_SCHEMA_VERSION = 'candor.export.v1';
export const EXPORT_JSON_SCHEMA_PATH = '/api/schemas/export-v1.json';
export const EXPORT_JSON_SCHEMA_ID = 'urn:candor:schema:export:v1';

export const exportFormatSchema = z.enum(['json', 'md', 'pdf']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

export const exportQuerySchema = z.strictObject({ format: exportFormatSchema.default('json') });
export type ExportQuery = z.infer<typeof exportQuerySchema>;

const isoDate = z.iso.datetime();

/** One line of the transcript, whatever it came from (typed answer, live voice line, post-call webhook). */
export const exportTranscriptEntrySchema = z.object({
  /** 1-based position in this transcript. */
  seq: z.number().int().min(1),
  speaker: z.enum(['interviewer', 'candidate']),
  text: z.string(),
  source: messageSourceSchema,
  /** Wall-clock time (typed and live lines); null for webhook lines, which carry `timeInCallSecs`. */
  at: isoDate.nullable(),
  timeInCallSecs: z.number().nonnegative().nullable(),
  questionId: questionIdSchema.nullable(),
});
export type ExportTranscriptEntry = z.infer<typeof exportTranscriptEntrySchema>;

/**
 * - `text`: the typed interview
 * - `webhook`: a voice interview's post-call transcript (authoritative once linked)
 * - `voice_live`: a voice interview whose post-call transcript never came: the lines captured live
 * - `none`: nothing was said yet
 */
export const exportTranscriptSourceSchema = z.enum(['text', 'webhook', 'voice_live', 'none']);
export type ExportTranscriptSource = z.infer<typeof exportTranscriptSourceSchema>;

export const exportTranscriptSchema = z.object({
  source: exportTranscriptSourceSchema,
  entries: z.array(exportTranscriptEntrySchema),
});
export type ExportTranscript = z.infer<typeof exportTranscriptSchema>;

const roleRefSchema = z.object({ id: z.string(), title: z.string() });
const openingRefSchema = z.object({ id: z.string(), title: z.string() });

export const exportSessionSchema = z.object({
  id: objectIdHexSchema,
  clientSessionId: clientSessionIdSchema,
  mode: interviewModeSchema,
  status: interviewStatusSchema,
  endedBy: endedBySchema.nullable(),
  role: roleRefSchema,
  opening: openingRefSchema.nullable(),
  candidate: z.object({ name: z.string().nullable(), id: z.string().nullable() }),
  createdAt: isoDate,
  startedAt: isoDate.nullable(),
  endedAt: isoDate.nullable(),
  /** When retention (RETENTION_DAYS) deletes this interview; null when it is kept (docs/privacy.md). */
  deleteAfter: isoDate.nullable(),
});

export const exportQuestionSchema = z.object({
  number: z.number().int().min(1),
  questionId: questionIdSchema,
  phase: phaseSchema,
  difficulty: z.number().int().min(1).max(5),
  skill: z.string(),
  /** Null when the question text is not in the transcript (e.g. voice interviews ask through the agent). */
  text: z.string().nullable(),
  askedAt: isoDate,
  /** 0..10 once the answer was assessed. */
  score: z.number().min(0).max(10).nullable(),
  /** True when this answer marked a skill boundary (score < 5 in the standard/advanced phase). */
  boundary: z.boolean(),
});
export type ExportQuestion = z.infer<typeof exportQuestionSchema>;

export const exportPlanSchema = z.object({
  phase: phaseSchema,
  asked: z.number().int().min(0),
  scored: z.number().int().min(0),
  averageByPhase: z.object({ warmup: z.number().nullable(), standard: z.number().nullable(), advanced: z.number().nullable() }),
  boundaries: z.array(z.object({ skill: z.string(), questionId: questionIdSchema, score: z.number() })),
  complete: z.string().nullable(),
});

export const exportEvaluationSchema = z.object({
  status: evaluationStatusSchema,
  attempts: z.number().int().min(0),
  completedAt: isoDate.nullable(),
  result: evaluationResultSchema.nullable(),
  error: z.string().nullable(),
});

export const exportVoiceSchema = z.object({
  conversationId: z.string().nullable(),
  linkedBy: linkedBySchema.nullable(),
  linkedAt: isoDate.nullable(),
  durationSecs: z.number().nonnegative().nullable(),
  /** ElevenLabs' own summary of the call (analysis.transcript_summary). */
  callSummary: z.string().nullable(),
});

/** What the live focus signals add up to (docs/openings.md); never the pasted text, which is never stored. */
export const exportFocusSummarySchema = z.object({
  signals: z.number().int().min(0),
  /** Times the candidate left the page (tab hidden). */
  hiddenCount: z.number().int().min(0),
  /** Seconds the page was hidden, summed over hidden -> visible pairs (an unreturned last leave counts to the end). */
  hiddenSecs: z.number().min(0),
  pasteCount: z.number().int().min(0),
  pastedChars: z.number().int().min(0),
  firstAt: isoDate.nullable(),
  lastAt: isoDate.nullable(),
  /** True when the stored list hit its cap (FOCUS_SIGNALS_MAX) and older signals were dropped. */
  truncated: z.boolean(),
});
export type ExportFocusSummary = z.infer<typeof exportFocusSummarySchema>;

/** A private recruiter note (named recruiters). Absent on interviews nobody annotated. */
export const exportNoteSchema = z.object({
  id: opaqueIdSchema,
  author: z.object({ id: z.string(), name: z.string() }),
  text: z.string(),
  rating: z.number().nullable(),
  /** The transcript message the note is about, if any. */
  messageId: messageIdSchema.nullable(),
  createdAt: isoDate,
});
export type ExportNote = z.infer<typeof exportNoteSchema>;

/** Everything a recruiter (and an ATS) gets. */
export const recruiterExportSchema = z.object({
  schemaVersion: z.literal(EXPORT_SCHEMA_VERSION),
  audience: z.literal('recruiter'),
  generatedAt: isoDate,
  session: exportSessionSchema,
  transcript: exportTranscriptSchema,
  questions: z.array(exportQuestionSchema),
  plan: exportPlanSchema,
  evaluation: exportEvaluationSchema.nullable(),
  voice: exportVoiceSchema.nullable(),
  focus: exportFocusSummarySchema,
  notes: z.array(exportNoteSchema),
});
export type RecruiterExport = z.infer<typeof recruiterExportSchema>;

/**
 * The feedback a candidate already sees on the results page: overall score,
 * summary, strengths, things to work on, competency scores. Not the evidence
 * quotes, not per-answer scores (docs/exports.md "What the candidate gets").
 */
export const candidateFeedbackSchema = z.object({
  overall: z.number().min(0).max(10),
  summary: z.string(),
  strengths: z.array(z.string()),
  concerns: z.array(z.string()),
  competencies: z.array(z.object({ name: z.string(), score: z.number().min(0).max(10) })),
});
export type CandidateFeedback = z.infer<typeof candidateFeedbackSchema>;

/** The candidate's own copy: their transcript and their feedback, nothing recruiter-only. */
export const candidateExportSchema = z.strictObject({
  schemaVersion: z.literal(EXPORT_SCHEMA_VERSION),
  audience: z.literal('candidate'),
  generatedAt: isoDate,
  session: exportSessionSchema
    .pick({ id: true, clientSessionId: true, mode: true, status: true, role: true, createdAt: true, startedAt: true, endedAt: true, deleteAfter: true })
    .extend({ candidateName: z.string().nullable(), opening: z.object({ title: z.string() }).nullable() })
    .strict(),
  transcript: exportTranscriptSchema,
  feedback: candidateFeedbackSchema.nullable(),
});
export type CandidateExport = z.infer<typeof candidateExportSchema>;

/** The published contract: either audience, told apart by `audience`. */
export const sessionExportSchema = z.discriminatedUnion('audience', [recruiterExportSchema, candidateExportSchema]);
export type SessionExport = z.infer<typeof sessionExportSchema>;

// ---- CSV --------------------------------------------------------------------

/**
 * GET /api/sessions.csv takes the list's filters (GET /api/sessions); `cursor`
 * starts after that row; without `limit` every matching row is streamed.
 */
export const sessionsCsvQuerySchema = listSessionsQuerySchema.extend({
  limit: z.coerce.number().int().min(1).max(10_000_000).optional(),
});
export type SessionsCsvQuery = z.infer<typeof sessionsCsvQuerySchema>;

/** The CSV columns, in order (docs/exports.md). */
export const SESSIONS_CSV_COLUMNS = [
  'sessionId',
  'clientSessionId',
  'candidateName',
  'candidateId',
  'role',
  'openingId',
  'mode',
  'status',
  'endedBy',
  'questions',
  'phase',
  'evaluationStatus',
  'overallScore',
  'linkState',
  'linkedBy',
  'createdAt',
  'startedAt',
  'endedAt',
  'lastActivityAt',
  'deleteAfter',
] as const;
export type SessionsCsvColumn = (typeof SESSIONS_CSV_COLUMNS)[number];
