import type { Interview, Message } from '../../../shared/interview.js';
import type { Inflight, SessionSnapshot, WireMessage } from '../../../shared/protocol.js';
import { planSummary } from './plan.js';

export function toWireMessage(m: Message): WireMessage {
  const wire: WireMessage = { id: m.id, role: m.role, text: m.text, source: m.source, at: m.at.toISOString() };
  if (m.questionId !== undefined) wire.questionId = m.questionId;
  return wire;
}

/**
 * The snapshot a candidate or watcher starts from. An in-flight entry whose
 * question is already stored is dropped (the stored text is final).
 */
export function buildSnapshot(session: Interview, inflight: Inflight | null): SessionSnapshot {
  const summary = planSummary(session.plan);
  const stored = inflight !== null && session.messages.some((m) => m.id === inflight.questionId);
  const snapshot: SessionSnapshot = {
    sessionId: session.id,
    clientSessionId: session.clientSessionId,
    status: session.status,
    mode: session.mode,
    role: session.role,
    messages: session.messages.map(toWireMessage),
    plan: {
      phase: summary.phase,
      asked: summary.asked,
      scored: summary.scored,
      boundaries: summary.boundaries.length,
      complete: summary.complete,
    },
    turn: session.turn.questionId === undefined ? { state: session.turn.state } : { state: session.turn.state, questionId: session.turn.questionId },
    inflight: stored ? null : inflight,
    evaluationStatus: session.evaluation?.status ?? null,
  };
  if (session.endedBy !== undefined) snapshot.endedBy = session.endedBy;
  return snapshot;
}
