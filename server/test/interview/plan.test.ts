import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { askedQuestionSchema, EMPTY_PLAN, type Phase, type PlanState } from '../../../shared/plan.js';
import {
  askedEntry,
  boundariesOf,
  nextQuestion,
  PLAN_RULES,
  planSummary,
  toPlanState,
  type NextQuestion,
} from '../../src/interview/plan.js';
import { findRole, ROLES } from '../../src/interview/roles.js';
import type { RoleProfile } from '../../src/llm/port.js';

const AT = new Date('2026-01-01T00:00:00Z');
const role = findRole('backend-engineer')!;
const RANK: Record<Phase, number> = { warmup: 0, standard: 1, advanced: 2 };

type Ask = Extract<NextQuestion, { kind: 'ask' }>;

/** A plan with hand-written facts: [phase, skill, score | null, difficulty?] per question. */
function planOf(rows: Array<[Phase, string, number | null, number?]>): PlanState {
  const plan: PlanState = { asked: [], scores: [] };
  rows.forEach(([phase, skill, score, difficulty], i) => {
    const questionId = `q${i + 1}`;
    const d = difficulty ?? (phase === 'warmup' ? 1 : phase === 'standard' ? 2 : 4);
    plan.asked.push({ questionId, number: i + 1, phase, difficulty: d, skill, at: AT });
    if (score !== null) plan.scores.push({ questionId, score, at: AT });
  });
  return plan;
}

function ask(plan: PlanState, r: RoleProfile = role, seed = 'seed'): Ask {
  const next = nextQuestion(plan, r, seed);
  if (next.kind !== 'ask') throw new Error(`expected a question, got ${next.reason}`);
  return next;
}

const SKILLS = role.skills.map((s) => s.id);
const skill = (i: number): string => SKILLS[i % SKILLS.length]!;

interface Step {
  decision: Ask;
  /** Scores present in the plan when this question was decided. */
  visibleScores: Map<string, number>;
  plan: PlanState;
}

interface Run {
  steps: Step[];
  end: NextQuestion & { kind: 'complete' };
  plan: PlanState;
}

/**
 * Drives the plan the way the turn loop does: decide, record the question, and
 * let each question's score (or none) arrive `lag` decisions later.
 */
function simulate(r: RoleProfile, seed: string, scoreOf: (d: Ask) => number | null, lagOf: (n: number) => number = () => 1): Run {
  let plan: PlanState = { asked: [], scores: [] };
  const pending: Array<{ due: number; questionId: string; score: number }> = [];
  const steps: Step[] = [];
  for (let i = 0; i < 50; i++) {
    const arrived = pending.filter((p) => p.due <= plan.asked.length);
    for (const p of arrived) pending.splice(pending.indexOf(p), 1);
    plan = { ...plan, scores: [...plan.scores, ...arrived.map((p) => ({ questionId: p.questionId, score: p.score, at: AT }))] };
    const next = nextQuestion(plan, r, seed);
    if (next.kind === 'complete') return { steps, end: next, plan };
    steps.push({ decision: next, visibleScores: new Map(plan.scores.map((s) => [s.questionId, s.score])), plan });
    const questionId = `q${next.number}`;
    plan = { ...plan, asked: [...plan.asked, askedEntry(next, questionId, AT)] };
    const score = scoreOf(next);
    if (score !== null) pending.push({ due: next.number + lagOf(next.number), questionId, score });
  }
  throw new Error('plan never completed');
}

