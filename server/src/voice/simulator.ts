import type { Interview, TranscriptLine } from '../../../shared/interview.js';
import type { Phase, Difficulty } from '../../../shared/plan.js';
import type { SimulatedDelivery, SimulatorControls, VoiceSessionResponse } from '../../../shared/voice.js';
import type { Repository } from '../db/repository/index.js';
import { KeyedQueue } from '../interview/keyedQueue.js';
import type { SessionBroadcaster } from '../interview/ports.js';
import { findRole } from '../interview/roles.js';
import { toWireMessage } from '../interview/snapshot.js';
import { nudgeToHonour, skillForTopic, steerOf } from '../interview/steering.js';
import { announceUsed } from '../recruiters/nudges.js';
import type { PendingNudge } from '../../../shared/nudges.js';
import { ScriptedInterviewer } from '../llm/scripted/index.js';
import type { Logger } from '../observability/logger.js';
import { PlatformConversation } from './agentDriver.js';
import { buildPostCallPayload, deliverWebhook, signWebhook } from './webhookPayload.js';

export const SIMULATED_AGENT_ID = 'agent_simulated';
const MAX_QUESTIONS = 12;
const CLOSING = 'Thank you, that is all the questions I have. You can end the interview now.';

export interface SimulatorDeps {
  repo: Repository;
  broadcaster: SessionBroadcaster;
  logger: Logger;
  now: () => Date;
  webhookSecret: string;
  defaultDelayMs: number;
  defaultWebhook: boolean;
  /** Where this server listens (the simulator posts its webhook to itself). */
  selfUrl: () => string;
  /** VOICE_LLM_KEY is set: the simulated platform drives Candor's Custom LLM endpoint instead of speaking scripted lines. */
  customLlm?: { key: string; path: string };
}

/** Conversations the simulated platform keeps (the newest sessions only). */
const CONVERSATIONS_MAX = 1_000;

type Effective = NonNullable<VoiceSessionResponse['simulation']>;

/**
 * The voice simulator (no ELEVENLABS_API_KEY): the same endpoints and events as
 * a real voice interview. The server plays the agent: on `voice:started` it
 * says the first question, and after every candidate line (`voice:transcript`
 * role 'user') the next one, as `voice_live` interviewer messages pushed with
 * `message:appended`. After the end it sends itself a correctly signed
 * post-call webhook built from the live lines (docs/voice.md "Simulator").
 * Per-session controls live in memory: a restart forgets them (defaults apply)
 * and drops a scheduled webhook, which the reconciler then reports.
 */
export class VoiceSimulator {
  readonly agentId = SIMULATED_AGENT_ID;
  private readonly interviewer = new ScriptedInterviewer({ tokenDelayMs: 0 });
  private readonly controls = new Map<string, Effective>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly turns = new KeyedQueue();
  /** What each delivery got back, for the QA console (bounded: the latest sessions only). */
  private readonly deliveryLog = new Map<string, SimulatedDelivery[]>();
  /** Custom LLM mode: each session's conversation as the platform holds it, and how many user turns it heard. */
  private readonly conversations = new Map<string, { conversation: PlatformConversation; heard: number }>();
  private stopped = false;

  constructor(private readonly deps: SimulatorDeps) {}

  /** Stable per session, so a restart still builds the same webhook. */
  conversationIdFor(clientSessionId: string): string {
    return `sim_${clientSessionId}`;
  }

  configure(clientSessionId: string, requested: SimulatorControls | undefined): Effective {
    const previous = this.controls.get(clientSessionId);
    const effective: Effective = {
      webhook: requested?.webhook ?? previous?.webhook ?? (this.deps.defaultWebhook ? 'on' : 'off'),
      webhookDelayMs: requested?.webhookDelayMs ?? previous?.webhookDelayMs ?? this.deps.defaultDelayMs,
      omitConversationId: requested?.omitConversationId ?? previous?.omitConversationId ?? false,
      omitDynamicVariables: requested?.omitDynamicVariables ?? previous?.omitDynamicVariables ?? false,
      duplicates: requested?.duplicates ?? previous?.duplicates ?? 1,
      staleFirst: requested?.staleFirst ?? previous?.staleFirst ?? false,
    };
    this.controls.set(clientSessionId, effective);
    return effective;
  }

  private controlsOf(clientSessionId: string): Effective {
    return this.controls.get(clientSessionId) ?? this.configure(clientSessionId, undefined);
  }

