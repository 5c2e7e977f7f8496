import type { SessionEventMap, SessionEventName } from './events.js';
import type { EvaluationStatus, InterviewStatus } from './interview.js';
import type { Phase } from './plan.js';
import type { PlanView, SessionSnapshot, WireMessage } from './protocol.js';

/**
 * What a candidate or watcher renders, rebuilt from one snapshot plus the
 * events that follow it. This is THE gap-free rule (PROTOCOL.md), shared by
 * the browser client and the tests:
 * - events that arrive before the snapshot are buffered, then replayed on it;
 * - a token is applied only if its index is exactly the next one of its
 *   question; lower indexes are duplicates already in the snapshot text and are
 *   dropped; a higher index is a gap and is counted (it must never happen);
 * - messages are deduplicated by id; a finished question replaces its
 *   streaming text.
 */
export interface StreamingQuestion {
  questionId: string;
  phase: Phase;
  number: number;
  text: string;
  nextIndex: number;
}

export type SessionEvent =
  | { type: 'session:state'; payload: SessionSnapshot }
  | { [E in SessionEventName]: { type: E; payload: SessionEventMap[E] } }[SessionEventName];

export interface SessionView {
  ready: boolean;
  status: InterviewStatus | null;
  endedBy: string | null;
  messages: WireMessage[];
  plan: PlanView | null;
  turn: 'idle' | 'generating' | 'awaiting_answer';
  streaming: StreamingQuestion | null;
  evaluationStatus: EvaluationStatus | null;
  completeReason: string | null;
  linked: { conversationId: string; linkedBy: string } | null;
  lastError: { questionId: string; code: string; retryable: boolean } | null;
  /** Tokens that arrived past a missing index: always 0 when the protocol holds. */
  gaps: number;
  /** Tokens dropped as already included (normal around a snapshot). */
  droppedTokens: number;
  buffered: SessionEvent[];
}

export function emptySessionView(): SessionView {
  return {
    ready: false,
    status: null,
    endedBy: null,
    messages: [],
    plan: null,
    turn: 'idle',
    streaming: null,
    evaluationStatus: null,
    completeReason: null,
    linked: null,
    lastError: null,
    gaps: 0,
    droppedTokens: 0,
    buffered: [],
  };
}

export function reduceSessionView(view: SessionView, event: SessionEvent): SessionView {
  if (event.type === 'session:state') return applySnapshot(view, event.payload);
  if (!view.ready) return { ...view, buffered: [...view.buffered, event] };
  return applyEvent(view, event);
}

function applySnapshot(view: SessionView, s: SessionSnapshot): SessionView {
  const known = new Set(s.messages.map((m) => m.id));
  let next: SessionView = {
    ...view,
    ready: true,
    status: s.status,
    endedBy: s.endedBy ?? null,
    messages: s.messages,
    plan: s.plan,
    turn: s.turn.state,
    streaming:
      s.inflight && !known.has(s.inflight.questionId)
        ? {
            questionId: s.inflight.questionId,
            phase: s.inflight.phase,
            number: s.inflight.number,
            text: s.inflight.text,
            nextIndex: s.inflight.lastIndex + 1,
          }
        : null,
    evaluationStatus: s.evaluationStatus,
    buffered: [],
  };
  for (const buffered of view.buffered) next = applyEvent(next, buffered);
  return next;
}

function hasMessage(view: SessionView, id: string): boolean {
  return view.messages.some((m) => m.id === id);
}

function applyEvent(view: SessionView, event: SessionEvent): SessionView {
  switch (event.type) {
    case 'session:state':
      return applySnapshot(view, event.payload);
    case 'question:start': {
      const { questionId, phase, number } = event.payload;
      if (hasMessage(view, questionId) || view.streaming?.questionId === questionId) return view;
      return { ...view, turn: 'generating', lastError: null, streaming: { questionId, phase, number, text: '', nextIndex: 0 } };
    }
    case 'question:token': {
      const { questionId, index, text } = event.payload;
      const s = view.streaming;
      if (!s || s.questionId !== questionId) {
        // A late token of a question already finished is a harmless duplicate.
        return hasMessage(view, questionId) ? { ...view, droppedTokens: view.droppedTokens + 1 } : { ...view, gaps: view.gaps + 1 };
      }
      if (index < s.nextIndex) return { ...view, droppedTokens: view.droppedTokens + 1 };
      if (index > s.nextIndex) return { ...view, gaps: view.gaps + 1 };
      return { ...view, streaming: { ...s, text: s.text + text, nextIndex: index + 1 } };
    }
    case 'question:end': {
      const { questionId, text } = event.payload;
      const streaming = view.streaming?.questionId === questionId ? null : view.streaming;
      if (hasMessage(view, questionId)) return { ...view, streaming };
      const message: WireMessage = { id: questionId, role: 'interviewer', text, source: 'text', questionId, at: new Date().toISOString() };
      return { ...view, streaming, turn: 'awaiting_answer', messages: [...view.messages, message] };
    }
    case 'question:error': {
      const streaming = view.streaming?.questionId === event.payload.questionId ? null : view.streaming;
      return { ...view, streaming, lastError: event.payload };
    }
    case 'message:appended': {
      if (hasMessage(view, event.payload.id)) {
        // A voice answer revised by a newer request of its turn (docs/voice.md) is pushed again under its id.
        const revised = event.payload;
        if (revised.role !== 'candidate' || view.messages.some((m) => m.id === revised.id && m.text === revised.text)) return view;
        return { ...view, messages: view.messages.map((m) => (m.id === revised.id && m.role === 'candidate' ? { ...m, text: revised.text } : m)) };
      }
      // A stored answer hands the turn back to the interviewer.
      const turn = event.payload.role === 'candidate' && view.turn === 'awaiting_answer' ? 'generating' : view.turn;
      return { ...view, turn, messages: [...view.messages, event.payload] };
    }
    case 'session:status':
      return { ...view, status: event.payload.status, endedBy: event.payload.endedBy ?? view.endedBy };
    case 'session:linked':
      return { ...view, linked: event.payload };
    case 'interview:complete':
      return { ...view, completeReason: event.payload.reason };
    case 'evaluation:ready':
      return { ...view, evaluationStatus: event.payload.evaluationStatus };
  }
}

/** The question texts a view shows, in order: finished ones, then the one streaming. */
export function questionTexts(view: SessionView): string[] {
  const done = view.messages.filter((m) => m.role === 'interviewer').map((m) => m.text);
  return view.streaming ? [...done, view.streaming.text] : done;
}
