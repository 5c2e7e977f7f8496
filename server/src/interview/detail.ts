import type { Interview } from '../../../shared/interview.js';
import type { SessionDetail } from '../../../shared/monitor.js';
import { toWireFocusSignal } from './focusSignals.js';
import { planSummary } from './plan.js';
import { toWireMessage } from './snapshot.js';
import type { RetentionPolicy } from '../privacy/retentionPolicy.js';
import { toWireNote } from '../recruiters/notes.js';
import { toWireNudge, toWireTakeover } from '../recruiters/nudges.js';
import { toSessionSummary } from './summary.js';

/** `{key: date.toISOString()}` when the date is there, else nothing (optional wire fields stay absent). */
function isoField<K extends string>(key: K, date: Date | undefined): Partial<Record<K, string>> {
  return date === undefined ? {} : ({ [key]: date.toISOString() } as Record<K, string>);
}

/** GET /api/sessions/:id (shared/monitor.ts sessionDetailSchema): the stored interview with every date as ISO text. */
export function toSessionDetail(session: Interview, retention?: RetentionPolicy): SessionDetail {
  // The webhook outbox is internal bookkeeping (docs/webhooks-out.md), not part of the session view.
  const { messages, plan, focus, notes, nudges, takeover, turn, voice, transcript, evaluation, startedAt, endedAt, createdAt, updatedAt, outbox: _outbox, outboxLeaseUntil: _outboxLease, ...rest } = session;
  const { leaseUntil: turnLease, ...turnRest } = turn;
  const detail: SessionDetail = {
    ...rest,
    turn: { ...turnRest, ...isoField('leaseUntil', turnLease) },
    ...isoField('startedAt', startedAt),
    ...isoField('endedAt', endedAt),
    createdAt: createdAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
    // Recruiter-facing: a question a recruiter typed names them (the candidate's wire messages never do).
    messages: messages.map((m) => (m.role === 'interviewer' && m.by ? { ...toWireMessage(m), by: m.by } : toWireMessage(m))),
    plan: {
      asked: plan.asked.map((q) => ({ ...q, at: q.at.toISOString() })),
      scores: plan.scores.map((s) => ({ ...s, at: s.at.toISOString() })),
      summary: planSummary(plan),
    },
    focus: (focus ?? []).map(toWireFocusSignal),
    notes: (notes ?? []).map((n) => toWireNote(session.id, n)),
    nudges: (nudges ?? []).map((n) => toWireNudge(session.id, n)),
    takeover: toWireTakeover({ id: session.id, ...(takeover ? { takeover } : {}) }),
    summary: toSessionSummary(session, retention),
  };
  if (voice) {
    const { startedAt: vStarted, endedAt: vEnded, linkedAt, ...voiceRest } = voice;
    detail.voice = { ...voiceRest, ...isoField('startedAt', vStarted), ...isoField('endedAt', vEnded), ...isoField('linkedAt', linkedAt) };
  }
  if (transcript) detail.transcript = { ...transcript, receivedAt: transcript.receivedAt.toISOString() };
  if (evaluation) {
    const { leaseUntil, completedAt, ...evaluationRest } = evaluation;
    detail.evaluation = { ...evaluationRest, ...isoField('leaseUntil', leaseUntil), ...isoField('completedAt', completedAt) };
  }
  return detail;
}
