/**
 * Progressive assessment: what to ask next, derived from the stored plan facts
 * (`asked[]`, `scores[]`, both append-only). Pure: no I/O, no clock, no randomness
 * beyond the caller's seed. Full rationale: docs/interview-plan.md.
 *
 * DESIGN.md rules: warm-up 2–3 questions; standard 5–8, advance to advanced when
 * the standard average >= 7/10; advanced until a score < 5 marks a skill
 * boundary; complete at >= 12 questions with 2 boundaries, or at 20.
 *
 * Decisions where the rules are open:
 * - Scores are asynchronous. Every decision uses only the scores present now;
 *   an unscored question counts towards question totals but not towards any
 *   average or boundary. Nothing ever waits for a score.
 * - The phase of an asked question is the stored fact, so a late score never
 *   rewrites history, and the next phase is never below the latest asked phase.
 * - Warm-up is 3 questions when a scored warm-up answer is < 5 at the time the
 *   third question is decided (the candidate needs settling in), otherwise 2.
 *   An unscored warm-up answer does not trigger the third question.
 * - Standard -> advanced once >= 5 standard questions were asked, >= 4 of them
 *   are scored and their average is >= 7. Checked at every question, so a late
 *   score can still promote after the 8th standard question.
 * - After 8 standard questions with an average < 7 (or too few scores) the
 *   interview continues at standard level; the phase label stays `standard`.
 * - A boundary is a score < 5 on a standard or advanced question (warm-up scores
 *   never are). Boundaries count per skill: the first failing question of a skill
 *   is that skill's boundary, so "2 boundaries" means 2 distinct skills.
 * - Skills with a boundary are not probed again (unless every skill has one).
 * - Difficulty: warm-up 1. Standard 2, or 3 while the latest scored standard
 *   answer is >= 7. Advanced starts at 4, steps up to 5 after a latest scored
 *   advanced answer >= 7, resets to 4 after a boundary, otherwise holds.
 *   "Latest" means the highest question number, not the latest arrival.
 * - A duplicate score for one question: the first stored one wins (a retry).
 *   Scores for question ids that were never asked are ignored.
 */
import { EMPTY_PLAN, planStateSchema } from '../../../shared/plan.js';
import type { AskedQuestion, Difficulty, Phase, PlanState } from '../../../shared/plan.js';
import type { RoleProfile } from '../llm/port.js';

export const PLAN_RULES = {
  warmupMin: 2,
  warmupMax: 3,
  /** A scored warm-up answer below this earns a third warm-up question. */
  warmupExtraBelow: 5,
  standardMin: 5,
  standardMax: 8,
  advanceAverage: 7,
  /** Scored standard answers needed before the average may promote. */
  advanceMinScored: 4,
  boundaryBelow: 5,
  strongAtLeast: 7,
  completeMinQuestions: 12,
  completeBoundaries: 2,
  maxQuestions: 20,
} as const;

export type CompletionReason = 'max_questions' | 'boundaries_found';

/**
 * What an opening may change (docs/openings.md): it narrows the question counts
 * within PLAN_RULES (12 <= minQuestions <= maxQuestions <= 20) and names skills
 * the job description emphasises. Without options the rules above apply as is.
 */
export interface PlanOptions {
  /** Replaces completeMinQuestions: complete once this many were asked AND 2 boundaries were found. */
  minQuestions?: number;
  /** Replaces maxQuestions: complete at this many questions, whatever else. */
  maxQuestions?: number;
  /** Skills weighted double in the rotation: probed about twice as often as the others. */
  focusSkills?: readonly string[];
}

interface Limits {
  min: number;
  max: number;
}

function limitsOf(opts: PlanOptions): Limits {
  const max = clamp(opts.maxQuestions ?? PLAN_RULES.maxQuestions, PLAN_RULES.completeMinQuestions, PLAN_RULES.maxQuestions);
  const min = clamp(opts.minQuestions ?? PLAN_RULES.completeMinQuestions, PLAN_RULES.completeMinQuestions, max);
  return { min, max };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.floor(v)));
}

export type NextQuestion =
  | { kind: 'ask'; number: number; phase: Phase; difficulty: Difficulty; skill: string }
  | { kind: 'complete'; reason: CompletionReason };

