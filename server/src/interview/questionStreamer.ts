import { randomUUID } from 'node:crypto';
import { INTERVIEWER_TEXT_MAX, type Interview, type Turn } from '../../../shared/interview.js';
import type { Repository } from '../db/repository/index.js';
import { LlmError, type Interviewer, type RoleProfile, type TranscriptEntry, type Usage } from '../llm/port.js';
import type { Logger } from '../observability/logger.js';
import { askedEntry, type NextQuestion } from './plan.js';
import type { SessionGuide } from './openingGuide.js';
import type { InflightStore, SessionBroadcaster } from './ports.js';

export type AskStep = Extract<NextQuestion, { kind: 'ask' }>;

export interface StreamerDeps {
  repo: Repository;
  interviewer: Interviewer;
  broadcaster: SessionBroadcaster;
  inflight: InflightStore;
  logger: Logger;
  nodeId: string;
  leaseMs: number;
  now: () => Date;
  /** Backoff before automatic retry n (1-based) of a failed generation. */
  retryDelayMs?: (attempt: number) => number;
  maxAttempts?: number;
  onTokens?: (count: number) => void;
}

interface Running {
  questionId: string;
  controller: AbortController;
}

/** Statuses in which a question keeps streaming and is stored: a pause does not throw it away. */
const STREAM_STATUSES = ['active', 'paused'] as const;

export function newQuestionId(): string {
  return `q_${randomUUID()}`;
}

/**
 * Streams one question of one session on this node: question:start, tokens
 * as they arrive (mirrored into the in-flight store in the same tick), then
 * ONE atomic write storing the question and handing the turn to the candidate.
 * The turn lease is renewed while streaming; losing it aborts the stream, so
 * two nodes never store two questions for one turn. A failed generation emits
 * question:error and retries under a NEW questionId (clients drop the partial
 * text of the old one), so no half question is ever stored as complete.
 */
export class QuestionStreamer {
  private readonly running = new Map<string, Running>();
  private readonly maxAttempts: number;
  private readonly retryDelayMs: (attempt: number) => number;

  constructor(private readonly deps: StreamerDeps) {
    this.maxAttempts = deps.maxAttempts ?? 3;
    this.retryDelayMs = deps.retryDelayMs ?? ((attempt) => 500 * attempt);
  }

  isStreaming(clientSessionId: string, questionId?: string): boolean {
    const run = this.running.get(clientSessionId);
    return run !== undefined && (questionId === undefined || run.questionId === questionId);
  }

  /** Stops this node's stream for the session (disconnect, end, lost lease). */
  abort(clientSessionId: string, reason: string): string | undefined {
    const run = this.running.get(clientSessionId);
    if (!run) return undefined;
    run.controller.abort(new Error(reason));
    return run.questionId;
  }

  /** Sessions with a stream running on this node. */
  runningSessions(): string[] {
    return [...this.running.keys()];
  }

  leaseTurn(questionId: string): Turn {
    return { state: 'generating', questionId, leaseUntil: new Date(this.deps.now().getTime() + this.deps.leaseMs), node: this.deps.nodeId };
  }

