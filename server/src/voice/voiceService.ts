import { AppError, parseOrThrow } from '../../../shared/errors.js';
import { CANDIDATE_TEXT_MAX, type Interview, type InterviewStatus } from '../../../shared/interview.js';
import type { AnswerAck, StatusAck } from '../../../shared/protocol.js';
import {
  voiceSessionRequestSchema,
  type VoiceConversationAck,
  type VoiceResult,
  type VoiceSessionResponse,
  type VoiceTranscriptPayload,
} from '../../../shared/voice.js';
import type { Repository } from '../db/repository/index.js';
import type { SessionBroadcaster } from '../interview/ports.js';
import { toWireMessage } from '../interview/snapshot.js';
import { agentLineNumber, announceExpired, announceUsed, pendingNudgeIds } from '../recruiters/nudges.js';
import type { Logger } from '../observability/logger.js';
import { agentOverridesFor } from './agentOverrides.js';
import type { ElevenLabsGateway } from './elevenLabsGateway.js';
import type { VoiceLinker } from './linker.js';
import type { VoiceSimulator } from './simulator.js';

export interface VoiceServiceDeps {
  repo: Repository;
  broadcaster: SessionBroadcaster;
  linker: VoiceLinker;
  gateway: ElevenLabsGateway;
  /** Set when there is no ElevenLabs key. */
  simulator: VoiceSimulator | null;
  /** The configured ElevenLabs agent (ignored by the simulator). */
  agentId: string | undefined;
  reconcileAfterMs: number;
  /** VOICE_LLM_KEY is set: the Custom LLM endpoint stores the turns, live lines are acknowledged only. */
  customLlm?: boolean;
  logger: Logger;
  now: () => Date;
}

const OPEN: readonly InterviewStatus[] = ['created', 'active', 'paused'];
const LIVE_STATUSES: readonly InterviewStatus[] = ['active', 'paused', 'ended_pending_webhook'];

/**
 * One function per voice action; the socket handlers (voiceHandlers.ts), the
 * REST routes (http/voice.ts, the end route) and the tests call these.
 */
export class VoiceService {
  constructor(private readonly deps: VoiceServiceDeps) {}

  /** POST /api/voice/session: ElevenLabs signed URL / token (or the simulator), start recorded atomically. */
  async startVoiceSession(raw: unknown): Promise<VoiceSessionResponse> {
    const req = parseOrThrow(voiceSessionRequestSchema, raw, 'voice session request');
    const csid = req.clientSessionId;
    const session = await this.requireVoice(csid);
    if (!OPEN.includes(session.status)) throw new AppError('SESSION_ENDED', `The interview has ended (${session.status})`);
    const { gateway, simulator, repo, logger } = this.deps;
    const userId = session.candidateId ?? csid;
    const dynamicVariables = { client_session_id: csid, role: session.role };

    let response: VoiceSessionResponse;
    let knownConversationId: string | undefined;
    if (simulator) {
      const simulation = simulator.configure(csid, req.simulate);
      knownConversationId = simulation.omitConversationId ? undefined : simulator.conversationIdFor(csid);
      response = { agentId: simulator.agentId, userId, dynamicVariables, simulated: true, simulation };
    } else {
      const agentId = this.deps.agentId;
      if (!agentId) throw new AppError('INTERNAL', 'No ElevenLabs agent configured');
      let start;
      try {
        start = await gateway.startConversation(agentId, req.transport ?? 'websocket');
      } catch (err) {
        logger.warn('elevenlabs start failed', { clientSessionId: csid, err });
        throw new AppError('DEPENDENCY_DOWN', 'ElevenLabs is not reachable; retry shortly', { retryAfterMs: 5_000, cause: err });
      }
      knownConversationId = start.conversationId;
      response = { agentId, userId, dynamicVariables, simulated: false };
      // Candor is the agent's LLM (the extra body names the session), or the agent's own LLM gets the opening as overrides.
      if (this.deps.customLlm) response.customLlmExtraBody = { client_session_id: csid };
      else response.agentOverrides = await agentOverridesFor(repo, session);
      if (start.signedUrl) response.signedUrl = start.signedUrl;
      if (start.conversationToken) response.conversationToken = start.conversationToken;
    }

    const begun = await repo.beginVoice(csid, { agentId: response.agentId, userId, startedAt: this.deps.now() });
    if (begun.won && session.status === 'created') this.deps.broadcaster.emit(csid, 'session:status', { status: 'active' });
    if (knownConversationId) {
      // Recorded at start when ElevenLabs tells us (includeConversationId / WebRTC token): the webhook then links
      // by id even if the browser never reports it. Never overwrites an id recorded earlier (a repeated start).
      const set = await repo.setConversationId(csid, knownConversationId);
      if (set.outcome === 'set' || set.outcome === 'already_set_same') response.conversationId = knownConversationId;
      else logger.info('conversation id at start not recorded', { clientSessionId: csid, outcome: set.outcome });
    }
    logger.info('voice session started', { clientSessionId: csid, simulated: response.simulated, conversationKnown: Boolean(response.conversationId) });
    return response;
  }