describe('warm-up', () => {
  it('starts an empty plan with a difficulty-1 warm-up question numbered 1', () => {
    expect(ask(EMPTY_PLAN)).toMatchObject({ kind: 'ask', number: 1, phase: 'warmup', difficulty: 1 });
  });

  it.each([
    { case: 'both warm-ups scored well', rows: [6, 8], third: false },
    { case: 'only the first scored, well', rows: [7, null], third: false },
    { case: 'nothing scored yet', rows: [null, null], third: false },
    { case: 'the first scored below 5', rows: [3, null], third: true },
    { case: 'the second scored below 5', rows: [9, 4.9], third: true },
  ])('asks a third warm-up only when a scored warm-up answer is below 5 ($case)', ({ rows, third }) => {
    const plan = planOf(rows.map((s, i) => ['warmup', skill(i), s] as [Phase, string, number | null]));
    expect(ask(plan).phase).toBe(third ? 'warmup' : 'standard');
  });

  it('never asks more than three warm-up questions', () => {
    const plan = planOf([0, 0, 0].map((s, i) => ['warmup', skill(i), s] as [Phase, string, number | null]));
    expect(ask(plan).phase).toBe('standard');
  });

  it('does not count warm-up scores below 5 as skill boundaries', () => {
    expect(boundariesOf(planOf([['warmup', 'api-design', 0], ['warmup', 'concurrency', 1]]))).toEqual([]);
  });
});

describe('standard phase', () => {
  const warm: Array<[Phase, string, number | null]> = [
    ['warmup', skill(0), 8],
    ['warmup', skill(1), 8],
  ];
  const standard = (scores: Array<number | null>): PlanState =>
    planOf([...warm, ...scores.map((s, i) => ['standard', skill(i + 2), s] as [Phase, string, number | null])]);

  it('starts at difficulty 2 and steps up to 3 after a strong answer, back to 2 after a weaker one', () => {
    expect(ask(standard([])).difficulty).toBe(2);
    expect(ask(standard([8])).difficulty).toBe(3);
    expect(ask(standard([8, 6])).difficulty).toBe(2);
    // An unscored latest answer: the latest scored one decides.
    expect(ask(standard([8, null])).difficulty).toBe(3);
  });

  it.each([
    { case: '4 strong answers', scores: [10, 10, 10, 10], phase: 'standard' },
    { case: '5 answers averaging 7 with 4 scored', scores: [7, 7, 7, 7, null], phase: 'advanced' },
    { case: '5 answers with only 3 scored', scores: [9, 9, 9, null, null], phase: 'standard' },
    { case: '5 answers averaging 6.9', scores: [6.9, 6.9, 6.9, 6.9, 6.9], phase: 'standard' },
    { case: '6 answers averaging 8 despite one boundary', scores: [9, 9, 9, 9, 4, 8], phase: 'advanced' },
  ])('advances to advanced only after 5 standard questions with an average >= 7 over >= 4 scores ($case)', ({ scores, phase }) => {
    expect(ask(standard(scores)).phase).toBe(phase);
  });

  it('keeps asking standard questions after 8 standard questions with an average below 7', () => {
    const plan = standard([6, 6, 6, 6, 6, 6, 6, 6]);
    expect(plan.asked).toHaveLength(10);
    expect(ask(plan)).toMatchObject({ number: 11, phase: 'standard' });
  });

  it('promotes late when late scores lift the standard average to 7 after the 8th standard question', () => {
    const before = standard([8, 8, 8, 8, 8, 8, 8, 8, 8].map(() => null));
    expect(ask(before).phase).toBe('standard');
    const late = { ...before, scores: before.asked.slice(2).map((a) => ({ questionId: a.questionId, score: 8, at: AT })) };
    expect(ask(late).phase).toBe('advanced');
  });

  it('counts a standard score below 5 as a boundary and moves to another skill', () => {
    const plan = standard([4]);
    expect(boundariesOf(plan)).toEqual([{ questionId: 'q3', skill: skill(2), score: 4 }]);
    for (let extra = 0; extra < 8; extra++) {
      const longer = planOf([
        ...warm,
        ['standard', skill(2), 4],
        ...Array.from({ length: extra }, (_, i) => ['standard', skill(i + 3), 6] as [Phase, string, number | null]),
      ]);
      expect(ask(longer).skill).not.toBe(skill(2));
    }
  });
});

