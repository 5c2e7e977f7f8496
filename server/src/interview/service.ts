import { AppError, parseOrThrow } from '../../../shared/errors.js';
import type { EndedBy, Interview, InterviewStatus } from '../../../shared/interview.js';
import { createSessionRequestSchema, submitAnswerSchema, type AnswerAck, type SessionSnapshot, type StatusAck } from '../../../shared/protocol.js';
import type { Repository } from '../db/repository/index.js';
import type { Logger } from '../observability/logger.js';
import type { EvaluationRunner } from './evaluationRunner.js';
import { KeyedQueue } from './keyedQueue.js';
import type { InflightStore, SessionBroadcaster } from './ports.js';
import { newQuestionId, type QuestionCycle } from './questionCycle.js';
import { findRole } from './roles.js';
import { announceExpired } from '../recruiters/nudges.js';
import { buildSnapshot } from './snapshot.js';
import type { TurnLeases } from './turnLeases.js';

export interface InterviewServiceDeps {
  repo: Repository;
  /** The answer -> question pipeline (questionCycle.ts). */
  cycle: QuestionCycle;
  leases: TurnLeases;
  evaluations: EvaluationRunner;
  broadcaster: SessionBroadcaster;
  inflight: InflightStore;
  logger: Logger;
  now: () => Date;
  /** Voice interviews end through the voice service (server/src/voice/voiceService.ts), one path for every caller. */
  voiceEnd?: (clientSessionId: string, endedBy: 'user' | 'disconnect', conversationId?: string) => Promise<StatusAck>;
}

const ENDED: readonly InterviewStatus[] = ['ended_pending_webhook', 'completed', 'abandoned', 'orphaned'];
const OPEN: readonly InterviewStatus[] = ['created', 'active', 'paused'];

/**
 * One function per user action. The socket handlers, the REST twins and the
 * tests all call these, so there is exactly one code path per action. Every
 * state change is one atomic repository write whose filter states its
 * precondition; slow work (generation, scoring, evaluation) starts only after
 * the write that makes it safe has been acknowledged.
 */
export class InterviewService {
  private readonly submits = new KeyedQueue();

  constructor(private readonly deps: InterviewServiceDeps) {}

  async createSession(raw: unknown): Promise<{ session: Interview; created: boolean }> {
    const { openingSlug, role: requestedRole, ...request } = parseOrThrow(createSessionRequestSchema, raw, 'session');
    let role = requestedRole;
    let openingId: string | undefined;
    if (openingSlug !== undefined) {
      // A retried create returns the session it made, even if the opening was archived since.
      const existing = await this.deps.repo.findByClientSessionId(request.clientSessionId);
      if (existing) return { session: existing, created: false };
      const opening = await this.deps.repo.findOpeningBySlug(openingSlug);
      if (!opening) throw new AppError('NOT_FOUND', 'This interview link does not exist (it may have been replaced by a new one)');
      if (opening.archivedAt) throw new AppError('GONE', 'This interview link is closed: the opening was archived');
      if (!opening.allowedModes.includes(request.mode)) {
        throw new AppError('VALIDATION', `Invalid session: mode: this opening allows ${opening.allowedModes.join(' and ')} interviews`, {
          details: [{ path: 'mode', message: `allowed: ${opening.allowedModes.join(', ')}` }],
        });
      }
      if (role !== undefined && role !== opening.role) {
        throw new AppError('VALIDATION', 'Invalid session: role: the opening sets the role', {
          details: [{ path: 'role', message: `must be ${opening.role} (or omitted)` }],
        });
      }
      role = opening.role;
      openingId = opening.id;
    }
    if (role === undefined || !findRole(role)) {
      throw new AppError('VALIDATION', `Invalid session: role: unknown role "${role ?? ''}"`, {
        details: [{ path: 'role', message: 'unknown role; see GET /api/roles' }],
      });
    }
    const input = { ...request, role, ...(openingId ? { openingId } : {}) };
    const result = await this.deps.repo.createSession(input);
    if (result.created) {
      this.deps.logger.info('session created', { clientSessionId: input.clientSessionId, mode: input.mode, role: input.role, openingId });
      this.deps.broadcaster.touched(input.clientSessionId);
    }
    return result;
  }

  async snapshot(clientSessionId: string): Promise<SessionSnapshot> {
    return this.snapshotOf(await this.require(clientSessionId));
  }

  async snapshotOf(session: Interview): Promise<SessionSnapshot> {
    this.deps.cycle.remember(session.clientSessionId, session.turn);
    return buildSnapshot(session, await this.deps.inflight.get(session.clientSessionId));
  }

