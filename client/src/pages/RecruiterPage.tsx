import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { interviewStatusSchema, type EvaluationResult, type InterviewStatus } from '../../../shared/interview.js';
import { sessionDetailSchema, type LinkState, type SessionSummary, type WireFocusSignal } from '../../../shared/monitor.js';
import type { MeResponse } from '../../../shared/recruiters.js';
import { phaseLabel, Progress, STATUS_LABEL } from '../components/Progress.js';
import { LinkConversationForm, OrphanLinker } from '../components/ManualLink.js';
import { NotesPanel } from '../components/NotesPanel.js';
import { SteeringPanel } from '../components/SteeringPanel.js';
import { OpeningsSection } from '../components/OpeningsSection.js';
import { WebhooksSection } from '../components/WebhooksSection.js';
import { RecruitersSection } from '../components/RecruitersSection.js';
import { ExportButtons } from '../components/ExportButtons.js';
import { downloadWithToken } from '../lib/download.js';
import { describeError } from '../lib/api.js';
import { ReconnectBanner } from '../components/ReconnectBanner.js';
import { Transcript } from '../components/Transcript.js';
import { ApiError, recruiterFetch } from '../lib/api.js';
import { fetchMe } from '../lib/recruiters.js';
import { isReconnecting } from '../lib/liveView.js';
import { loadRecruiterToken, saveRecruiterToken } from '../lib/storage.js';
import { relativeTime, useNow } from '../lib/time.js';
import { useSessionList, useWatch, type MonitorConnector } from '../lib/useMonitor.js';
import { useTitle } from '../lib/useTitle.js';

const LINK_LABEL: Record<LinkState, string> = {
  none: '—',
  pending: 'Waiting for call transcript',
  linked: 'Linked',
  ambiguous: 'Ambiguous — needs review',
  orphaned: 'Orphaned call',
};

function TokenPrompt({ onToken, error }: { onToken: (token: string) => void; error: string | null }) {
  const [value, setValue] = useState('');
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) onToken(value.trim());
  };
  return (
    <form className="card token-form" onSubmit={submit}>
      <h2>Sign in</h2>
      <p className="muted">Enter the recruiter token (RECRUITER_TOKEN; in development the server prints it at start). It is kept for this tab only.</p>
      <label htmlFor={`${id}-token`}>Recruiter token</label>
      <input id={`${id}-token`} type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} aria-describedby={error ? `${id}-err` : undefined} />
      {error && (
        <p id={`${id}-err`} role="alert" className="field-error">
          {error}
        </p>
      )}
      <button type="submit">Open dashboard</button>
    </form>
  );
}

