import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import type { SessionSummary } from '../../../shared/monitor.js';
import type { OpeningView, PersonaSummary } from '../../../shared/opening.js';
import type { RoleSummary } from '../../../shared/protocol.js';
import { ApiError, describeError, fetchPersonas, fetchRoles } from '../lib/api.js';
import {
  EMPTY_FORM,
  archiveOpening,
  changedFields,
  createOpening,
  fetchOpening,
  listOpeningSessions,
  listOpenings,
  rotateOpeningSlug,
  serverErrors,
  shareUrl,
  toCreateRequest,
  toForm,
  updateOpening,
  type FieldErrors,
  type OpeningForm,
} from '../lib/openings.js';
import { STATUS_LABEL } from './Progress.js';
import { StatsPanel } from './StatsPanel.js';

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="field-error">
      {message}
    </p>
  );
}

/**
 * The opening form: creates (no `editing`) or edits one. An edit sends the
 * version it loaded; a 409 (changed or archived meanwhile) reloads the opening,
 * says what changed, and keeps the user's values in the form to save again.
 */
function OpeningEditor({ token, editing, onSaved, onCancel }: { token: string; editing?: OpeningView; onSaved: (o: OpeningView) => void; onCancel?: () => void }) {
  const [roles, setRoles] = useState<RoleSummary[]>([]);
  const [personas, setPersonas] = useState<PersonaSummary[]>([]);
  const [form, setForm] = useState<OpeningForm>(() => (editing ? toForm(editing) : EMPTY_FORM));
  const [base, setBase] = useState<OpeningView | undefined>(editing);
  const [conflict, setConflict] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const id = useId();

  useEffect(() => {
    fetchRoles().then(
      (list) => {
        setRoles(list);
        setForm((f) => (f.role ? f : { ...f, role: list[0]?.id ?? '' }));
      },
      (err: unknown) => setErrors((e) => ({ ...e, form: `Roles could not be loaded: ${describeError(err)}` })),
    );
    fetchPersonas().then(setPersonas, () => undefined);
  }, []);

  const set = <K extends keyof OpeningForm>(key: K, value: OpeningForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const described = (field: keyof FieldErrors) => (errors[field] ? { 'aria-invalid': true, 'aria-describedby': `${id}-${field}-err` } : {});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const req = toCreateRequest(form);
    if (!req.ok) {
      setErrors(req.errors);
      return;
    }
    setSaving(true);
    setErrors({});
    setConflict(null);
    try {
      if (base) {
        onSaved(await updateOpening(token, base.id, base.version, req.body));
      } else {
        const created = await createOpening(token, req.body);
        setForm((f) => ({ ...EMPTY_FORM, role: f.role }));
        onSaved(created);
      }
    } catch (err) {
      if (base && err instanceof ApiError && err.status === 409) {
        try {
          const current = await fetchOpening(token, base.id);
          const what = changedFields(base, current);
          setBase(current);
          setConflict(
            current.archivedAt
              ? 'This opening was archived meanwhile; it can no longer be edited.'
              : `This opening was changed meanwhile (now version ${current.version}${what.length ? `: ${what.join(', ')}` : ''}). Your values are still in the form — review them and save again.`,
          );
        } catch (reloadErr) {
          setErrors({ form: `${describeError(err)} (and it could not be reloaded: ${describeError(reloadErr)})` });
        }
      } else {
        setErrors(serverErrors(err));
      }
    } finally {
      setSaving(false);
    }
  };

  const persona = personas.find((p) => p.id === form.persona);
  return (
    <form className="opening-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${id}-title`} data-testid="opening-form">
      <h3 id={`${id}-title`}>{base ? `Edit “${base.title}”` : 'New opening'}</h3>
      <div className="field">
        <label htmlFor={`${id}-t`}>Title</label>
        <input id={`${id}-t`} value={form.title} maxLength={200} onChange={(e) => set('title', e.target.value)} {...described('title')} />
        <FieldError id={`${id}-title-err`} message={errors.title} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-r`}>Role</label>
        <select id={`${id}-r`} value={form.role} onChange={(e) => set('role', e.target.value)} {...described('role')}>
          {roles.map((r) => (
            <option key={r.id} value={r.id}>
              {r.title}
            </option>
          ))}
        </select>
        <FieldError id={`${id}-role-err`} message={errors.role} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-jd`}>Job description</label>
        <textarea id={`${id}-jd`} rows={4} value={form.jobDescription} onChange={(e) => set('jobDescription', e.target.value)} {...described('jobDescription')} />
        <p className="hint">Plain text; skills it mentions come up more often. Never shown to candidates.</p>
        <FieldError id={`${id}-jobDescription-err`} message={errors.jobDescription} />
      </div>
      <fieldset className="field inline-fields">
        <legend>Length (questions, 12–20)</legend>
        <label htmlFor={`${id}-min`}>At least</label>
        <input id={`${id}-min`} type="number" min={12} max={20} value={form.minQuestions} onChange={(e) => set('minQuestions', e.target.value)} {...described('minQuestions')} />
        <label htmlFor={`${id}-max`}>At most</label>
        <input id={`${id}-max`} type="number" min={12} max={20} value={form.maxQuestions} onChange={(e) => set('maxQuestions', e.target.value)} {...described('maxQuestions')} />
        <FieldError id={`${id}-minQuestions-err`} message={errors.minQuestions} />
        <FieldError id={`${id}-maxQuestions-err`} message={errors.maxQuestions} />
        <FieldError id={`${id}-length-err`} message={errors.length} />
      </fieldset>
      <fieldset className="field">
        <legend>Modes the candidate may choose</legend>
        <label className="choice">
          <input type="checkbox" checked={form.text} onChange={(e) => set('text', e.target.checked)} /> Text
        </label>
        <label className="choice">
          <input type="checkbox" checked={form.voice} onChange={(e) => set('voice', e.target.checked)} /> Voice
        </label>
        <FieldError id={`${id}-allowedModes-err`} message={errors.allowedModes ? `Choose at least one mode (${errors.allowedModes})` : undefined} />
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-p`}>Interviewer persona</label>
        <select id={`${id}-p`} value={form.persona} onChange={(e) => set('persona', e.target.value)} {...described('persona')}>
          {(personas.length > 0 ? personas : [{ id: 'neutral', name: 'Neutral', description: '' }]).map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        {persona && <p className="hint">{persona.description}</p>}
        <FieldError id={`${id}-persona-err`} message={errors.persona} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-ma`}>Must-ask questions (one per line, up to 10)</label>
        <textarea id={`${id}-ma`} rows={3} value={form.mustAsk} onChange={(e) => set('mustAsk', e.target.value)} {...described('mustAsk')} />
        <FieldError id={`${id}-mustAsk-err`} message={errors.mustAsk} />
      </div>
      {errors.form && (
        <p role="alert" className="field-error">
          {errors.form}
        </p>
      )}
      {Object.keys(errors).some((k) => k !== 'form') && (
        <p role="alert" className="field-error">
          Check the fields marked above.
        </p>
      )}
      {conflict && (
        <p role="alert" className="banner banner-warning" data-testid="edit-conflict">
          {conflict}
        </p>
      )}
      <button type="submit" disabled={saving || !form.role || Boolean(base?.archivedAt)}>
        {base ? (saving ? 'Saving…' : 'Save changes') : saving ? 'Creating…' : 'Create opening'}
      </button>
      {onCancel && (
        <>
          {' '}
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        </>
      )}
    </form>
  );
}

