import type { Interview } from '../../../shared/interview.js';
import type { Repository } from '../db/repository/index.js';
import type { SessionBroadcaster } from '../interview/ports.js';
import type { Logger } from '../observability/logger.js';
import type { CallRecord } from './call.js';
import type { ElevenLabsGateway } from './elevenLabsGateway.js';
import type { VoiceLinker } from './linker.js';
import { LINK_WINDOW_MS } from './linking.js';

/** Conversations fetched at most to find the one naming a session among several listed. */
const MAX_FETCHED = 50;

export interface ReconcilerDeps {
  repo: Repository;
  gateway: ElevenLabsGateway;
  linker: VoiceLinker;
  broadcaster: SessionBroadcaster;
  logger: Logger;
  reconcileAfterMs: number;
  /** Past this age a session is marked even if ElevenLabs keeps failing or says "still processing". */
  giveUpAfterMs?: number;
  intervalMs?: number;
}

export type ReconcileOutcome = 'linked' | 'marked_missing' | 'still_pending';

/**
 * No voice session stays pending forever. Sessions `ended_pending_webhook`
 * longer than RECONCILE_AFTER_MS are looked up through the conversations API
 * (by their conversation id, else listed by agent + time range + the
 * client_session_id dynamic variable, else by agent + user + time range) and
 * linked by the same rules as a webhook (VoiceLinker). If nothing is found
 * they become `abandoned` with endedBy 'timeout' — the results page shows
 * "transcript missing" — and a late webhook still links them.
 * Each run also retries unprocessed webhook events and interrupted merges.
 */
export class VoiceReconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly deps: ReconcilerDeps) {}

  start(): void {
    const interval = this.deps.intervalMs ?? Math.min(30_000, Math.max(250, Math.floor(this.deps.reconcileAfterMs / 4)));
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce(new Date())
        .catch((err: unknown) => this.deps.logger.error('reconciler run failed', { err }))
        .finally(() => (this.running = undefined));
    }, interval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async runOnce(now: Date): Promise<Map<string, ReconcileOutcome>> {
    const { repo, linker, logger } = this.deps;
    await linker.processUnprocessed();
    await linker.finishMerges();
    const results = new Map<string, ReconcileOutcome>();
    const due = await repo.findPendingVoiceSessions(new Date(now.getTime() - this.deps.reconcileAfterMs));
    for (const session of due) {
      try {
        results.set(session.clientSessionId, await this.reconcile(session, now));
      } catch (err) {
        logger.warn('reconcile failed; retried next run', { clientSessionId: session.clientSessionId, err });
        results.set(session.clientSessionId, await this.giveUpIfTooOld(session, now));
      }
    }
    if (due.length > 0) logger.info('reconciler run', { due: due.length, linked: [...results.values()].filter((r) => r === 'linked').length });
    return results;
  }

  private async reconcile(session: Interview, now: Date): Promise<ReconcileOutcome> {
    const csid = session.clientSessionId;
    const call = await this.findCall(session);
    if (call && call.lines.length > 0 && (call.status === undefined || call.status === 'done' || call.status === 'failed')) {
      const res = await this.deps.linker.linkCall(call, now);
      if (res.linkedTo === csid) return 'linked';
      this.deps.logger.info('reconciled conversation did not link to the session', { clientSessionId: csid, conversationId: call.conversationId, result: res.outcome.result });
      return this.markMissing(session);
    }
    if (call) return this.giveUpIfTooOld(session, now); // still processing at ElevenLabs
    return this.markMissing(session);
  }

  private async findCall(session: Interview): Promise<CallRecord | null> {
    const { gateway } = this.deps;
    const v = session.voice;
    if (v?.conversationId) return gateway.getConversation(v.conversationId);
    if (!v?.agentId || !v.startedAt) return null;
    const range = {
      agentId: v.agentId,
      startAfter: new Date(v.startedAt.getTime() - LINK_WINDOW_MS),
      startBefore: new Date((session.endedAt ?? v.startedAt).getTime() + LINK_WINDOW_MS),
    };
    let found = await gateway.listConversations({ ...range, clientSessionId: session.clientSessionId });
    if (found.length === 0 && v.userId) found = await gateway.listConversations({ ...range, userId: v.userId });
    if (found.length === 1) return gateway.getConversation(found[0]!.conversationId);
    if (found.length === 0) return null;
    // Several (the listing does not always narrow by the dynamic variable): the one whose
    // conversation names this session, if exactly one does. Bounded: the newest first.
    const named: CallRecord[] = [];
    const newest = [...found].sort((x, y) => y.startedAt.getTime() - x.startedAt.getTime()).slice(0, MAX_FETCHED);
    for (const summary of newest) {
      const call = await gateway.getConversation(summary.conversationId);
      if (call?.clientSessionId === session.clientSessionId) named.push(call);
    }
    return named.length === 1 ? named[0]! : null;
  }

  private async giveUpIfTooOld(session: Interview, now: Date): Promise<ReconcileOutcome> {
    const giveUp = this.deps.giveUpAfterMs ?? this.deps.reconcileAfterMs * 5;
    const ended = session.endedAt ?? session.voice?.endedAt ?? session.createdAt;
    if (now.getTime() - ended.getTime() >= giveUp) return this.markMissing(session);
    return 'still_pending';
  }

  private async markMissing(session: Interview): Promise<ReconcileOutcome> {
    const res = await this.deps.repo.markTranscriptMissing(session.clientSessionId);
    if (res.won) {
      this.deps.broadcaster.emit(session.clientSessionId, 'session:status', { status: 'abandoned', endedBy: 'timeout' });
      this.deps.logger.info('voice transcript missing', { clientSessionId: session.clientSessionId });
      return 'marked_missing';
    }
    return res.session?.status === 'completed' ? 'linked' : 'marked_missing';
  }
}
