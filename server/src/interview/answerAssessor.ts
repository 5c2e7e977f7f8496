import type { AnswerScore, AskedQuestion } from '../../../shared/plan.js';
import type { Interviewer, RoleProfile, Usage } from '../llm/port.js';
import type { Logger } from '../observability/logger.js';

export interface AssessorDeps {
  interviewer: Interviewer;
  /** Writes a score on its own (when no question write carried it). */
  recordScore: (clientSessionId: string, score: AnswerScore) => Promise<unknown>;
  recordUsage: (clientSessionId: string, usage: Usage) => void;
  logger: Logger;
  now: () => Date;
  /** A ready score nobody took is written on its own after this long (default 30 s). */
  holdMs?: number;
}

/**
 * The score of one answer, computed in the background while the next question streams.
 * It reaches the store exactly once, one of two ways: the next question's write takes it
 * (`take`) when it is ready by then — no round trip of its own —, or the assessor writes it
 * itself once it is ready (`release`: the interview completed, the question was not stored,
 * the score came too late, or nobody took it within `holdMs`).
 */
export interface ScoreHandle {
  readonly questionId: string;
  /** The score if it is ready now: the caller then owns writing it (and calls `release` if its write fails). */
  take(): AnswerScore | undefined;
  /** Nobody will carry it: write it as soon as it is ready. */
  release(): void;
}

type State = 'scoring' | 'ready' | 'taken' | 'released' | 'done';

class Assessment implements ScoreHandle {
  private state: State = 'scoring';
  private score: AnswerScore | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  /** Settles when the score is stored (or known lost): what `settled` waits for. */
  readonly stored: Promise<void>;
  private resolveStored!: () => void;

  constructor(
    readonly clientSessionId: string,
    readonly questionId: string,
    private readonly writeScore: (score: AnswerScore) => Promise<void>,
    private readonly holdMs: number,
  ) {
    this.stored = new Promise((resolve) => (this.resolveStored = resolve));
  }

  scored(score: AnswerScore | undefined): void {
    this.score = score;
    if (!score) return this.finish();
    if (this.state === 'released') return void this.write();
    this.state = 'ready';
    this.holdTimer = setTimeout(() => void this.write(), this.holdMs);
    this.holdTimer.unref();
  }

  take(): AnswerScore | undefined {
    if (this.state !== 'ready') {
      this.release();
      return undefined;
    }
    clearTimeout(this.holdTimer);
    this.state = 'taken';
    this.finish();
    return this.score;
  }

  release(): void {
    if (this.state === 'scoring') this.state = 'released';
    else if (this.state === 'ready' || this.state === 'taken') void this.write();
  }

  private async write(): Promise<void> {
    clearTimeout(this.holdTimer);
    const score = this.score;
    this.state = 'done';
    if (score) await this.writeScore(score);
    this.finish();
  }

  private finish(): void {
    this.resolveStored();
  }
}

/**
 * Scores answers in the background; a score steers the question after next. Nothing waits
 * for it except the final evaluation, which calls `settled`.
 */
export class AnswerAssessor {
  /** Assessments of each session that are not stored yet. */
  private readonly open = new Map<string, Set<Assessment>>();

  constructor(private readonly deps: AssessorDeps) {}

  assess(clientSessionId: string, role: RoleProfile, asked: AskedQuestion, question: string, answer: string): ScoreHandle {
    const { interviewer, logger, now } = this.deps;
    const assessment = new Assessment(
      clientSessionId,
      asked.questionId,
      (score) =>
        this.deps
          .recordScore(clientSessionId, score)
          .then(() => undefined)
          .catch((err: unknown) => void logger.warn('answer score not recorded', { clientSessionId, questionId: asked.questionId, err })),
      this.deps.holdMs ?? 30_000,
    );
    let set = this.open.get(clientSessionId);
    if (!set) this.open.set(clientSessionId, (set = new Set()));
    set.add(assessment);
    void assessment.stored.then(() => {
      set.delete(assessment);
      if (set.size === 0 && this.open.get(clientSessionId) === set) this.open.delete(clientSessionId);
    });
    interviewer
      .scoreAnswer(
        { role, phase: asked.phase, difficulty: asked.difficulty, skill: asked.skill, question, answer },
        { onUsage: (usage) => this.deps.recordUsage(clientSessionId, usage) },
      )
      .then(
        (result) => assessment.scored({ questionId: asked.questionId, score: result.score, at: now() }),
        (err: unknown) => {
          // An unscored answer never blocks the interview; the plan treats it as unknown.
          logger.warn('answer not scored', { clientSessionId, questionId: asked.questionId, err });
          assessment.scored(undefined);
        },
      );
    return assessment;
  }

  /**
   * Resolves once every assessment of the session started on this node is stored; a
   * score still waiting for a question to carry it is written now. The evaluation then
   * reads complete facts.
   */
  async settled(clientSessionId: string): Promise<void> {
    const set = this.open.get(clientSessionId);
    if (!set) return;
    for (const assessment of set) assessment.release();
    await Promise.all([...set].map((a) => a.stored));
  }
}
