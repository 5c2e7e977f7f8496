import { randomUUID } from 'node:crypto';
import { AppError } from '../../../shared/errors.js';
import { INTERVIEWER_TEXT_MAX, type Interview, type InterviewStatus, type Message, type MessageSource, type Turn } from '../../../shared/interview.js';
import type { AnswerAck } from '../../../shared/protocol.js';
import { cycleViewOf, MIN_TAIL, type AnswerState, type CycleView, type Repository } from '../db/repository/index.js';
import { LlmError, type Interviewer, type QuestionOpening, type RoleProfile } from '../llm/port.js';
import type { Logger } from '../observability/logger.js';
import type { PendingNudge } from '../../../shared/nudges.js';
import type { ActorRef } from '../../../shared/recruiters.js';
import { announceExpired, toWireNudge } from '../recruiters/nudges.js';
import type { AnswerAssessor, ScoreHandle } from './answerAssessor.js';
import type { WatcherBroadcaster } from './focusSignals.js';
import type { AnswerRateLimit } from './answerRateLimit.js';
import type { OpeningGuides, SessionGuide } from './openingGuide.js';
import { askedEntry, nextQuestion, type NextQuestion } from './plan.js';
import type { InflightStore, SessionBroadcaster } from './ports.js';
import { findRole } from './roles.js';
import { toWireMessage } from './snapshot.js';
import { nudgeToHonour, skillForTopic, steerOf } from './steering.js';
import { TokenFrames } from './tokenFrames.js';
import type { TurnLeases } from './turnLeases.js';

export type AskStep = Extract<NextQuestion, { kind: 'ask' }>;

/** What shapes a question besides the plan: a recruiter's nudge to honour, or the recruiter's own words (take-over). */
type Shaping = { nudge: PendingNudge } | { recruiter: { text: string; by: ActorRef } } | null;

export interface QuestionCycleDeps {
  repo: Repository;
  interviewer: Interviewer;
  assessor: AnswerAssessor;
  /** Starts the evaluation of a completed interview. */
  evaluate: (clientSessionId: string) => void;
  broadcaster: SessionBroadcaster;
  /** Watcher-only events (`nudge:updated`): the candidate's room never gets them. */
  watchers?: WatcherBroadcaster;
  inflight: InflightStore;
  leases: TurnLeases;
  rateLimit: AnswerRateLimit;
  logger: Logger;
  now: () => Date;
  /** Sessions started from an opening: persona, job description, must-ask, plan limits. */
  guides?: OpeningGuides;
  /** Token frame interval (TOKEN_FRAME_MS); 0 = one event per delta. */
  frameMs?: number;
  /** Backoff before automatic retry n (1-based) of a failed generation. */
  retryDelayMs?: (attempt: number) => number;
  maxAttempts?: number;
  /** Deltas streamed by the interviewer. */
  onTokens?: (count: number) => void;
  /** A `question:token` event (one frame) was sent. */
  onFrame?: () => void;
  /** How long a merged delta waited for its frame (ms). */
  onFrameHeld?: (ms: number) => void;
}

/** Statuses in which a question keeps streaming and is stored: a pause does not throw it away. */
const STREAM_STATUSES = ['active', 'paused'] as const;
const ENDED: readonly InterviewStatus[] = ['ended_pending_webhook', 'completed', 'abandoned', 'orphaned'];
/** Sessions whose current question this node remembers (to answer without reading first). */
const AWAITING_MAX = 50_000;

export function newQuestionId(): string {
  return `q_${randomUUID()}`;
}

/**
 * Receives one turn's question as it streams, besides the sockets (the voice Custom LLM
 * endpoint, server/src/voice/customLlm.ts, speaks it). Every call happens at most once per
 * question id; exactly one of end / error / complete closes the turn.
 */
