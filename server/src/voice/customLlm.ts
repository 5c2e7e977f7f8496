import { createHash } from 'node:crypto';
import { AppError } from '../../../shared/errors.js';
import { clientSessionIdSchema, conversationIdSchema } from '../../../shared/ids.js';
import { CANDIDATE_TEXT_MAX, type Turn } from '../../../shared/interview.js';
import type { ChatMessage, CustomLlmRequest } from '../../../shared/voice.js';
import type { CycleView, Repository } from '../db/repository/index.js';
import { KeyedQueue } from '../interview/keyedQueue.js';
import { newQuestionId, type QuestionCycle, type QuestionSink } from '../interview/questionCycle.js';
import type { SessionBroadcaster } from '../interview/ports.js';
import { toWireMessage } from '../interview/snapshot.js';
import type { TurnLeases } from '../interview/turnLeases.js';
import type { Logger } from '../observability/logger.js';

/** The lines the agent's system prompt carries (docs/voice.md); the platform renders the dynamic variables in. */
export const PROMPT_SESSION_LINE = 'Candor session: {{client_session_id}}';
export const PROMPT_CONVERSATION_LINE = 'Candor conversation: {{system__conversation_id}}';
const SESSION_IN_PROMPT = /Candor session:[ \t]*([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\b/;
const CONVERSATION_IN_PROMPT = /Candor conversation:[ \t]*([A-Za-z0-9_:.-]{1,128})/;

/** Spoken when a request names no open voice session (nothing is stored). */
export const REFUSAL_LINE = "I'm sorry, I can't find an open interview for this call. Please go back to the interview page and start again.";
/** Spoken while the interview is paused (nothing is stored). */
export const PAUSED_LINE = 'The interview is paused. Please resume it on the interview page when you are ready.';
/** Spoken when the plan is complete (the interview ends as a voice interview does). */
export const CLOSING_LINE = 'Thank you, that is all the questions I have. You can end the interview now.';
/** Spoken when the interviewer failed mid-question: never silence. The next request asks the question again. */
export const RECOVERY_LINE = 'Sorry, I lost my train of thought for a moment. Say anything when you are ready and I will ask again.';

/** Where the request's text goes: the platform's SSE stream (http/voiceLlm.ts). */
export interface SpeechOut {
  write(text: string): void;
}

export type TurnOutcome = 'asked' | 'replayed' | 'refused' | 'paused' | 'closing' | 'recovered' | 'aborted' | 'superseded';

export interface VoiceLlmDeps {
  repo: Repository;
  cycle: QuestionCycle;
  leases: TurnLeases;
  /** Pushes a revised answer to the candidate and watchers. */
  broadcaster: Pick<SessionBroadcaster, 'emit'>;
  /** Ends a voice interview whose plan is complete (voiceService.end with 'agent'). */
  endVoice: (clientSessionId: string) => Promise<unknown>;
  logger: Logger;
}

interface Identified {
  clientSessionId?: string;
  conversationId?: string;
  by: 'extra_body' | 'prompt' | 'none';
}

/** The session and conversation a request names: `elevenlabs_extra_body.client_session_id` first, else the rendered system prompt. */
export function identify(req: CustomLlmRequest): Identified {
  const prompt = req.messages
    .filter((m) => m.role === 'system')
    .map(textOf)
    .join('\n');
  const conv = CONVERSATION_IN_PROMPT.exec(prompt)?.[1];
  const conversationId = conv && conversationIdSchema.safeParse(conv).success ? conv : undefined;
  const fromBody = req.elevenlabs_extra_body?.client_session_id;
  if (fromBody !== undefined && clientSessionIdSchema.safeParse(fromBody).success) {
    return { clientSessionId: fromBody.toLowerCase(), ...(conversationId ? { conversationId } : {}), by: 'extra_body' };
  }
  const fromPrompt = SESSION_IN_PROMPT.exec(prompt)?.[1];
  if (fromPrompt) return { clientSessionId: fromPrompt.toLowerCase(), ...(conversationId ? { conversationId } : {}), by: 'prompt' };
  return { ...(conversationId ? { conversationId } : {}), by: 'none' };
}

export function textOf(m: ChatMessage): string {
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content)) return m.content.map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
  return '';
}

