import type { Interview, OutboxEntry } from '../../../shared/interview.js';
import { webhookPayloadV1Schema, type WebhookPayloadV1 } from '../../../shared/webhooksOut.js';

/**
 * Builds the v1 body of an event from the session as the relay reads it
 * (pure). Ids, candidate, status, scores and the evaluation summary; links to
 * the session and its export, which a receiver fetches with a recruiter
 * credential. Competency evidence (it may quote answers) and transcripts are
 * not sent: the export link carries them.
 */
export function buildPayloadV1(session: Interview, entry: OutboxEntry, baseUrl: string): WebhookPayloadV1 {
  const base = baseUrl.replace(/\/+$/, '');
  const sessionUrl = `${base}/api/sessions/${session.id}`;
  const exportUrl = (format: 'json' | 'md' | 'pdf') => `${sessionUrl}/export?format=${format}`;
  const answers = session.plan.scores.map(({ questionId, score }) => ({ questionId, score }));
  const average = answers.length > 0 ? Math.round((answers.reduce((n, a) => n + a.score, 0) / answers.length) * 100) / 100 : null;
  const ev = session.evaluation;
  const result = ev?.result;
  const payload: WebhookPayloadV1 = {
    version: 'v1',
    type: entry.type,
    eventId: entry.eventId,
    timestamp: entry.at.toISOString(),
    data: {
      sessionId: session.id,
      clientSessionId: session.clientSessionId,
      openingId: session.openingId ?? null,
      conversationId: session.voice?.conversationId ?? session.transcript?.conversationId ?? null,
      candidate: { name: session.candidateName ?? null, id: session.candidateId ?? null },
      role: session.role,
      mode: session.mode,
      status: entry.status ?? session.status,
      endedBy: session.endedBy ?? null,
      startedAt: session.startedAt?.toISOString() ?? null,
      endedAt: session.endedAt?.toISOString() ?? null,
      voice: session.mode === 'voice' ? { linkedBy: session.voice?.linkedBy ?? null, candidates: session.voice?.candidates ?? [] } : null,
      scores: { answers, average },
      evaluation: ev
        ? {
            status: ev.status,
            overall: result?.overall ?? null,
            summary: result?.summary ?? null,
            strengths: result?.strengths ?? [],
            concerns: result?.concerns ?? [],
            competencies: (result?.competencies ?? []).map(({ name, score }) => ({ name, score })),
            completedAt: ev.completedAt?.toISOString() ?? null,
          }
        : null,
      links: { session: sessionUrl, export: { json: exportUrl('json'), md: exportUrl('md'), pdf: exportUrl('pdf') } },
    },
  };
  // The schema is the contract receivers code against: never send a body that does not parse.
  return webhookPayloadV1Schema.parse(payload);
}