export interface QuestionSink {
  /** ① stored this answer (called synchronously, before the ack). */
  accepted?(): void;
  /** A question starts streaming under `questionId` (again under a new id after a retry). */
  start(questionId: string): void;
  /** One delta as the interviewer streamed it (not framed). */
  delta(text: string): void;
  /** The question is complete: stored by ② (`stored`), or discarded because the turn moved on. */
  end(text: string, stored: boolean): void;
  /** Generation failed for good or was aborted: nothing was stored and the turn was handed back. */
  error(err: unknown, aborted: boolean): void;
  /** The plan is complete: nothing is asked; the sink's owner ends the interview (a voice interview ends its own way). */
  complete(reason: string): Promise<void>;
}

export interface AnswerOptions {
  /** Default `text`. */
  source?: MessageSource;
  /** Where this answer's next question streams besides the sockets. */
  sink?: QuestionSink;
  /** Default true; the voice endpoint (a server-to-server caller with its own key) passes false. */
  rateLimited?: boolean;
}

interface Unsure {
  messageId: string;
  text: string;
  answered: string;
  questionId: string;
}

/**
 * One question cycle, answer in -> question out, as one pipeline:
 *
 *   answer ─① storeAnswer─> ack ─> decide (plan, opening) ─> stream (frames) ─② storeQuestion─> awaiting
 *
 * ① and ② are the only store round trips on the happy path, each ONE atomic write with its
 * precondition in the filter and a projected reply (repository/cycle.ts): ① appends the
 * answer and leases the turn to this node, ② appends the question with its plan fact (and
 * the previous answer's score when it is ready) and hands the turn back. The reply of each
 * feeds the live list, and ①'s carries what the next question needs (plan, the transcript's
 * tail), so nothing is read per answer. Leases are renewed in one batched write per node
 * (TurnLeases); a failed generation is retried under a new question id, so a half question
 * is never stored.
 */
export class QuestionCycle {
  private readonly maxAttempts: number;
  private readonly retryDelayMs: (attempt: number) => number;
  /** The question each session awaits an answer to, as this node last wrote or read it. */
  private readonly awaiting = new Map<string, string>();
  /**
   * Answers whose ① missed its deadline (DEPENDENCY_DOWN) and may still have landed: if it
   * did, the turn is leased to this node for a question nobody streams. The client's retry
   * (same messageId) or its reconnect starts that question at once instead of waiting out
   * the lease (server/test/hardening/databaseOutage.test.ts).
   */
  private readonly unsure = new Map<string, Unsure>();

  /** How many of the latest messages a view carries: what the interviewer reads. */
  readonly tail: number;

  constructor(private readonly deps: QuestionCycleDeps) {
    this.tail = Math.max(MIN_TAIL, deps.interviewer.historyWindow);
    this.maxAttempts = deps.maxAttempts ?? 3;
    this.retryDelayMs = deps.retryDelayMs ?? ((attempt) => 500 * attempt);
  }

  /**
   * Stores the answer, acks, then asks the next question. The caller serialises the
   * submits of one session (so retries of one messageId are answered from what the first
   * stored).
   */
  async answer(clientSessionId: string, messageId: string, text: string, opts: AnswerOptions = {}): Promise<AnswerAck> {
    const csid = clientSessionId;
    const { repo, rateLimit, leases, now } = this.deps;
    let state: AnswerState | null | undefined;
    let questionId = this.awaiting.get(csid);
    if (questionId === undefined) {
      state = await repo.readAnswerState(csid, messageId);
      const verdict = this.answerable(csid, state, messageId);
      if (typeof verdict !== 'string') return verdict;
      questionId = verdict;
    }

    for (let attempt = 0; ; attempt++) {
      try {
        if (opts.rateLimited !== false) await rateLimit.take(csid);
      } catch (err) {
        // A retry of a stored answer, or a session that cannot take answers, says so before "too fast".
        const current = state ?? (await repo.readAnswerState(csid, messageId));
        const verdict = this.answerable(csid, current, messageId);
        if (typeof verdict !== 'string') return verdict;
        throw err;
      }
      const nextId = newQuestionId();
      const answered = questionId;
      const message: Message = { id: messageId, role: 'candidate', text, source: opts.source ?? 'text', questionId, at: now() };
      // ① the answer and the turn, in one write
      const result = await repo.storeAnswer(csid, { message, questionId, next: leases.lease(nextId), tail: this.tail }).catch((err: unknown) => {
        if ((err as { code?: unknown }).code === 'DEPENDENCY_DOWN') this.unsure.set(csid, { messageId, text, answered, questionId: nextId });
        throw err;
      });
      if (result.outcome === 'stored') {
        this.unsure.delete(csid);
        this.awaiting.delete(csid);
        const { view, seq } = result;
        this.deps.broadcaster.emit(csid, 'message:appended', toWireMessage(message));
        this.deps.broadcaster.summary(view);
        this.deps.logger.info('answer stored', { clientSessionId: csid, messageId, seq, chars: text.length });
        const { sink } = opts;
        sink?.accepted?.();
        this.later(() => this.afterAnswer(view, answered, text, nextId, sink));
        return { ok: true, messageId, seq };
      }
      if (opts.rateLimited !== false) await rateLimit.giveBack(csid);
      state = result.state;
      const verdict = this.answerable(csid, state, messageId);
      if (typeof verdict !== 'string') return verdict;
      // The node's memory of the question was stale (another node asked since): answer the current one, once.
      if (verdict === questionId || attempt > 0) throw new AppError('STATE_CONFLICT', 'The interview moved on before this answer was stored; reload the interview state');
      questionId = verdict;
    }
  }

