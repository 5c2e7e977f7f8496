import { evaluationResultSchema, type EvaluationResult } from '../../../../shared/interview.js';
import type { Phase } from '../../../../shared/plan.js';
import { LlmError, type EvaluationRequest, type TranscriptEntry } from '../port.js';
import { allKeywords, type QuestionBank } from './banks/index.js';
import { assess, type AnswerFeatures } from './scoring.js';
import { displayLabel, salientPhrase } from './text.js';

/**
 * The deterministic end-of-interview report. The plan's stored scores are the
 * source of truth; an unscored question whose answer is in the transcript is
 * scored here with the same heuristic, so the report never has holes that a
 * late scorer would have filled.
 */

/** Harder phases weigh more in the overall score. */
const PHASE_WEIGHT: Record<Phase, number> = { warmup: 0.5, standard: 1, advanced: 1.5 };

interface Assessed {
  number: number;
  phase: Phase;
  skill: string;
  score: number;
  answer: string | undefined;
  features: AnswerFeatures | undefined;
}

/** Answers by question number: the candidate lines after the n-th interviewer line. */
export function answersByNumber(transcript: readonly TranscriptEntry[]): Map<number, string> {
  const answers = new Map<number, string>();
  let number = 0;
  for (const entry of transcript) {
    if (entry.role === 'interviewer') number++;
    else if (number > 0) answers.set(number, [answers.get(number), entry.text].filter(Boolean).join(' '));
  }
  return answers;
}

