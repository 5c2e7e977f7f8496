import {
  EXPORT_SCHEMA_VERSION,
  candidateExportSchema,
  recruiterExportSchema,
  type CandidateExport,
  type ExportNote,
  type ExportQuestion,
  type ExportTranscript,
  type RecruiterExport,
} from '../../../shared/export.js';
import type { Interview } from '../../../shared/interview.js';
import { planSummary } from '../interview/plan.js';
import { summariseFocus } from './focusSummary.js';

/** What the builder needs besides the interview (looked up by the caller). */
export interface ExportContext {
  roleTitle: string;
  opening: { id: string; title: string } | null;
  /** From the retention policy; null when kept. */
  deleteAfter: Date | null;
  notes: readonly ExportNote[];
  now: Date;
}

const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);

/**
 * The transcript as exported: a linked voice interview's post-call transcript
 * (authoritative), else the stored messages — typed answers, or the live voice
 * lines when no post-call transcript came.
 */
export function exportTranscript(session: Interview): ExportTranscript {
  if (session.mode === 'voice' && session.transcript) {
    return {
      source: 'webhook',
      entries: session.transcript.lines.map((line, i) => ({
        seq: i + 1,
        speaker: line.role === 'agent' ? 'interviewer' : 'candidate',
        text: line.text,
        source: 'webhook',
        at: null,
        timeInCallSecs: line.timeInCallSecs ?? null,
        questionId: null,
      })),
    };
  }
  if (session.messages.length === 0) return { source: 'none', entries: [] };
  return {
    source: session.mode === 'voice' ? 'voice_live' : 'text',
    entries: session.messages.map((m, i) => ({
      seq: i + 1,
      speaker: m.role,
      text: m.text,
      source: m.source,
      at: m.at.toISOString(),
      timeInCallSecs: null,
      questionId: m.questionId ?? null,
    })),
  };
}

function questionsOf(session: Interview): ExportQuestion[] {
  const summary = planSummary(session.plan);
  const boundaryIds = new Set(summary.boundaries.map((b) => b.questionId));
  const scores = new Map<string, number>();
  for (const s of session.plan.scores) if (!scores.has(s.questionId)) scores.set(s.questionId, s.score);
  return [...session.plan.asked]
    .sort((a, b) => a.number - b.number)
    .map((q) => ({
      number: q.number,
      questionId: q.questionId,
      phase: q.phase,
      difficulty: q.difficulty,
      skill: q.skill,
      text: session.messages.find((m) => m.role === 'interviewer' && (m.questionId === q.questionId || m.id === q.questionId))?.text ?? null,
      askedAt: q.at.toISOString(),
      score: scores.get(q.questionId) ?? null,
      boundary: boundaryIds.has(q.questionId),
    }));
}

/** Everything a recruiter (or an ATS) gets; validated against the published schema before it leaves. */
export function buildRecruiterExport(session: Interview, ctx: ExportContext): RecruiterExport {
  const summary = planSummary(session.plan);
  const ev = session.evaluation;
  const out: RecruiterExport = {
    schemaVersion: EXPORT_SCHEMA_VERSION,
    audience: 'recruiter',
    generatedAt: ctx.now.toISOString(),
    session: {
      id: session.id,
      clientSessionId: session.clientSessionId,
      mode: session.mode,
      status: session.status,
      endedBy: session.endedBy ?? null,
      role: { id: session.role, title: ctx.roleTitle },
      opening: ctx.opening,
      candidate: { name: session.candidateName ?? null, id: session.candidateId ?? null },
      createdAt: session.createdAt.toISOString(),
      startedAt: iso(session.startedAt),
      endedAt: iso(session.endedAt),
      deleteAfter: iso(ctx.deleteAfter ?? undefined),
    },
    transcript: exportTranscript(session),
    questions: questionsOf(session),
    plan: {
      phase: summary.phase,
      asked: summary.asked,
      scored: summary.scored,
      averageByPhase: summary.averageByPhase,
      boundaries: summary.boundaries.map((b) => ({ skill: b.skill, questionId: b.questionId, score: b.score })),
      complete: summary.complete,
    },
    evaluation: ev
      ? { status: ev.status, attempts: ev.attempts, completedAt: iso(ev.completedAt), result: ev.result ?? null, error: ev.error ?? null }
      : null,
    voice:
      session.mode === 'voice'
        ? {
            conversationId: session.voice?.conversationId ?? session.transcript?.conversationId ?? null,
            linkedBy: session.voice?.linkedBy ?? null,
            linkedAt: iso(session.voice?.linkedAt),
            durationSecs: session.transcript?.durationSecs ?? null,
            callSummary: session.transcript?.summary ?? null,
          }
        : null,
    focus: summariseFocus(session.focus, session.endedAt ?? ctx.now),
    notes: [...ctx.notes],
  };
  return recruiterExportSchema.parse(out);
}

/**
 * The candidate's own copy (docs/exports.md "What the candidate gets"): their
 * transcript and the feedback the results page shows. No notes, no per-answer
 * scores or plan, no focus signals, no link internals, no candidate id, no
 * evidence quotes — `candidateExportSchema` is strict, so a leaked field fails here.
 */
export function buildCandidateExport(session: Interview, ctx: Omit<ExportContext, 'notes'>): CandidateExport {
  const result = session.evaluation?.status === 'complete' ? session.evaluation.result : undefined;
  const out: CandidateExport = {
    schemaVersion: EXPORT_SCHEMA_VERSION,
    audience: 'candidate',
    generatedAt: ctx.now.toISOString(),
    session: {
      id: session.id,
      clientSessionId: session.clientSessionId,
      mode: session.mode,
      status: session.status,
      role: { id: session.role, title: ctx.roleTitle },
      opening: ctx.opening ? { title: ctx.opening.title } : null,
      candidateName: session.candidateName ?? null,
      createdAt: session.createdAt.toISOString(),
      startedAt: iso(session.startedAt),
      endedAt: iso(session.endedAt),
      deleteAfter: iso(ctx.deleteAfter ?? undefined),
    },
    transcript: exportTranscript(session),
    feedback: result
      ? {
          overall: result.overall,
          summary: result.summary,
          strengths: result.strengths,
          concerns: result.concerns,
          competencies: result.competencies.map((c) => ({ name: c.name, score: c.score })),
        }
      : null,
  };
  return candidateExportSchema.parse(out);
}