export interface Boundary {
  questionId: string;
  skill: string;
  score: number;
}

export interface PlanSummary {
  /** Phase of the latest asked question ('warmup' before the first one). */
  phase: Phase;
  /** Phase of the next question, or null when the interview is complete. */
  nextPhase: Phase | null;
  asked: number;
  scored: number;
  averageByPhase: Record<Phase, number | null>;
  boundaries: Boundary[];
  complete: CompletionReason | null;
}

const PHASE_RANK: Record<Phase, number> = { warmup: 0, standard: 1, advanced: 2 };

/** One asked question joined with its score, if that has arrived. */
interface ScoredQuestion {
  asked: AskedQuestion;
  score: number | null;
}

/** Accepts the stored `plan` (which starts as `{}`) and returns validated facts. */
export function toPlanState(raw: unknown): PlanState {
  if (raw && typeof raw === 'object' && Object.keys(raw).length === 0) return EMPTY_PLAN;
  return planStateSchema.parse(raw);
}

/** The stored entry for a question the plan decided on; time comes from the caller. */
export function askedEntry(
  decision: Extract<NextQuestion, { kind: 'ask' }>,
  questionId: string,
  at: Date,
  mustAsk?: number,
): AskedQuestion {
  const { number, phase, difficulty, skill } = decision;
  return { questionId, number, phase, difficulty, skill, ...(mustAsk !== undefined ? { mustAsk } : {}), at };
}

export function nextQuestion(plan: PlanState, role: RoleProfile, seed: string, opts: PlanOptions = {}): NextQuestion {
  const facts = joinScores(plan);
  const complete = completion(facts, limitsOf(opts));
  if (complete) return { kind: 'complete', reason: complete };
  const phase = nextPhaseOf(facts);
  return {
    kind: 'ask',
    number: facts.length + 1,
    phase,
    difficulty: difficultyFor(facts, phase),
    skill: pickSkill(facts, role, seed, phase, opts.focusSkills ?? []),
  };
}

export function planSummary(plan: PlanState, opts: PlanOptions = {}): PlanSummary {
  const facts = joinScores(plan);
  const complete = completion(facts, limitsOf(opts));
  const average = (phase: Phase): number | null => {
    const scores = facts.filter((f) => f.asked.phase === phase).flatMap((f) => (f.score === null ? [] : [f.score]));
    return scores.length === 0 ? null : round2(mean(scores));
  };
  return {
    phase: latestPhase(facts) ?? 'warmup',
    nextPhase: complete ? null : nextPhaseOf(facts),
    asked: facts.length,
    scored: facts.filter((f) => f.score !== null).length,
    averageByPhase: { warmup: average('warmup'), standard: average('standard'), advanced: average('advanced') },
    boundaries: boundaries(facts),
    complete,
  };
}

/** Skill boundaries found so far: the first failing standard/advanced question per skill. */
export function boundariesOf(plan: PlanState): Boundary[] {
  return boundaries(joinScores(plan));
}

function joinScores(plan: PlanState): ScoredQuestion[] {
  const scores = new Map<string, number>();
  for (const s of plan.scores) if (!scores.has(s.questionId)) scores.set(s.questionId, s.score);
  // Order by question number: `asked` is appended in order, but sorting makes the
  // derivation independent of storage order.
  return [...plan.asked]
    .sort((a, b) => a.number - b.number)
    .map((asked) => ({ asked, score: scores.get(asked.questionId) ?? null }));
}

function completion(facts: ScoredQuestion[], limits: Limits): CompletionReason | null {
  if (facts.length >= limits.max) return 'max_questions';
  if (facts.length >= limits.min && boundaries(facts).length >= PLAN_RULES.completeBoundaries) {
    return 'boundaries_found';
  }
  return null;
}

function boundaries(facts: ScoredQuestion[]): Boundary[] {
  const found = new Map<string, Boundary>();
  for (const { asked, score } of facts) {
    if (asked.phase === 'warmup' || score === null || score >= PLAN_RULES.boundaryBelow) continue;
    if (!found.has(asked.skill)) found.set(asked.skill, { questionId: asked.questionId, skill: asked.skill, score });
  }
  return [...found.values()];
}

