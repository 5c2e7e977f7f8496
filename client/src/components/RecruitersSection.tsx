import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import type { CreateRecruiterResponse, RecruiterRole, RecruiterView } from '../../../shared/recruiters.js';
import { describeError } from '../lib/api.js';
import { createRecruiter, listRecruiters, revokeRecruiter } from '../lib/recruiters.js';

/** The token of a recruiter just created: shown here once, never again (the server keeps only its hash). */
function NewToken({ created, onDone }: { created: CreateRecruiterResponse; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const id = useId();
  const copy = () => {
    void navigator.clipboard?.writeText(created.token).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <div className="banner banner-warning new-token" role="status" data-testid="new-token">
      <p>
        <strong>Token for {created.name}</strong> — copy it now and hand it over privately. It is shown only this once.
      </p>
      <label htmlFor={`${id}-token`}>Token</label>
      <input id={`${id}-token`} readOnly value={created.token} onFocus={(e) => e.currentTarget.select()} />
      <div className="actions">
        <button type="button" className="secondary" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" onClick={onDone}>
          I have saved it
        </button>
      </div>
    </div>
  );
}

function RecruiterRow({ r, meId, onRevoke }: { r: RecruiterView; meId: string; onRevoke: (r: RecruiterView) => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const revoke = async () => {
    setBusy(true);
    try {
      await onRevoke(r);
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  return (
    <tr data-testid="recruiter-row" data-recruiter-id={r.id} className={r.revokedAt ? 'revoked' : undefined}>
      <td data-label="Name">
        {r.name}
        {r.id === meId && <span className="muted small"> (you)</span>}
      </td>
      <td data-label="Role">{r.role}</td>
      <td data-label="Added">
        <time dateTime={r.createdAt}>{new Date(r.createdAt).toLocaleDateString()}</time>
        <span className="muted small"> by {r.createdBy ? r.createdBy.name : 'command line'}</span>
      </td>
      <td data-label="Access">
        {r.revokedAt ? (
          <span className="pill pill-abandoned">
            Revoked{r.revokedBy ? ` by ${r.revokedBy.name}` : ''}
          </span>
        ) : confirming ? (
          <span className="confirm">
            Revoke {r.name}? Their open dashboards close at once.
            <button type="button" className="danger" disabled={busy} onClick={() => void revoke()}>
              Yes, revoke
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <>
            <span className="pill pill-active">Active</span>{' '}
            <button type="button" className="link-button small" onClick={() => setConfirming(true)} aria-label={`Revoke ${r.name}`}>
              Revoke
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

/**
 * Admins only: the named recruiters, adding one (its token shown once), and
 * revoking one (takes effect on their next request; their live sockets close).
 */
export function RecruitersSection({ token, meId }: { token: string; meId: string }) {
  const [items, setItems] = useState<RecruiterView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [role, setRole] = useState<RecruiterRole>('recruiter');
  const [saving, setSaving] = useState(false);
  const [created, setCreated] = useState<CreateRecruiterResponse | null>(null);
  const id = useId();

  const load = useCallback(() => {
    listRecruiters(token).then(
      (list) => {
        setItems(list);
        setError(null);
      },
      (err: unknown) => setError(describeError(err)),
    );
  }, [token]);
  useEffect(load, [load]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setError('Enter a name.');
      return;
    }
    setSaving(true);
    try {
      const result = await createRecruiter(token, { name: name.trim(), role });
      setCreated(result);
      setName('');
      setRole('recruiter');
      setError(null);
      load();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setSaving(false);
    }
  };

  const onRevoke = async (r: RecruiterView) => {
    try {
      const revoked = await revokeRecruiter(token, r.id);
      setItems((list) => list?.map((x) => (x.id === revoked.id ? revoked : x)) ?? null);
      setError(null);
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <section className="card recruiters" aria-labelledby={`${id}-title`} data-testid="recruiters-section">
      <h2 id={`${id}-title`}>Recruiters</h2>
      <p className="muted small">Everyone who can open this dashboard with their own token. Notes and actions carry their name.</p>
      {created && <NewToken created={created} onDone={() => setCreated(null)} />}
      <form className="recruiter-form" onSubmit={(e) => void submit(e)}>
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} maxLength={80} value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor={`${id}-role`}>Role</label>
        <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value === 'admin' ? 'admin' : 'recruiter')}>
          <option value="recruiter">Recruiter</option>
          <option value="admin">Admin (can add and revoke recruiters)</option>
        </select>
        <button type="submit" disabled={saving}>
          Add recruiter
        </button>
      </form>
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
      {items === null && !error && <p role="status">Loading…</p>}
      {items !== null && items.length === 0 && <p className="muted">No named recruiters yet: everyone signs in with the bootstrap token.</p>}
      {items !== null && items.length > 0 && (
        <table className="sessions">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Added</th>
              <th scope="col">Access</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <RecruiterRow key={r.id} r={r} meId={meId} onRevoke={onRevoke} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
