import { randomUUID } from 'node:crypto';
import type { Interview, LinkedBy } from '../../../shared/interview.js';
import type { WebhookEvent, WebhookOutcome } from '../../../shared/webhook.js';
import { POST_CALL_TRANSCRIPTION, postCallTranscriptionSchema } from '../../../shared/voice.js';
import type { Repository } from '../db/repository/index.js';
import { KeyedQueue } from '../interview/keyedQueue.js';
import type { SessionBroadcaster } from '../interview/ports.js';
import { ROLES, findRole } from '../interview/roles.js';
import type { Logger } from '../observability/logger.js';
import { callFromWebhookData, transcriptOf, type CallRecord } from './call.js';
import { LINK_WINDOW_MS, decideLink, factsOf, type LinkDecision } from './linking.js';

export interface LinkerDeps {
  repo: Repository;
  broadcaster: SessionBroadcaster;
  evaluations: { kick(clientSessionId: string): void };
  logger: Logger;
  now: () => Date;
  /** Relays the orphan's outbox before its delete (which requires it empty, so no event is lost). */
  beforeOrphanDelete?: (clientSessionId: string) => Promise<unknown>;
  /** Erased interviews (docs/privacy.md): their late calls become content-free orphans, their payloads are redacted. */
  erased?: { isErased(call: CallRecord): Promise<boolean>; redact(event: WebhookEvent): Promise<void> };
}

/** Outcome detail of a late call of an erased interview. */
export const ERASED_CALL = 'erased_interview';

export interface LinkResult {
  outcome: WebhookOutcome;
  /** Set when this call linked (or found linked) the conversation to a session. */
  linkedTo?: string;
}

const MAX_ATTEMPTS = 4;

/**
 * Processes finished conversations (stored webhooks, or calls the reconciler
 * fetched): lookups, the pure decision (linking.ts), then ONE atomic write per
 * outcome. Every step is safe to repeat, so a crash anywhere leaves a state the
 * start-up sweep (or a redelivery) finishes: a replay finds the transcript
 * already linked, or the orphan already created, and changes nothing.
 */
export class VoiceLinker {
  /** One conversation is decided by one task at a time on this node (other nodes are held off by the preconditions). */
  private readonly byConversation = new KeyedQueue();

  constructor(private readonly deps: LinkerDeps) {}

  /** A stored webhook event -> outcome, recorded on the event. Throws (event stays unprocessed) only on infrastructure errors. */
  async processEvent(event: WebhookEvent): Promise<WebhookOutcome> {
    const { repo, logger } = this.deps;
    let outcome: WebhookOutcome;
    if (event.type !== POST_CALL_TRANSCRIPTION) {
      outcome = { result: 'ignored', detail: `event type ${event.type.slice(0, 100)} is not linked` };
    } else {
      const parsed = postCallTranscriptionSchema.safeParse(event.payload);
      const call = parsed.success ? callFromWebhookData(parsed.data.data) : null;
      outcome = call ? (await this.linkCall(call, event.receivedAt)).outcome : { result: 'failed', detail: 'invalid post_call_transcription payload' };
    }
    if (outcome.detail === ERASED_CALL) await this.deps.erased?.redact(event);
    const marked = await repo.markWebhookProcessed(event.id, outcome);
    logger.info('webhook processed', {
      webhookEventId: event.id,
      type: event.type,
      conversationId: event.conversationId,
      result: outcome.result,
      clientSessionId: outcome.clientSessionId,
      firstMark: marked.won,
    });
    return outcome;
  }

  /** Start-up (and reconciler) sweep: events stored but never marked processed, e.g. a crash mid-processing. */
  async processUnprocessed(): Promise<number> {
    let done = 0;
    const events = await this.deps.repo.findUnprocessedWebhookEvents({ limit: 200 });
    for (const event of events) {
      try {
        await this.processEvent(event);
        done += 1;
      } catch (err) {
        this.deps.logger.error('webhook processing failed; left for the next sweep', { webhookEventId: event.id, err });
      }
    }
    return done;
  }

  linkCall(call: CallRecord, receivedAt: Date): Promise<LinkResult> {
    return this.byConversation.run(call.conversationId, () => this.decideAndWrite(call, receivedAt));
  }

