import type { EvaluationResult } from '../../../../shared/interview.js';
import {
  LlmError,
  type AnswerAssessment,
  type CallOptions,
  type EvaluationRequest,
  type Interviewer,
  type QuestionRequest,
  type QuestionSteer,
  type ScoreRequest,
} from '../port.js';
import { allKeywords, bankFor, type BankQuestion } from './banks/index.js';
import { buildEvaluation } from './evaluation.js';
import { skillForTopic } from '../../interview/steering.js';
import { followUpPrefix, followUpStyle } from './followUp.js';
import { pick } from './random.js';
import { AskedMemo, askedIds, chooseQuestion, findAsked, withoutOpener } from './questions.js';
import { assess } from './scoring.js';
import { paceTokens, throwIfAborted } from './stream.js';
import { displayLabel, tokenize } from './text.js';

export interface ScriptedInterviewerOptions {
  /** Mean delay between streamed tokens (env SCRIPTED_TOKEN_DELAY_MS); 0 = no timers. Default 35. */
  tokenDelayMs?: number;
  /** Relative jitter of the delay, 0..1. Default 0.3. */
  jitter?: number;
}

export const DEFAULT_TOKEN_DELAY_MS = 35;

export interface ComposedQuestion {
  question: BankQuestion;
  /** Follow-up opening (may be empty) + the bank question. */
  text: string;
}

/**
 * The default interviewer when no model is configured: role question banks,
 * follow-ups that quote the candidate's last answer, human-paced tokens and
 * heuristic scores. Deterministic given its inputs (plus the asked-question memo).
 * It never calls `onUsage`: there is no model and no cost to report.
 */
export class ScriptedInterviewer implements Interviewer {
  readonly name = 'scripted';
  /** The last question and answer (its follow-up), and the exchange before (no repeats; the memo covers older ones). */
  readonly historyWindow = 4;
  readonly #delayMs: number;
  readonly #jitter: number;
  readonly #memo = new AskedMemo();

  constructor(options: ScriptedInterviewerOptions = {}) {
    const delay = options.tokenDelayMs ?? DEFAULT_TOKEN_DELAY_MS;
    const jitter = options.jitter ?? 0.3;
    if (!Number.isFinite(delay) || delay < 0) throw new RangeError('tokenDelayMs must be a finite number >= 0');
    if (!Number.isFinite(jitter) || jitter < 0 || jitter > 1) throw new RangeError('jitter must be within 0..1');
    this.#delayMs = delay;
    this.#jitter = jitter;
  }

  /** What `streamQuestion` will stream for this request (and records it as asked). */
  composeQuestion(request: QuestionRequest): ComposedQuestion {
    const steered = request.steer ? this.composeSteered(request, request.steer) : undefined;
    if (steered) return steered;
    const bank = bankFor(request.role);
    const exclude = new Set([...askedIds(bank, request.history), ...this.#memo.before(request.sessionKey, request.number)]);
    const due = request.opening?.mustAskNow;
    // A must-ask question of the opening is asked verbatim, in place of a bank question.
    const question: BankQuestion | undefined = due
      ? { id: `must.${due.index}`, skill: request.skill, difficulty: request.difficulty, text: due.text }
      : chooseQuestion(bank, request, exclude);
    if (!question) throw new LlmError('LLM_UNAVAILABLE', `no scripted questions for role ${request.role.id}`, false);
    this.#memo.record(request.sessionKey, request.number, question.id);

    const lastQuestionAt = request.history.findLastIndex((e) => e.role === 'interviewer');
    const lastQuestion = request.history[lastQuestionAt];
    // Only an answer given after the latest question is "the previous answer".
    const answer = request.history
      .slice(lastQuestionAt + 1)
      .filter((e) => e.role === 'candidate')
      .map((e) => e.text)
      .join(' ');
    const previousSkill = lastQuestion ? findAsked(bank, lastQuestion.text)?.skill : undefined;
    const skillName = request.role.skills.find((s) => s.id === question.skill)?.name ?? question.skill;
    const prefix = lastQuestion
      ? followUpPrefix({
          answer,
          sameSkill: previousSkill === question.skill,
          skillName: displayLabel(skillName),
          phase: request.phase,
          keywords: allKeywords(bank),
          seed: `${request.sessionKey}:${request.number}`,
          ...(request.opening ? { persona: request.opening.persona.id } : {}),
        })
      : '';
    // Openers like "To get us started," belong to the first question only.
    const body = request.number > 1 && !due ? withoutOpener(question.text) : question.text;
    return { question, text: `${prefix}${body}` };
  }

  /**
   * A recruiter's nudge (docs/recruiters.md): a `follow_up` is asked as written, after the
   * persona's acknowledgement of the last answer; a `topic` that names a role skill is a
   * bank question of that skill (the domain made it the request's skill; undefined here),
   * any other topic is asked about in the persona's words.
   */
  private composeSteered(request: QuestionRequest, steer: QuestionSteer): ComposedQuestion | undefined {
    const bank = bankFor(request.role);
    if (steer.kind === 'topic' && skillForTopic(request.role, steer.text) === request.skill) return undefined;
    const lastQuestionAt = request.history.findLastIndex((e) => e.role === 'interviewer');
    const answer = request.history
      .slice(lastQuestionAt + 1)
      .filter((e) => e.role === 'candidate')
      .map((e) => e.text)
      .join(' ');
    const persona = request.opening?.persona.id;
    const seed = `${request.sessionKey}:${request.number}`;
    const text = steer.text.trim().replace(/\s+/g, ' ');
    const question: BankQuestion = { id: `nudge.${request.number}`, skill: request.skill, difficulty: request.difficulty, text };
    this.#memo.record(request.sessionKey, request.number, question.id);
    if (steer.kind === 'follow_up') {
      const prefix = lastQuestionAt >= 0
        ? followUpPrefix({ answer, sameSkill: true, skillName: '', phase: request.phase, keywords: allKeywords(bank), seed, ...(persona ? { persona } : {}) })
        : '';
      return { question, text: `${prefix}${text}` };
    }
    const style = followUpStyle(persona);
    const topic = text.replace(/[.?!:;,\s]+$/u, '');
    const intro = pick(style.newSkill, `${seed}:nudge`)!.replace('{s}', topic);
    return { question, text: `${intro} Tell me about a time you worked with ${topic}: what was the situation, what did you do, and what would you do differently?` };
  }

  streamQuestion(request: QuestionRequest, options: CallOptions = {}): AsyncIterable<string> {
    const { signal } = options;
    const compose = (): ComposedQuestion => this.composeQuestion(request);
    const pacing = { delayMs: this.#delayMs, jitter: this.#jitter, seed: `${request.sessionKey}:${request.number}:pace`, signal };
    return {
      async *[Symbol.asyncIterator]() {
        throwIfAborted(signal);
        yield* paceTokens(tokenize(compose().text), pacing);
      },
    };
  }

  async scoreAnswer(request: ScoreRequest, options: CallOptions = {}): Promise<AnswerAssessment> {
    throwIfAborted(options.signal);
    const bank = bankFor(request.role);
    const { score, rationale } = assess(
      request.answer,
      request.difficulty,
      bank.keywords[request.skill] ?? [],
      allKeywords(bank),
    );
    return { score, rationale };
  }

  async evaluate(request: EvaluationRequest, options: CallOptions = {}): Promise<EvaluationResult> {
    throwIfAborted(options.signal);
    return buildEvaluation(request, bankFor(request.role));
  }
}