/** The candidate's turn in a request: the last `user` message (when it is the last turn) and how many agent lines came before it. */
export function turnOf(messages: readonly ChatMessage[]): { answer: string | undefined; agentLines: number } {
  const talk = messages.filter((m) => m.role === 'user' || m.role === 'assistant');
  const last = talk[talk.length - 1];
  const answer = last?.role === 'user' ? textOf(last).trim() : '';
  const agentLines = talk.filter((m) => m.role === 'assistant').length;
  return { answer: answer.length > 0 ? answer : undefined, agentLines };
}

/** The answer's message id: the same for every retry and speculative request of one turn of one conversation. */
export function answerKey(conversation: string, agentLines: number): string {
  return `voice:${createHash('sha256').update(conversation).digest('hex').slice(0, 16)}:${agentLines}`;
}

type SinkResult =
  | { kind: 'stored' | 'discarded' }
  | { kind: 'failed' | 'aborted'; err: unknown }
  | { kind: 'complete'; reason: string };

/** One request's view of its turn (QuestionSink): deltas to the platform, the outcome to the handler. */
class TurnSink implements QuestionSink {
  questionId: string | undefined;
  wasAccepted = false;
  sent = 0;
  readonly done: Promise<SinkResult>;
  private settle!: (r: SinkResult) => void;
  private settled = false;

  constructor(
    private readonly out: SpeechOut,
    private readonly gone: AbortSignal,
    private readonly onStart: (questionId: string) => void,
  ) {
    this.done = new Promise((resolve) => (this.settle = resolve));
  }

  accepted(): void {
    this.wasAccepted = true;
  }
  start(questionId: string): void {
    this.questionId = questionId;
    this.onStart(questionId);
  }
  delta(text: string): void {
    if (this.gone.aborted) return;
    this.sent += text.length;
    this.out.write(text);
  }
  end(_text: string, stored: boolean): void {
    this.finish({ kind: stored ? 'stored' : 'discarded' });
  }
  error(err: unknown, aborted: boolean): void {
    this.finish({ kind: aborted ? 'aborted' : 'failed', err });
  }
  complete(reason: string): Promise<void> {
    this.finish({ kind: 'complete', reason });
    return Promise.resolve();
  }
  finish(r: SinkResult): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(r);
  }
}

type Decision = { say: string; outcome: TurnOutcome; reason?: string } | { streaming: true };

/**
 * The ElevenLabs agent's Custom LLM (docs/voice.md "Custom LLM"): each request is one turn of
 * the SAME question cycle as a text interview. The last `user` message is the answer (①, source
 * `voice`, message id from the conversation and turn: retries and speculative requests of a turn
 * share it), the next question streams to the platform and to the sockets and is stored once (②).
 * Decisions are serialised per session on this node; the streams run outside that queue, so a
 * newer request can supersede an older one.
 */
export class VoiceLlm {
  private readonly decisions = new KeyedQueue();

  constructor(private readonly deps: VoiceLlmDeps) {}