  /** Custom LLM mode: the platform calls Candor's endpoint for every agent turn (docs/voice.md "Simulator"). */
  get drivesEndpoint(): boolean {
    return this.deps.customLlm !== undefined;
  }

  private conversationOf(clientSessionId: string): { conversation: PlatformConversation; heard: number } {
    let entry = this.conversations.get(clientSessionId);
    if (!entry) {
      const llm = this.deps.customLlm!;
      const c = this.controlsOf(clientSessionId);
      const url = `${this.deps.selfUrl()}${llm.path}/chat/completions`;
      // The platform renders the dynamic variables into the prompt and passes the page's extra body.
      const conversationId = c.omitConversationId ? undefined : this.conversationIdFor(clientSessionId);
      entry = { conversation: new PlatformConversation(url, llm.key, clientSessionId, conversationId, true, !c.omitDynamicVariables), heard: 0 };
      this.conversations.set(clientSessionId, entry);
      if (this.conversations.size > CONVERSATIONS_MAX) this.conversations.delete(this.conversations.keys().next().value!);
    }
    return entry;
  }

  /**
   * Custom LLM mode: the candidate said `text`; the platform sends the conversation with it.
   * Like the real platform it retries a turn (the first answer is sent twice) and starts a
   * speculative request on the first words that a newer one supersedes (the second answer).
   */
  hear(clientSessionId: string, text: string): Promise<void> {
    return this.turns.run(clientSessionId, async () => {
      const entry = this.conversationOf(clientSessionId);
      if (entry.conversation.history.length === 1) await this.speak(clientSessionId, () => entry.conversation.opening());
      entry.heard += 1;
      const words = text.split(/\s+/);
      const speculative = entry.heard === 2 && words.length > 3 ? { speculativePrefix: words.slice(0, Math.ceil(words.length / 2)).join(' ') } : {};
      await this.speak(clientSessionId, () => entry.conversation.answer(text, { ...speculative, retry: entry.heard === 1 }));
    });
  }

  private async speak(clientSessionId: string, turn: () => Promise<{ status: number; chunks: number }>): Promise<void> {
    const res = await turn();
    if (res.status !== 200) this.deps.logger.warn('simulated platform: custom llm request failed', { clientSessionId, status: res.status });
  }

  /** The agent's first line, once (a repeated voice:started changes nothing). */
  greet(clientSessionId: string): Promise<void> {
    if (this.drivesEndpoint) {
      return this.turns.run(clientSessionId, async () => {
        const entry = this.conversationOf(clientSessionId);
        if (entry.conversation.history.length === 1) await this.speak(clientSessionId, () => entry.conversation.opening());
      });
    }
    return this.turns.run(clientSessionId, async () => {
      const session = await this.deps.repo.findByClientSessionId(clientSessionId);
      if (!session || session.messages.some((m) => m.role === 'interviewer')) return;
      await this.say(session);
    });
  }

  /** The candidate said something: the agent answers with the next question. */
  reply(clientSessionId: string): Promise<void> {
    return this.turns.run(clientSessionId, async () => {
      const session = await this.deps.repo.findByClientSessionId(clientSessionId);
      if (!session || session.status !== 'active') return;
      const last = session.messages[session.messages.length - 1];
      if (last?.role !== 'candidate') return;
      await this.say(session);
    });
  }

