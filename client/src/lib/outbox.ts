import type { AckError, ErrorBody } from '../../../shared/errors.js';
import type { AnswerAck } from '../../../shared/protocol.js';
import type { SessionView } from '../../../shared/sessionView.js';
import type { PendingAnswer } from './storage.js';

/**
 * The answer outbox's decisions, kept pure so they are tested without a
 * browser: what a submit's result means, and whether a pending answer may be
 * (re)sent now. The pending answer keeps its messageId across every retry and
 * reload; the server stores one message per id, so retrying is always safe.
 */

export type SubmitResult = { kind: 'ack'; ack: AnswerAck | AckError } | { kind: 'timeout' };

export type Outcome =
  /** Stored: clear the pending answer, show "sent". */
  | { kind: 'sent' }
  /** Keep the pending answer and send it again (same id) after `afterMs`, or when the turn allows. */
  | { kind: 'retry'; afterMs: number; message: string }
  /** Not storable as it is: give the text back to the box. */
  | { kind: 'rejected'; message: string }
  /** The interview is over: drop the pending answer. */
  | { kind: 'ended'; message: string }
  /** Credentials no longer open the session: nothing a retry can fix. */
  | { kind: 'fatal'; message: string };

export const ACK_TIMEOUT_MS = 10_000;
const DEFAULT_RETRY_MS = 2_000;

export function outcomeOf(result: SubmitResult): Outcome {
  if (result.kind === 'timeout') {
    return { kind: 'retry', afterMs: 1_000, message: 'No answer from the server yet — retrying…' };
  }
  const { ack } = result;
  if (ack.ok) return { kind: 'sent' };
  return outcomeOfError(ack.error);
}

export function outcomeOfError(error: ErrorBody): Outcome {
  switch (error.code) {
    case 'RATE_LIMITED': {
      const afterMs = error.retryAfterMs ?? 3_000;
      return { kind: 'retry', afterMs, message: `You are answering quickly — sending again in ${Math.max(1, Math.ceil(afterMs / 1000))} s.` };
    }
    case 'STATE_CONFLICT':
      // Paused, or the next question not there yet: waits for the turn, then the same id again.
      return { kind: 'retry', afterMs: 1_000, message: error.message };
    case 'VALIDATION':
    case 'PAYLOAD_TOO_LARGE':
      return { kind: 'rejected', message: error.message };
    case 'SESSION_ENDED':
      return { kind: 'ended', message: 'The interview has ended.' };
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
    case 'NOT_FOUND':
      return { kind: 'fatal', message: error.message };
    default:
      return { kind: 'retry', afterMs: error.retryAfterMs ?? DEFAULT_RETRY_MS, message: 'The server had a problem — retrying…' };
  }
}

/** The question the candidate may answer now: the last finished one, when the turn is theirs. */
export function answerableQuestionId(view: SessionView): string | null {
  if (!view.ready || view.status !== 'active' || view.turn !== 'awaiting_answer' || view.streaming) return null;
  for (let i = view.messages.length - 1; i >= 0; i--) {
    const m = view.messages[i];
    if (m?.role === 'interviewer') return m.id;
    if (m?.role === 'candidate') return null;
  }
  return null;
}

export type PendingDecision = 'stored' | 'send' | 'wait' | 'stale';

/**
 * What to do with a pending answer given the current view:
 * - `stored`: its id is already in the transcript (the ack was lost) -> done;
 * - `send`: the turn is the candidate's, for the question it answers;
 * - `stale`: another question is awaiting an answer now -> give the text back;
 * - `wait`: not now (streaming, paused, reconnecting).
 */
export function decidePending(view: SessionView, pending: PendingAnswer): PendingDecision {
  if (view.messages.some((m) => m.id === pending.messageId)) return 'stored';
  const questionId = answerableQuestionId(view);
  if (!questionId) return 'wait';
  if (pending.questionId && pending.questionId !== questionId) return 'stale';
  return 'send';
}

export function newMessageId(): string {
  return `m_${crypto.randomUUID()}`;
}