  /** Answers one request: writes what the agent says to `out`; `gone` fires when the platform closed the request. */
  async handle(req: CustomLlmRequest, out: SpeechOut, gone: AbortSignal): Promise<TurnOutcome> {
    const { logger } = this.deps;
    const started = Date.now();
    const id = identify(req);
    const csid = id.clientSessionId;
    if (!csid) {
      logger.warn('voice llm request refused', { reason: 'no_session_named', by: id.by });
      out.write(REFUSAL_LINE);
      return 'refused';
    }
    const turn = turnOf(req.messages);
    const sink = new TurnSink(out, gone, (questionId) => {
      if (gone.aborted) this.abortOwn(csid, questionId);
    });
    const onGone = (): void => {
      if (sink.questionId) this.abortOwn(csid, sink.questionId);
    };
    gone.addEventListener('abort', onGone, { once: true });
    try {
      const decision = await this.decisions.run(csid, () => this.decide(csid, id, turn, sink, gone));
      if (!('streaming' in decision)) {
        if (decision.outcome === 'refused') logger.warn('voice llm request refused', { clientSessionId: csid, reason: decision.reason, by: id.by });
        if (!gone.aborted && decision.say) out.write(decision.say);
        logger.info('voice llm turn', { clientSessionId: csid, outcome: decision.outcome, ms: Date.now() - started });
        return decision.outcome;
      }
      const result = await sink.done;
      const outcome = await this.after(csid, sink, result, out);
      logger.info('voice llm turn', { clientSessionId: csid, outcome, questionId: sink.questionId, chars: sink.sent, ms: Date.now() - started });
      return outcome;
    } finally {
      gone.removeEventListener('abort', onGone);
    }
  }

  private async after(csid: string, sink: TurnSink, result: SinkResult, out: SpeechOut): Promise<TurnOutcome> {
    switch (result.kind) {
      case 'stored':
        return 'asked';
      case 'discarded':
        // Another request (or node) took the turn while this one streamed: its question was never stored.
        return 'superseded';
      case 'aborted':
        // The platform closed this request: hand the turn back at once (guarded: a newer request's turn is untouched).
        if (sink.questionId) await this.deps.cycle.release(csid, sink.questionId);
        return 'aborted';
      case 'failed':
        // The cycle handed the turn back; the next request asks again. Say something rather than nothing.
        this.deps.logger.warn('voice llm question failed; recovery line spoken', { clientSessionId: csid, questionId: sink.questionId, code: (result.err as { code?: unknown }).code });
        out.write(sink.sent > 0 ? ` ... ${RECOVERY_LINE}` : RECOVERY_LINE);
        return 'recovered';
      case 'complete':
        await this.deps.endVoice(csid).catch((err: unknown) => this.deps.logger.warn('ending a completed voice interview failed', { clientSessionId: csid, err }));
        out.write(CLOSING_LINE);
        return 'closing';
    }
  }

  /** Stops this node's stream of `questionId` (only that one: a newer request's stream goes on). */
  private abortOwn(csid: string, questionId: string): void {
    if (this.deps.leases.isHeld(csid, questionId)) this.deps.leases.abort(csid, 'platform closed the request');
  }

