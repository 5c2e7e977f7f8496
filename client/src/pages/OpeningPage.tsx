import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import type { InterviewMode } from '../../../shared/interview.js';
import { candidateNameSchema } from '../../../shared/interview.js';
import type { PublicOpening } from '../../../shared/opening.js';
import { ApiError, createSession, describeError, fetchPublicOpening } from '../lib/api.js';
import { candidateId, clearDraft, draftClientSessionId, saveSession } from '../lib/storage.js';
import { useTitle } from '../lib/useTitle.js';
import { ModeField, NameField, RecordedNotice } from '../components/StartFields.js';

type OpeningState =
  | { kind: 'loading' }
  | { kind: 'ready'; opening: PublicOpening }
  | { kind: 'unknown' }
  | { kind: 'closed' }
  | { kind: 'error'; message: string };


function stateOf(err: unknown): OpeningState {
  if (err instanceof ApiError && err.status === 404) return { kind: 'unknown' };
  if (err instanceof ApiError && err.status === 410) return { kind: 'closed' };
  return { kind: 'error', message: describeError(err) };
}

function Closed({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="page start-page" data-testid="opening-unavailable">
      <h1>{title}</h1>
      {children}
      <p className="footer-links">
        <Link href="/">Candor start page</Link>
      </p>
    </main>
  );
}

/**
 * The candidate link `/o/<slug>`: the opening's title, role, persona and
 * length, a mode choice limited to the opening's modes and the focus notice;
 * Start creates a session bound to the opening (`openingSlug`), then the
 * usual interview page takes over. Unknown/rotated and archived links get
 * their own pages; anything else offers a retry — never a blank page.
 */
export function OpeningPage({ slug }: { slug: string }) {
  const [, navigate] = useLocation();
  const [state, setState] = useState<OpeningState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [mode, setMode] = useState<InterviewMode>('text');
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  useTitle(state.kind === 'ready' ? state.opening.title : 'Interview');

  useEffect(() => {
    let cancelled = false;
    setState({ kind: 'loading' });
    fetchPublicOpening(slug).then(
      (opening) => {
        if (cancelled) return;
        setState({ kind: 'ready', opening });
        setMode((m) => (opening.allowedModes.includes(m) ? m : (opening.allowedModes[0] ?? 'text')));
      },
      (err: unknown) => !cancelled && setState(stateOf(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [slug, attempt]);

  if (state.kind === 'loading') {
    return (
      <main className="page start-page">
        <p role="status">Loading the interview…</p>
      </main>
    );
  }
  if (state.kind === 'unknown') {
    return (
      <Closed title="This link does not work">
        <p>This interview link does not exist or was replaced. Ask your recruiter for a new one.</p>
      </Closed>
    );
  }
  if (state.kind === 'closed') {
    return (
      <Closed title="This interview is closed">
        <p>The recruiter has closed this opening; it no longer takes new interviews.</p>
      </Closed>
    );
  }
  if (state.kind === 'error') {
    return (
      <Closed title="The interview could not be loaded">
        <p role="alert" className="field-error">
          {state.message}
        </p>
        <button type="button" onClick={() => setAttempt((n) => n + 1)}>
          Retry
        </button>
      </Closed>
    );
  }

  const { opening } = state;
  const { minQuestions, maxQuestions } = opening.length;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsedName = candidateNameSchema.safeParse(name);
    if (!parsedName.success) {
      setNameError('Enter your name (up to 120 characters).');
      return;
    }
    setNameError(null);
    setSubmitting(true);
    setError(null);
    // Kept until creation succeeds: a retry re-finds the same session (the route is idempotent).
    const clientSessionId = draftClientSessionId();
    try {
      const created = await createSession({ clientSessionId, mode, openingSlug: opening.slug, candidateName: parsedName.data, candidateId: candidateId() });
      saveSession({
        clientSessionId: created.clientSessionId,
        candidateToken: created.candidateToken,
        mode,
        role: opening.role.id,
        candidateName: parsedName.data,
        createdAt: new Date().toISOString(),
      });
      clearDraft();
      navigate(`/interview/${created.clientSessionId}`);
    } catch (err) {
      const next = stateOf(err);
      if (next.kind === 'unknown' || next.kind === 'closed') {
        // Archived or rotated while the page was open: a new draft for whatever comes next.
        clearDraft();
        setState(next);
        return;
      }
      setError(describeError(err));
      setSubmitting(false);
    }
  };

  return (
    <main className="page start-page" data-testid="opening-page">
      <header>
        <h1>{opening.title}</h1>
        <p className="tagline">
          {opening.role.title} · {minQuestions === maxQuestions ? `${minQuestions}` : `${minQuestions}–${maxQuestions}`} questions with an AI interviewer
        </p>
      </header>

      <section className="card persona" aria-labelledby={`${id}-persona`} data-testid="persona">
        <h2 id={`${id}-persona`}>Your interviewer: {opening.persona.name}</h2>
        <p>{opening.persona.description}</p>
      </section>

      <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`} noValidate>
        <h2 id={`${id}-title`}>Start the interview</h2>
        <NameField id={id} value={name} error={nameError} onChange={setName} />
        <ModeField modes={opening.allowedModes} value={mode} onChange={setMode} />
        <RecordedNotice id={id} mode={mode} focusNotice={opening.focusNotice} testId="focus-notice" />

        {error && (
          <p role="alert" className="field-error">
            {error}
          </p>
        )}
        <button type="submit" disabled={submitting}>
          {submitting ? 'Starting…' : 'Start the interview'}
        </button>
      </form>
    </main>
  );
}