  /** `voice:started`: the browser's SDK connected. In the simulator the agent speaks first. */
  async voiceStarted(clientSessionId: string): Promise<StatusAck> {
    const session = await this.requireVoice(clientSessionId);
    if (!session.voice?.startedAt) throw new AppError('STATE_CONFLICT', 'Start the voice session first (POST /api/voice/session)');
    if (session.status === 'active' && this.isSimulated(session)) void this.deps.simulator?.greet(clientSessionId).catch((err: unknown) => this.deps.logger.warn('simulated agent failed', { clientSessionId, err }));
    return { ok: true, status: session.status };
  }

  /**
   * `voice:conversation-id` (and the conversationId of `voice:ended` / the end route):
   * set once; if an orphaned webhook already holds this id, its transcript is merged in.
   */
  async reportConversationId(clientSessionId: string, conversationId: string): Promise<VoiceConversationAck> {
    await this.requireVoice(clientSessionId);
    const set = await this.deps.repo.setConversationId(clientSessionId, conversationId);
    switch (set.outcome) {
      case 'set':
      case 'already_set_same':
        return { ok: true, conversationId, merged: false, status: set.session.status };
      case 'not_found':
        throw new AppError('NOT_FOUND', `No interview with clientSessionId ${clientSessionId}`);
      case 'conflict_other_id':
        throw new AppError('CONVERSATION_CONFLICT', 'This interview already has another conversation id');
      case 'conflict_other_session': {
        const merged = await this.deps.linker.merge(clientSessionId, conversationId);
        if (merged.merged && merged.session) return { ok: true, conversationId, merged: true, status: merged.session.status };
        throw new AppError('CONVERSATION_CONFLICT', 'Another interview holds this conversation id');
      }
    }
  }

  /** `voice:transcript`: a live line, stored once per messageId and pushed like a text turn. */
  async appendLiveTranscript(clientSessionId: string, payload: VoiceTranscriptPayload): Promise<AnswerAck> {
    const session = await this.requireVoice(clientSessionId);
    if (this.deps.customLlm) {
      // The endpoint stores the turns (source `voice`); a second copy would double the transcript.
      // The simulated platform hears the candidate's line and sends it to the endpoint.
      if (payload.role === 'user' && session.status === 'active' && this.isSimulated(session)) {
        void this.deps.simulator?.hear(clientSessionId, payload.text).catch((err: unknown) => this.deps.logger.warn('simulated platform failed', { clientSessionId, err }));
      }
      const seq = session.messages.findIndex((m) => m.id === payload.messageId) + 1;
      return { ok: true, messageId: payload.messageId, seq: seq > 0 ? seq : Math.max(1, session.messages.length) };
    }
    const role = payload.role === 'user' ? 'candidate' : 'interviewer';
    // A spoken line longer than a typed answer is cut for the live view; the webhook transcript is authoritative.
    const text = role === 'candidate' ? payload.text.slice(0, CANDIDATE_TEXT_MAX) : payload.text;
    // An agent line after a recruiter's nudge (passed to the agent as a contextual update): the nudge is used by it.
    const honoured = role === 'interviewer' ? pendingNudgeIds(session) : [];
    const res = await this.deps.repo.appendMessage(
      clientSessionId,
      { id: payload.messageId, role, text, source: 'voice_live', at: this.deps.now() },
      { allowedStatuses: LIVE_STATUSES, ...(honoured.length > 0 ? { nudges: { ids: honoured, questionNumber: agentLineNumber(session) } } : {}) },
    );
    if (res.outcome === 'duplicate') return { ok: true, messageId: payload.messageId, seq: res.seq };
    if (res.outcome === 'rejected') {
      if (res.reason === 'not_found') throw new AppError('NOT_FOUND', `No interview with clientSessionId ${clientSessionId}`);
      throw new AppError(session.status === 'created' ? 'STATE_CONFLICT' : 'SESSION_ENDED', `Live lines are not accepted while the interview is ${res.session?.status ?? session.status}`);
    }
    this.deps.broadcaster.emit(clientSessionId, 'message:appended', toWireMessage(res.message));
    this.deps.broadcaster.summary(res.session);
    if (honoured.length > 0) announceUsed(this.deps.broadcaster, res.session, res.message.id);
    if (role === 'candidate' && this.isSimulated(res.session)) {
      void this.deps.simulator?.reply(clientSessionId).catch((err: unknown) => this.deps.logger.warn('simulated agent failed', { clientSessionId, err }));
    }
    return { ok: true, messageId: payload.messageId, seq: res.seq };
  }