type Confirm = { id: string; action: 'rotate' | 'archive' } | null;

function OpeningSessions({ token, opening, onOpen }: { token: string; opening: OpeningView; onOpen: (s: SessionSummary) => void }) {
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    listOpeningSessions(token, opening.id).then(
      (page) => !cancelled && setSessions(page.items),
      (err: unknown) => !cancelled && setError(`Sessions could not be loaded: ${describeError(err)}`),
    );
    return () => {
      cancelled = true;
    };
  }, [token, opening.id]);
  return (
    <div className="opening-sessions" data-testid="opening-sessions">
      <h4>Interviews from this link</h4>
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
      {sessions === null && !error && <p role="status">Loading…</p>}
      {sessions?.length === 0 && <p className="muted">No interviews yet.</p>}
      {sessions && sessions.length > 0 && (
        <ul className="plain-list">
          {sessions.map((s) => (
            <li key={s.sessionId} data-testid="opening-session">
              <button type="button" className="link-button" onClick={() => onOpen(s)}>
                {s.candidateName ?? 'Anonymous'}
              </button>{' '}
              <span className={`pill pill-${s.status}`}>{STATUS_LABEL[s.status]}</span> <span className="muted small">{s.mode}</span>
            </li>
          ))}
        </ul>
      )}
      <StatsPanel token={token} openingId={opening.id} title="This opening" />
    </div>
  );
}

