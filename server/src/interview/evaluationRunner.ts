import type { Interview } from '../../../shared/interview.js';
import type { Repository } from '../db/repository/index.js';
import type { Interviewer, TranscriptEntry } from '../llm/port.js';
import type { Logger } from '../observability/logger.js';
import type { AnswerAssessor } from './answerAssessor.js';
import type { SessionBroadcaster } from './ports.js';
import { findRole } from './roles.js';

/**
 * Runs final evaluations in the background. A claim (pending, or running with
 * an expired lease -> running, attempts + 1) is one atomic update, and the
 * result is written together with its status, so an evaluation is never left
 * "running" by a crash: its lease runs out and the next start resumes it.
 */
export class EvaluationRunner {
  private readonly maxAttempts: number;
  private stopped = false;

  constructor(
    private readonly deps: {
      repo: Repository;
      interviewer: Interviewer;
      assessor: AnswerAssessor;
      broadcaster: SessionBroadcaster;
      logger: Logger;
      leaseMs: number;
      maxAttempts?: number;
      retryDelayMs?: number;
    },
  ) {
    this.maxAttempts = deps.maxAttempts ?? 3;
  }

  /** Evaluates this session if its evaluation is waiting; never throws. */
  kick(clientSessionId: string): void {
    void this.claimAndRun(clientSessionId);
  }

  /** At start: every evaluation left pending or with an expired lease is resumed. */
  async resumeAll(): Promise<number> {
    let resumed = 0;
    for (;;) {
      const claimed = await this.deps.repo.claimEvaluation({ leaseMs: this.deps.leaseMs, maxAttempts: this.maxAttempts });
      if (!claimed) return resumed;
      resumed += 1;
      void this.run(claimed);
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private async claimAndRun(clientSessionId: string): Promise<void> {
    try {
      const claimed = await this.deps.repo.claimEvaluation({ clientSessionId, leaseMs: this.deps.leaseMs, maxAttempts: this.maxAttempts });
      if (claimed) await this.run(claimed);
    } catch (err) {
      this.deps.logger.error('evaluation claim failed', { clientSessionId, err });
    }
  }

  private async run(claimed: Interview): Promise<void> {
    const { repo, interviewer, broadcaster, logger } = this.deps;
    const csid = claimed.clientSessionId;
    const started = Date.now();
    try {
      await this.deps.assessor.settled(csid);
      const session = (await repo.findByClientSessionId(csid)) ?? claimed;
      const role = findRole(session.role);
      if (!role) throw new Error(`unknown role ${session.role}`);
      const result = await interviewer.evaluate(
        { role, transcript: transcriptOf(session), scores: scoresOf(session) },
        { onUsage: (usage) => void repo.addUsage(csid, usage).catch(() => undefined) },
      );
      const written = await repo.recordEvaluation(csid, { status: 'complete', result });
      if (written.won) {
        broadcaster.emit(csid, 'evaluation:ready', { evaluationStatus: 'complete' });
        logger.info('evaluation complete', { clientSessionId: csid, attempts: session.evaluation?.attempts, ms: Date.now() - started });
      }
    } catch (err) {
      logger.warn('evaluation failed', { clientSessionId: csid, attempts: claimed.evaluation?.attempts, err });
      const attempts = claimed.evaluation?.attempts ?? 1;
      const failed = await repo
        .recordEvaluation(csid, { status: 'failed', error: err instanceof Error ? err.name : 'evaluation failed' })
        .catch(() => null);
      if (attempts < this.maxAttempts && !this.stopped) {
        // Retry later from 'failed' -> 'pending' -> claimed again (attempts counted by the claim).
        setTimeout(() => {
          void repo
            .recordEvaluation(csid, { status: 'pending' })
            .then((r) => r.won && this.kick(csid))
            .catch(() => undefined);
        }, this.deps.retryDelayMs ?? 2_000 * attempts).unref();
      } else if (failed?.won) {
        broadcaster.emit(csid, 'evaluation:ready', { evaluationStatus: 'failed' });
      }
    }
  }
}

function transcriptOf(session: Interview): TranscriptEntry[] {
  if (session.transcript && session.transcript.lines.length > 0) {
    return session.transcript.lines.map((line) => ({ role: line.role === 'agent' ? 'interviewer' : 'candidate', text: line.text }));
  }
  return session.messages.map((m) => ({ role: m.role, text: m.text }));
}

function scoresOf(session: Interview) {
  const byQuestion = new Map(session.plan.scores.map((s) => [s.questionId, s.score]));
  return session.plan.asked.map((q) => ({ number: q.number, phase: q.phase, skill: q.skill, score: byQuestion.get(q.questionId) ?? null }));
}
