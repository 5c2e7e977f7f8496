import { z } from 'zod';
import { messageIdSchema, objectIdHexSchema, opaqueIdSchema } from './ids.js';
import { actorRefSchema } from './recruiters.js';

/**
 * Private recruiter notes (docs/data-model.md "notes"): attached to one
 * transcript line (a message id) or to the whole session, stored on the
 * interview with `$push`, visible to recruiters only — never in a
 * candidate-facing route or event.
 */

export const NOTE_TEXT_MAX = 2000;
/** Most notes one session keeps: the `$push` is refused past it, so no flood grows the document. */
export const NOTES_PER_SESSION_MAX = 200;

/** Chosen by the client (crypto.randomUUID); a retried add with the same id stores one note. */
export const noteIdSchema = opaqueIdSchema;

export const noteTextSchema = z
  .string()
  .max(NOTE_TEXT_MAX, `must be at most ${NOTE_TEXT_MAX} characters`)
  .refine((text) => text.trim().length > 0, 'must not be empty');

/** Optional 1–5 rating. */
export const noteRatingSchema = z.number().int('must be a whole number').min(1, 'must be 1 to 5').max(5, 'must be 1 to 5');

/** The stored note (an element of `interviews.notes[]`). */
export const noteSchema = z.object({
  id: noteIdSchema,
  /** The transcript line the note is about; absent: about the whole session. */
  messageId: messageIdSchema.optional(),
  text: z.string().min(1).max(NOTE_TEXT_MAX),
  rating: noteRatingSchema.optional(),
  /** Who wrote it; only they may edit it. */
  author: actorRefSchema,
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Note = z.infer<typeof noteSchema>;

/** A note as recruiters receive it (REST, the watch ack, `note:upserted`): dates as ISO strings. */
export const wireNoteSchema = z.object({
  id: noteIdSchema,
  sessionId: objectIdHexSchema,
  messageId: messageIdSchema.nullable(),
  text: z.string(),
  rating: noteRatingSchema.nullable(),
  author: actorRefSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WireNote = z.infer<typeof wireNoteSchema>;

// ---- requests -----------------------------------------------------------------

const addNoteFields = {
  noteId: noteIdSchema,
  messageId: messageIdSchema.optional(),
  text: noteTextSchema,
  rating: noteRatingSchema.optional(),
};

/** POST /api/sessions/:id/notes. */
export const addNoteRequestSchema = z.strictObject(addNoteFields);
export type AddNoteRequest = z.infer<typeof addNoteRequestSchema>;

const editNoteFields = {
  text: noteTextSchema.optional(),
  /** null clears the rating. */
  rating: noteRatingSchema.nullable().optional(),
};
const changesSomething = (e: { text?: string | undefined; rating?: number | null | undefined }) => e.text !== undefined || e.rating !== undefined;
const NOTHING_TO_CHANGE = { message: 'text or rating is required', path: ['text'] };

/** PATCH /api/sessions/:id/notes/:noteId (the author only). */
export const editNoteRequestSchema = z.strictObject(editNoteFields).refine(changesSomething, NOTHING_TO_CHANGE);
export type EditNoteRequest = z.infer<typeof editNoteRequestSchema>;

/** Path parameters of the note routes. */
export const noteParamsSchema = z.strictObject({ id: objectIdHexSchema, noteId: noteIdSchema });

/** `/monitor` `note:add`: the REST body plus the session. */
export const noteAddPayloadSchema = z.strictObject({ sessionId: objectIdHexSchema, ...addNoteFields });
export type NoteAddPayload = z.infer<typeof noteAddPayloadSchema>;

/** `/monitor` `note:edit`. */
export const noteEditPayloadSchema = z.strictObject({ sessionId: objectIdHexSchema, noteId: noteIdSchema, ...editNoteFields }).refine(changesSomething, NOTHING_TO_CHANGE);
export type NoteEditPayload = z.infer<typeof noteEditPayloadSchema>;

/** 201/200 of POST .../notes and the `note:add` ack: `created` is false for a retried add (same noteId). */
export const noteAddedResponseSchema = z.object({ note: wireNoteSchema, created: z.boolean() });
export type NoteAddedResponse = z.infer<typeof noteAddedResponseSchema>;

export const noteEditedResponseSchema = z.object({ note: wireNoteSchema });
export type NoteEditedResponse = z.infer<typeof noteEditedResponseSchema>;