function OpeningCard({
  token,
  opening,
  onChanged,
  onOpenSession,
}: {
  token: string;
  opening: OpeningView;
  onChanged: (o: OpeningView) => void;
  onOpenSession: (s: SessionSummary) => void;
}) {
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const [expanded, setExpanded] = useState(false);
  const [editing, setEditing] = useState(false);
  const url = shareUrl(opening);
  const archived = opening.archivedAt !== null;
  const id = useId();

  const act = async (action: 'rotate' | 'archive') => {
    setBusy(true);
    setError(null);
    try {
      onChanged(action === 'rotate' ? await rotateOpeningSlug(token, opening.id) : await archiveOpening(token, opening.id));
      setConfirm(null);
      setCopied(null);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('Link copied.');
    } catch {
      // No clipboard permission (or not a secure context): select the text so Ctrl+C works.
      (document.getElementById(`${id}-url`) as HTMLInputElement | null)?.select();
      setCopied('Press Ctrl+C (⌘C) to copy the selected link.');
    }
  };

  return (
    <li className={`opening card${archived ? ' archived' : ''}`} data-testid="opening" data-opening-id={opening.id}>
      <header className="opening-header">
        <h3>{opening.title}</h3>
        {archived && <span className="pill pill-abandoned">Archived</span>}
      </header>
      <p className="muted small">
        {opening.role} · {opening.persona} · {opening.allowedModes.join(' + ')} · {opening.length.minQuestions}–{opening.length.maxQuestions} questions
        {opening.mustAsk.length > 0 && ` · ${opening.mustAsk.length} must-ask`}
      </p>
      {!archived && (
        <div className="share">
          <label htmlFor={`${id}-url`}>Candidate link</label>
          <div className="inline-form">
            <input id={`${id}-url`} readOnly value={url} onFocus={(e) => e.currentTarget.select()} data-testid="share-link" />
            <button type="button" className="secondary" onClick={() => void copy()}>
              Copy link
            </button>
          </div>
          {copied && (
            <p role="status" className="hint">
              {copied}
            </p>
          )}
        </div>
      )}
      <div className="actions">
        <button type="button" className="secondary" aria-expanded={expanded} onClick={() => setExpanded((x) => !x)}>
          {expanded ? 'Hide interviews and stats' : 'Interviews and stats'}
        </button>
        {!archived && (
          <>
            <button type="button" className="secondary" aria-expanded={editing} onClick={() => setEditing((e) => !e)}>
              Edit
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => setConfirm({ id: opening.id, action: 'rotate' })}>
              Rotate link
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => setConfirm({ id: opening.id, action: 'archive' })}>
              Archive
            </button>
          </>
        )}
      </div>
      {confirm && (
        <div role="alertdialog" aria-labelledby={`${id}-confirm`} className="confirm banner banner-warning">
          <p id={`${id}-confirm`}>
            {confirm.action === 'rotate'
              ? 'Rotate the link? The current link stops working at once (interviews already started continue).'
              : 'Archive this opening? Its link closes for good; its interviews are kept. This cannot be undone.'}
          </p>
          <button type="button" disabled={busy} onClick={() => void act(confirm.action)}>
            {confirm.action === 'rotate' ? 'Yes, rotate the link' : 'Yes, archive'}
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setConfirm(null)}>
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
      {editing && (
        <OpeningEditor
          token={token}
          editing={opening}
          onCancel={() => setEditing(false)}
          onSaved={(o) => {
            onChanged(o);
            setEditing(false);
          }}
        />
      )}
      {expanded && <OpeningSessions token={token} opening={opening} onOpen={onOpenSession} />}
    </li>
  );
}

/** Recruiter: openings (create, share link, rotate, archive, their interviews and stats) and the overall stats. */
export function OpeningsSection({ token, onOpenSession }: { token: string; onOpenSession: (s: SessionSummary) => void }) {
  const [openings, setOpenings] = useState<OpeningView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [includeArchived, setIncludeArchived] = useState(false);
  const [creating, setCreating] = useState(false);
  const id = useId();

  const load = useCallback(() => {
    setError(null);
    listOpenings(token, includeArchived).then(
      (page) => setOpenings(page.items),
      (err: unknown) => setError(`Openings could not be loaded: ${describeError(err)}`),
    );
  }, [token, includeArchived]);
  useEffect(load, [load]);

  const changed = (o: OpeningView) =>
    setOpenings((list) => (list ?? []).map((x) => (x.id === o.id ? o : x)).filter((x) => includeArchived || x.archivedAt === null));

  return (
    <section className="card openings" aria-labelledby={`${id}-title`} data-testid="openings">
      <header className="list-header">
        <h2 id={`${id}-title`}>Openings</h2>
        <label className="choice">
          <input type="checkbox" checked={includeArchived} onChange={(e) => setIncludeArchived(e.target.checked)} /> Show archived
        </label>
        <button type="button" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
          {creating ? 'Close the form' : 'New opening'}
        </button>
      </header>
      {creating && (
        <OpeningEditor
          token={token}
          onSaved={(o) => {
            setOpenings((list) => [o, ...(list ?? [])]);
            setCreating(false);
          }}
        />
      )}
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
      {openings === null && !error && <p role="status">Loading openings…</p>}
      {openings?.length === 0 && <p className="muted">No openings yet. Create one to get a link to send to candidates.</p>}
      {openings && openings.length > 0 && (
        <ul className="opening-list">
          {openings.map((o) => (
            <OpeningCard key={o.id} token={token} opening={o} onChanged={changed} onOpenSession={onOpenSession} />
          ))}
        </ul>
      )}
      <StatsPanel token={token} title="All interviews" />
    </section>
  );
}
