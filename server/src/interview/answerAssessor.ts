import type { Interview } from '../../../shared/interview.js';
import type { Repository } from '../db/repository/index.js';
import type { Interviewer, RoleProfile } from '../llm/port.js';
import type { Logger } from '../observability/logger.js';

/**
 * Scores an answer in the background while the next question streams; the
 * score is appended to the plan facts and steers the question after next.
 * Nothing waits for it except the final evaluation, which calls `settled`.
 */
export class AnswerAssessor {
  private readonly pending = new Map<string, Set<Promise<void>>>();

  constructor(
    private readonly deps: { repo: Repository; interviewer: Interviewer; logger: Logger; now: () => Date },
  ) {}

  assess(session: Interview, role: RoleProfile, questionId: string, answer: string): void {
    const csid = session.clientSessionId;
    const question = session.messages.find((m) => m.id === questionId);
    const asked = session.plan.asked.find((q) => q.questionId === questionId);
    if (!question || !asked) return;
    const task = (async () => {
      try {
        const assessment = await this.deps.interviewer.scoreAnswer(
          { role, phase: asked.phase, difficulty: asked.difficulty, skill: asked.skill, question: question.text, answer },
          { onUsage: (usage) => void this.deps.repo.addUsage(csid, usage).catch(() => undefined) },
        );
        await this.deps.repo.recordScore(csid, { questionId, score: assessment.score, at: this.deps.now() });
      } catch (err) {
        // An unscored answer never blocks the interview; the plan treats it as unknown.
        this.deps.logger.warn('answer not scored', { clientSessionId: csid, questionId, err });
      }
    })();
    let set = this.pending.get(csid);
    if (!set) this.pending.set(csid, (set = new Set()));
    set.add(task);
    void task.finally(() => {
      set.delete(task);
      if (set.size === 0 && this.pending.get(csid) === set) this.pending.delete(csid);
    });
  }

  /** Resolves once every assessment started on this node for the session has finished. */
  async settled(clientSessionId: string): Promise<void> {
    const set = this.pending.get(clientSessionId);
    if (set) await Promise.all([...set]);
  }
}
