import { useId, useState, type FormEvent } from 'react';
import { NOTE_TEXT_MAX, type WireNote } from '../../../shared/notes.js';
import type { WireMessage } from '../../../shared/protocol.js';
import { lineLabel, ratingLabel } from '../lib/notes.js';

export interface NoteActions {
  addNote: (input: { noteId: string; messageId?: string; text: string; rating?: number }) => Promise<WireNote>;
  editNote: (input: { noteId: string; text?: string; rating?: number | null }) => Promise<WireNote>;
}

function RatingSelect({ id, value, onChange }: { id: string; value: number | null; onChange: (rating: number | null) => void }) {
  return (
    <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value ? Number(e.target.value) : null)}>
      <option value="">No rating</option>
      {[1, 2, 3, 4, 5].map((n) => (
        <option key={n} value={n}>
          {n} / 5
        </option>
      ))}
    </select>
  );
}

function NoteItem({ note, about, mine, editNote }: { note: WireNote; about: string | null; mine: boolean; editNote: NoteActions['editNote'] }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(note.text);
  const [rating, setRating] = useState<number | null>(note.rating);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const id = useId();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return setError('A note cannot be empty.');
    setSaving(true);
    try {
      await editNote({ noteId: note.id, text, rating });
      setEditing(false);
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'The note could not be saved.');
    } finally {
      setSaving(false);
    }
  };
  return (
    <li className="note" data-testid="note" data-note-id={note.id}>
      <p className="note-meta small">
        <strong>{note.author.name}</strong> · <time dateTime={note.updatedAt}>{new Date(note.updatedAt).toLocaleTimeString(undefined, { hour12: false })}</time>
        {note.updatedAt !== note.createdAt && ' (edited)'}
        {note.rating !== null && (
          <span className="note-rating" aria-label={`rated ${note.rating} of 5`}>
            {' '}
            {ratingLabel(note.rating)}
          </span>
        )}
      </p>
      {about && <p className="note-about small muted">On {about}</p>}
      {editing ? (
        <form onSubmit={(e) => void save(e)}>
          <label htmlFor={`${id}-text`}>Edit note</label>
          <textarea id={`${id}-text`} maxLength={NOTE_TEXT_MAX} value={text} onChange={(e) => setText(e.target.value)} />
          <label htmlFor={`${id}-rating`}>Rating</label>
          <RatingSelect id={`${id}-rating`} value={rating} onChange={setRating} />
          <div className="actions">
            <button type="submit" disabled={saving}>
              Save
            </button>
            <button type="button" className="secondary" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
          {error && (
            <p role="alert" className="field-error">
              {error}
            </p>
          )}
        </form>
      ) : (
        <>
          <p className="note-text">{note.text}</p>
          {mine && (
            <button type="button" className="link-button small" onClick={() => setEditing(true)}>
              Edit
            </button>
          )}
        </>
      )}
    </li>
  );
}

/**
 * Private notes on the watched interview: recruiters only (the candidate never
 * receives them). Add one about the whole interview or one transcript line
 * (`target`, also set from the transcript's "Note" buttons); edit your own.
 */
export function NotesPanel({
  notes,
  messages,
  meId,
  target,
  onTarget,
  actions,
}: {
  notes: readonly WireNote[];
  messages: readonly WireMessage[];
  meId: string | null;
  target: string | null;
  onTarget: (messageId: string | null) => void;
  actions: NoteActions;
}) {
  const [text, setText] = useState('');
  const [rating, setRating] = useState<number | null>(null);
  // One id per draft: a retried save after a lost ack stores the note once.
  const [draftId, setDraftId] = useState(() => crypto.randomUUID());
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const id = useId();
  const byId = new Map(messages.map((m) => [m.id, m]));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return setError('Write something first.');
    setSaving(true);
    try {
      await actions.addNote({ noteId: draftId, text, ...(target ? { messageId: target } : {}), ...(rating !== null ? { rating } : {}) });
      setText('');
      setRating(null);
      setDraftId(crypto.randomUUID());
      setError(null);
      onTarget(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'The note could not be saved.');
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="notes" aria-labelledby={`${id}-title`} data-testid="notes-panel">
      <h3 id={`${id}-title`}>Private notes</h3>
      <p className="muted small">Only recruiters see these; the candidate never does.</p>
      {notes.length === 0 ? (
        <p className="muted small">No notes yet.</p>
      ) : (
        <ol className="note-list">
          {notes.map((n) => {
            const line = n.messageId ? byId.get(n.messageId) : undefined;
            return <NoteItem key={n.id} note={n} about={line ? lineLabel(line, messages) : null} mine={meId !== null && n.author.id === meId} editNote={actions.editNote} />;
          })}
        </ol>
      )}
      <form className="note-form" onSubmit={(e) => void submit(e)}>
        <label htmlFor={`${id}-about`}>About</label>
        <select id={`${id}-about`} value={target ?? ''} onChange={(e) => onTarget(e.target.value || null)}>
          <option value="">The whole interview</option>
          {messages.map((m) => (
            <option key={m.id} value={m.id}>
              {lineLabel(m, messages)}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-text`}>Note</label>
        <textarea id={`${id}-text`} maxLength={NOTE_TEXT_MAX} value={text} onChange={(e) => setText(e.target.value)} />
        <p className="hint">
          {text.length} / {NOTE_TEXT_MAX}
        </p>
        <label htmlFor={`${id}-rating`}>Rating</label>
        <RatingSelect id={`${id}-rating`} value={rating} onChange={setRating} />
        <button type="submit" disabled={saving}>
          Add note
        </button>
        {error && (
          <p role="alert" className="field-error">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