describe('advanced phase', () => {
  const base: Array<[Phase, string, number | null, number?]> = [
    ['warmup', skill(0), 8],
    ['warmup', skill(1), 8],
    ...[0, 1, 2, 3, 4].map((i) => ['standard', skill(i), 9] as [Phase, string, number | null]),
  ];
  const advanced = (rows: Array<[number | null, number]>): PlanState =>
    planOf([...base, ...rows.map(([s, d], i) => ['advanced', skill(i), s, d] as [Phase, string, number | null, number])]);

  it('starts at difficulty 4, steps up to 5 after a strong answer, holds on a middling one and resets to 4 after a boundary', () => {
    expect(ask(advanced([]))).toMatchObject({ phase: 'advanced', difficulty: 4 });
    expect(ask(advanced([[8, 4]])).difficulty).toBe(5);
    expect(ask(advanced([[8, 4], [6, 5]])).difficulty).toBe(5);
    expect(ask(advanced([[8, 4], [3, 5]])).difficulty).toBe(4);
    expect(ask(advanced([[8, 4], [null, 5]])).difficulty).toBe(5);
  });

  it('never goes back to standard, even when advanced answers are weak', () => {
    expect(ask(advanced([[1, 4], [2, 4]])).phase).toBe('advanced');
  });

  it('does not probe a skill again once it has a boundary', () => {
    const plan = advanced([[2, 4]]);
    expect(ask(plan).skill).not.toBe(skill(0));
  });
});

describe('completion', () => {
  const fillers = (n: number, score: number | null): Array<[Phase, string, number | null]> =>
    Array.from({ length: n }, (_, i) => ['standard', skill(i), score] as [Phase, string, number | null]);

  it('completes at 12 questions when two skills have boundaries', () => {
    const plan = planOf([...fillers(10, 6), ['standard', 'api-design', 3], ['standard', 'concurrency', 2]]);
    expect(nextQuestion(plan, role, 's')).toEqual({ kind: 'complete', reason: 'boundaries_found' });
  });

  it('does not complete before 12 questions even with two boundaries', () => {
    const plan = planOf([...fillers(9, 6), ['standard', 'api-design', 3], ['standard', 'concurrency', 2]]);
    expect(ask(plan).number).toBe(12);
  });

  it('counts two failures in the same skill as one boundary', () => {
    const plan = planOf([...fillers(10, 6), ['standard', 'api-design', 3], ['advanced', 'api-design', 2]]);
    expect(boundariesOf(plan)).toHaveLength(1);
    expect(ask(plan).number).toBe(13);
  });

  it('does not wait for the score of the 12th answer: it asks question 13', () => {
    const plan = planOf([...fillers(10, 6), ['standard', 'api-design', 3], ['standard', 'concurrency', null]]);
    expect(ask(plan).number).toBe(13);
    const scored = { ...plan, scores: [...plan.scores, { questionId: 'q12', score: 1, at: AT }] };
    expect(nextQuestion(scored, role, 's')).toEqual({ kind: 'complete', reason: 'boundaries_found' });
  });

  it('completes at 20 questions whatever the scores', () => {
    for (const score of [null, 0, 5, 10]) {
      expect(nextQuestion(planOf(fillers(20, score)), role, 's')).toEqual({ kind: 'complete', reason: 'max_questions' });
    }
  });
});