  /**
   * The voice interview ends (voice:ended, interview:end, the REST end route, a
   * disconnect past its grace period): the conversation id is recorded first
   * (which may merge an orphan and complete the session), then open -> ended_pending_webhook.
   * Idempotent; a session the webhook already completed stays completed.
   */
  async end(clientSessionId: string, endedBy: 'user' | 'disconnect' | 'agent', conversationId?: string): Promise<StatusAck> {
    const { repo, broadcaster, logger } = this.deps;
    await this.requireVoice(clientSessionId);
    if (conversationId) {
      try {
        await this.reportConversationId(clientSessionId, conversationId);
      } catch (err) {
        // The end itself must still happen; the conflict is logged and the reconciler / a recruiter resolves it.
        if (!(err instanceof AppError) || err.code !== 'CONVERSATION_CONFLICT') throw err;
        logger.warn('conversation id reported at end conflicts', { clientSessionId, conversationId });
      }
    }
    const now = this.deps.now();
    const stored = endedBy === 'agent' ? 'server' : endedBy;
    const res = await repo.transition(clientSessionId, {
      from: OPEN,
      to: 'ended_pending_webhook',
      set: { endedBy: stored, endedAt: now, voiceEndedAt: now, turn: { state: 'idle' } },
    });
    const current = res.session ?? (await this.requireVoice(clientSessionId));
    if (res.won) {
      broadcaster.emit(clientSessionId, 'session:status', { status: 'ended_pending_webhook', endedBy: stored });
      announceExpired(broadcaster, res.session);
      logger.info('voice interview ended', { clientSessionId, endedBy: stored });
      if (this.isSimulated(current)) this.deps.simulator?.scheduleWebhook(clientSessionId);
    }
    return { ok: true, status: current.status };
  }

  /** The candidate's sockets are gone past the grace period: an open voice interview ends with endedBy 'disconnect'. */
  async candidateGone(clientSessionId: string): Promise<void> {
    const session = await this.deps.repo.findByClientSessionId(clientSessionId);
    if (!session || session.mode !== 'voice' || !OPEN.includes(session.status) || !session.voice?.startedAt) return;
    await this.end(clientSessionId, 'disconnect');
  }

  /** The voice block of GET /api/sessions/by-client/:id; null for a text interview. */
  resultOf(session: Interview): VoiceResult | null {
    if (session.mode !== 'voice') return null;
    const v = session.voice;
    const state: VoiceResult['state'] =
      session.status === 'orphaned'
        ? 'orphaned'
        : session.transcript
          ? 'linked'
          : session.status === 'ended_pending_webhook'
            ? 'awaiting_transcript'
            : session.status === 'abandoned'
              ? 'transcript_missing'
              : session.status === 'completed'
                ? 'transcript_missing'
                : 'in_progress';
    const ended = session.endedAt ?? v?.endedAt;
    return {
      state,
      linkedBy: v?.linkedBy ?? null,
      agentId: v?.agentId ?? null,
      userId: v?.userId ?? null,
      startedAt: v?.startedAt?.toISOString() ?? null,
      endedAt: ended?.toISOString() ?? null,
      expectedBy: state === 'awaiting_transcript' && ended ? new Date(ended.getTime() + this.deps.reconcileAfterMs).toISOString() : null,
      transcriptLines: session.transcript?.lines.length ?? 0,
    };
  }

  private isSimulated(session: Interview): boolean {
    return this.deps.simulator !== null && session.voice?.agentId === this.deps.simulator.agentId;
  }

  private async requireVoice(clientSessionId: string): Promise<Interview> {
    const session = await this.deps.repo.findByClientSessionId(clientSessionId);
    if (!session) throw new AppError('NOT_FOUND', `No interview with clientSessionId ${clientSessionId}`);
    if (session.mode !== 'voice') throw new AppError('STATE_CONFLICT', 'This is a text interview');
    return session;
  }
}