export function buildEvaluation(request: EvaluationRequest, bank: QuestionBank): EvaluationResult {
  const { role } = request;
  const answers = answersByNumber(request.transcript);
  const roleKeywords = allKeywords(bank);
  const skillName = (id: string): string => role.skills.find((s) => s.id === id)?.name ?? id;

  const assessed: Assessed[] = [];
  let unscored = 0;
  for (const entry of request.scores) {
    const answer = answers.get(entry.number);
    const keywords = bank.keywords[entry.skill] ?? [];
    const heuristic = answer === undefined ? undefined : assess(answer, entry.phase === 'warmup' ? 1 : 3, keywords, roleKeywords);
    const score = entry.score ?? heuristic?.score;
    if (score === undefined) {
      unscored++;
      continue;
    }
    assessed.push({ ...entry, score, answer, features: heuristic?.features });
  }

  if (assessed.length === 0) {
    return validated({
      overall: 0,
      summary: `The ${role.title} interview ended before any answer could be assessed, so there is no evidence to evaluate.`,
      strengths: [],
      concerns: ['No assessed answers: the interview ended too early to evaluate.'],
      competencies: [],
    });
  }

  const weight = (a: Assessed): number => PHASE_WEIGHT[a.phase];
  const overall = round1(
    assessed.reduce((sum, a) => sum + a.score * weight(a), 0) / assessed.reduce((sum, a) => sum + weight(a), 0),
  );

  // Skills in the role's order, then any skill the plan used that the role no longer lists.
  const skillIds = [...new Set([...role.skills.map((s) => s.id), ...assessed.map((a) => a.skill)])];
  const competencies: EvaluationResult['competencies'] = [];
  const strengths: string[] = [];
  const concerns: string[] = [];
  for (const id of skillIds) {
    const own = assessed.filter((a) => a.skill === id);
    if (own.length === 0) continue;
    const average = round1(own.reduce((sum, a) => sum + a.score, 0) / own.length);
    const best = own.reduce((x, y) => (y.score > x.score ? y : x));
    const limit = own.find((a) => a.phase !== 'warmup' && a.score < 5);
    const phrase = best.answer ? salientPhrase(best.answer, bank.keywords[id] ?? [], 4) : null;
    const name = skillName(id);
    const evidence = [
      `${own.length} answer${own.length === 1 ? '' : 's'}, up to the ${phaseLabel(maxPhase(own))} level`,
      phrase ? `strongest answer (${best.score}/10) discussed “${phrase}”` : `strongest answer scored ${best.score}/10`,
      limit ? `reached a limit at question ${limit.number} (${limit.score}/10)` : undefined,
    ].filter((p): p is string => p !== undefined);
    competencies.push({ name, score: average, evidence: `${evidence.join('; ')}.` });
    if (average >= 7) strengths.push(`${name}: consistently strong (${average}/10)${phrase ? `, e.g. on “${phrase}”` : ''}.`);
    if (limit) concerns.push(`${name}: reached a skill boundary at the ${phaseLabel(limit.phase)} level (${limit.score}/10).`);
  }

  const withFeatures = assessed.flatMap((a) => (a.features ? [a.features] : []));
  const share = (test: (f: AnswerFeatures) => boolean): number =>
    withFeatures.length === 0 ? 0 : withFeatures.filter(test).length / withFeatures.length;
  const reachedAdvanced = assessed.some((a) => a.phase === 'advanced');
  if (assessed.some((a) => a.phase === 'advanced' && a.score >= 7)) strengths.push('Handled advanced-level questions well.');
  if (share((f) => f.numbers + f.examples > 0) >= 0.5) strengths.push('Backs answers with concrete examples and numbers.');
  if (share((f) => f.tradeOffs > 0) >= 0.5) strengths.push('Explains reasoning and weighs trade-offs.');
  if (share((f) => f.words < 20) >= 0.4) concerns.push('Many answers were brief, leaving little evidence to assess.');
  const dontKnows = withFeatures.filter((f) => f.dontKnow).length;
  if (dontKnows >= 2) concerns.push(`Said they did not know ${dontKnows} times.`);
  if (assessed.length < 5) concerns.push(`Only ${assessed.length} answers were assessed, so this evaluation is tentative.`);
  if (unscored > 0) concerns.push(`${unscored} question${unscored === 1 ? ' has' : 's have'} no answer or score to assess.`);

  const ranked = [...competencies].sort((a, b) => b.score - a.score);
  const top = ranked[0];
  const bottom = ranked.at(-1);
  const summary = [
    `${role.title} interview: ${assessed.length} answer${assessed.length === 1 ? '' : 's'} assessed, overall ${overall}/10.`,
    reachedAdvanced
      ? 'The candidate progressed to advanced questions.'
      : 'The interview stayed at warm-up and standard difficulty.',
    top && bottom && top !== bottom
      ? `Strongest area: ${displayLabel(top.name)} (${top.score}/10); weakest: ${displayLabel(bottom.name)} (${bottom.score}/10).`
      : top
        ? `Assessed area: ${displayLabel(top.name)} (${top.score}/10).`
        : '',
    verdict(overall),
  ]
    .filter(Boolean)
    .join(' ');

  return validated({
    overall,
    summary,
    strengths: strengths.slice(0, 8),
    concerns: concerns.slice(0, 8),
    competencies: competencies.slice(0, 40),
  });
}

function verdict(overall: number): string {
  if (overall >= 8) return 'Overall a strong performance.';
  if (overall >= 6.5) return 'Overall a solid performance with room to grow.';
  if (overall >= 5) return 'Overall a mixed performance.';
  return 'Overall the answers fell short of what the role needs.';
}

function validated(result: EvaluationResult): EvaluationResult {
  const parsed = evaluationResultSchema.safeParse(result);
  if (!parsed.success) throw new LlmError('LLM_BAD_OUTPUT', 'scripted evaluation does not match the schema', false, { cause: parsed.error });
  return parsed.data;
}

function maxPhase(items: readonly Assessed[]): Phase {
  if (items.some((a) => a.phase === 'advanced')) return 'advanced';
  return items.some((a) => a.phase === 'standard') ? 'standard' : 'warmup';
}

function phaseLabel(phase: Phase): string {
  return phase === 'warmup' ? 'warm-up' : phase;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
