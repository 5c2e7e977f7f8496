import { z } from 'zod';
import type { ExportNote } from '../../../shared/export.js';
import type { Interview } from '../../../shared/interview.js';

/**
 * Private recruiter notes on the interview document (`notes[]`, written by the
 * named-recruiters module). Read defensively: the field may be absent (no notes,
 * or a build without that module) and is parsed, never trusted, so an export
 * never fails because of one malformed note — that note is left out.
 */
const storedNoteSchema = z
  .object({
    id: z.string().min(1).max(128),
    authorId: z.string().max(128).optional(),
    authorName: z.string().max(200).optional(),
    author: z.object({ id: z.string().max(128), name: z.string().max(200) }).optional(),
    text: z.string().max(20_000),
    rating: z.number().nullish(),
    messageId: z.string().max(128).nullish(),
    createdAt: z.date().optional(),
    at: z.date().optional(),
  })
  .transform((n, ctx): ExportNote => {
    const author = n.author ?? (n.authorId !== undefined ? { id: n.authorId, name: n.authorName ?? n.authorId } : undefined);
    const when = n.createdAt ?? n.at;
    if (!author || !when) {
      ctx.addIssue({ code: 'custom', message: 'a note needs an author and a time' });
      return z.NEVER;
    }
    return { id: n.id, author, text: n.text, rating: n.rating ?? null, messageId: n.messageId ?? null, createdAt: when.toISOString() };
  });

export function notesOf(session: Interview): ExportNote[] {
  const raw = (session as Interview & { notes?: unknown }).notes;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item: unknown) => {
    const parsed = storedNoteSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}