describe('scores and stored facts', () => {
  it('keeps the first of duplicate scores and ignores scores of questions never asked', () => {
    const plan = planOf([['standard', 'api-design', 3]]);
    plan.scores.push({ questionId: 'q1', score: 9, at: AT }, { questionId: 'q99', score: 0, at: AT });
    expect(planSummary(plan)).toMatchObject({ scored: 1, boundaries: [{ questionId: 'q1', score: 3 }] });
  });

  it('derives the same decision whatever the storage order of asked[]', () => {
    const plan = planOf([['warmup', skill(0), 8], ['warmup', skill(1), 8], ['standard', skill(2), 8]]);
    const reversed = { ...plan, asked: [...plan.asked].reverse() };
    expect(nextQuestion(reversed, role, 'x')).toEqual(nextQuestion(plan, role, 'x'));
  });

  it('reads the stored empty plan {} as an empty plan and rejects malformed facts', () => {
    expect(toPlanState({})).toEqual(EMPTY_PLAN);
    expect(toPlanState(planOf([['warmup', 'api-design', 5]])).asked).toHaveLength(1);
    expect(() => toPlanState({ asked: 'nope' })).toThrow();
  });

  it('builds an asked entry that matches the stored schema', () => {
    const entry = askedEntry(ask(EMPTY_PLAN), 'q_1', AT);
    expect(askedQuestionSchema.parse(entry)).toEqual(entry);
  });
});

describe('planSummary', () => {
  it('summarises an empty plan', () => {
    expect(planSummary(EMPTY_PLAN)).toEqual({
      phase: 'warmup',
      nextPhase: 'warmup',
      asked: 0,
      scored: 0,
      averageByPhase: { warmup: null, standard: null, advanced: null },
      boundaries: [],
      complete: null,
    });
  });

  it('reports phase, averages per phase, boundaries and completion', () => {
    const plan = planOf([
      ['warmup', 'api-design', 6],
      ['warmup', 'concurrency', 7],
      ['standard', 'api-design', 3],
      ['standard', 'reliability', null],
      ['standard', 'concurrency', 8],
    ]);
    expect(planSummary(plan)).toEqual({
      phase: 'standard',
      nextPhase: 'standard',
      asked: 5,
      scored: 4,
      averageByPhase: { warmup: 6.5, standard: 5.5, advanced: null },
      boundaries: [{ questionId: 'q3', skill: 'api-design', score: 3 }],
      complete: null,
    });
    const full = planOf(Array.from({ length: 20 }, (_, i) => ['standard', skill(i), 6] as [Phase, string, number | null]));
    expect(planSummary(full)).toMatchObject({ complete: 'max_questions', nextPhase: null, asked: 20 });
  });
});

describe('skill selection', () => {
  it('probes every skill once in the first standard questions before repeating one', () => {
    const run = simulate(role, 'rotation', () => 6);
    const standard = run.steps.filter((s) => s.decision.phase === 'standard').map((s) => s.decision.skill);
    expect(new Set(standard.slice(0, SKILLS.length)).size).toBe(SKILLS.length);
  });

  it('never asks the same skill twice in a row while no boundary forces it', () => {
    const run = simulate(role, 'no-repeat', () => 6);
    run.steps.slice(1).forEach((s, i) => expect(s.decision.skill).not.toBe(run.steps[i]!.decision.skill));
  });

  it('varies the skill order between seeds and is stable for one seed', () => {
    const first = (seed: string): string => ask(EMPTY_PLAN, role, seed).skill;
    const seeds = Array.from({ length: 20 }, (_, i) => `session-${i}`);
    expect(new Set(seeds.map(first)).size).toBeGreaterThan(1);
    expect(seeds.map(first)).toEqual(seeds.map(first));
  });

  it('rejects a role without skills', () => {
    expect(() => nextQuestion(EMPTY_PLAN, { ...role, skills: [] }, 's')).toThrow(RangeError);
  });
});

