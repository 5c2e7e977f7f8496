import { useCallback, useEffect, useRef, useState } from 'react';
import type { SessionView } from '../../../shared/sessionView.js';
import type { AnswerBoxStatus } from '../components/AnswerBox.js';
import { ACK_TIMEOUT_MS, answerableQuestionId, decidePending, newMessageId, outcomeOf, type SubmitResult } from './outbox.js';
import type { InterviewSocket } from './sockets.js';
import { loadPending, savePending, type PendingAnswer } from './storage.js';

export interface AnswerOutbox {
  pending: PendingAnswer | null;
  status: AnswerBoxStatus;
  /** Text given back to the answer box (rejected or stale), with a nonce to remount it. */
  returned: { text: string; nonce: number } | null;
  /** Queues an answer; false when one is still pending. */
  send(text: string): boolean;
  /** Sends the pending answer again now (same messageId). */
  retryNow(): void;
}

/** Sends through the socket with an ack deadline; a lost ack becomes a timeout, never a hang. */
export function submitOverSocket(socket: InterviewSocket, payload: { messageId: string; text: string }): Promise<SubmitResult> {
  return socket
    .timeout(ACK_TIMEOUT_MS)
    .emitWithAck('answer:submit', payload)
    .then(
      (ack): SubmitResult => ({ kind: 'ack', ack }),
      (): SubmitResult => ({ kind: 'timeout' }),
    );
}

/**
 * One answer at a time, kept in localStorage until the server acks it, so a
 * failure, a timeout, a reconnect or a reload re-sends it with the SAME
 * messageId (the server stores it once). See outbox.ts for the decisions.
 */
export function useAnswerOutbox(
  clientSessionId: string,
  socket: InterviewSocket | null,
  view: SessionView,
  connected: boolean,
): AnswerOutbox {
  const [pending, setPendingState] = useState<PendingAnswer | null>(() => loadPending(clientSessionId));
  const [status, setStatus] = useState<AnswerBoxStatus>(() => (pending ? { kind: 'waiting', message: 'Sending your last answer again…' } : { kind: 'idle' }));
  const [returned, setReturned] = useState<AnswerOutbox['returned']>(null);
  const [retryAt, setRetryAt] = useState(0);
  const [wake, setWake] = useState(0);
  /** Bumped on every send and every disconnect: a result of an older attempt is ignored. */
  const attempt = useRef(0);
  const inFlight = useRef(false);

  const setPending = useCallback(
    (next: PendingAnswer | null) => {
      savePending(clientSessionId, next);
      setPendingState(next);
    },
    [clientSessionId],
  );

  // A dropped connection abandons the attempt in flight; the same id goes again after the new snapshot.
  useEffect(() => {
    if (!connected) {
      attempt.current += 1;
      inFlight.current = false;
    }
  }, [connected]);

  useEffect(() => {
    if (!pending || inFlight.current || !socket || !connected) return;
    const decision = decidePending(view, pending);
    if (decision === 'stored') {
      setPending(null);
      setStatus({ kind: 'sent' });
      return;
    }
    if (decision === 'stale') {
      setPending(null);
      setReturned({ text: pending.text, nonce: Date.now() });
      setStatus({ kind: 'error', message: 'The question changed before your answer was stored; your text is back in the box.' });
      return;
    }
    if (decision === 'wait') return;
    const wait = retryAt - Date.now();
    if (wait > 0) {
      const timer = setTimeout(() => setWake((n) => n + 1), wait);
      return () => clearTimeout(timer);
    }
    inFlight.current = true;
    const mine = ++attempt.current;
    setStatus({ kind: 'sending' });
    void submitOverSocket(socket, { messageId: pending.messageId, text: pending.text }).then((result) => {
      if (mine !== attempt.current) return;
      inFlight.current = false;
      const outcome = outcomeOf(result);
      switch (outcome.kind) {
        case 'sent':
          setPending(null);
          setStatus({ kind: 'sent' });
          break;
        case 'retry':
          setRetryAt(Date.now() + outcome.afterMs);
          setStatus({ kind: 'waiting', message: outcome.message });
          setWake((n) => n + 1);
          break;
        case 'rejected':
          setPending(null);
          setReturned({ text: pending.text, nonce: Date.now() });
          setStatus({ kind: 'error', message: outcome.message });
          break;
        case 'ended':
        case 'fatal':
          setPending(null);
          setStatus({ kind: 'error', message: outcome.message });
          break;
      }
    });
  }, [pending, socket, connected, view, retryAt, wake, setPending]);

  const send = useCallback(
    (text: string) => {
      if (pending) return false;
      const questionId = answerableQuestionId(view);
      const next: PendingAnswer = { messageId: newMessageId(), text, ...(questionId ? { questionId } : {}) };
      setReturned(null);
      setRetryAt(0);
      setPending(next);
      setStatus({ kind: 'sending' });
      return true;
    },
    [pending, view, setPending],
  );

  const retryNow = useCallback(() => {
    setRetryAt(0);
    setWake((n) => n + 1);
  }, []);

  return { pending, status, returned, send, retryNow };
}
