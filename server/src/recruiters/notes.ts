import { AppError, parseOrThrow } from '../../../shared/errors.js';
import {
  NOTES_PER_SESSION_MAX,
  addNoteRequestSchema,
  editNoteRequestSchema,
  type Note,
  type NoteAddedResponse,
  type NoteEditedResponse,
  type WireNote,
} from '../../../shared/notes.js';
import type { ActingRecruiter } from '../../../shared/recruiters.js';
import type { Repository } from '../db/repository/index.js';
import type { WatcherBroadcaster } from '../interview/focusSignals.js';
import type { Logger } from '../observability/logger.js';
import { actorRef } from './auth.js';

/**
 * Private recruiter notes: one code path for REST and `/monitor`. A stored or
 * edited note goes to the session's watchers only (`note:upserted`, every node);
 * the candidate's room never gets it. Logs carry ids and lengths, never text.
 */
export class NotesService {
  constructor(
    private readonly deps: {
      repo: Pick<Repository, 'addNote' | 'editNote'>;
      broadcaster: WatcherBroadcaster;
      logger: Logger;
      now: () => Date;
    },
  ) {}

  /** Idempotent by noteId: a retry by the same author returns the stored note with `created: false`. */
  async add(actor: ActingRecruiter, sessionId: string, raw: unknown): Promise<NoteAddedResponse> {
    const input = parseOrThrow(addNoteRequestSchema, raw, 'note');
    const at = this.deps.now();
    const note: Note = {
      id: input.noteId,
      ...(input.messageId !== undefined ? { messageId: input.messageId } : {}),
      text: input.text,
      ...(input.rating !== undefined ? { rating: input.rating } : {}),
      author: actorRef(actor),
      createdAt: at,
      updatedAt: at,
    };
    const result = await this.deps.repo.addNote(sessionId, note);
    switch (result.outcome) {
      case 'not_found':
        throw new AppError('NOT_FOUND', 'No interview with this id');
      case 'no_such_message':
        throw new AppError('NOT_FOUND', 'No transcript line with this messageId in this interview');
      case 'full':
        throw new AppError('STATE_CONFLICT', `This interview already has ${NOTES_PER_SESSION_MAX} notes, the most it keeps`);
      case 'duplicate':
        if (result.note.author.id !== actor.id) throw new AppError('STATE_CONFLICT', 'This noteId belongs to another recruiter’s note; use a new id');
        return { note: toWireNote(sessionId, result.note), created: false };
      case 'added': {
        const wire = toWireNote(sessionId, result.note);
        this.deps.broadcaster.emitToWatchers(result.clientSessionId, 'note:upserted', wire);
        this.deps.logger.info('note added', { sessionId, noteId: note.id, recruiterId: actor.id, length: note.text.length, onLine: note.messageId !== undefined });
        return { note: wire, created: true };
      }
    }
  }

  /** Only the author: the update's filter names the note AND its author. */
  async edit(actor: ActingRecruiter, sessionId: string, noteId: string, raw: unknown): Promise<NoteEditedResponse> {
    const input = parseOrThrow(editNoteRequestSchema, raw, 'note edit');
    const result = await this.deps.repo.editNote(sessionId, noteId, {
      authorId: actor.id,
      ...(input.text !== undefined ? { text: input.text } : {}),
      ...(input.rating !== undefined ? { rating: input.rating } : {}),
      at: this.deps.now(),
    });
    switch (result.outcome) {
      case 'not_found':
        throw new AppError('NOT_FOUND', 'No interview with this id');
      case 'no_such_note':
        throw new AppError('NOT_FOUND', 'No note with this id in this interview');
      case 'not_author':
        throw new AppError('FORBIDDEN', 'Only the author of a note can edit it');
      case 'edited': {
        const wire = toWireNote(sessionId, result.note);
        this.deps.broadcaster.emitToWatchers(result.clientSessionId, 'note:upserted', wire);
        this.deps.logger.info('note edited', { sessionId, noteId, recruiterId: actor.id, length: result.note.text.length });
        return { note: wire };
      }
    }
  }
}

export function toWireNote(sessionId: string, n: Note): WireNote {
  return {
    id: n.id,
    sessionId,
    messageId: n.messageId ?? null,
    text: n.text,
    rating: n.rating ?? null,
    author: n.author,
    createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
  };
}
