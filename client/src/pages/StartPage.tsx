import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import type { InterviewMode } from '../../../shared/interview.js';
import { candidateNameSchema } from '../../../shared/interview.js';
import type { RoleSummary } from '../../../shared/protocol.js';
import { createSession, describeError, fetchRoles } from '../lib/api.js';
import { candidateId, clearDraft, currentSession, draftClientSessionId, saveSession, type StoredSession } from '../lib/storage.js';
import { useTitle } from '../lib/useTitle.js';
import { ModeField, NameField, RecordedNotice } from '../components/StartFields.js';

type RolesState = { kind: 'loading' } | { kind: 'ready'; roles: RoleSummary[] } | { kind: 'error'; message: string };

/** Start: role, mode and name; creates (or, idempotently, re-finds) the session. */
export function StartPage() {
  useTitle('Start an interview');
  const [, navigate] = useLocation();
  const [roles, setRoles] = useState<RolesState>({ kind: 'loading' });
  const [role, setRole] = useState('');
  const [mode, setMode] = useState<InterviewMode>('text');
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [resume] = useState<StoredSession | null>(() => currentSession());
  const [attempt, setAttempt] = useState(0);
  const id = useId();

  useEffect(() => {
    let cancelled = false;
    setRoles({ kind: 'loading' });
    fetchRoles().then(
      (list) => {
        if (cancelled) return;
        setRoles({ kind: 'ready', roles: list });
        setRole((current) => current || list[0]?.id || '');
      },
      (err: unknown) => !cancelled && setRoles({ kind: 'error', message: describeError(err) }),
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsedName = candidateNameSchema.safeParse(name);
    if (!parsedName.success) {
      setNameError('Enter your name (up to 120 characters).');
      return;
    }
    setNameError(null);
    if (!role) return;
    setSubmitting(true);
    setError(null);
    // The id is kept until creation succeeds: a retry re-finds the same session.
    const clientSessionId = draftClientSessionId();
    try {
      const created = await createSession({ clientSessionId, mode, role, candidateName: parsedName.data, candidateId: candidateId() });
      saveSession({
        clientSessionId: created.clientSessionId,
        candidateToken: created.candidateToken,
        mode,
        role,
        candidateName: parsedName.data,
        createdAt: new Date().toISOString(),
      });
      clearDraft();
      navigate(`/interview/${created.clientSessionId}`);
    } catch (err) {
      setError(describeError(err));
      setSubmitting(false);
    }
  };

  const selectedRole = roles.kind === 'ready' ? roles.roles.find((r) => r.id === role) : undefined;

  return (
    <main className="page start-page">
      <header>
        <h1>Candor</h1>
        <p className="tagline">A short interview with an AI interviewer. Questions appear as they are written; answer by typing or by voice.</p>
      </header>

      {resume && (
        <section className="card" aria-labelledby={`${id}-resume`}>
          <h2 id={`${id}-resume`}>Your last interview</h2>
          <p>
            You started an interview on this browser{resume.candidateName ? ` as ${resume.candidateName}` : ''}.
          </p>
          <p className="actions">
            <Link href={`/interview/${resume.clientSessionId}`}>Continue it</Link>
            <Link href={`/results/${resume.clientSessionId}`}>See its results</Link>
          </p>
        </section>
      )}

      <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`} noValidate>
        <h2 id={`${id}-title`}>Start an interview</h2>

        <NameField id={id} value={name} error={nameError} onChange={setName} />

        <div className="field">
          <label htmlFor={`${id}-role`}>Role</label>
          {roles.kind === 'loading' && <p className="muted">Loading roles…</p>}
          {roles.kind === 'error' && (
            <div role="alert">
              <p className="field-error">Roles could not be loaded: {roles.message}</p>
              <button type="button" className="secondary" onClick={() => setAttempt((n) => n + 1)}>
                Retry
              </button>
            </div>
          )}
          {roles.kind === 'ready' && (
            <>
              <select id={`${id}-role`} name="role" value={role} onChange={(e) => setRole(e.target.value)} aria-describedby={`${id}-role-desc`}>
                {roles.roles.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.title}
                  </option>
                ))}
              </select>
              <p id={`${id}-role-desc`} className="hint">
                {selectedRole?.description}
              </p>
            </>
          )}
        </div>

        <ModeField modes={['text', 'voice']} value={mode} onChange={setMode} />
        <RecordedNotice
          id={id}
          mode={mode}
          focusNotice="When this page loses or regains focus (you switch tabs or windows), and how many characters you paste — never what you paste."
        />

        {error && (
          <p role="alert" className="field-error">
            {error}
          </p>
        )}
        <button type="submit" disabled={submitting || roles.kind !== 'ready' || !role}>
          {submitting ? 'Starting…' : 'Continue to the interview'}
        </button>
      </form>
      <p className="footer-links">
        <Link href="/recruiter">Recruiter dashboard</Link>
      </p>
    </main>
  );
}
