import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError, parseOrThrow } from '../../../shared/errors.js';
import {
  NUDGES_PER_SESSION_MAX,
  nudgePayloadSchema,
  nudgeWithdrawPayloadSchema,
  takeoverAskPayloadSchema,
  takeoverPayloadSchema,
  type Nudge,
  type WireNudge,
  type WireTakeover,
} from '../../../shared/nudges.js';
import type { ActingRecruiter } from '../../../shared/recruiters.js';
import type { Interview } from '../../../shared/interview.js';
import type { Repository } from '../db/repository/index.js';
import type { WatcherBroadcaster } from '../interview/focusSignals.js';
import type { CandidateBroadcaster } from '../interview/ports.js';
import type { Logger } from '../observability/logger.js';
import { actorRef } from './auth.js';

/** Nudges and typed questions one recruiter may send per minute (all sessions, every node when Redis is configured). */
export const STEERING_RATE = { points: 20, durationSecs: 60 } as const;

/** What the steering service needs of the interview side (wired in candor.ts). */
export interface SteeringInterview {
  /** Streams and stores a recruiter's question under a turn won for it (QuestionCycle.askAsRecruiter). */
  askAsRecruiter(session: Interview, questionId: string, text: string, by: { id: string; name: string }): Promise<{ number: number }>;
  /** Wins the idle turn for a recruiter's question (lease to this node), or says why not. */
  claimRecruiterTurn(session: Interview): Promise<{ questionId: string; session: Interview } | null>;
  /** After a hand-back: the AI asks if nobody is asking and the candidate is not answering. */
  ensureProgress(session: Interview): Promise<void>;
}

/**
 * Recruiter steering of a live interview (docs/recruiters.md): nudges and take-over.
 * Every action records the acting recruiter's name; every state change goes to the
 * session's watchers on every node (`nudge:updated`, `takeover:updated`) and never to
 * the candidate's room — except, in a voice session whose agent runs its own LLM,
 * `voice:context` with the bare text (the candidate's browser hands it over). With the
 * Custom LLM endpoint on, voice nudges stay on the server like text ones.
 * Logs carry ids, kinds and lengths, never text or names.
 */
export class SteeringService {
  constructor(
    private readonly deps: {
      repo: Pick<Repository, 'addNudge' | 'withdrawNudge' | 'takeOver' | 'handBack' | 'findById'>;
      watchers: WatcherBroadcaster;
      candidate: CandidateBroadcaster;
      interview: SteeringInterview;
      limiter: RateLimiterAbstract;
      logger: Logger;
      now: () => Date;
      /**
       * Candor serves the voice agent's LLM (VOICE_LLM_KEY): a voice nudge then shapes the next
       * spoken question server side, in the question cycle, and never goes to the browser.
       */
      voiceServedHere?: boolean;
    },
  ) {}

  async nudge(actor: ActingRecruiter, raw: unknown): Promise<{ ok: true; nudge: WireNudge; created: boolean }> {
    const input = parseOrThrow(nudgePayloadSchema, raw, 'nudge');
    const at = this.deps.now();
    const nudge: Nudge = { id: input.nudgeId, kind: input.kind, text: input.text.trim(), state: 'pending', author: actorRef(actor), createdAt: at, updatedAt: at };
    await this.limit(actor);
    const result = await this.deps.repo.addNudge(input.sessionId, nudge);
    switch (result.outcome) {
      case 'not_found':
        throw new AppError('NOT_FOUND', 'No interview with this id');
      case 'ended':
        throw new AppError('SESSION_ENDED', `The interview has ended (${result.status}); nudges are for live interviews`);
      case 'full':
        throw new AppError('STATE_CONFLICT', `This interview already has ${NUDGES_PER_SESSION_MAX} nudges, the most it keeps`);
      case 'duplicate':
        if (result.nudge.author.id !== actor.id) throw new AppError('STATE_CONFLICT', 'This nudgeId belongs to another recruiter’s nudge; use a new id');
        return { ok: true, nudge: toWireNudge(input.sessionId, result.nudge), created: false };
      case 'added': {
        const wire = toWireNudge(input.sessionId, result.nudge);
        this.deps.watchers.emitToWatchers(result.clientSessionId, 'nudge:updated', wire);
        // Voice, agent with its own LLM: the candidate's browser passes it on (sendContextualUpdate), never shows it.
        if (result.mode === 'voice' && !this.deps.voiceServedHere) this.deps.candidate.emitToCandidate(result.clientSessionId, 'voice:context', { nudgeId: nudge.id, text: nudge.text });
        this.deps.logger.info('nudge added', { sessionId: input.sessionId, nudgeId: nudge.id, kind: nudge.kind, recruiterId: actor.id, length: nudge.text.length, mode: result.mode });
        return { ok: true, nudge: wire, created: true };
      }
    }
  }