function latestPhase(facts: ScoredQuestion[]): Phase | null {
  let best: Phase | null = null;
  for (const { asked } of facts) if (best === null || PHASE_RANK[asked.phase] > PHASE_RANK[best]) best = asked.phase;
  return best;
}

function inPhase(facts: ScoredQuestion[], phase: Phase): ScoredQuestion[] {
  return facts.filter((f) => f.asked.phase === phase);
}

function scoresOf(facts: ScoredQuestion[]): number[] {
  return facts.flatMap((f) => (f.score === null ? [] : [f.score]));
}

function nextPhaseOf(facts: ScoredQuestion[]): Phase {
  const latest = latestPhase(facts);
  if (latest === null) return 'warmup';
  if (latest === 'advanced') return 'advanced';
  if (latest === 'warmup') {
    const warmup = inPhase(facts, 'warmup');
    if (warmup.length < PLAN_RULES.warmupMin) return 'warmup';
    if (warmup.length >= PLAN_RULES.warmupMax) return 'standard';
    const struggled = scoresOf(warmup).some((s) => s < PLAN_RULES.warmupExtraBelow);
    return struggled ? 'warmup' : 'standard';
  }
  return shouldAdvance(inPhase(facts, 'standard')) ? 'advanced' : 'standard';
}

function shouldAdvance(standard: ScoredQuestion[]): boolean {
  if (standard.length < PLAN_RULES.standardMin) return false;
  const scores = scoresOf(standard);
  return scores.length >= PLAN_RULES.advanceMinScored && mean(scores) >= PLAN_RULES.advanceAverage;
}

function difficultyFor(facts: ScoredQuestion[], phase: Phase): Difficulty {
  if (phase === 'warmup') return 1;
  const own = inPhase(facts, phase);
  const lastScored = [...own].reverse().find((f) => f.score !== null);
  if (phase === 'standard') return lastScored && (lastScored.score ?? 0) >= PLAN_RULES.strongAtLeast ? 3 : 2;
  const held: Difficulty = (own.at(-1)?.asked.difficulty ?? 4) >= 5 ? 5 : 4;
  const latest = lastScored?.score ?? null;
  if (latest === null) return held;
  if (latest < PLAN_RULES.boundaryBelow) return 4; // a boundary resets the climb
  return latest >= PLAN_RULES.strongAtLeast ? 5 : held;
}

/**
 * Rotation over a seed-shuffled skill order: skip skills with a boundary, prefer
 * the fewest probes in this phase, then the fewest overall, then the next skill
 * after the previous one in the rotation (so consecutive questions differ).
 */
function pickSkill(facts: ScoredQuestion[], role: RoleProfile, seed: string, phase: Phase, focus: readonly string[]): string {
  const order = shuffled(
    role.skills.map((s) => s.id),
    `${seed}:${role.id}`,
  );
  if (order.length === 0) throw new RangeError(`role ${role.id} has no skills`);
  const bounded = new Set(boundaries(facts).map((b) => b.skill));
  const open = order.filter((id) => !bounded.has(id));
  const pool = open.length > 0 ? open : order;
  // A focus skill (from the opening's job description) counts half: it comes round twice as often.
  const weight = (skill: string): number => (focus.includes(skill) ? 0.5 : 1);
  const count = (skill: string, onlyPhase: boolean): number =>
    facts.filter((f) => f.asked.skill === skill && (!onlyPhase || f.asked.phase === phase)).length * weight(skill);
  const lastSkill = facts.at(-1)?.asked.skill;
  const lastIndex = lastSkill === undefined ? -1 : order.indexOf(lastSkill);
  // Distance after the previous skill in the rotation; the previous skill itself comes last.
  const distance = (skill: string): number => {
    const i = order.indexOf(skill);
    return (((i - lastIndex - 1) % order.length) + order.length) % order.length;
  };
  const ranked = [...pool].sort(
    (a, b) => count(a, true) - count(b, true) || count(a, false) - count(b, false) || weight(a) - weight(b) || distance(a) - distance(b),
  );
  return ranked[0] ?? order[0]!;
}

/** Deterministic Fisher–Yates shuffle driven by a string seed. */
function shuffled<T>(items: readonly T[], seed: string): T[] {
  const out = [...items];
  const next = mulberry32(fnv1a(seed));
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