function SessionRow({ s, now, selected, onOpen }: { s: SessionSummary; now: number; selected: boolean; onOpen: () => void }) {
  const orphan = s.status === 'orphaned' || s.linkState === 'orphaned';
  return (
    <tr className={selected ? 'selected' : undefined} data-testid="session-row" data-session-id={s.sessionId}>
      <td data-label="Candidate">
        <button type="button" className="link-button" onClick={onOpen} aria-pressed={selected}>
          {s.candidateName ?? 'Anonymous'}
        </button>
        <span className="muted small"> {s.role}</span>
      </td>
      <td data-label="Status">
        <span className={`pill pill-${s.status}`}>{STATUS_LABEL[s.status]}</span>
      </td>
      <td data-label="Mode">{s.mode}</td>
      <td data-label="Progress">
        {s.questionNumber > 0 ? `Q${s.questionNumber} · ${phaseLabel(s.phase)}` : '—'}
      </td>
      <td data-label="Last activity">
        <time dateTime={s.lastActivityAt}>{relativeTime(s.lastActivityAt, now)}</time>
      </td>
      <td data-label="Deleted after">
        {s.deleteAfter ? <time dateTime={s.deleteAfter}>{s.deleteAfter.slice(0, 10)}</time> : <span className="muted">kept</span>}
      </td>
      <td data-label="Call link">
        {orphan ? LINK_LABEL.orphaned : s.mode === 'voice' ? LINK_LABEL[s.linkState] + (s.linkedBy ? ` (${s.linkedBy.replace('_', ' ')})` : '') : '—'}
        {orphan && (
          <>
            {' '}
            <button type="button" className="link-button small" onClick={onOpen} aria-label={`Review and link the orphaned call ${s.clientSessionId.slice(0, 8)}`}>
              Review &amp; link
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

function FocusSummary({ focus }: { focus: readonly WireFocusSignal[] }) {
  const hidden = focus.filter((s) => s.kind === 'focus' && s.state === 'hidden').length;
  const pastes = focus.filter((s) => s.kind === 'paste');
  const pasted = pastes.reduce((n, s) => n + (s.kind === 'paste' ? s.length : 0), 0);
  return (
    <p className="focus-summary small" data-testid="focus-summary">
      Focus: left the page {hidden} time{hidden === 1 ? '' : 's'} · {pastes.length} paste{pastes.length === 1 ? '' : 's'}
      {pastes.length > 0 ? ` (${pasted} characters)` : ''}
    </p>
  );
}

/** The part of GET /api/sessions/:id the panel shows (the full document is larger). */
/** The part of GET /api/sessions/:id the evaluation panel needs. */
const evaluationDetailSchema = sessionDetailSchema.pick({ evaluation: true }).strip();

function useEvaluation(token: string, sessionId: string, ready: boolean): EvaluationResult | null {
  const [result, setResult] = useState<EvaluationResult | null>(null);
  useEffect(() => {
    if (!ready) return;
    let cancelled = false;
    recruiterFetch(evaluationDetailSchema, `/api/sessions/${encodeURIComponent(sessionId)}`, token).then(
      (detail) => !cancelled && setResult(detail.evaluation?.result ?? null),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [token, sessionId, ready]);
  return result;
}

/** Who the token acts as (GET /api/recruiters/me): the name on notes, the admin tab. null while unknown. */
function useMe(token: string, onUnauthorized: (message: string) => void): MeResponse | null {
  const [me, setMe] = useState<MeResponse | null>(null);
  useEffect(() => {
    let cancelled = false;
    fetchMe(token).then(
      (who) => !cancelled && setMe(who),
      (err: unknown) => {
        if (!cancelled && err instanceof ApiError && (err.status === 401 || err.status === 403)) onUnauthorized(err.message);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [token, onUnauthorized]);
  return me;
}

function WatchPanel({
  token,
  me,
  summary,
  sessions,
  connect,
  onClose,
  onLinked,
  onErased,
}: {
  token: string;
  me: MeResponse | null;
  summary: SessionSummary;
  sessions: SessionSummary[];
  connect: MonitorConnector | undefined;
  onClose: () => void;
  onLinked: (summary: SessionSummary, conversationId: string) => void;
  onErased: (summary: SessionSummary) => void;
}) {
  const live = useWatch(token, summary.sessionId, connect);
  const [noteTarget, setNoteTarget] = useState<string | null>(null);
  const notesOn = (messageId: string) => live.notes.filter((n) => n.messageId === messageId);
  const orphan = summary.status === 'orphaned' || summary.linkState === 'orphaned';
  const canTake = !orphan && summary.mode === 'voice' && (summary.linkState === 'pending' || summary.linkState === 'ambiguous');
  const view = live.shown;
  const evaluation = useEvaluation(token, summary.sessionId, view.evaluationStatus === 'complete');
  return (
    <section className="card watch" aria-labelledby="watch-title" data-testid="watch-panel">
      <ReconnectBanner visible={view.ready && isReconnecting(live)} />
      <header className="watch-header">
        <h2 id="watch-title">{summary.candidateName ?? 'Anonymous'}</h2>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </header>
      <p className="muted">
        {summary.role} · {summary.mode}
        {summary.mode === 'voice' && <> · call: {LINK_LABEL[summary.linkState]}</>}
        {view.evaluationStatus && <> · evaluation: {view.evaluationStatus}</>}
      </p>
      <ExportButtons
        label="Export:"
        token={token}
        fileStem={`candor-interview-${summary.sessionId}`}
        pathFor={(format) => `/api/sessions/${encodeURIComponent(summary.sessionId)}/export?format=${format}`}
      />
      {/* Erasure is admin-only on the server (403 otherwise); recruiters do not see the button. */}
      {me?.role === 'admin' && <EraseButton token={token} summary={summary} onErased={onErased} />}
      {orphan && <OrphanLinker token={token} orphan={summary} known={sessions} onLinked={onLinked} />}
      {canTake && <LinkConversationForm token={token} session={summary} onLinked={onLinked} />}
      {live.connection === 'failed' && live.error ? (
        <p role="alert" className="field-error">
          {live.error.message}
        </p>
      ) : !view.ready ? (
        <p role="status">Loading the transcript…</p>
      ) : (
        <>
          <Progress progress={live.progress} status={view.status} />
          {evaluation && (
            <div className="evaluation-summary" data-testid="watch-evaluation">
              <p>
                Evaluation <strong>{evaluation.overall.toFixed(1)}</strong> / 10
              </p>
              <p className="muted">{evaluation.summary}</p>
            </div>
          )}
          {live.focus.length > 0 && <FocusSummary focus={live.focus} />}
          <Transcript
            view={view}
            candidateLabel={summary.candidateName ?? 'Candidate'}
            focus={live.focus}
            annotate={(m) => {
              const count = notesOn(m.id).length;
              return (
                <p className="line-notes small">
                  {count > 0 && <span className="muted" data-testid="line-note-count">{count === 1 ? '1 note' : `${count} notes`} · </span>}
                  <button type="button" className="link-button small" onClick={() => setNoteTarget(m.id)} aria-label={`Add a note on this ${m.role === 'interviewer' ? 'question' : 'answer'}`}>
                    Note
                  </button>
                </p>
              );
            }}
          />
          <SteeringPanel
            nudges={live.nudges}
            takeover={live.takeover}
            meId={me?.id ?? null}
            mode={summary.mode}
            live={view.status === 'active' || view.status === 'paused' || view.status === 'created'}
            actions={{ nudge: live.nudge, withdrawNudge: live.withdrawNudge, takeOver: live.takeOver, askAsRecruiter: live.askAsRecruiter, handBack: live.handBack }}
          />
          <NotesPanel
            notes={live.notes}
            messages={view.messages}
            meId={me?.id ?? null}
            target={noteTarget}
            onTarget={setNoteTarget}
            actions={{ addNote: live.addNote, editNote: live.editNote }}
          />
        </>
      )}
    </section>
  );
}

/** Erases the interview everywhere (admin; docs/privacy.md) after an explicit confirmation. */
function EraseButton({ token, summary, onErased }: { token: string; summary: SessionSummary; onErased: (summary: SessionSummary) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const erase = () => {
    setError(null);
    fetch(`/api/sessions/${encodeURIComponent(summary.sessionId)}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })
      .then(async (res) => {
        if (res.status === 204 || res.status === 404) onErased(summary);
        else setError(((await res.json().catch(() => null)) as { error?: { message?: string } } | null)?.error?.message ?? `The server answered ${res.status}.`);
      })
      .catch((err: unknown) => setError(describeError(err)));
  };
  if (!confirming) {
    return (
      <p className="small">
        <button type="button" className="link-button small danger" onClick={() => setConfirming(true)}>
          Erase this interview…
        </button>
      </p>
    );
  }
  return (
    <p className="small banner banner-warn" role="alert">
      Erase everything stored about {summary.candidateName ?? 'this candidate'}'s interview (transcript, call recordings' text, evaluation)? This cannot be undone.{' '}
      <button type="button" className="danger" onClick={erase}>
        Erase
      </button>{' '}
      <button type="button" className="secondary" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      {error && <span className="field-error"> {error}</span>}
    </p>
  );
}

function Dashboard({ token, onUnauthorized, connect }: { token: string; onUnauthorized: (message: string) => void; connect: MonitorConnector | undefined }) {
  const [status, setStatus] = useState<InterviewStatus | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [tab, setTab] = useState<'interviews' | 'openings' | 'recruiters' | 'webhooks'>('interviews');
  const me = useMe(token, onUnauthorized);
  const [pinned, setPinned] = useState<SessionSummary | null>(null);
  const list = useSessionList(token, status, connect);
  const now = useNow(5_000);
  const id = useId();

  const unauthorized = list.kind === 'unauthorized' ? list.message : null;
  useEffect(() => {
    if (unauthorized !== null) onUnauthorized(unauthorized);
  }, [unauthorized, onUnauthorized]);
  if (list.kind === 'unauthorized') return null;
  const sessions = list.kind === 'live' ? list.sessions : [];
  // A session opened from an opening's list may not be in the live list (its first page, or the filter).
  const selectedSummary = sessions.find((s) => s.sessionId === selected) ?? (pinned?.sessionId === selected ? pinned : null);
  const onLinked = (linked: SessionSummary, conversationId: string) => {
    setNotice(`Conversation ${conversationId} linked to ${linked.candidateName ?? 'Anonymous'} (${linked.clientSessionId.slice(0, 8)}).`);
    // The merged orphan is gone on the server, which sends no upsert for it: take the list afresh.
    list.refresh();
    setSelected(linked.sessionId);
  };

  return (
    <>
      <nav className="dashboard-tabs" aria-label="Dashboard sections">
        <button type="button" className="secondary" aria-pressed={tab === 'interviews'} onClick={() => setTab('interviews')}>
          Interviews
        </button>
        <button type="button" className="secondary" aria-pressed={tab === 'openings'} onClick={() => setTab('openings')}>
          Openings and stats
        </button>
        {me?.role === 'admin' && (
          <button type="button" className="secondary" aria-pressed={tab === 'recruiters'} onClick={() => setTab('recruiters')}>
            Recruiters
          </button>
        )}
        {me?.role === 'admin' && (
          <button type="button" className="secondary" aria-pressed={tab === 'webhooks'} onClick={() => setTab('webhooks')}>
            Webhooks
          </button>
        )}
        {me && (
          <span className="muted small signed-in" data-testid="signed-in-as">
            Signed in as <strong>{me.name}</strong> ({me.role})
          </span>
        )}
      </nav>
      <div className="dashboard">
        {tab === 'recruiters' && me?.role === 'admin' && <RecruitersSection token={token} meId={me.id} />}
        {tab === 'openings' && (
          <OpeningsSection
            token={token}
            onOpenSession={(s) => {
              setPinned(s);
              setSelected(s.sessionId);
            }}
          />
        )}
        {tab === 'webhooks' && me?.role === 'admin' && <WebhooksSection token={token} />}
        {tab === 'interviews' && (
          <section className="card list" aria-labelledby={`${id}-list`}>
            <ReconnectBanner visible={list.kind === 'live' && list.reconnecting} />
            <header className="list-header">
              <h2 id={`${id}-list`}>Interviews</h2>
              <label htmlFor={`${id}-filter`}>Status</label>
              <select id={`${id}-filter`} value={status ?? ''} onChange={(e) => setStatus(e.target.value ? interviewStatusSchema.parse(e.target.value) : null)}>
                <option value="">All</option>
                {interviewStatusSchema.options.map((s) => (
                  <option key={s} value={s}>
                    {STATUS_LABEL[s]}
                  </option>
                ))}
              </select>
              <button
                type="button"
                className="secondary small"
                onClick={() =>
                  downloadWithToken(`/api/sessions.csv${status ? `?status=${status}` : ''}`, token, 'candor-interviews.csv').catch((err: unknown) => setNotice(describeError(err)))
                }
              >
                Export CSV
              </button>
            </header>
            {notice && (
              <p role="status" className="banner banner-info" data-testid="link-notice">
                {notice}{' '}
                <button type="button" className="link-button small" onClick={() => setNotice(null)}>
                  Dismiss
                </button>
              </p>
            )}
            {list.kind === 'connecting' && <p role="status">Connecting…</p>}
            {list.kind === 'error' && (
              <p role="alert" className="field-error">
                {list.message}
              </p>
            )}
            {list.kind === 'live' && sessions.length === 0 && <p className="muted">No interviews{status ? ` with status “${STATUS_LABEL[status]}”` : ''} yet.</p>}
            {sessions.length > 0 && (
              <table className="sessions">
                <thead>
                  <tr>
                    <th scope="col">Candidate</th>
                    <th scope="col">Status</th>
                    <th scope="col">Mode</th>
                    <th scope="col">Progress</th>
                    <th scope="col">Last activity</th>
                    <th scope="col">Deleted after</th>
                    <th scope="col">Call link</th>
                  </tr>
                </thead>
                <tbody>
                  {sessions.map((s) => (
                    <SessionRow key={s.sessionId} s={s} now={now} selected={s.sessionId === selected} onOpen={() => setSelected(s.sessionId)} />
                  ))}
                </tbody>
              </table>
            )}
          </section>
        )}
        {selectedSummary && (
          <WatchPanel
            key={selectedSummary.sessionId}
            token={token}
            me={me}
            summary={selectedSummary}
            sessions={sessions}
            connect={connect}
            onClose={() => setSelected(null)}
            onLinked={onLinked}
            onErased={(erased) => {
              setNotice(`The interview of ${erased.candidateName ?? 'Anonymous'} was erased.`);
              setSelected(null);
              list.refresh();
            }}
          />
        )}
      </div>
    </>
  );
}

/** Recruiter dashboard: token prompt, live list with a status filter, live transcript of one interview. */
export function RecruiterPage({ connect }: { connect?: MonitorConnector }) {
  const [token, setToken] = useState<string | null>(() => loadRecruiterToken());
  useTitle('Recruiter dashboard');
  const [error, setError] = useState<string | null>(null);
  const onUnauthorized = useCallback((message: string) => {
    saveRecruiterToken(null);
    setToken(null);
    setError(message);
  }, []);
  return (
    <main className="page recruiter-page">
      <header className="recruiter-header">
        <h1>Recruiter dashboard</h1>
        {token && (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              saveRecruiterToken(null);
              setToken(null);
            }}
          >
            Sign out
          </button>
        )}
      </header>
      {token ? (
        <Dashboard
          token={token}
          connect={connect}
          onUnauthorized={onUnauthorized}
        />
      ) : (
        <TokenPrompt
          error={error}
          onToken={(t) => {
            saveRecruiterToken(t);
            setError(null);
            setToken(t);
          }}
        />
      )}
    </main>
  );
}