describe('simulated interviews', () => {
  it('takes a consistently strong candidate through all phases to 20 questions when no boundary appears', () => {
    const run = simulate(role, 'strong', () => 9);
    expect(run.steps.map((s) => s.decision.phase)).toEqual([
      ...Array<Phase>(2).fill('warmup'),
      ...Array<Phase>(5).fill('standard'),
      ...Array<Phase>(13).fill('advanced'),
    ]);
    expect(run.end.reason).toBe('max_questions');
  });

  it('finishes a weak candidate at 12 questions once two boundaries are known', () => {
    const run = simulate(role, 'weak', () => 3);
    expect(run.steps).toHaveLength(12);
    expect(run.end.reason).toBe('boundaries_found');
    expect(run.steps.filter((s) => s.decision.phase === 'advanced')).toHaveLength(0);
  });

  it('lets a strong candidate hit two advanced boundaries and finish early', () => {
    const run = simulate(role, 'ceiling', (d) => (d.difficulty >= 5 ? 4 : 9));
    expect(run.end.reason).toBe('boundaries_found');
    expect(run.steps.length).toBeGreaterThanOrEqual(12);
    expect(run.steps.length).toBeLessThan(20);
    expect(planSummary(run.plan).boundaries.length).toBeGreaterThanOrEqual(2);
  });

  it('never blocks on missing scores: an interview with no scores at all runs to 20', () => {
    const run = simulate(role, 'unscored', () => null);
    expect(run.steps).toHaveLength(20);
    expect(run.end.reason).toBe('max_questions');
    expect(new Set(run.steps.map((s) => s.decision.phase))).toEqual(new Set(['warmup', 'standard']));
  });
});

