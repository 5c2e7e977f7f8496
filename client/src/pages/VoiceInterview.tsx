import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import type { AnswerAck, StatusAck } from '../../../shared/protocol.js';
import type { AckError } from '../../../shared/errors.js';
import type { VoiceConversationAck } from '../../../shared/voice.js';
import { Progress } from '../components/Progress.js';
import { ReconnectBanner } from '../components/ReconnectBanner.js';
import { Transcript } from '../components/Transcript.js';
import { describeError, endSession, endSessionBeacon, startVoiceSession } from '../lib/api.js';
import { isReconnecting } from '../lib/liveView.js';
import type { InterviewSocket } from '../lib/sockets.js';
import type { StoredSession } from '../lib/storage.js';
import { useInterviewSocket, type InterviewConnector } from '../lib/useInterviewSocket.js';
import { liveLineId, type LiveLine, type VoiceCall } from '../lib/liveLines.js';
import { useFocusSignals } from '../lib/useFocusSignals.js';
import { useTitle } from '../lib/useTitle.js';

const ENDED = new Set(['ended_pending_webhook', 'completed', 'abandoned', 'orphaned']);
const ACK_MS = 10_000;

type CallState =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'live'; simulated: boolean }
  | { kind: 'ending' }
  | { kind: 'error'; message: string };

type Ack<T> = T | AckError;
const NO_ACK: AckError = { ok: false, error: { code: 'DEPENDENCY_DOWN', message: 'No answer from the server.' } };

/** Emits with an ack deadline and a few retries (the events are idempotent). */
async function emitRetrying<T>(send: () => Promise<Ack<T>>, attempts = 4): Promise<Ack<T>> {
  let last: Ack<T> = NO_ACK;
  for (let i = 0; i < attempts; i++) {
    try {
      last = await send();
    } catch {
      last = NO_ACK;
    }
    if ((last as { ok: boolean }).ok) return last;
    const code = (last as AckError).error.code;
    if (code !== 'DEPENDENCY_DOWN' && code !== 'INTERNAL' && code !== 'RATE_LIMITED') return last;
    await new Promise((r) => setTimeout(r, 500 * 2 ** i));
  }
  return last;
}

/**
 * The voice interview (docs/voice.md): POST /api/voice/session, then the
 * ElevenLabs SDK with the signed URL/token, dynamic variables and userId — or,
 * when the server runs the simulator, the server plays the agent and the
 * candidate's lines are typed into a stand-in for the microphone. The
 * conversationId is reported as soon as it is known; live lines are forwarded
 * with ids built from the SDK's event ids; End and tab close end the session.
 */