  /** Starts the first question; on an active session it only makes sure a question is coming. */
  async start(clientSessionId: string): Promise<StatusAck> {
    const session = await this.require(clientSessionId);
    if (session.mode !== 'text') throw new AppError('STATE_CONFLICT', 'A voice interview is started through the voice session, not interview:start');
    if (ENDED.includes(session.status)) throw ended(session);
    if (session.status !== 'created') {
      await this.ensureProgress(session);
      return { ok: true, status: session.status };
    }
    if (!findRole(session.role)) throw new AppError('INTERNAL', 'Session has an unknown role');
    const questionId = newQuestionId();
    const started = await this.deps.repo.transition(clientSessionId, {
      from: ['created'],
      to: 'active',
      set: { startedAt: this.deps.now(), turn: this.deps.leases.lease(questionId) },
    });
    if (!started.won || !started.session) {
      // A concurrent start won; answer with the state it produced.
      const current = started.session ?? (await this.require(clientSessionId));
      return { ok: true, status: current.status };
    }
    this.deps.broadcaster.emit(clientSessionId, 'session:status', { status: 'active' });
    const view = this.deps.cycle.viewOf(started.session);
    this.later(() => this.deps.cycle.continue(view, questionId));
    return { ok: true, status: 'active' };
  }

  /**
   * Stores the answer, then acks; the next question starts only after (questionCycle.ts).
   * Submits of one session are serialised on this node, so concurrent retries of one
   * messageId are answered from what the first one stored.
   */
  submitAnswer(clientSessionId: string, raw: unknown): Promise<AnswerAck> {
    const input = parseOrThrow(submitAnswerSchema, raw, 'answer');
    return this.submits.run(clientSessionId, () => this.deps.cycle.answer(clientSessionId, input.messageId, input.text));
  }

  async pause(clientSessionId: string): Promise<StatusAck> {
    const res = await this.deps.repo.transition(clientSessionId, { from: ['active'], to: 'paused' });
    const session = res.session ?? (await this.require(clientSessionId));
    if (res.won) this.deps.broadcaster.emit(clientSessionId, 'session:status', { status: 'paused' });
    else if (session.status !== 'paused') throw this.conflictFor(session, 'pause');
    return { ok: true, status: 'paused' };
  }

  async resume(clientSessionId: string): Promise<StatusAck> {
    const res = await this.deps.repo.transition(clientSessionId, { from: ['paused'], to: 'active' });
    const session = res.session ?? (await this.require(clientSessionId));
    if (res.won) this.deps.broadcaster.emit(clientSessionId, 'session:status', { status: 'active' });
    else if (session.status !== 'active') throw this.conflictFor(session, 'resume');
    await this.ensureProgress(session);
    return { ok: true, status: 'active' };
  }

  /** Ends the interview by the candidate's hand (or their disconnect); idempotent. */
  async end(clientSessionId: string, endedBy: Extract<EndedBy, 'user' | 'disconnect'>, conversationId?: string): Promise<StatusAck> {
    const session = await this.require(clientSessionId);
    if (session.mode === 'voice' && this.deps.voiceEnd) return this.deps.voiceEnd(clientSessionId, endedBy, conversationId);
    if (!OPEN.includes(session.status)) return { ok: true, status: session.status };
    const to: InterviewStatus = session.mode === 'voice' ? 'ended_pending_webhook' : 'completed';
    const res = await this.deps.repo.transition(clientSessionId, {
      from: OPEN,
      to,
      set: {
        endedBy,
        endedAt: this.deps.now(),
        turn: { state: 'idle' },
        ...(to === 'completed' ? { evaluation: { status: 'pending', attempts: 0 } } : {}),
      },
    });
    const current = res.session ?? (await this.require(clientSessionId));
    if (!res.won) return { ok: true, status: current.status };
    this.deps.leases.abort(clientSessionId, 'interview ended');
    this.deps.cycle.forget(clientSessionId);
    this.deps.broadcaster.emit(clientSessionId, 'session:status', { status: to, endedBy });
    announceExpired(this.deps.broadcaster, res.session);
    if (to === 'completed') {
      this.deps.broadcaster.emit(clientSessionId, 'interview:complete', { reason: `ended_by_${endedBy}` });
      this.deps.evaluations.kick(clientSessionId);
    }
    this.deps.logger.info('interview ended', { clientSessionId, endedBy, status: to });
    return { ok: true, status: to };
  }

