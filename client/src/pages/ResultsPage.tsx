import { Link } from 'wouter';
import type { EvaluationResult } from '../../../shared/interview.js';
import { ExportButtons } from '../components/ExportButtons.js';
import { MessageList } from '../components/Transcript.js';
import type { ResultsState } from '../lib/resultsMachine.js';
import type { StoredSession } from '../lib/storage.js';
import { useResults } from '../lib/useResults.js';
import { useTitle } from '../lib/useTitle.js';

function Evaluation({ result }: { result: EvaluationResult }) {
  return (
    <section className="card evaluation" aria-labelledby="evaluation-title" data-testid="evaluation">
      <h2 id="evaluation-title">Feedback</h2>
      <p className="score">
        Overall <strong>{result.overall.toFixed(1)}</strong> / 10
      </p>
      <p>{result.summary}</p>
      {result.strengths.length > 0 && (
        <>
          <h3>Strengths</h3>
          <ul>
            {result.strengths.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ul>
        </>
      )}
      {result.concerns.length > 0 && (
        <>
          <h3>To work on</h3>
          <ul>
            {result.concerns.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ul>
        </>
      )}
      {result.competencies.length > 0 && (
        <table className="competencies">
          <caption>Competencies</caption>
          <thead>
            <tr>
              <th scope="col">Competency</th>
              <th scope="col">Score</th>
            </tr>
          </thead>
          <tbody>
            {result.competencies.map((c) => (
              <tr key={c.name}>
                <th scope="row">{c.name}</th>
                <td>{c.score.toFixed(1)} / 10</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function StatusLine({ state, retry }: { state: ResultsState; retry: () => void }) {
  switch (state.stage) {
    case 'loading':
      return <Waiting text="Loading your interview…" />;
    case 'saving':
      return <Waiting text="Saving your interview…" detail="We are collecting the final transcript of your call. This usually takes a few seconds." />;
    case 'evaluating':
      return <Waiting text="Generating your feedback…" detail="Your answers are saved. The evaluation takes up to a minute." />;
    case 'in_progress':
      return (
        <div className="card" role="status">
          <p>Your interview is still in progress.</p>
          <p className="muted">Results appear here once it has ended.</p>
        </div>
      );
    case 'failed':
      return (
        <div className="card" role="alert">
          <p>We could not generate feedback for this interview. Your answers are saved.</p>
          <button type="button" onClick={retry}>
            Check again
          </button>
        </div>
      );
    case 'timeout':
      return (
        <div className="card" role="alert" data-testid="results-timeout">
          <p>
            {state.timedOut === 'saving'
              ? 'Saving your interview is taking longer than expected.'
              : state.timedOut === 'evaluating'
                ? 'Your feedback is taking longer than expected.'
                : 'Your interview could not be loaded in time.'}{' '}
            Your answers are not lost; you can check again now or come back to this page later.
          </p>
          <button type="button" onClick={retry}>
            Retry
          </button>
        </div>
      );
    case 'error':
      return (
        <div className="card" role="alert">
          <p>These results cannot be shown: {state.error}</p>
          <Link href="/">Back to the start</Link>
        </div>
      );
    case 'ready':
      return null;
  }
}

function Waiting({ text, detail }: { text: string; detail?: string }) {
  return (
    <div className="card waiting" role="status" aria-live="polite" data-testid="results-status">
      <span className="spinner" aria-hidden="true" />
      <div>
        <p className="lead">{text}</p>
        {detail && <p className="muted">{detail}</p>}
      </div>
    </div>
  );
}

/** Results: saving -> generating feedback -> transcript + evaluation, with deadlines and Retry. */
export function ResultsPage({ session }: { session: StoredSession }) {
  const { state, retry } = useResults(session);
  useTitle('Your results');
  const messages = state.data?.messages ?? [];
  const evaluation = state.stage === 'ready' ? state.data?.evaluation : null;
  return (
    <main className="page results-page" data-stage={state.stage}>
      <header>
        <h1>Your interview</h1>
      </header>
      <StatusLine state={state} retry={retry} />
      {state.problem && state.stage !== 'error' && (
        <p className="muted" role="status">
          Connection problem: {state.problem} — retrying.
        </p>
      )}
      {state.stage === 'in_progress' && <Link href={`/interview/${session.clientSessionId}`}>Back to the interview</Link>}
      {state.data?.voice?.state === 'transcript_missing' && (
        <p className="card muted">The recording of your call could not be retrieved; the transcript below is what was captured live during the call.</p>
      )}
      {evaluation && <Evaluation result={evaluation} />}
      {state.stage === 'ready' && !evaluation && <p className="card">No feedback was generated for this interview.</p>}
      {messages.length > 0 && (
        <section className="card" aria-labelledby="transcript-title">
          <h2 id="transcript-title">Transcript</h2>
          <ExportButtons
            label="Download your transcript:"
            token={session.candidateToken}
            fileStem="candor-interview-transcript"
            pathFor={(format) => `/api/sessions/by-client/${encodeURIComponent(session.clientSessionId)}/export?format=${format}`}
          />
          <MessageList messages={messages} candidateLabel="You" />
        </section>
      )}
      <p className="footer-links">
        <Link href="/">Back to the start</Link>
      </p>
    </main>
  );
}
