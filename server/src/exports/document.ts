import type { CandidateExport, ExportTranscript, RecruiterExport, SessionExport } from '../../../shared/export.js';

/**
 * An export as a readable document (pure): the title, the line every PDF page
 * repeats, and a list of blocks. Markdown and PDF render the same document, so
 * both always say the same thing; JSON is the export object itself.
 */
export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'fields'; rows: Array<[label: string, value: string]> }
  | { kind: 'paragraph'; text: string; strong?: boolean; muted?: boolean }
  | { kind: 'list'; title: string; items: string[] }
  | { kind: 'table'; columns: string[]; rows: string[][] }
  | { kind: 'turn'; speaker: string; role: 'interviewer' | 'candidate'; when: string | null; text: string };

export interface ExportDocument {
  title: string;
  /** On every PDF page: who and for what. */
  runningHeader: string;
  blocks: Block[];
}

const PHASE: Record<string, string> = { warmup: 'warm-up', standard: 'standard', advanced: 'advanced' };

/** "2026-01-01 10:32 UTC" */
export function humanDate(iso: string | null): string {
  if (!iso) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function clock(iso: string): string {
  return `${iso.slice(11, 19)} UTC`;
}

function callTime(secs: number): string {
  const s = Math.floor(secs);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} into the call`;
}

function score(n: number | null): string {
  return n === null ? '—' : `${n.toFixed(1)} / 10`;
}

function duration(secs: number): string {
  if (secs < 60) return `${Math.round(secs)} s`;
  return `${Math.floor(secs / 60)} min ${Math.round(secs % 60)} s`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const TRANSCRIPT_NOTE: Record<ExportTranscript['source'], string> = {
  text: 'Typed interview.',
  webhook: 'Voice interview: the transcript of the call, as recorded by the voice platform.',
  voice_live: 'Voice interview: the lines captured live during the call (no post-call transcript arrived).',
  none: 'Nothing was said in this interview yet.',
};

function transcriptBlocks(transcript: ExportTranscript, candidateLabel: string): Block[] {
  const blocks: Block[] = [{ kind: 'heading', text: 'Transcript' }, { kind: 'paragraph', text: TRANSCRIPT_NOTE[transcript.source], muted: true }];
  for (const e of transcript.entries) {
    blocks.push({
      kind: 'turn',
      speaker: e.speaker === 'interviewer' ? 'Interviewer' : candidateLabel,
      role: e.speaker,
      when: e.at ? clock(e.at) : e.timeInCallSecs !== null ? callTime(e.timeInCallSecs) : null,
      text: e.text,
    });
  }
  return blocks;
}

function retentionLine(deleteAfter: string | null): string {
  return deleteAfter ? `deleted after ${humanDate(deleteAfter)}` : 'kept (no retention period set)';
}

export function recruiterDocument(x: RecruiterExport): ExportDocument {
  const name = x.session.candidate.name ?? 'Anonymous candidate';
  const role = x.session.opening ? `${x.session.opening.title} (${x.session.role.title})` : x.session.role.title;
  const blocks: Block[] = [
    {
      kind: 'fields',
      rows: [
        ['Candidate', x.session.candidate.id ? `${name} (id ${x.session.candidate.id})` : name],
        ['Role', role],
        ['Mode', x.session.mode === 'voice' ? 'voice' : 'text'],
        ['Status', x.session.endedBy ? `${x.session.status} (ended by ${x.session.endedBy})` : x.session.status],
        ['Started', humanDate(x.session.startedAt ?? x.session.createdAt)],
        ['Ended', humanDate(x.session.endedAt)],
        ['Retention', retentionLine(x.session.deleteAfter)],
        ['Session', x.session.id],
        ['Exported', humanDate(x.generatedAt)],
      ],
    },
  ];

  blocks.push({ kind: 'heading', text: 'Evaluation' });
  const result = x.evaluation?.result ?? null;
  if (!x.evaluation) blocks.push({ kind: 'paragraph', text: 'No evaluation (the interview has not ended).', muted: true });
  else if (!result) blocks.push({ kind: 'paragraph', text: `Evaluation ${x.evaluation.status}${x.evaluation.error ? `: ${x.evaluation.error}` : ''}.`, muted: true });
  else {
    blocks.push({ kind: 'paragraph', text: `Overall ${score(result.overall)}`, strong: true });
    if (result.summary) blocks.push({ kind: 'paragraph', text: result.summary });
    if (result.strengths.length > 0) blocks.push({ kind: 'list', title: 'Strengths', items: result.strengths });
    if (result.concerns.length > 0) blocks.push({ kind: 'list', title: 'Concerns', items: result.concerns });
    if (result.competencies.length > 0) {
      blocks.push({ kind: 'table', columns: ['Competency', 'Score', 'Evidence'], rows: result.competencies.map((c) => [c.name, score(c.score), c.evidence ?? '']) });
    }
  }

  blocks.push({ kind: 'heading', text: 'Questions' });
  if (x.questions.length === 0) blocks.push({ kind: 'paragraph', text: 'No planned questions (voice interviews are led by the voice agent).', muted: true });
  else {
    blocks.push({
      kind: 'table',
      columns: ['#', 'Phase', 'Skill', 'Difficulty', 'Score'],
      rows: x.questions.map((q) => [String(q.number), PHASE[q.phase] ?? q.phase, q.skill, String(q.difficulty), `${score(q.score)}${q.boundary ? ' (boundary)' : ''}`]),
    });
    const avg = x.plan.averageByPhase;
    const averages = (['warmup', 'standard', 'advanced'] as const).flatMap((p) => (avg[p] === null ? [] : [`${PHASE[p]} ${avg[p].toFixed(1)}`]));
    if (averages.length > 0) blocks.push({ kind: 'paragraph', text: `Average score by phase: ${averages.join(' · ')}.`, muted: true });
  }

  if (x.voice) {
    blocks.push({ kind: 'heading', text: 'Voice call' });
    blocks.push({
      kind: 'fields',
      rows: [
        ['Conversation', x.voice.conversationId ?? '—'],
        ['Linked by', x.voice.linkedBy ? x.voice.linkedBy.replace(/_/g, ' ') : 'not linked'],
        ['Duration', x.voice.durationSecs === null ? '—' : duration(x.voice.durationSecs)],
      ],
    });
    if (x.voice.callSummary) blocks.push({ kind: 'paragraph', text: `Call summary: ${x.voice.callSummary}` });
  }

  blocks.push({ kind: 'heading', text: 'Focus signals' });
  const f = x.focus;
  blocks.push({
    kind: 'paragraph',
    text:
      f.signals === 0
        ? 'No focus signals were recorded.'
        : `Left the page ${plural(f.hiddenCount, 'time')} (${duration(f.hiddenSecs)} away) · ${plural(f.pasteCount, 'paste')}${f.pasteCount > 0 ? ` (${f.pastedChars} characters)` : ''}${f.truncated ? ' · older signals were dropped (cap reached)' : ''}.`,
  });

  if (x.notes.length > 0) {
    blocks.push({ kind: 'heading', text: 'Recruiter notes' });
    blocks.push({
      kind: 'list',
      title: '',
      items: x.notes.map(
        (n) => `${n.author.name}${n.rating !== null ? ` (rating ${n.rating})` : ''}, ${humanDate(n.createdAt)}${n.messageId ? `, on message ${n.messageId}` : ''}: ${n.text}`,
      ),
    });
  }

  blocks.push(...transcriptBlocks(x.transcript, name));
  return { title: `Interview: ${name}`, runningHeader: `${name} · ${role}`, blocks };
}

export function candidateDocument(x: CandidateExport): ExportDocument {
  const name = x.session.candidateName ?? 'You';
  const role = x.session.opening ? `${x.session.opening.title} (${x.session.role.title})` : x.session.role.title;
  const blocks: Block[] = [
    {
      kind: 'fields',
      rows: [
        ['Candidate', name],
        ['Role', role],
        ['Mode', x.session.mode],
        ['Started', humanDate(x.session.startedAt ?? x.session.createdAt)],
        ['Ended', humanDate(x.session.endedAt)],
        ['Your data', retentionLine(x.session.deleteAfter)],
        ['Exported', humanDate(x.generatedAt)],
      ],
    },
    { kind: 'heading', text: 'Feedback' },
  ];
  const fb = x.feedback;
  if (!fb) blocks.push({ kind: 'paragraph', text: 'No feedback has been generated for this interview yet.', muted: true });
  else {
    blocks.push({ kind: 'paragraph', text: `Overall ${score(fb.overall)}`, strong: true });
    if (fb.summary) blocks.push({ kind: 'paragraph', text: fb.summary });
    if (fb.strengths.length > 0) blocks.push({ kind: 'list', title: 'Strengths', items: fb.strengths });
    if (fb.concerns.length > 0) blocks.push({ kind: 'list', title: 'To work on', items: fb.concerns });
    if (fb.competencies.length > 0) blocks.push({ kind: 'table', columns: ['Competency', 'Score'], rows: fb.competencies.map((c) => [c.name, score(c.score)]) });
  }
  blocks.push(...transcriptBlocks(x.transcript, x.session.candidateName ?? 'You'));
  return { title: `Your interview: ${role}`, runningHeader: `${name} · ${role}`, blocks };
}

export function exportDocument(x: SessionExport): ExportDocument {
  return x.audience === 'recruiter' ? recruiterDocument(x) : candidateDocument(x);
}
