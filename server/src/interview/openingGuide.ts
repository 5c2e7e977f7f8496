import type { Message } from '../../../shared/interview.js';
import type { Opening } from '../../../shared/opening.js';
import { WARMUP_MAX_QUESTIONS } from '../../../shared/opening.js';
import type { Phase, PlanState } from '../../../shared/plan.js';
import type { Repository } from '../db/repository/index.js';
import type { QuestionOpening, RoleProfile } from '../llm/port.js';
import { bankFor } from '../llm/scripted/banks/index.js';
import { matchKeywords } from '../llm/scripted/text.js';
import { findPersona } from './personas.js';
import type { PlanOptions } from './plan.js';

/**
 * What an opening changes in a session's turns (docs/openings.md), derived once
 * per turn from the stored opening and transcript:
 * - plan limits: minQuestions/maxQuestions, raised so every must-ask question
 *   fits after the warm-up (min >= 3 + mustAsk.length, capped at max);
 * - focus skills: role skills whose keywords (the question banks' keyword lists,
 *   which both interviewers share) appear in the job description;
 * - the must-ask question due now: after the warm-up, the first one not asked
 *   yet, in order — so they open the standard phase and count as plan questions.
 *   "Asked" is the stored plan fact (`plan.asked[].mustAsk`, written with the question),
 *   so every node agrees without reading the transcript.
 */

/** What the guide reads of a session: the plan facts and the transcript's tail. */
export interface GuideInput {
  openingId?: string | undefined;
  plan: PlanState;
  tail: readonly Pick<Message, 'role' | 'text'>[];
}

export interface SessionGuide {
  opening: Opening;
  planOptions: PlanOptions;
  /** The opening part of the question request for a question in `phase`. */
  forQuestion(session: GuideInput, phase: Phase): QuestionOpening;
}

/** Openings are re-read after this long, so an edit reaches running sessions within it. */
const CACHE_MS = 30_000;
const MAX_CACHED = 1000;

export class OpeningGuides {
  private readonly openings = new Map<string, { opening: Opening; until: number }>();

  constructor(
    private readonly repo: Pick<Repository, 'findOpeningById'>,
    private readonly now: () => number = Date.now,
  ) {}

  async guideFor(session: Pick<GuideInput, 'openingId'>, role: RoleProfile): Promise<SessionGuide | null> {
    if (!session.openingId) return null;
    const opening = await this.load(session.openingId);
    if (!opening) return null;
    const focusSkills = focusSkillsOf(role, opening.jobDescription);
    const persona = findPersona(opening.persona);
    const { minQuestions, maxQuestions } = opening.length;
    const planOptions: PlanOptions = {
      maxQuestions,
      minQuestions: Math.min(maxQuestions, Math.max(minQuestions, WARMUP_MAX_QUESTIONS + opening.mustAsk.length)),
      focusSkills,
    };
    return {
      opening,
      planOptions,
      forQuestion: (s, phase) => {
        const base: QuestionOpening = { persona, jobDescription: opening.jobDescription, focusSkills, mustAsk: opening.mustAsk };
        if (phase === 'warmup') return base;
        const due = nextMustAsk(opening.mustAsk, s);
        return due ? { ...base, mustAskNow: due } : base;
      },
    };
  }

  private async load(openingId: string): Promise<Opening | null> {
    const hit = this.openings.get(openingId);
    if (hit && hit.until > this.now()) return hit.opening;
    const opening = await this.repo.findOpeningById(openingId);
    if (!opening) return null;
    this.openings.delete(openingId);
    this.openings.set(openingId, { opening, until: this.now() + CACHE_MS });
    if (this.openings.size > MAX_CACHED) this.openings.delete(this.openings.keys().next().value!);
    return opening;
  }
}

/** Role skills the job description emphasises, strongest first: at most half the skills (rounded up). */
export function focusSkillsOf(role: RoleProfile, jobDescription: string): string[] {
  if (jobDescription.trim().length === 0) return [];
  const bank = bankFor(role);
  const hits = role.skills
    .map((skill) => {
      const terms = [...(bank.keywords[skill.id] ?? []), skill.name.toLowerCase()];
      return { id: skill.id, hits: matchKeywords(jobDescription, terms).length };
    })
    .filter((s) => s.hits > 0)
    .sort((a, b) => b.hits - a.hits);
  const top = hits[0]?.hits ?? 0;
  return hits
    .filter((s) => s.hits * 2 >= top)
    .slice(0, Math.ceil(role.skills.length / 2))
    .map((s) => s.id);
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * The first must-ask question not asked yet: the plan facts record which ones questions
 * asked (a model may paraphrase); the transcript's tail also counts, for sessions whose
 * facts predate that record.
 */
export function nextMustAsk(mustAsk: readonly string[], session: Pick<GuideInput, 'plan' | 'tail'>): { index: number; text: string } | undefined {
  const recorded = new Set(session.plan.asked.flatMap((q) => (q.mustAsk === undefined ? [] : [q.mustAsk])));
  const asked = session.tail.filter((m) => m.role === 'interviewer').map((m) => normalise(m.text));
  for (const [index, text] of mustAsk.entries()) {
    if (recorded.has(index)) continue;
    const needle = normalise(text);
    if (asked.some((q) => q.includes(needle))) continue;
    return { index, text };
  }
  return undefined;
}