  /**
   * Makes a stalled turn move again: a generating turn whose lease ran out
   * (its node died, or the candidate left and it was released) is taken over
   * under a new questionId; an active idle turn asks the next question or
   * completes the interview. Safe to call any time, from any node.
   */
  async ensureProgress(session: Interview): Promise<void> {
    const csid = session.clientSessionId;
    if (session.status !== 'active' || session.mode !== 'text') return;
    const { turn } = session;
    if (turn.state === 'awaiting_answer') return;
    // Taken over by a recruiter: the AI asks nothing (an idle turn waits for the recruiter's question).
    if (session.takeover && turn.state === 'idle') return;
    if (turn.state === 'generating') {
      if (this.deps.cycle.resumeUnsure(csid, session)) return;
      if (this.deps.leases.isHeld(csid, turn.questionId)) return;
      if (turn.leaseUntil && turn.leaseUntil.getTime() > this.deps.now().getTime()) return;
    }
    const questionId = newQuestionId();
    const expect =
      turn.state === 'generating'
        ? { state: 'generating' as const, ...(turn.questionId ? { questionId: turn.questionId } : {}), leaseExpiredAt: this.deps.now() }
        : { state: 'idle' as const };
    if (session.takeover) {
      // An abandoned question under a take-over: the turn goes to the recruiter (idle), not to the AI.
      await this.deps.repo.setTurn(csid, { expect, set: { state: 'idle' } });
      return;
    }
    const taken = await this.deps.repo.setTurn(csid, { expect, set: this.deps.leases.lease(questionId) });
    if (!taken.won || !taken.session) return;
    this.deps.logger.info('turn taken over', { clientSessionId: csid, from: turn.questionId, questionId });
    const view = this.deps.cycle.viewOf(taken.session);
    this.later(() => this.deps.cycle.continue(view, questionId));
  }

  /**
   * Take-over: wins the idle turn (the candidate answered, the AI is paused) for the
   * recruiter's question, with this node's lease; null when the turn is not idle.
   */
  async claimRecruiterTurn(session: Interview): Promise<{ questionId: string; session: Interview } | null> {
    if (!session.takeover || session.status !== 'active') return null;
    const questionId = newQuestionId();
    const taken = await this.deps.repo.setTurn(session.clientSessionId, { expect: { state: 'idle' }, set: this.deps.leases.lease(questionId) });
    return taken.won && taken.session?.takeover ? { questionId, session: taken.session } : null;
  }

  /** Streams and stores a recruiter's question under the turn claimed for it. */
  askAsRecruiter(session: Interview, questionId: string, text: string, by: { id: string; name: string }): Promise<{ number: number }> {
    return this.deps.cycle.askAsRecruiter(this.deps.cycle.viewOf(session), questionId, text, by);
  }

  /**
   * Stops this node's stream for the session and releases its lease, so a
   * reconnect on any node regenerates at once: the candidate left and did not
   * come back within the grace period, or this server is shutting down.
   */
  async releaseTurn(clientSessionId: string, reason = 'candidate disconnected'): Promise<void> {
    const questionId = this.deps.leases.abort(clientSessionId, reason);
    if (!questionId) return;
    await this.deps.cycle.release(clientSessionId, questionId);
    this.deps.logger.info('question aborted', { clientSessionId, questionId, reason });
  }

  /** Shutdown: stop every stream on this node and release its lease, so a reconnect anywhere regenerates at once. */
  async releaseAllTurns(): Promise<void> {
    const sessions = this.deps.leases.sessions();
    await Promise.all(sessions.map((csid) => this.releaseTurn(csid, 'server shutting down').catch(() => undefined)));
  }

  async require(clientSessionId: string): Promise<Interview> {
    const session = await this.deps.repo.findByClientSessionId(clientSessionId);
    if (!session) throw notFound(clientSessionId);
    return session;
  }

  private conflictFor(session: Interview, action: string): AppError {
    if (ENDED.includes(session.status)) return ended(session);
    return new AppError('STATE_CONFLICT', `Cannot ${action} an interview that is ${session.status}`);
  }

  /** Work that must start after the caller's ack is on its way. */
  private later(task: () => Promise<void>): void {
    setImmediate(() => {
      task().catch((err: unknown) => this.deps.logger.error('background turn work failed', { err }));
    });
  }
}

function notFound(clientSessionId: string): AppError {
  return new AppError('NOT_FOUND', `No interview with clientSessionId ${clientSessionId}`);
}

function ended(session: Interview): AppError {
  return new AppError('SESSION_ENDED', `The interview has ended (${session.status})`);
}
