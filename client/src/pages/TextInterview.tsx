import { useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import type { AckError } from '../../../shared/errors.js';
import type { StatusAck } from '../../../shared/protocol.js';
import { AnswerBox } from '../components/AnswerBox.js';
import { Progress } from '../components/Progress.js';
import { ReconnectBanner } from '../components/ReconnectBanner.js';
import { Transcript } from '../components/Transcript.js';
import { isReconnecting } from '../lib/liveView.js';
import type { InterviewSocket } from '../lib/sockets.js';
import type { StoredSession } from '../lib/storage.js';
import { useAnswerOutbox } from '../lib/useAnswerOutbox.js';
import { useInterviewSocket, type InterviewConnector } from '../lib/useInterviewSocket.js';
import { useFocusSignals } from '../lib/useFocusSignals.js';
import { useTitle } from '../lib/useTitle.js';

const ENDED = new Set(['ended_pending_webhook', 'completed', 'abandoned', 'orphaned']);
const CONTROL_TIMEOUT_MS = 10_000;

type ControlEvent = 'interview:start' | 'interview:pause' | 'interview:resume';

async function control(socket: InterviewSocket, event: ControlEvent | 'interview:end'): Promise<StatusAck | AckError> {
  try {
    if (event === 'interview:end') return await socket.timeout(CONTROL_TIMEOUT_MS).emitWithAck('interview:end', { endedBy: 'user' });
    return await socket.timeout(CONTROL_TIMEOUT_MS).emitWithAck(event, {});
  } catch {
    return { ok: false, error: { code: 'DEPENDENCY_DOWN', message: 'No answer from the server; check your connection and try again.' } };
  }
}

interface TextInterviewProps {
  session: StoredSession;
  connect?: InterviewConnector;
}

/** The text interview: streamed questions, the answer box, pause/resume/end. */
export function TextInterview({ session, connect }: TextInterviewProps) {
  const { clientSessionId } = session;
  useTitle('Interview');
  const [, navigate] = useLocation();
  const { live, socket } = useInterviewSocket(session, connect);
  const view = live.shown;
  const connected = live.connection === 'connected';
  const outbox = useAnswerOutbox(clientSessionId, socket, view, connected);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirmEnd, setConfirmEnd] = useState(false);

  const ended = view.status !== null && ENDED.has(view.status);
  // Focus changes and paste sizes are recorded while the interview is open (the start page says so).
  useFocusSignals(socket, !ended);

  // Over (by the candidate's hand or the plan): on to the results once nothing is left to send.
  useEffect(() => {
    if (!ended || outbox.pending) return;
    const timer = setTimeout(() => navigate(`/results/${clientSessionId}`), 1_500);
    return () => clearTimeout(timer);
  }, [ended, outbox.pending, clientSessionId, navigate]);

  const run = async (event: ControlEvent | 'interview:end', label: string) => {
    if (!socket) return;
    setBusy(label);
    setActionError(null);
    const ack = await control(socket, event);
    setBusy(null);
    if (!ack.ok) {
      setActionError(ack.error.message);
      return;
    }
    if (event === 'interview:end') navigate(`/results/${clientSessionId}`);
  };

  if (live.connection === 'failed' && live.error) {
    return (
      <main className="page">
        <h1>Interview</h1>
        <div role="alert" className="banner banner-error">
          <p>{live.error.code === 'NOT_FOUND' ? 'This interview no longer exists.' : 'This browser cannot open this interview.'}</p>
          <p className="muted">{live.error.message}</p>
          <Link href="/">Start a new interview</Link>
        </div>
      </main>
    );
  }

  const disabledReason = !view.ready
    ? 'Connecting…'
    : view.status === 'created'
      ? 'Start the interview to see the first question.'
      : view.status === 'paused'
        ? 'The interview is paused. Resume to answer.'
        : ended
          ? 'The interview has ended.'
          : view.streaming
            ? 'Wait for the question to finish.'
            : view.turn !== 'awaiting_answer'
              ? 'The next question is on its way…'
              : outbox.pending
                ? 'Your previous answer is still being sent.'
                : !connected
                  ? 'Reconnecting…'
                  : null;

  return (
    <main className="page interview-page">
      <ReconnectBanner visible={isReconnecting(live)} />
      <header className="interview-header">
        <h1>Interview</h1>
        <Progress progress={live.progress} status={view.status} />
      </header>

      {view.ready && view.status === 'created' && (
        <section className="card">
          <p>When you are ready, start the interview. Questions appear word by word; answer each one in the box below.</p>
          <button type="button" onClick={() => void run('interview:start', 'start')} disabled={busy !== null || !connected}>
            {busy === 'start' ? 'Starting…' : 'Start interview'}
          </button>
        </section>
      )}

      <Transcript view={view} candidateLabel="You" />

      {outbox.pending && (
        <div className="message message-candidate pending" data-testid="pending-answer">
          <span className="speaker">You (not confirmed yet)</span>
          <p className="text">{outbox.pending.text}</p>
          {outbox.status.kind === 'waiting' && (
            <button type="button" className="link-button" onClick={outbox.retryNow}>
              Retry now
            </button>
          )}
        </div>
      )}

      {view.lastError && !ended && (
        <div role="alert" className="banner banner-error" data-testid="question-error">
          <p>The next question could not be generated ({view.lastError.code}).</p>
          <button type="button" onClick={() => void run('interview:start', 'retry')} disabled={busy !== null || !connected}>
            {busy === 'retry' ? 'Retrying…' : 'Try again'}
          </button>
        </div>
      )}

      {ended ? (
        <section className="card" role="status">
          <p>The interview is over. Thank you!</p>
          <Link href={`/results/${clientSessionId}`}>See your results</Link>
        </section>
      ) : (
        view.status !== 'created' && (
          <AnswerBox
            key={outbox.returned?.nonce ?? 0}
            initialText={outbox.returned?.text ?? ''}
            disabledReason={disabledReason}
            status={outbox.status}
            onSubmit={outbox.send}
          />
        )
      )}

      {actionError && (
        <p role="alert" className="field-error">
          {actionError}
        </p>
      )}

      {view.ready && !ended && view.status !== 'created' && (
        <section className="controls" aria-label="Interview controls">
          {view.status === 'paused' ? (
            <button type="button" onClick={() => void run('interview:resume', 'resume')} disabled={busy !== null || !connected}>
              {busy === 'resume' ? 'Resuming…' : 'Resume'}
            </button>
          ) : (
            <button type="button" className="secondary" onClick={() => void run('interview:pause', 'pause')} disabled={busy !== null || !connected}>
              {busy === 'pause' ? 'Pausing…' : 'Pause'}
            </button>
          )}
          {confirmEnd ? (
            <span className="confirm" role="group" aria-label="Confirm ending the interview">
              <span>End the interview now? You cannot continue it later.</span>
              <button type="button" className="danger" onClick={() => void run('interview:end', 'end')} disabled={busy !== null || !connected} autoFocus>
                {busy === 'end' ? 'Ending…' : 'Yes, end it'}
              </button>
              <button type="button" className="secondary" onClick={() => setConfirmEnd(false)}>
                Keep going
              </button>
            </span>
          ) : (
            <button type="button" className="secondary" onClick={() => setConfirmEnd(true)}>
              End interview
            </button>
          )}
        </section>
      )}
    </main>
  );
}