  /**
   * From a session's state: the question an answer would answer, or the ack of an answer
   * already stored; throws the error the candidate should see otherwise.
   */
  private answerable(csid: string, state: AnswerState | null, messageId: string): string | AnswerAck {
    if (!state) throw new AppError('NOT_FOUND', `No interview with clientSessionId ${csid}`);
    if (state.storedSeq !== null) {
      this.resumeUnsure(csid, state);
      return { ok: true, messageId, seq: state.storedSeq };
    }
    if (ENDED.includes(state.status)) throw new AppError('SESSION_ENDED', `The interview has ended (${state.status})`);
    if (state.status === 'created') throw new AppError('STATE_CONFLICT', 'The interview has not started yet');
    if (state.status === 'paused') throw new AppError('STATE_CONFLICT', 'The interview is paused; resume it to answer');
    if (state.turn.state !== 'awaiting_answer' || state.turn.questionId === undefined) {
      throw new AppError('STATE_CONFLICT', 'The next question is still being asked; answer it once it has arrived');
    }
    return state.turn.questionId;
  }

  /**
   * Scores the answer in the background and goes on with the next question (also the voice
   * endpoint's take-over of a turn whose answer is stored: `answered` is its question).
   */
  async afterAnswer(view: CycleView, answered: string, answer: string, nextId: string, sink?: QuestionSink): Promise<void> {
    try {
      const role = this.role(view);
      const asked = view.plan.asked.find((q) => q.questionId === answered);
      const question = view.tail.find((m) => m.id === answered);
      if (view.takeover) {
        // A recruiter has taken over (text only): the AI asks nothing; the turn waits for the recruiter's question (idle).
        if (asked && question) this.deps.assessor.assess(view.clientSessionId, role, asked, question.text, answer).release();
        await this.deps.repo.setTurn(view.clientSessionId, { expect: { state: 'generating', questionId: nextId }, set: { state: 'idle' }, statuses: STREAM_STATUSES });
        this.deps.logger.info('answer stored while taken over: waiting for the recruiter', { clientSessionId: view.clientSessionId });
        return;
      }
      const score = asked && question ? this.deps.assessor.assess(view.clientSessionId, role, asked, question.text, answer) : undefined;
      await this.continue(view, nextId, score, sink);
    } catch (err) {
      sink?.error(err, false);
      throw err;
    }
  }

  /**
   * Decides what comes next for a session whose generating turn (`questionId`) this node
   * has just won, and does it: the next question, or the end of the interview.
   */
  async continue(view: CycleView, questionId: string, score?: ScoreHandle, sink?: QuestionSink): Promise<void> {
    const role = this.role(view);
    const guide = this.deps.guides ? await this.deps.guides.guideFor(view, role) : null;
    let step = nextQuestion(view.plan, role, view.clientSessionId, guide?.planOptions);
    if (step.kind === 'complete') {
      score?.release();
      if (sink) await sink.complete(step.reason);
      else await this.complete(view.clientSessionId, step.reason);
      return;
    }
    // A pending recruiter nudge (read with the answer's write) shapes this question; a topic that names a skill becomes its skill.
    const nudge = nudgeToHonour(view.nudges);
    if (nudge?.kind === 'topic') {
      const skill = skillForTopic(role, nudge.text);
      if (skill) step = { ...step, skill };
    }
    await this.ask(view, role, step, questionId, guide, score, 1, nudge ? { nudge } : null, sink);
  }