  /**
   * Streams `questionId`, whose generating turn the caller has just won.
   * Resolves when the question is stored, abandoned or handed to a retry.
   * `guide`: the session's opening (persona, job description, must-ask), if any.
   */
  async stream(session: Interview, role: RoleProfile, step: AskStep, questionId: string, attempt = 1, guide: SessionGuide | null = null): Promise<void> {
    const { repo, interviewer, broadcaster, inflight, logger } = this.deps;
    const csid = session.clientSessionId;
    this.running.get(csid)?.controller.abort(new Error('superseded'));
    const controller = new AbortController();
    const run: Running = { questionId, controller };
    this.running.set(csid, run);
    const renew = setInterval(() => void this.renewLease(csid, questionId, controller), Math.max(250, Math.floor(this.deps.leaseMs / 3)));
    renew.unref();

    inflight.begin(csid, { questionId, phase: step.phase, number: step.number });
    broadcaster.emit(csid, 'question:start', { questionId, phase: step.phase, number: step.number });
    const started = Date.now();
    let index = 0;
    let text = '';
    const opening = guide?.forQuestion(session, step.phase);
    try {
      const deltas = interviewer.streamQuestion(
        {
          sessionKey: csid,
          role,
          number: step.number,
          phase: step.phase,
          difficulty: step.difficulty,
          skill: step.skill,
          history: historyOf(session),
          ...(opening ? { opening } : {}),
        },
        { signal: controller.signal, onUsage: (usage) => this.recordUsage(csid, usage) },
      );
      for await (const delta of deltas) {
        if (controller.signal.aborted) break;
        if (delta.length === 0) continue;
        text += delta;
        inflight.append(csid, questionId, index, delta);
        broadcaster.emit(csid, 'question:token', { questionId, index, text: delta });
        this.deps.onTokens?.(1);
        index += 1;
      }
      if (controller.signal.aborted) throw controller.signal.reason;
      if (text.trim().length === 0 || text.length > INTERVIEWER_TEXT_MAX) {
        throw new LlmError('LLM_BAD_OUTPUT', `question of ${text.length} characters`, true);
      }
      const stored = await repo.completeQuestion(csid, {
        questionId,
        text,
        asked: askedEntry(step, questionId, this.deps.now()),
        at: this.deps.now(),
        statuses: STREAM_STATUSES,
      });
      inflight.end(csid, questionId);
      if (stored.won) {
        if (opening?.mustAskNow) guide?.mustAskStored(csid, opening.mustAskNow.index);
        broadcaster.emit(csid, 'question:end', { questionId, text });
        logger.info('question stored', { clientSessionId: csid, questionId, tokens: index, chars: text.length, ms: Date.now() - started });
      } else {
        logger.info('question discarded: turn moved on', { clientSessionId: csid, questionId, status: stored.session?.status });
      }
    } catch (err) {
      inflight.end(csid, questionId);
      await this.failed(session, role, step, questionId, attempt, err, controller.signal.aborted, guide);
    } finally {
      clearInterval(renew);
      if (this.running.get(csid) === run) this.running.delete(csid);
    }
  }

  private async failed(
    session: Interview,
    role: RoleProfile,
    step: AskStep,
    questionId: string,
    attempt: number,
    err: unknown,
    aborted: boolean,
    guide: SessionGuide | null,
  ): Promise<void> {
    const { repo, broadcaster, logger } = this.deps;
    const csid = session.clientSessionId;
    if (aborted) {
      const reason = err instanceof Error ? err.message : 'aborted';
      logger.info('question stream aborted', { clientSessionId: csid, questionId, reason });
      broadcaster.emit(csid, 'question:error', { questionId, code: 'ABORTED', retryable: true });
      return;
    }
    const llm = err instanceof LlmError ? err : null;
    const code = llm?.code ?? 'INTERNAL';
    const retryable = llm?.retryable ?? true;
    logger.warn('question generation failed', { clientSessionId: csid, questionId, code, attempt, err });
    broadcaster.emit(csid, 'question:error', { questionId, code, retryable });

    if (retryable && attempt < this.maxAttempts) {
      await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs(attempt)));
      const retryId = newQuestionId();
      const moved = await repo
        .setTurn(csid, { expect: { state: 'generating', questionId }, set: this.leaseTurn(retryId), statuses: STREAM_STATUSES })
        .catch((e: unknown) => (logger.warn('retry lease failed', { clientSessionId: csid, err: e }), null));
      if (moved?.won && moved.session) {
        await this.stream(moved.session, role, step, retryId, attempt + 1, guide);
        return;
      }
    }
    // Give up for now: release the lease so a reconnect or interview:start retries at once.
    await repo
      .setTurn(csid, {
        expect: { state: 'generating', questionId },
        set: { state: 'generating', questionId, leaseUntil: new Date(0), node: this.deps.nodeId },
        statuses: STREAM_STATUSES,
      })
      .catch((e: unknown) => logger.warn('lease release failed', { clientSessionId: csid, err: e }));
  }

  private async renewLease(csid: string, questionId: string, controller: AbortController): Promise<void> {
    if (controller.signal.aborted) return;
    try {
      const res = await this.deps.repo.setTurn(csid, {
        expect: { state: 'generating', questionId },
        set: this.leaseTurn(questionId),
        statuses: STREAM_STATUSES,
      });
      if (!res.won && !controller.signal.aborted) controller.abort(new Error('lease lost'));
    } catch (err) {
      // A database hiccup is not a lost lease; the next renewal tries again.
      this.deps.logger.warn('lease renewal failed', { clientSessionId: csid, questionId, err });
    }
  }

  private recordUsage(csid: string, usage: Usage): void {
    void this.deps.repo.addUsage(csid, usage).catch((err: unknown) => this.deps.logger.warn('usage not recorded', { clientSessionId: csid, err }));
  }
}

export function historyOf(session: Interview): TranscriptEntry[] {
  return session.messages.map((m) => ({ role: m.role, text: m.text }));
}