  private async decide(csid: string, id: Identified, turn: ReturnType<typeof turnOf>, sink: TurnSink, gone: AbortSignal): Promise<Decision> {
    const { repo, cycle, logger } = this.deps;
    const key = answerKey(id.conversationId ?? 'session', turn.agentLines);
    for (let attempt = 0; attempt < 3; attempt++) {
      const s = await repo.readVoiceTurn(csid, key);
      if (!s || s.mode !== 'voice' || !s.voice?.startedAt) return { say: REFUSAL_LINE, outcome: 'refused', reason: s ? 'not_a_started_voice_session' : 'unknown_session' };
      // A request the platform already gave up on stores nothing.
      if (gone.aborted) return { say: '', outcome: 'aborted' };
      if (s.status === 'paused') return { say: PAUSED_LINE, outcome: 'paused' };
      if (s.status !== 'active') {
        if (s.endedBy === 'server') return { say: CLOSING_LINE, outcome: 'closing' };
        return { say: REFUSAL_LINE, outcome: 'refused', reason: 'session_ended' };
      }
      if (id.conversationId && !s.voice.conversationId) {
        // At the first turn: one more id the post-call webhook links by.
        const set = await repo.setConversationId(csid, id.conversationId);
        if (set.outcome !== 'set' && set.outcome !== 'already_set_same') logger.info('conversation id from the prompt not recorded', { clientSessionId: csid, outcome: set.outcome });
      }

      const { latestQuestion, firstQuestion } = s;
      if (s.asked === 0 || !latestQuestion || !firstQuestion) {
        // No question yet: the opening question (words the candidate said before it are no answer).
        if (await this.askAgain(csid, s.turn, sink)) return { streaming: true };
        continue;
      }
      if (turn.answer === undefined) {
        // A retry of the first request replays the opening question; any later one the current question.
        const replay = turn.agentLines === 0 ? firstQuestion : latestQuestion;
        return { say: replay.text, outcome: 'replayed' };
      }

      const text = turn.answer.slice(0, CANDIDATE_TEXT_MAX);
      if (!s.answer) {
        if (s.turn.state === 'awaiting_answer') {
          cycle.remember(csid, s.turn);
          try {
            await cycle.answer(csid, key, text, { source: 'voice', sink, rateLimited: false });
          } catch (err) {
            if (err instanceof AppError && err.code === 'STATE_CONFLICT') continue;
            throw err;
          }
          if (sink.wasAccepted) return { streaming: true };
          continue; // stored by a request on another node in between: decide again
        }
        // The candidate spoke while no question awaited an answer (the last one was cut or
        // aborted): the question is asked again; the words are not an answer.
        if (await this.askAgain(csid, s.turn, sink)) return { streaming: true };
        continue;
      }

      const { message: stored, last, nextQuestion } = s.answer;
      if (nextQuestion) return { say: nextQuestion.text, outcome: 'replayed' };
      if (s.turn.state !== 'generating' || !last || !stored.questionId) {
        return { say: latestQuestion.text, outcome: 'replayed' };
      }
      // The answer is stored and its question still generating (an older request of this turn
      // streams it, or was aborted): the newer request wins the turn, with its text.
      const questionId = newQuestionId();
      const changed = stored.text !== text;
      const view = changed
        ? await repo.reviseAnswer(csid, { messageId: key, text, expect: s.turn.questionId!, next: this.deps.leases.lease(questionId), tail: cycle.tail })
        : ((await this.take(csid, s.turn, questionId))?.view ?? null);
      if (!view) continue;
      const revised = changed ? view.tail.find((m) => m.id === key) : undefined;
      if (revised) this.deps.broadcaster.emit(csid, 'message:appended', toWireMessage(revised));
      logger.info('voice turn taken by a newer request', { clientSessionId: csid, from: s.turn.questionId, questionId, revised: changed });
      const answered = stored.questionId;
      const decided = view;
      this.run(csid, sink, questionId, () => cycle.afterAnswer(decided, answered, text, questionId, sink));
      return { streaming: true };
    }
    throw new AppError('STATE_CONFLICT', 'The voice turn kept moving; try again');
  }

  /** Takes the turn and streams the question the plan says comes next; false when the turn moved (decide again). */
  private async askAgain(csid: string, turn: Turn, sink: TurnSink): Promise<boolean> {
    const taken = await this.take(csid, turn);
    if (!taken) return false;
    this.run(csid, sink, taken.questionId, () => this.deps.cycle.continue(taken.view, taken.questionId, undefined, sink));
    return true;
  }

  /** Takes the session's turn for a new question (idle, or generating: a newer request supersedes the older stream). */
  private async take(csid: string, turn: Turn, questionId = newQuestionId()): Promise<{ view: CycleView; questionId: string } | null> {
    if (turn.state === 'awaiting_answer') return null;
    const expect = turn.state === 'generating' ? { state: 'generating' as const, ...(turn.questionId ? { questionId: turn.questionId } : {}) } : { state: 'idle' as const };
    const taken = await this.deps.repo.setTurn(csid, { expect, set: this.deps.leases.lease(questionId) });
    if (!taken.won || !taken.session) return null;
    return { view: this.deps.cycle.viewOf(taken.session), questionId };
  }

  /** Streams outside the decision queue; a failure before the stream settles the sink. */
  private run(csid: string, sink: TurnSink, questionId: string, task: () => Promise<void>): void {
    setImmediate(() => {
      task().catch(async (err: unknown) => {
        this.deps.logger.error('voice turn failed', { clientSessionId: csid, err });
        await this.deps.cycle.release(csid, questionId);
        sink.finish({ kind: 'failed', err });
      });
    });
  }
}
