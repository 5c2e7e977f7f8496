import { z } from 'zod';
import { agentIdSchema, clientSessionIdSchema, conversationIdSchema, objectIdHexSchema } from './ids.js';
import { nodeIdSchema } from './interview.js';

/**
 * Retention and erasure (docs/privacy.md): the stored shapes of collection
 * `erasures` (one tombstone per erased interview) and `leases` (named
 * cluster-wide leases, e.g. the retention sweeper's).
 */

export const erasureReasonSchema = z.enum(['request', 'retention']);
export type ErasureReason = z.infer<typeof erasureReasonSchema>;

export const erasureStatusSchema = z.enum(['pending', 'done']);
export type ErasureStatus = z.infer<typeof erasureStatusSchema>;

/**
 * What lets the webhook linker recognise a late call of an erased voice
 * interview that carries neither its conversation id nor its client session id:
 * the ElevenLabs user id (hashed: SHA-256 hex, never the id itself), the agent
 * and the time the voice call started.
 */
export const erasedVoiceSchema = z.strictObject({
  userIdSha256: z.string().regex(/^[0-9a-f]{64}$/),
  agentId: agentIdSchema.optional(),
  startedAt: z.date(),
});
export type ErasedVoice = z.infer<typeof erasedVoiceSchema>;

/**
 * A tombstone: written BEFORE anything is deleted, holds ids only (never a
 * name or a line of text), and stays after the erasure is done so a late
 * webhook of that interview is recognised and cannot bring it back.
 */
export const erasureSchema = z.strictObject({
  id: objectIdHexSchema,
  /** The interview's id (24 hex); unique. */
  sessionId: objectIdHexSchema,
  clientSessionId: clientSessionIdSchema,
  /** Every conversation id known to belong to it (its own, merged orphans'); grows while erasing. */
  conversationIds: z.array(conversationIdSchema).max(100),
  voice: erasedVoiceSchema.optional(),
  reason: erasureReasonSchema,
  status: erasureStatusSchema,
  requestedAt: z.date(),
  completedAt: z.date().optional(),
  /** The node working on it and until when (another node may take over after). */
  leaseUntil: z.date().optional(),
  node: nodeIdSchema.optional(),
  attempts: z.number().int().nonnegative(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Erasure = z.infer<typeof erasureSchema>;

/** A named lease (`_id` is the name): one holder at a time until `leaseUntil`. */
export const leaseSchema = z.strictObject({
  id: z.string().min(1).max(64),
  holder: nodeIdSchema,
  leaseUntil: z.date(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Lease = z.infer<typeof leaseSchema>;
