import { z } from 'zod';
import { objectIdHexSchema } from './ids.js';

/**
 * Named recruiters (docs/security.md "Recruiters"): who is acting on the
 * recruiter API and `/monitor`. `RECRUITER_TOKEN` stays the bootstrap admin;
 * admins create and revoke named credentials, stored only as SHA-256 hashes.
 */

export const recruiterRoleSchema = z.enum(['admin', 'recruiter']);
export type RecruiterRole = z.infer<typeof recruiterRoleSchema>;

/** The id the bootstrap credential (RECRUITER_TOKEN) acts under; never stored in `recruiters`. */
export const BOOTSTRAP_RECRUITER_ID = 'bootstrap';
export const BOOTSTRAP_RECRUITER_NAME = 'admin';

/** A stored recruiter's id (ObjectId hex). */
export const recruiterIdSchema = objectIdHexSchema;

/** Whoever acted: a stored recruiter, or the bootstrap admin. */
export const actorIdSchema = z.union([objectIdHexSchema, z.literal(BOOTSTRAP_RECRUITER_ID)]);

/** A display name: what notes and actions are attributed to. Never logged. No control characters. */
export const recruiterNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(80, 'must be at most 80 characters')
  .refine((name) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name), 'must not contain control characters');

/** The acting recruiter as every REST handler and /monitor handler sees it. */
export const actingRecruiterSchema = z.object({ id: actorIdSchema, name: z.string(), role: recruiterRoleSchema });
export type ActingRecruiter = z.infer<typeof actingRecruiterSchema>;

/** Who did something, as stored next to what they did (a note's author, a recruiter's creator). */
export const actorRefSchema = z.object({ id: actorIdSchema, name: z.string().min(1).max(80) });
export type ActorRef = z.infer<typeof actorRefSchema>;

/**
 * A named credential's token: `cr_<id>_<secret>` — the id says which hash to
 * compare, the secret is 32 random bytes (base64url, 43 chars). Only the
 * SHA-256 of the secret is stored; the token is shown once, at creation.
 */
export const RECRUITER_TOKEN_PATTERN = /^cr_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;

/** SHA-256 of a token's secret, hex. */
export const secretHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest');

/** The stored shape (collection `recruiters`), as the repository returns it (`_id` exposed as `id`). */
export const recruiterSchema = z.strictObject({
  id: recruiterIdSchema,
  name: recruiterNameSchema,
  role: recruiterRoleSchema,
  secretHash: secretHashSchema,
  /** Absent for recruiters added with `npm run recruiter:add`. */
  createdBy: actorRefSchema.optional(),
  revokedAt: z.date().optional(),
  revokedBy: actorRefSchema.optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Recruiter = z.infer<typeof recruiterSchema>;

/** What the repository needs to store a new recruiter (the secret's hash, never the secret). */
export const newRecruiterSchema = z.strictObject({
  name: recruiterNameSchema,
  role: recruiterRoleSchema,
  secretHash: secretHashSchema,
  createdBy: actorRefSchema.optional(),
});
export type NewRecruiter = z.infer<typeof newRecruiterSchema>;

// ---- REST -------------------------------------------------------------------

/** POST /api/recruiters (admin). */
export const createRecruiterRequestSchema = z.strictObject({
  name: recruiterNameSchema,
  role: recruiterRoleSchema.default('recruiter'),
});
export type CreateRecruiterRequest = z.input<typeof createRecruiterRequestSchema>;

/** A recruiter as the admin view lists it: never the hash. */
export const recruiterViewSchema = z.object({
  id: recruiterIdSchema,
  name: z.string(),
  role: recruiterRoleSchema,
  createdAt: z.string(),
  createdBy: actorRefSchema.nullable(),
  revokedAt: z.string().nullable(),
  revokedBy: actorRefSchema.nullable(),
});
export type RecruiterView = z.infer<typeof recruiterViewSchema>;

/** 201 of POST /api/recruiters: the only time the token is ever shown. */
export const createRecruiterResponseSchema = recruiterViewSchema.extend({ token: z.string().regex(RECRUITER_TOKEN_PATTERN) });
export type CreateRecruiterResponse = z.infer<typeof createRecruiterResponseSchema>;

/** GET /api/recruiters (admin): every recruiter, newest first, revoked ones included. */
export const recruiterListResponseSchema = z.object({ items: z.array(recruiterViewSchema) });
export type RecruiterListResponse = z.infer<typeof recruiterListResponseSchema>;

/** Path parameter of DELETE /api/recruiters/:id. */
export const recruiterIdParamSchema = z.strictObject({ id: recruiterIdSchema });

/** GET /api/recruiters/me (any recruiter): who the presented token acts as. */
export const meResponseSchema = actingRecruiterSchema;
export type MeResponse = z.infer<typeof meResponseSchema>;

/** Most recruiters the admin list returns (a team, not a directory). */
export const RECRUITERS_LIST_MAX = 500;