  async withdraw(actor: ActingRecruiter, raw: unknown): Promise<{ ok: true; nudge: WireNudge }> {
    const input = parseOrThrow(nudgeWithdrawPayloadSchema, raw, 'withdrawal');
    const result = await this.deps.repo.withdrawNudge(input.sessionId, { nudgeId: input.nudgeId, by: actorRef(actor), at: this.deps.now() });
    switch (result.outcome) {
      case 'not_found':
        throw new AppError('NOT_FOUND', 'No interview with this id');
      case 'no_such_nudge':
        throw new AppError('NOT_FOUND', 'No nudge with this id in this interview');
      case 'not_pending':
        if (result.nudge.state === 'withdrawn') return { ok: true, nudge: toWireNudge(input.sessionId, result.nudge) };
        throw new AppError('STATE_CONFLICT', `This nudge is already ${result.nudge.state}`);
      case 'withdrawn': {
        const wire = toWireNudge(input.sessionId, result.nudge);
        this.deps.watchers.emitToWatchers(result.clientSessionId, 'nudge:updated', wire);
        this.deps.logger.info('nudge withdrawn', { sessionId: input.sessionId, nudgeId: input.nudgeId, recruiterId: actor.id });
        return { ok: true, nudge: wire };
      }
    }
  }

  async takeOver(actor: ActingRecruiter, raw: unknown): Promise<{ ok: true; takeover: WireTakeover }> {
    const { sessionId } = parseOrThrow(takeoverPayloadSchema, raw, 'take-over');
    const result = await this.deps.repo.takeOver(sessionId, { by: actorRef(actor), at: this.deps.now() });
    switch (result.outcome) {
      case 'not_found':
        throw new AppError('NOT_FOUND', 'No interview with this id');
      case 'voice':
        throw new AppError('STATE_CONFLICT', 'Take-over is for text interviews only: a voice call’s agent cannot be paused (send a nudge instead)');
      case 'status':
        throw new AppError('STATE_CONFLICT', `Cannot take over an interview that is ${result.status}`);
      case 'held':
        throw new AppError('STATE_CONFLICT', `${result.by.name} has already taken this interview over`);
      case 'taken': {
        const takeover = toWireTakeover(result.session);
        this.deps.watchers.emitToWatchers(result.session.clientSessionId, 'takeover:updated', takeover);
        this.deps.logger.info('interview taken over', { sessionId, recruiterId: actor.id });
        return { ok: true, takeover };
      }
    }
  }

  /** The recruiter's own question: only by the holder, only when the candidate has answered (the turn is idle). */
  async ask(actor: ActingRecruiter, raw: unknown): Promise<{ ok: true; questionId: string; number: number }> {
    const { sessionId, text } = parseOrThrow(takeoverAskPayloadSchema, raw, 'question');
    await this.limit(actor);
    const session = await this.deps.repo.findById(sessionId);
    if (!session) throw new AppError('NOT_FOUND', 'No interview with this id');
    if (session.takeover?.by.id !== actor.id) {
      throw new AppError('STATE_CONFLICT', session.takeover ? `${session.takeover.by.name} has taken this interview over` : 'Take the interview over first (session:takeover)');
    }
    const claimed = await this.deps.interview.claimRecruiterTurn(session);
    if (!claimed) {
      throw new AppError('STATE_CONFLICT', session.status !== 'active' ? `Cannot ask while the interview is ${session.status}` : 'The candidate has not answered the current question yet');
    }
    const { number } = await this.deps.interview.askAsRecruiter(claimed.session, claimed.questionId, text.trim(), actorRef(actor));
    this.deps.logger.info('recruiter asked', { sessionId, questionId: claimed.questionId, recruiterId: actor.id, length: text.length });
    return { ok: true, questionId: claimed.questionId, number };
  }