  private async decideAndWrite(call: CallRecord, receivedAt: Date): Promise<LinkResult> {
    const { repo, logger } = this.deps;
    const cid = call.conversationId;
    const transcript = transcriptOf(call, receivedAt);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      // Checked on every attempt: an erasure that starts while we decide must win.
      if (await this.deps.erased?.isErased(call)) return this.erasedOrphan(call, receivedAt);
      const decision = await this.decide(call);
      switch (decision.kind) {
        case 'already_linked':
          return { outcome: { result: 'linked', clientSessionId: decision.clientSessionId, detail: 'already linked' }, linkedTo: decision.clientSessionId };
        case 'already_orphaned': {
          const orphan = await repo.findByClientSessionId(decision.clientSessionId);
          const ambiguous = (orphan?.voice?.candidates?.length ?? 0) > 1;
          return { outcome: { result: ambiguous ? 'ambiguous' : 'orphaned', clientSessionId: decision.clientSessionId, detail: 'already orphaned' } };
        }
        case 'unlinkable':
          logger.warn('voice conversation not linkable', { conversationId: cid, clientSessionId: decision.clientSessionId });
          return { outcome: { result: 'failed', clientSessionId: decision.clientSessionId, detail: decision.reason.slice(0, 2000) } };
        case 'link': {
          const res = await repo.linkVoiceTranscript(decision.clientSessionId, {
            conversationId: cid,
            linkedBy: decision.by,
            transcript,
            expect: decision.by === 'conversation_id' ? 'holds' : 'absent_or_same',
            setConversationId: decision.by !== 'conversation_id',
          });
          if (res.outcome === 'linked') {
            this.announce(res.session, decision.by);
            return { outcome: { result: 'linked', clientSessionId: decision.clientSessionId, detail: decision.by }, linkedTo: decision.clientSessionId };
          }
          logger.info('voice link lost a race; deciding again', { conversationId: cid, clientSessionId: decision.clientSessionId, attempt, why: res.outcome });
          continue;
        }
        case 'orphan': {
          const orphanId = randomUUID();
          const created = await repo.createOrphan({
            clientSessionId: orphanId,
            role: await this.orphanRole(call, decision.candidates),
            conversationId: cid,
            ...(call.agentId ? { agentId: call.agentId } : {}),
            ...(call.userId ? { userId: call.userId } : {}),
            ...(call.startedAt ? { startedAt: call.startedAt } : {}),
            transcript,
            candidates: decision.candidates.slice(0, 50),
          });
          if (created.outcome === 'conversation_conflict') continue;
          this.deps.broadcaster.touched(orphanId);
          logger.info('voice conversation orphaned', { conversationId: cid, orphan: orphanId, reason: decision.reason, candidates: decision.candidates.length });
          const detail = `${decision.reason}${decision.candidates.length ? `; candidates: ${decision.candidates.join(',')}` : ''}`;
          return { outcome: { result: decision.reason === 'ambiguous_time_window' ? 'ambiguous' : 'orphaned', clientSessionId: orphanId, detail: detail.slice(0, 2000) } };
        }
      }
    }
    return { outcome: { result: 'failed', detail: 'the sessions kept changing while linking; retried' } };
  }

  /**
   * A late call of an erased interview: never linked, never holding the erased
   * person's words — an orphan with the ids and the duration only.
   */
  private async erasedOrphan(call: CallRecord, receivedAt: Date): Promise<LinkResult> {
    const { repo, logger } = this.deps;
    const cid = call.conversationId;
    const transcript = { conversationId: cid, receivedAt, lines: [], ...(call.durationSecs !== undefined ? { durationSecs: call.durationSecs } : {}) };
    const orphanId = randomUUID();
    const created = await repo.createOrphan({
      clientSessionId: orphanId,
      role: await this.orphanRole({ ...call, role: undefined }, []),
      conversationId: cid,
      ...(call.agentId ? { agentId: call.agentId } : {}),
      transcript,
      candidates: [],
    });
    const holder = created.outcome === 'created' ? orphanId : (await repo.findByConversationId(cid))?.clientSessionId;
    logger.info('late call of an erased interview kept without content', { conversationId: cid, orphan: holder });
    return { outcome: { result: 'orphaned', ...(holder ? { clientSessionId: holder } : {}), detail: ERASED_CALL } };
  }

  private async decide(call: CallRecord): Promise<LinkDecision> {
    const { repo } = this.deps;
    const holder = await repo.findByConversationId(call.conversationId);
    let dynamicVariable: { clientSessionId: string; session: ReturnType<typeof factsOf> | null } | null = null;
    let windowCandidates: Interview[] = [];
    if (!holder && call.clientSessionId) {
      const s = await repo.findByClientSessionId(call.clientSessionId);
      dynamicVariable = { clientSessionId: call.clientSessionId, session: s ? factsOf(s) : null };
    }
    const dvDecides = dynamicVariable?.session?.mode === 'voice';
    if (!holder && !dvDecides && call.userId && call.agentId && call.startedAt) {
      windowCandidates = await repo.findVoiceWindowCandidates({
        userId: call.userId,
        agentId: call.agentId,
        around: call.startedAt,
        windowMs: LINK_WINDOW_MS,
        limit: 50,
      });
    }
    return decideLink({
      conversationId: call.conversationId,
      byConversationId: holder ? factsOf(holder) : null,
      dynamicVariable,
      windowCandidates: windowCandidates.map(factsOf),
    });
  }

  /**
   * The orphan's role: the call's `role` dynamic variable when it names a known
   * role, else the first candidate's role, else the first role we interview for.
   */
  private async orphanRole(call: CallRecord, candidates: string[]): Promise<string> {
    if (call.role && findRole(call.role)) return call.role;
    const first = candidates[0] ? await this.deps.repo.findByClientSessionId(candidates[0]) : null;
    return first?.role ?? ROLES[0]?.id ?? 'backend-engineer';
  }

  /**
   * A session reported `conversationId`, which an orphan holds: move the orphan's
   * transcript into the session. Order, each step one atomic write and safe to repeat:
   *   1. the session gets the transcript, status completed, linkedBy 'merge' (no conversation id yet: the orphan holds it)
   *   2. the orphan is deleted (its transcript now lives in the session)
   *   3. the session gets voice.conversationId
   * A crash after 1 leaves a session with linkedBy 'merge' and no conversation id:
   * `finishMerges` (start-up, reconciler) completes 2 and 3. The transcript always
   * exists in at least one document.
   */
  async merge(clientSessionId: string, conversationId: string): Promise<{ merged: boolean; session: Interview | null }> {
    return this.byConversation.run(conversationId, async () => {
      const { repo, logger } = this.deps;
      const orphan = await repo.findByConversationId(conversationId);
      if (!orphan || orphan.status !== 'orphaned' || !orphan.transcript) return { merged: false, session: await repo.findByClientSessionId(clientSessionId) };
      const step1 = await repo.linkVoiceTranscript(clientSessionId, {
        conversationId,
        linkedBy: 'merge',
        transcript: orphan.transcript,
        expect: 'absent_or_same',
        setConversationId: false,
      });
      if (step1.outcome !== 'linked') {
        const current = await repo.findByClientSessionId(clientSessionId);
        if (current?.transcript?.conversationId !== conversationId) {
          logger.warn('orphan merge refused', { clientSessionId, conversationId, why: step1.outcome, status: current?.status });
          return { merged: false, session: current };
        }
      }
      const session = await this.completeMerge(clientSessionId, conversationId);
      logger.info('orphan merged', { clientSessionId, conversationId, orphan: orphan.clientSessionId });
      if (session) this.announce(session, 'merge');
      return { merged: true, session };
    });
  }

  /** Steps 2 and 3 of a merge; repeats are harmless. */
  private async completeMerge(clientSessionId: string, conversationId: string): Promise<Interview | null> {
    const { repo } = this.deps;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const holder = await repo.findByConversationId(conversationId);
      // Any orphan holding this id is a copy of the transcript the session now has.
      if (holder && holder.status === 'orphaned') {
        await this.deps.beforeOrphanDelete?.(holder.clientSessionId);
        await repo.deleteOrphan(holder.clientSessionId, conversationId);
      }
      const set = await repo.setConversationId(clientSessionId, conversationId, { linkedBy: 'merge' });
      if (set.outcome === 'set' || set.outcome === 'already_set_same') return set.session;
      if (set.outcome !== 'conflict_other_session') return repo.findByClientSessionId(clientSessionId);
    }
    return repo.findByClientSessionId(clientSessionId);
  }

  /** Merges a crash interrupted after their first step. */
  async finishMerges(): Promise<number> {
    const pending = await this.deps.repo.findUnfinishedMerges();
    for (const s of pending) {
      const cid = s.transcript?.conversationId;
      if (!cid) continue;
      await this.byConversation.run(cid, async () => {
        const session = await this.completeMerge(s.clientSessionId, cid);
        if (session) this.deps.evaluations.kick(session.clientSessionId);
      });
    }
    if (pending.length > 0) this.deps.logger.info('finished interrupted merges', { count: pending.length });
    return pending.length;
  }

  /** After a link: push it to the candidate and watchers, and start the evaluation. */
  private announce(session: Interview, linkedBy: LinkedBy): void {
    const { broadcaster, evaluations, logger } = this.deps;
    const csid = session.clientSessionId;
    const conversationId = session.voice?.conversationId ?? session.transcript?.conversationId ?? '';
    broadcaster.emit(csid, 'session:linked', { conversationId, linkedBy });
    broadcaster.emit(csid, 'session:status', { status: session.status, ...(session.endedBy ? { endedBy: session.endedBy } : {}) });
    broadcaster.emit(csid, 'interview:complete', { reason: 'voice_transcript_linked' });
    evaluations.kick(csid);
    logger.info('voice transcript linked', { clientSessionId: csid, conversationId, linkedBy, lines: session.transcript?.lines.length ?? 0 });
  }
}
