import { z } from 'zod';
import { objectIdHexSchema } from './ids.js';
import { interviewModeSchema, roleIdSchema } from './interview.js';
import { MUST_ASK_MAX } from './plan.js';

/**
 * Openings (collection `openings`, docs/openings.md): what a recruiter creates
 * and shares as a candidate link `/o/<slug>`. Every change is one atomic update
 * guarded by `version`; archived openings keep their sessions but refuse new ones.
 */

export const JOB_DESCRIPTION_MAX = 20_000;
export { MUST_ASK_MAX } from './plan.js';
export const MUST_ASK_TEXT_MAX = 500;
/** The plan's hard limits (server/src/interview/plan.ts PLAN_RULES): an opening may only narrow them. */
export const OPENING_MIN_QUESTIONS = 12;
export const OPENING_MAX_QUESTIONS = 20;
/** Warm-up takes up to 3 questions; must-ask questions are asked after it, so they must fit behind it. */
export const WARMUP_MAX_QUESTIONS = 3;

export const personaIdSchema = z.enum(['warm', 'neutral', 'probing']);
export type PersonaId = z.infer<typeof personaIdSchema>;

/** `crypto.randomBytes(16).toString('base64url')`: 22 characters, 128 random bits. */
export const openingSlugSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'not an opening link');

export const openingLengthSchema = z
  .strictObject({
    minQuestions: z.number().int().min(OPENING_MIN_QUESTIONS).max(OPENING_MAX_QUESTIONS),
    maxQuestions: z.number().int().min(OPENING_MIN_QUESTIONS).max(OPENING_MAX_QUESTIONS),
  })
  .refine((l) => l.minQuestions <= l.maxQuestions, { message: 'minQuestions must be <= maxQuestions', path: ['minQuestions'] });
export type OpeningLength = z.infer<typeof openingLengthSchema>;

export const DEFAULT_OPENING_LENGTH: OpeningLength = { minQuestions: OPENING_MIN_QUESTIONS, maxQuestions: OPENING_MAX_QUESTIONS };

const titleSchema = z.string().trim().min(1).max(200);
const jobDescriptionSchema = z.string().max(JOB_DESCRIPTION_MAX);
const allowedModesSchema = z
  .array(interviewModeSchema)
  .min(1)
  .max(2)
  .refine((m) => new Set(m).size === m.length, 'modes must not repeat');
const mustAskSchema = z.array(z.string().trim().min(1).max(MUST_ASK_TEXT_MAX)).max(MUST_ASK_MAX);

/** The editable fields of an opening. */
const openingFieldsShape = {
  title: titleSchema,
  role: roleIdSchema,
  jobDescription: jobDescriptionSchema,
  length: openingLengthSchema,
  allowedModes: allowedModesSchema,
  persona: personaIdSchema,
  mustAsk: mustAskSchema,
};

/** Cross-field rule: every must-ask question fits after the warm-up within maxQuestions. */
function mustAskFits(o: { mustAsk: readonly string[]; length: OpeningLength }): boolean {
  return o.mustAsk.length <= o.length.maxQuestions - WARMUP_MAX_QUESTIONS;
}
const MUST_ASK_FITS = {
  message: `too many must-ask questions for length.maxQuestions (at most maxQuestions - ${WARMUP_MAX_QUESTIONS})`,
  path: ['mustAsk'],
};

export const openingFieldsSchema = z.strictObject(openingFieldsShape).refine(mustAskFits, MUST_ASK_FITS);
export type OpeningFields = z.infer<typeof openingFieldsSchema>;

/** POST /api/openings. Defaults: empty job description, length 12..20, both modes, persona neutral, no must-ask. */
export const createOpeningRequestSchema = z
  .strictObject({
    title: titleSchema,
    role: roleIdSchema,
    jobDescription: jobDescriptionSchema.default(''),
    length: openingLengthSchema.default(DEFAULT_OPENING_LENGTH),
    allowedModes: allowedModesSchema.default(['text', 'voice']),
    persona: personaIdSchema.default('neutral'),
    mustAsk: mustAskSchema.default([]),
  })
  .refine(mustAskFits, MUST_ASK_FITS);
export type CreateOpeningRequest = z.input<typeof createOpeningRequestSchema>;

/** PATCH /api/openings/:id: `version` is the one the editor loaded; any subset of fields. */
export const updateOpeningRequestSchema = z
  .strictObject({
    version: z.number().int().min(1),
    title: titleSchema.optional(),
    role: roleIdSchema.optional(),
    jobDescription: jobDescriptionSchema.optional(),
    length: openingLengthSchema.optional(),
    allowedModes: allowedModesSchema.optional(),
    persona: personaIdSchema.optional(),
    mustAsk: mustAskSchema.optional(),
  })
  .refine((u) => Object.keys(u).length > 1, 'nothing to change');
export type UpdateOpeningRequest = z.infer<typeof updateOpeningRequestSchema>;

/** The stored opening as the repository returns it (`_id` exposed as `id`). */
export const openingSchema = z.strictObject({
  id: objectIdHexSchema,
  ...openingFieldsShape,
  slug: openingSlugSchema,
  /** Starts at 1; every change (edit, archive, slug rotation) increments it. */
  version: z.number().int().min(1),
  archivedAt: z.date().optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Opening = z.infer<typeof openingSchema>;

/** An opening on the wire (recruiter REST). */
export const openingViewSchema = z.object({
  id: z.string(),
  title: z.string(),
  role: z.string(),
  jobDescription: z.string(),
  length: z.object({ minQuestions: z.number(), maxQuestions: z.number() }),
  allowedModes: z.array(interviewModeSchema),
  persona: personaIdSchema,
  mustAsk: z.array(z.string()),
  slug: z.string(),
  /** Path of the candidate link: prefix it with the public origin. */
  link: z.string(),
  version: z.number(),
  archivedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type OpeningView = z.infer<typeof openingViewSchema>;

export const listOpeningsQuerySchema = z.strictObject({
  includeArchived: z.enum(['true', 'false']).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export const openingListResponseSchema = z.object({ items: z.array(openingViewSchema), nextCursor: z.string().nullable() });
export type OpeningListResponse = z.infer<typeof openingListResponseSchema>;

export const personaSummarySchema = z.object({ id: personaIdSchema, name: z.string(), description: z.string() });
export type PersonaSummary = z.infer<typeof personaSummarySchema>;

/** GET /api/o/:slug — what the candidate sees before starting (no job description, no must-ask questions). */
export const publicOpeningSchema = z.object({
  slug: z.string(),
  title: z.string(),
  role: z.object({ id: z.string(), title: z.string() }),
  persona: personaSummarySchema,
  allowedModes: z.array(interviewModeSchema),
  length: z.object({ minQuestions: z.number(), maxQuestions: z.number() }),
  /** Shown on the start page: focus changes and paste sizes are recorded. */
  focusNotice: z.string(),
});
export type PublicOpening = z.infer<typeof publicOpeningSchema>;