  /** Hand-back: the holder (or an admin) gives the turn back to the AI, which asks next once nobody is waiting on the candidate. */
  async handBack(actor: ActingRecruiter, raw: unknown): Promise<{ ok: true; takeover: WireTakeover }> {
    const { sessionId } = parseOrThrow(takeoverPayloadSchema, raw, 'hand-back');
    const result = await this.deps.repo.handBack(sessionId, { by: actorRef(actor), anyHolder: actor.role === 'admin' });
    switch (result.outcome) {
      case 'not_found':
        throw new AppError('NOT_FOUND', 'No interview with this id');
      case 'held':
        throw new AppError('FORBIDDEN', `${result.by.name} has taken this interview over; only they (or an admin) can hand it back`);
      case 'not_taken':
        return { ok: true, takeover: toWireTakeover(result.session) };
      case 'handed_back': {
        const takeover = toWireTakeover(result.session);
        this.deps.watchers.emitToWatchers(result.session.clientSessionId, 'takeover:updated', takeover);
        this.deps.logger.info('interview handed back', { sessionId, recruiterId: actor.id });
        await this.deps.interview.ensureProgress(result.session);
        return { ok: true, takeover };
      }
    }
  }

  private async limit(actor: ActingRecruiter): Promise<void> {
    try {
      await this.deps.limiter.consume(actor.id);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      throw new AppError('RATE_LIMITED', 'Too many nudges and questions; slow down', { retryAfterMs: err.msBeforeNext });
    }
  }
}

/** After a won transition that ended the interview: every nudge it expired goes to the watchers (every node). */
export function announceExpired(broadcaster: { emitToWatchers?: WatcherBroadcaster['emitToWatchers'] }, session: Interview | null): void {
  if (!session || !broadcaster.emitToWatchers) return;
  for (const n of session.nudges ?? []) if (n.state === 'expired') broadcaster.emitToWatchers(session.clientSessionId, 'nudge:updated', toWireNudge(session.id, n));
  // The same update ended any take-over: watchers show the AI (nobody) again.
  broadcaster.emitToWatchers(session.clientSessionId, 'takeover:updated', toWireTakeover(session));
}

/** Voice: the pending nudges an agent line arriving now honours (all of them: each went to the agent as context). */
export function pendingNudgeIds(session: Pick<Interview, 'nudges'>): string[] {
  return (session.nudges ?? []).filter((n) => n.state === 'pending').map((n) => n.id);
}

/** Voice: the number of the agent line about to be stored (its interviewer lines so far + 1). */
export function agentLineNumber(session: Pick<Interview, 'messages'>): number {
  return session.messages.filter((m) => m.role === 'interviewer').length + 1;
}

/** After a line or question that used nudges: each one it used goes to the watchers. */
export function announceUsed(broadcaster: { emitToWatchers?: WatcherBroadcaster['emitToWatchers'] }, session: Interview, questionId: string): void {
  if (!broadcaster.emitToWatchers) return;
  for (const n of session.nudges ?? []) {
    if (n.state === 'used' && n.questionId === questionId) broadcaster.emitToWatchers(session.clientSessionId, 'nudge:updated', toWireNudge(session.id, n));
  }
}

export function toWireNudge(sessionId: string, n: Nudge): WireNudge {
  return {
    id: n.id,
    sessionId,
    kind: n.kind,
    text: n.text,
    state: n.state,
    author: n.author,
    questionId: n.questionId ?? null,
    questionNumber: n.questionNumber ?? null,
    withdrawnBy: n.withdrawnBy ?? null,
    createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
  };
}

export function toWireTakeover(session: Pick<Interview, 'id' | 'takeover'>): WireTakeover {
  return { sessionId: session.id, by: session.takeover?.by ?? null, at: session.takeover?.at.toISOString() ?? null };
}