export function VoiceInterview({ session, connect }: { session: StoredSession; connect?: InterviewConnector }) {
  const { clientSessionId, candidateToken } = session;
  useTitle('Voice interview');
  const [, navigate] = useLocation();
  const { live, socket } = useInterviewSocket(session, connect);
  const view = live.shown;
  const [call, setCall] = useState<CallState>({ kind: 'idle' });
  const [mode, setMode] = useState<'speaking' | 'listening' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const callRef = useRef<VoiceCall | null>(null);
  const conversationIdRef = useRef<string | null>(null);
  const socketRef = useRef<InterviewSocket | null>(socket);
  socketRef.current = socket;
  const ended = view.status !== null && ENDED.has(view.status);
  // Focus changes and paste sizes are recorded while the interview is open (the start page says so).
  useFocusSignals(socket, !ended);

  const emitAck = useCallback(<T,>(send: (s: InterviewSocket) => Promise<Ack<T>>): Promise<Ack<T>> => {
    const s = socketRef.current;
    return s ? emitRetrying(() => send(s)) : Promise.resolve(NO_ACK);
  }, []);

  const reportConversationId = useCallback(
    (conversationId: string) => {
      conversationIdRef.current = conversationId;
      void emitAck<VoiceConversationAck>((s) => s.timeout(ACK_MS).emitWithAck('voice:conversation-id', { conversationId })).then((ack) => {
        if (!ack.ok) setNotice(`The call could not be registered yet (${ack.error.message}); it will be matched after the call.`);
      });
    },
    [emitAck],
  );

  const forwardLine = useCallback(
    (line: LiveLine) => {
      void emitAck<AnswerAck>((s) => s.timeout(ACK_MS).emitWithAck('voice:transcript', line)).then((ack) => {
        if (!ack.ok && ack.error.code !== 'SESSION_ENDED') setNotice('A line of the live transcript could not be saved; the call recording will fill it in.');
      });
    },
    [emitAck],
  );

  const start = async () => {
    setCall({ kind: 'starting' });
    setNotice(null);
    try {
      const res = await startVoiceSession(candidateToken, { clientSessionId });
      if (res.simulated) {
        if (res.conversationId) reportConversationId(res.conversationId);
        // The simulator's agent reads a recruiter's nudge on the server: nothing to pass on.
        callRef.current = { conversationId: () => conversationIdRef.current, end: async () => undefined, sendContext: () => undefined };
      } else {
        // The SDK is loaded only for real calls.
        const { startElevenLabsCall } = await import('../lib/voiceAgent.js');
        callRef.current = await startElevenLabsCall(res, {
          onConversationId: reportConversationId,
          onLine: forwardLine,
          onMode: setMode,
          onEnded: (by, message) => {
            setNotice(by === 'agent' ? 'The interviewer ended the call.' : `The call was disconnected${message ? `: ${message}` : ''}.`);
            void finish(by === 'agent' ? 'agent' : 'disconnect');
          },
          onError: (message) => setNotice(`Call problem: ${message}`),
        });
      }
      const started = await emitAck<StatusAck>((s) => s.timeout(ACK_MS).emitWithAck('voice:started', { agentId: res.agentId }));
      if (!started.ok) throw new Error(started.error.message);
      setCall({ kind: 'live', simulated: res.simulated });
      setMode(res.simulated ? 'listening' : null);
    } catch (err) {
      await callRef.current?.end().catch(() => undefined);
      callRef.current = null;
      const message = err instanceof DOMException && err.name === 'NotAllowedError' ? 'Microphone access was refused. Allow it in the browser and try again.' : describeError(err);
      setCall({ kind: 'error', message });
    }
  };

  const finish = async (endedBy: 'user' | 'agent' | 'disconnect') => {
    setCall({ kind: 'ending' });
    const current = callRef.current;
    callRef.current = null;
    await current?.end().catch(() => undefined);
    const conversationId = conversationIdRef.current ?? undefined;
    const ack = await emitAck<StatusAck>((s) => s.timeout(ACK_MS).emitWithAck('voice:ended', { endedBy, ...(conversationId ? { conversationId } : {}) }));
    if (!ack.ok) {
      // The socket is gone or refused: the REST twin (idempotent).
      await endSession(clientSessionId, candidateToken, conversationId).catch(() => undefined);
    }
    navigate(`/results/${clientSessionId}`);
  };

  // A recruiter's nudge for the agent (voice:context): handed to the SDK, never rendered.
  // One that arrives before the call is up waits for it.
  const contextQueue = useRef<string[]>([]);
  useEffect(() => {
    if (!socket) return;
    const onContext = ({ text }: { nudgeId: string; text: string }) => {
      if (callRef.current) callRef.current.sendContext(text);
      else contextQueue.current.push(text);
    };
    socket.on('voice:context', onContext);
    return () => {
      socket.off('voice:context', onContext);
    };
  }, [socket]);
  useEffect(() => {
    if (call.kind !== 'live' || !callRef.current) return;
    for (const text of contextQueue.current.splice(0)) callRef.current.sendContext(text);
  }, [call.kind]);

  // Tab close or navigation away mid-call: end it with a beacon (it cannot carry headers; the token goes in the body).
  useEffect(() => {
    if (call.kind !== 'live') return;
    const onPageHide = () => {
      void callRef.current?.end().catch(() => undefined);
      endSessionBeacon(clientSessionId, candidateToken, conversationIdRef.current ?? undefined);
    };
    window.addEventListener('pagehide', onPageHide);
    return () => window.removeEventListener('pagehide', onPageHide);
  }, [call.kind, clientSessionId, candidateToken]);

  // Ended elsewhere (the server, the agent): on to the results.
  useEffect(() => {
    if (!ended || call.kind === 'ending') return;
    void callRef.current?.end().catch(() => undefined);
    const timer = setTimeout(() => navigate(`/results/${clientSessionId}`), 1_500);
    return () => clearTimeout(timer);
  }, [ended, call.kind, clientSessionId, navigate]);

  // Simulated agent: it "speaks" when its line arrives; then it is the candidate's turn.
  const simulated = call.kind === 'live' && call.simulated;
  const last = view.messages[view.messages.length - 1];
  const simulatedMode = simulated ? (last?.role === 'interviewer' ? 'listening' : 'thinking') : null;

  if (live.connection === 'failed' && live.error) {
    return (
      <main className="page">
        <h1>Voice interview</h1>
        <div role="alert" className="banner banner-error">
          <p>This browser cannot open this interview: {live.error.message}</p>
          <Link href="/">Start a new interview</Link>
        </div>
      </main>
    );
  }

  const rejoin = view.status === 'active' || view.status === 'paused';

  return (
    <main className="page interview-page voice-page">
      <ReconnectBanner visible={isReconnecting(live)} />
      <header className="interview-header">
        <h1>Voice interview</h1>
        <Progress progress={live.progress} status={view.status} />
      </header>

      {(call.kind === 'idle' || call.kind === 'error') && !ended && (
        <section className="card">
          <p>
            {rejoin
              ? 'Your call was interrupted. Rejoin to continue the interview.'
              : 'The interviewer will talk with you. Your browser will ask for the microphone; use headphones if you can.'}
          </p>
          {call.kind === 'error' && (
            <p role="alert" className="field-error">
              {call.message}
            </p>
          )}
          <button type="button" onClick={() => void start()} disabled={!view.ready || live.connection !== 'connected'}>
            {rejoin ? 'Rejoin the call' : 'Start voice interview'}
          </button>
        </section>
      )}
      {call.kind === 'starting' && (
        <p className="card" role="status">
          Connecting the call…
        </p>
      )}

      {call.kind === 'live' && (
        <p className="card speaking" role="status" aria-live="polite" data-testid="speaking">
          {simulated
            ? simulatedMode === 'listening'
              ? 'Your turn — the interviewer is listening.'
              : 'The interviewer is thinking…'
            : mode === 'speaking'
              ? 'The interviewer is speaking…'
              : 'Listening to you…'}
        </p>
      )}

      {notice && (
        <p role="status" className="banner banner-warning">
          {notice}
        </p>
      )}

      <Transcript view={view} candidateLabel="You" />

      {simulated && <SimulatedMicrophone disabled={simulatedMode !== 'listening'} onSay={(text) => forwardLine({ messageId: liveLineId(conversationIdRef.current, 'user', undefined), role: 'user', text })} />}

      {call.kind === 'live' && (
        <section className="controls" aria-label="Call controls">
          <button type="button" className="danger" onClick={() => void finish('user')}>
            End interview
          </button>
        </section>
      )}
      {call.kind === 'ending' && <p role="status">Ending the call…</p>}
      {ended && call.kind !== 'ending' && (
        <section className="card" role="status">
          <p>The interview is over. Thank you!</p>
          <Link href={`/results/${clientSessionId}`}>See your results</Link>
        </section>
      )}
    </main>
  );
}

/** Simulator only: what the candidate would say, typed (the server's simulated agent answers it). */
function SimulatedMicrophone({ disabled, onSay }: { disabled: boolean; onSay: (text: string) => void }) {
  const [text, setText] = useState('');
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const line = text.trim();
    if (!line || disabled) return;
    onSay(line.slice(0, 8000));
    setText('');
  };
  return (
    <form className="answer-box" onSubmit={submit}>
      <label htmlFor={`${id}-say`}>Simulated microphone</label>
      <p className="hint" id={`${id}-hint`}>
        This server runs the voice simulator (no ElevenLabs account): type what you would say.
      </p>
      <input id={`${id}-say`} value={text} onChange={(e) => setText(e.target.value)} aria-describedby={`${id}-hint`} />
      <div className="answer-meta">
        <span />
        <button type="submit" disabled={disabled || !text.trim()}>
          Say it
        </button>
      </div>
    </form>
  );
}
