import { z } from 'zod';
import { parseOrThrow } from '../../../../shared/errors.js';
import { noteIdSchema, noteRatingSchema, noteSchema, noteTextSchema, NOTES_PER_SESSION_MAX, type Note } from '../../../../shared/notes.js';
import { objectIdHexSchema } from '../../../../shared/ids.js';
import { actorIdSchema } from '../../../../shared/recruiters.js';
import { dbCall } from '../errors.js';
import type { RepoContext } from './context.js';
import type { Filter } from './preconditions.js';

/**
 * Private recruiter notes on `interviews.notes[]` (docs/data-model.md). Each
 * write is ONE update whose filter is its precondition: an add is a `$push`
 * guarded by the note id's absence (a retry stores nothing twice), the cap,
 * and — for a note on a line — that line's presence; an edit names the note
 * AND its author in one `$elemMatch`, so nobody else's note can change.
 * Notes leave the interview's `updatedAt` alone: they are not interview activity.
 */

interface NotesDoc {
  clientSessionId: string;
  notes?: Note[];
  messages?: Array<{ id: string }>;
}

export type AddNoteResult =
  | { outcome: 'added' | 'duplicate'; clientSessionId: string; note: Note }
  | { outcome: 'not_found' | 'no_such_message' | 'full' };

export async function addNote(ctx: RepoContext, sessionId: string, raw: Note): Promise<AddNoteResult> {
  const note = parseOrThrow(noteSchema, raw, 'note');
  if (!objectIdHexSchema.safeParse(sessionId).success) return { outcome: 'not_found' };
  return dbCall(async () => {
    const filter: Filter = {
      _id: { $eq: sessionId },
      'notes.id': { $ne: note.id },
      [`notes.${NOTES_PER_SESSION_MAX - 1}`]: { $exists: false },
    };
    if (note.messageId !== undefined) filter['messages.id'] = { $eq: note.messageId };
    const doc = await ctx.models.Interview.findOneAndUpdate(
      filter,
      { $push: { notes: note } },
      { returnDocument: 'after', lean: true, runValidators: true, timestamps: false, projection: { clientSessionId: 1, notes: 1 } },
    ).lean<NotesDoc>();
    const stored = doc?.notes?.find((n) => n.id === note.id);
    if (doc && stored) return { outcome: 'added', clientSessionId: doc.clientSessionId, note: stored };
    // Matched nothing: read once to say why.
    const current = await ctx.models.Interview.findOne({ _id: { $eq: sessionId } }, { clientSessionId: 1, notes: 1, 'messages.id': 1 }).lean<NotesDoc>();
    if (!current) return { outcome: 'not_found' };
    const existing = current.notes?.find((n) => n.id === note.id);
    if (existing) return { outcome: 'duplicate', clientSessionId: current.clientSessionId, note: existing };
    if (note.messageId !== undefined && !current.messages?.some((m) => m.id === note.messageId)) return { outcome: 'no_such_message' };
    return { outcome: 'full' };
  });
}

const editSchema = z.strictObject({
  authorId: actorIdSchema,
  text: noteTextSchema.optional(),
  rating: noteRatingSchema.nullable().optional(),
  at: z.date(),
});
export type NoteEdit = z.infer<typeof editSchema>;

export type EditNoteResult =
  | { outcome: 'edited'; clientSessionId: string; note: Note }
  | { outcome: 'not_found' | 'no_such_note' | 'not_author' };

export async function editNote(ctx: RepoContext, sessionId: string, noteId: string, raw: NoteEdit): Promise<EditNoteResult> {
  const edit = parseOrThrow(editSchema, raw, 'note edit');
  const id = parseOrThrow(noteIdSchema, noteId, 'noteId');
  if (!objectIdHexSchema.safeParse(sessionId).success) return { outcome: 'not_found' };
  const set: Record<string, unknown> = { 'notes.$.updatedAt': edit.at };
  if (edit.text !== undefined) set['notes.$.text'] = edit.text;
  if (typeof edit.rating === 'number') set['notes.$.rating'] = edit.rating;
  const update: Record<string, unknown> = { $set: set };
  if (edit.rating === null) update['$unset'] = { 'notes.$.rating': '' };
  return dbCall(async () => {
    const doc = await ctx.models.Interview.findOneAndUpdate(
      { _id: { $eq: sessionId }, notes: { $elemMatch: { id: { $eq: id }, 'author.id': { $eq: edit.authorId } } } },
      update,
      { returnDocument: 'after', lean: true, runValidators: true, timestamps: false, projection: { clientSessionId: 1, notes: 1 } },
    ).lean<NotesDoc>();
    const stored = doc?.notes?.find((n) => n.id === id);
    if (doc && stored) return { outcome: 'edited', clientSessionId: doc.clientSessionId, note: stored };
    const current = await ctx.models.Interview.findOne({ _id: { $eq: sessionId } }, { clientSessionId: 1, notes: 1 }).lean<NotesDoc>();
    if (!current) return { outcome: 'not_found' };
    return current.notes?.some((n) => n.id === id) ? { outcome: 'not_author' } : { outcome: 'no_such_note' };
  });
}
