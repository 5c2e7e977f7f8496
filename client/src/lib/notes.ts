import type { WireNote } from '../../../shared/notes.js';
import type { WireNudge } from '../../../shared/nudges.js';
import type { WireMessage } from '../../../shared/protocol.js';

/**
 * Private notes in the watch view: the `session:watch` ack carries the stored
 * ones, `note:upserted` every later add or edit, and an ack our own action.
 * The same note may arrive more than once; the newest version (updatedAt) wins.
 */
export function mergeNotes(current: readonly WireNote[], incoming: readonly WireNote[]): WireNote[] {
  const byId = new Map(current.map((n) => [n.id, n]));
  for (const note of incoming) {
    const known = byId.get(note.id);
    if (!known || known.updatedAt <= note.updatedAt) byId.set(note.id, note);
  }
  return [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** Nudges merge the same way: the newest version (updatedAt) of each id wins; oldest first. */
export function mergeNudges(current: readonly WireNudge[], incoming: readonly WireNudge[]): WireNudge[] {
  const byId = new Map(current.map((n) => [n.id, n]));
  for (const nudge of incoming) {
    const known = byId.get(nudge.id);
    if (!known || known.updatedAt <= nudge.updatedAt) byId.set(nudge.id, nudge);
  }
  return [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** "Q2 · Tell me about…" / "Answer · We used…": how a note names the line it is about. */
export function lineLabel(message: WireMessage, messages: readonly WireMessage[], max = 60): string {
  const questionNumber = messages.filter((m) => m.role === 'interviewer').findIndex((m) => m.id === message.id) + 1;
  const who = message.role === 'interviewer' ? `Q${questionNumber}` : 'Answer';
  const text = message.text.length > max ? `${message.text.slice(0, max - 1)}…` : message.text;
  return `${who} · ${text}`;
}

export function ratingLabel(rating: number | null): string {
  return rating === null ? '' : `${'★'.repeat(rating)}${'☆'.repeat(5 - rating)}`;
}