  /**
   * Take-over: streams and stores the question a recruiter typed, like any question
   * (question:start/token/end, counted by the plan), under the turn `questionId` the
   * caller won for it. Source `recruiter`, with their name.
   */
  async askAsRecruiter(view: CycleView, questionId: string, text: string, by: ActorRef): Promise<{ number: number }> {
    const role = this.role(view);
    const decided = nextQuestion(view.plan, role, view.clientSessionId);
    const last = [...view.plan.asked].sort((a, b) => b.number - a.number)[0];
    const step: AskStep =
      decided.kind === 'ask'
        ? decided
        : { kind: 'ask', number: view.plan.asked.length + 1, phase: last?.phase ?? 'standard', difficulty: last?.difficulty ?? 3, skill: last?.skill ?? role.skills[0]!.id };
    await this.ask(view, role, step, questionId, null, undefined, 1, { recruiter: { text, by } });
    return { number: step.number };
  }

  /** Streams `questionId` (whose generating turn this node holds), then stores it (②). */
  private async ask(
    view: CycleView,
    role: RoleProfile,
    step: AskStep,
    questionId: string,
    guide: SessionGuide | null,
    score: ScoreHandle | undefined,
    attempt: number,
    shaping: Shaping = null,
    sink?: QuestionSink,
  ): Promise<void> {
    const { repo, interviewer, broadcaster, inflight, leases, logger, now } = this.deps;
    const nudge = shaping && 'nudge' in shaping ? shaping.nudge : undefined;
    const recruiter = shaping && 'recruiter' in shaping ? shaping.recruiter : undefined;
    const csid = view.clientSessionId;
    const controller = leases.hold(csid, questionId);
    const { signal } = controller;
    inflight.begin(csid, { questionId, phase: step.phase, number: step.number });
    broadcaster.emit(csid, 'question:start', { questionId, phase: step.phase, number: step.number });
    sink?.start(questionId);
    const started = Date.now();
    let index = 0;
    let text = '';
    const frames = new TokenFrames(
      this.deps.frameMs ?? 0,
      (chunk) => {
        inflight.append(csid, questionId, index, chunk);
        broadcaster.emit(csid, 'question:token', { questionId, index, text: chunk });
        this.deps.onFrame?.();
        index += 1;
      },
      this.deps.onFrameHeld,
    );
    const guided = guide?.forQuestion(view, step.phase);
    // A nudge goes before the opening's due must-ask question (which then comes next).
    const opening = guided && nudge ? withoutMustAsk(guided) : guided;
    try {
      const deltas = recruiter
        ? typed(recruiter.text)
        : interviewer.streamQuestion(
            {
              sessionKey: csid,
              role,
              number: step.number,
              phase: step.phase,
              difficulty: step.difficulty,
              skill: step.skill,
              history: view.tail.map((m) => ({ role: m.role, text: m.text })),
              ...(opening ? { opening } : {}),
              ...(nudge ? { steer: steerOf(nudge) } : {}),
            },
            { signal, onUsage: (usage) => this.recordUsage(csid, usage) },
          );
      for await (const delta of deltas) {
        if (signal.aborted) break;
        if (delta.length === 0) continue;
        text += delta;
        sink?.delta(delta);
        frames.push(delta);
        this.deps.onTokens?.(1);
      }
      if (signal.aborted) throw signal.reason;
      if (text.trim().length === 0 || text.length > INTERVIEWER_TEXT_MAX) {
        throw new LlmError('LLM_BAD_OUTPUT', `question of ${text.length} characters`, true);
      }
      frames.flush();
      // ② the question, its plan fact and the previous answer's score, in one write
      const stored = await repo.storeQuestion(csid, {
        questionId,
        text,
        asked: askedEntry(step, questionId, now(), opening?.mustAskNow?.index),
        ...withScore(score),
        at: now(),
        statuses: STREAM_STATUSES,
        ...(view.mode === 'voice' ? { source: 'voice' as const } : {}),
        ...(nudge ? { nudgeId: nudge.id } : {}),
        ...(recruiter ? { by: recruiter.by } : {}),
      });
      inflight.end(csid, questionId);
      if (stored) {
        this.remember(csid, questionId);
        broadcaster.emit(csid, 'question:end', { questionId, text });
        broadcaster.summary(stored);
        if (stored.nudge?.state === 'used' && stored.nudge.questionId === questionId) {
          this.deps.watchers?.emitToWatchers(csid, 'nudge:updated', toWireNudge(stored.id, stored.nudge));
          logger.info('nudge used', { clientSessionId: csid, nudgeId: stored.nudge.id, questionId, number: step.number });
        }
        logger.info('question stored', { clientSessionId: csid, questionId, tokens: index, chars: text.length, ms: Date.now() - started });
      } else {
        score?.release();
        logger.info('question discarded: turn moved on', { clientSessionId: csid, questionId });
      }
      sink?.end(text, stored !== null);
    } catch (err) {
      frames.cancel();
      inflight.end(csid, questionId);
      score?.release();
      // A question the sink already passed on in part is not regenerated behind its back.
      await this.failed(view, role, step, questionId, guide, attempt, err, signal.aborted, shaping, sink, text.length > 0);
    } finally {
      leases.drop(csid, controller);
    }
  }