describe('properties', () => {
  const roleArb = fc.constantFrom(...ROLES);
  /**
   * Per question: a score or never scored, plus how many decisions later the
   * score lands. Scores cluster around a candidate's ability (±3) so runs often
   * sit near the 5 and 7 thresholds, which is where the rules are decided.
   */
  const scoringArb = fc
    .record({
      ability: fc.integer({ min: 0, max: 100 }),
      deltas: fc.array(fc.integer({ min: -30, max: 30 }), { minLength: 20, maxLength: 20 }),
      missing: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
      missingMode: fc.constantFrom('none', 'some', 'all'),
      lags: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 20, maxLength: 20 }),
    })
    .map(({ ability, deltas, missing, missingMode, lags }) => ({
      scores: deltas.map((d, i) =>
        missingMode === 'all' || (missingMode === 'some' && missing[i]) ? null : Math.min(10, Math.max(0, (ability + d) / 10)),
      ),
      lags,
    }));
  const run = (r: RoleProfile, seed: string, s: { scores: Array<number | null>; lags: number[] }): Run =>
    simulate(
      r,
      seed,
      (d) => s.scores[d.number - 1] ?? null,
      (n) => s.lags[n - 1] ?? 1,
    );
  const params = { numRuns: 300 };

  it('always completes by 20 questions and never before 12 unless it reaches 20', () => {
    fc.assert(
      fc.property(roleArb, fc.string(), scoringArb, (r, seed, s) => {
        const { steps, end, plan } = run(r, seed, s);
        expect(steps.length).toBeLessThanOrEqual(PLAN_RULES.maxQuestions);
        if (end.reason === 'max_questions') expect(steps).toHaveLength(20);
        else {
          expect(steps.length).toBeGreaterThanOrEqual(PLAN_RULES.completeMinQuestions);
          expect(boundariesOf(plan).length).toBeGreaterThanOrEqual(2);
        }
      }),
      params,
    );
  });

  it('numbers questions 1..n and never moves the phase backwards', () => {
    fc.assert(
      fc.property(roleArb, fc.string(), scoringArb, (r, seed, s) => {
        const { steps } = run(r, seed, s);
        steps.forEach((step, i) => {
          expect(step.decision.number).toBe(i + 1);
          if (i > 0) expect(RANK[step.decision.phase]).toBeGreaterThanOrEqual(RANK[steps[i - 1]!.decision.phase]);
        });
      }),
      params,
    );
  });

  it('keeps warm-up at 2–3 questions, standard at >= 5 before advanced, and difficulty within the phase band', () => {
    fc.assert(
      fc.property(roleArb, fc.string(), scoringArb, (r, seed, s) => {
        const phases = run(r, seed, s).steps.map((x) => x.decision);
        const count = (p: Phase): number => phases.filter((d) => d.phase === p).length;
        expect(count('warmup')).toBeGreaterThanOrEqual(2);
        expect(count('warmup')).toBeLessThanOrEqual(3);
        if (count('advanced') > 0) expect(count('standard')).toBeGreaterThanOrEqual(5);
        for (const d of phases) {
          const band = { warmup: [1, 1], standard: [2, 3], advanced: [4, 5] }[d.phase];
          expect(d.difficulty).toBeGreaterThanOrEqual(band[0]!);
          expect(d.difficulty).toBeLessThanOrEqual(band[1]!);
        }
      }),
      params,
    );
  });

  it('advances to advanced only when the visible standard average is >= 7', () => {
    fc.assert(
      fc.property(roleArb, fc.string(), scoringArb, (r, seed, s) => {
        const { steps } = run(r, seed, s);
        const first = steps.find((x) => x.decision.phase === 'advanced');
        if (!first) return;
        const standardIds = first.plan.asked.filter((a) => a.phase === 'standard').map((a) => a.questionId);
        const visible = standardIds.flatMap((id) => (first.visibleScores.has(id) ? [first.visibleScores.get(id)!] : []));
        expect(visible.length).toBeGreaterThanOrEqual(PLAN_RULES.advanceMinScored);
        expect(visible.reduce((a, b) => a + b, 0) / visible.length).toBeGreaterThanOrEqual(7);
      }),
      params,
    );
  });

  it('asks only role skills and avoids skills with a known boundary while others remain', () => {
    fc.assert(
      fc.property(roleArb, fc.string(), scoringArb, (r, seed, s) => {
        const ids = r.skills.map((x) => x.id);
        for (const step of run(r, seed, s).steps) {
          expect(ids).toContain(step.decision.skill);
          const bounded = new Set(boundariesOf(step.plan).map((b) => b.skill));
          if (bounded.size < ids.length) expect(bounded.has(step.decision.skill)).toBe(false);
        }
      }),
      params,
    );
  });

  it('is deterministic for a seed', () => {
    fc.assert(
      fc.property(roleArb, fc.string(), scoringArb, (r, seed, s) => {
        expect(run(r, seed, s).steps.map((x) => x.decision)).toEqual(run(r, seed, s).steps.map((x) => x.decision));
      }),
      { numRuns: 100 },
    );
  });

  it('two boundaries after 12 questions complete the interview', () => {
    fc.assert(
      fc.property(roleArb, fc.string(), scoringArb, (r, seed, s) => {
        for (const step of run(r, seed, s).steps) {
          if (step.plan.asked.length >= 12) expect(boundariesOf(step.plan).length).toBeLessThan(2);
        }
      }),
      params,
    );
  });

  it('never throws on arbitrary stored facts and never decides a phase below the latest asked one', () => {
    const askedArb = fc.array(
      fc.record({
        phase: fc.constantFrom<Phase>('warmup', 'standard', 'advanced'),
        difficulty: fc.integer({ min: 1, max: 5 }),
        skill: fc.constantFrom(...SKILLS, 'retired-skill'),
        score: fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: null }),
      }),
      { maxLength: 25 },
    );
    fc.assert(
      fc.property(askedArb, fc.string(), (rows, seed) => {
        const plan = planOf(rows.map((x) => [x.phase, x.skill, x.score, x.difficulty]));
        const next = nextQuestion(plan, role, seed);
        const summary = planSummary(plan);
        if (next.kind === 'ask') {
          expect(next.number).toBe(rows.length + 1);
          const latest = Math.max(-1, ...rows.map((x) => RANK[x.phase]));
          expect(RANK[next.phase]).toBeGreaterThanOrEqual(latest);
          expect(summary.nextPhase).toBe(next.phase);
        } else {
          expect(summary.complete).toBe(next.reason);
        }
      }),
      params,
    );
  });
});