  private async say(session: Interview): Promise<void> {
    const role = findRole(session.role);
    if (!role) return;
    const asked = session.messages.filter((m) => m.role === 'interviewer').length;
    const number = asked + 1;
    let text: string;
    let nudge: PendingNudge | undefined;
    if (number > MAX_QUESTIONS) {
      if (session.messages.some((m) => m.role === 'interviewer' && m.text === CLOSING)) return;
      text = CLOSING;
    } else {
      const phase: Phase = number <= 2 ? 'warmup' : number <= 7 ? 'standard' : 'advanced';
      const difficulty = (phase === 'warmup' ? 1 : phase === 'standard' ? 2 : 4) as Difficulty;
      // A recruiter's nudge (the page's voice:context has nowhere to go here): the simulated agent honours it.
      nudge = nudgeToHonour((session.nudges ?? []).filter((n) => n.state === 'pending'));
      const topicSkill = nudge?.kind === 'topic' ? skillForTopic(role, nudge.text) : undefined;
      const skill = topicSkill ?? role.skills[(number - 1) % role.skills.length]?.id ?? 'general';
      let out = '';
      for await (const delta of this.interviewer.streamQuestion({
        sessionKey: session.clientSessionId,
        role,
        number,
        phase,
        difficulty,
        skill,
        history: session.messages.slice(-10).map((m) => ({ role: m.role, text: m.text })),
        ...(nudge ? { steer: steerOf(nudge) } : {}),
      })) {
        out += delta;
      }
      text = out.trim().slice(0, 8000) || 'Could you tell me more about that?';
    }
    const res = await this.deps.repo.appendMessage(
      session.clientSessionId,
      { id: `sim-agent-${number}`, role: 'interviewer', text, source: 'voice_live', at: this.deps.now() },
      { allowedStatuses: ['active', 'paused'], ...(nudge ? { nudges: { ids: [nudge.id], questionNumber: number } } : {}) },
    );
    if (res.outcome !== 'stored') return;
    this.deps.broadcaster.emit(session.clientSessionId, 'message:appended', toWireMessage(res.message));
    this.deps.broadcaster.summary(res.session);
    if (nudge) announceUsed(this.deps.broadcaster, res.session, res.message.id);
  }

  /** After the end: a signed post-call webhook to ourselves after the delay (unless off for this session). */
  scheduleWebhook(clientSessionId: string): void {
    const c = this.controlsOf(clientSessionId);
    if (c.webhook === 'off' || this.stopped || this.timers.has(clientSessionId)) return;
    const timer = setTimeout(() => {
      this.timers.delete(clientSessionId);
      this.deliver(clientSessionId).catch((err: unknown) => this.deps.logger.warn('simulated webhook failed', { clientSessionId, err }));
    }, c.webhookDelayMs);
    timer.unref();
    this.timers.set(clientSessionId, timer);
  }

  private async deliver(clientSessionId: string): Promise<void> {
    const session = await this.deps.repo.findByClientSessionId(clientSessionId);
    if (!session?.voice?.startedAt || this.stopped) return;
    const c = this.controlsOf(clientSessionId);
    const started = session.voice.startedAt;
    const ended = session.voice.endedAt ?? session.endedAt ?? this.deps.now();
    const lines: TranscriptLine[] = session.messages
      .filter((m) => m.source === 'voice_live' || m.source === 'voice')
      .map((m) => ({
        role: m.role === 'interviewer' ? 'agent' : 'user',
        text: m.text,
        timeInCallSecs: Math.max(0, Math.round((m.at.getTime() - started.getTime()) / 1000)),
      }));
    const body = JSON.stringify(
      buildPostCallPayload({
        conversationId: this.conversationIdFor(clientSessionId),
        agentId: session.voice.agentId ?? this.agentId,
        ...(session.voice.userId ? { userId: session.voice.userId } : {}),
        clientSessionId,
        role: session.role,
        omitDynamicVariables: c.omitDynamicVariables,
        startedAt: started,
        durationSecs: (ended.getTime() - started.getTime()) / 1000,
        lines,
      }),
    );
    if (c.staleFirst) {
      const staleAt = Math.floor(this.deps.now().getTime() / 1000) - 31 * 60;
      await this.send(clientSessionId, 'stale', body, signWebhook(body, this.deps.webhookSecret, staleAt));
    }
    for (let i = 0; i < c.duplicates; i++) {
      await this.send(clientSessionId, i === 0 ? 'valid' : 'duplicate', body, signWebhook(body, this.deps.webhookSecret));
    }
    this.deps.logger.info('simulated webhook delivered', { clientSessionId, lines: lines.length, deliveries: c.duplicates + (c.staleFirst ? 1 : 0) });
  }

  /** The deliveries made for a session so far (QA console). */
  deliveries(clientSessionId: string): SimulatedDelivery[] {
    return this.deliveryLog.get(clientSessionId) ?? [];
  }

  private async send(clientSessionId: string, kind: SimulatedDelivery['kind'], body: string, signature: string): Promise<void> {
    const res = await deliverWebhook(this.deps.selfUrl(), body, signature);
    const log = this.deliveryLog.get(clientSessionId) ?? [];
    log.push({ kind, status: res.status, at: this.deps.now().toISOString() });
    this.deliveryLog.delete(clientSessionId);
    this.deliveryLog.set(clientSessionId, log);
    // Keep the newest 500 sessions' logs.
    if (this.deliveryLog.size > 500) this.deliveryLog.delete(this.deliveryLog.keys().next().value!);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