  private async failed(
    view: CycleView,
    role: RoleProfile,
    step: AskStep,
    questionId: string,
    guide: SessionGuide | null,
    attempt: number,
    err: unknown,
    aborted: boolean,
    shaping: Shaping,
    sink?: QuestionSink,
    sent = false,
  ): Promise<void> {
    const { repo, broadcaster, leases, logger } = this.deps;
    const csid = view.clientSessionId;
    if (aborted) {
      const reason = err instanceof Error ? err.message : 'aborted';
      logger.info('question stream aborted', { clientSessionId: csid, questionId, reason });
      broadcaster.emit(csid, 'question:error', { questionId, code: 'ABORTED', retryable: true });
      sink?.error(err, true);
      return;
    }
    const llm = err instanceof LlmError ? err : null;
    const code = llm?.code ?? 'INTERNAL';
    const retryable = llm?.retryable ?? true;
    logger.warn('question generation failed', { clientSessionId: csid, questionId, code, attempt, err });
    broadcaster.emit(csid, 'question:error', { questionId, code, retryable });

    if (retryable && attempt < this.maxAttempts && !(sink && sent)) {
      await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs(attempt)));
      const retryId = newQuestionId();
      const moved = await repo
        .setTurn(csid, { expect: { state: 'generating', questionId }, set: leases.lease(retryId), statuses: STREAM_STATUSES })
        .catch((e: unknown) => (logger.warn('retry lease failed', { clientSessionId: csid, err: e }), null));
      if (moved?.won && moved.session) {
        await this.ask(this.viewOf(moved.session), role, step, retryId, guide, undefined, attempt + 1, shaping, sink);
        return;
      }
    }
    await this.release(csid, questionId);
    sink?.error(err, false);
  }

  /** Gives the turn up: its lease ends now, so a reconnect or interview:start on any node regenerates at once. */
  async release(clientSessionId: string, questionId: string): Promise<void> {
    await this.deps.repo
      .setTurn(clientSessionId, {
        expect: { state: 'generating', questionId },
        set: { state: 'generating', questionId, leaseUntil: new Date(0) },
        statuses: STREAM_STATUSES,
      })
      .catch((err: unknown) => this.deps.logger.warn('lease release failed', { clientSessionId, err }));
  }

  /** The plan says the interview is over: completed, evaluated in the background. */
  async complete(clientSessionId: string, reason: string): Promise<void> {
    const { repo, broadcaster, logger, now } = this.deps;
    const res = await repo.transition(clientSessionId, {
      from: ['active', 'paused'],
      to: 'completed',
      set: { endedBy: 'server', endedAt: now(), turn: { state: 'idle' }, evaluation: { status: 'pending', attempts: 0 } },
    });
    if (!res.won) return;
    this.forget(clientSessionId);
    broadcaster.emit(clientSessionId, 'session:status', { status: 'completed', endedBy: 'server' });
    announceExpired(this.deps.watchers ?? broadcaster, res.session);
    broadcaster.emit(clientSessionId, 'interview:complete', { reason });
    this.deps.evaluate(clientSessionId);
    logger.info('interview complete', { clientSessionId, reason });
  }

  /**
   * Starts the question of an answer whose ① landed after its deadline (see `unsure`), when
   * the stored state shows it: true when it did.
   */
  resumeUnsure(clientSessionId: string, state: Pick<AnswerState, 'status' | 'turn'>): boolean {
    const unsure = this.unsure.get(clientSessionId);
    if (!unsure) return false;
    const { turn } = state;
    if (state.status !== 'active' || turn.state !== 'generating' || turn.questionId !== unsure.questionId) return false;
    this.unsure.delete(clientSessionId);
    if (this.deps.leases.isHeld(clientSessionId, unsure.questionId)) return false;
    this.deps.logger.info('answer stored after its deadline; starting its question', { clientSessionId, questionId: unsure.questionId });
    this.later(async () => {
      const view = await this.deps.repo.readCycleView(clientSessionId, this.tail);
      if (!view) return;
      const message = view.tail.find((m) => m.id === unsure.messageId);
      if (message) this.deps.broadcaster.emit(clientSessionId, 'message:appended', toWireMessage(message));
      await this.afterAnswer(view, unsure.answered, unsure.text, unsure.questionId);
    });
    return true;
  }

  /** What this node learnt of a session's turn from a read (a snapshot): answers can then skip the read. */
  remember(clientSessionId: string, questionId: string): void;
  remember(clientSessionId: string, turn: Turn): void;
  remember(clientSessionId: string, q: string | Turn): void {
    const questionId = typeof q === 'string' ? q : q.state === 'awaiting_answer' ? q.questionId : undefined;
    this.awaiting.delete(clientSessionId);
    if (questionId === undefined) return;
    this.awaiting.set(clientSessionId, questionId);
    if (this.awaiting.size > AWAITING_MAX) this.awaiting.delete(this.awaiting.keys().next().value!);
  }

  /** A session read whole, as the cycle sees it (start, take-over, retry). */
  viewOf(session: Interview): CycleView {
    return cycleViewOf(session, this.tail);
  }

  forget(clientSessionId: string): void {
    this.awaiting.delete(clientSessionId);
    this.unsure.delete(clientSessionId);
  }

  private role(view: Pick<CycleView, 'role'>): RoleProfile {
    const role = findRole(view.role);
    if (!role) throw new AppError('INTERNAL', 'Session has an unknown role');
    return role;
  }

  private recordUsage(csid: string, usage: Parameters<Repository['addUsage']>[1]): void {
    void this.deps.repo.addUsage(csid, usage).catch((err: unknown) => this.deps.logger.warn('usage not recorded', { clientSessionId: csid, err }));
  }

  /** Work that must start after the caller's ack is on its way. */
  private later(task: () => Promise<void>): void {
    setImmediate(() => {
      task().catch((err: unknown) => this.deps.logger.error('background turn work failed', { err }));
    });
  }
}

function withoutMustAsk(opening: QuestionOpening): QuestionOpening {
  const { mustAskNow: _due, ...rest } = opening;
  return rest;
}

/** A recruiter's typed question as deltas (one per word), so every client renders it like any question. */
async function* typed(text: string): AsyncIterable<string> {
  for (const piece of text.match(/\s*\S+\s*/g) ?? [text]) yield piece;
}

function withScore(score: ScoreHandle | undefined): { score?: NonNullable<ReturnType<ScoreHandle['take']>> } {
  const taken = score?.take();
  return taken ? { score: taken } : {};
}
