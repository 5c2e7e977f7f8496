import { createHash } from 'node:crypto';
import { AppError } from '../../../shared/errors.js';
import type { Interview } from '../../../shared/interview.js';
import type { Erasure, ErasedVoice, ErasureReason } from '../../../shared/privacy.js';
import type { Repository, RetentionCandidate } from '../db/repository/index.js';
import { conversationIdsOf } from '../db/repository/index.js';
import type { Logger } from '../observability/logger.js';
import type { EraserRegistry, ErasureStep, ErasureTarget } from './erasers.js';

export interface ErasureServiceDeps {
  repo: Repository;
  erasers: EraserRegistry;
  logger: Logger;
  nodeId: string;
  /** How long one worker owns an erasure before another may take it over (a crashed worker's). */
  leaseMs?: number;
  /** How long DELETE waits for an erasure another node is running before answering 409. */
  waitMs?: number;
}

export const ERASURE_LEASE_MS = 60_000;

/** SHA-256 hex of an ElevenLabs user id: the tombstone recognises the person's late calls without keeping the id. */
export function hashUserId(userId: string): string {
  return createHash('sha256').update(userId).digest('hex');
}

/** What a tombstone keeps to recognise a late call without ids (hashed user, agent, start). */
export function erasedVoiceOf(session: Pick<Interview, 'voice'>): ErasedVoice | undefined {
  const v = session.voice;
  if (!v?.userId || !v.startedAt) return undefined;
  return { userIdSha256: hashUserId(v.userId), startedAt: v.startedAt, ...(v.agentId ? { agentId: v.agentId } : {}) };
}

/**
 * Erases one interview everywhere it is stored (docs/privacy.md):
 *   1. the tombstone is written (ids only) — from here on the interview is erased
 *      for every reader, and the webhook linker refuses to bring it back;
 *   2. every registered eraser runs, each idempotent;
 *   3. the tombstone is marked done.
 * A crash anywhere leaves a pending tombstone that `resumePending` (at start and
 * periodically, on any node, under a lease) runs again from step 2.
 */
export class ErasureService {
  private readonly leaseMs: number;

  constructor(private readonly deps: ErasureServiceDeps) {
    this.leaseMs = deps.leaseMs ?? ERASURE_LEASE_MS;
  }

  /**
   * DELETE /api/sessions/:id. 'erased' once nothing of it is left; 'not_found'
   * for an unknown id and for one already erased (so a repeat answers 404).
   */
  async eraseSession(sessionId: string): Promise<'erased' | 'not_found'> {
    const existing = await this.deps.repo.findErasure({ sessionId });
    if (existing?.status === 'done') return 'not_found';
    let erasure = existing;
    if (!erasure) {
      const session = await this.deps.repo.findById(sessionId);
      if (!session) return 'not_found';
      erasure = (await this.open(session, 'request')).erasure;
      if (erasure.status === 'done') return 'not_found';
    }
    await this.runUntilDone(erasure.id);
    return 'erased';
  }

  /** Retention: erases a due interview unless another worker already opened its erasure (no double work). */
  async eraseForRetention(candidate: RetentionCandidate): Promise<boolean> {
    const session = await this.deps.repo.findByClientSessionId(candidate.clientSessionId);
    if (!session) return false;
    const { erasure, created } = await this.open(session, 'retention');
    if (!created) return false;
    return this.run(erasure.id);
  }

  /** Whether an interview with this clientSessionId was erased (or is being erased). */
  async isErased(clientSessionId: string): Promise<boolean> {
    return (await this.deps.repo.findErasure({ clientSessionId })) !== null;
  }

  /** Finishes erasures a crash (or a failed eraser) left pending, oldest first; returns how many. */
  async resumePending(max = 100): Promise<number> {
    let done = 0;
    for (let i = 0; i < max; i += 1) {
      const claimed = await this.deps.repo.claimErasure({ node: this.deps.nodeId, leaseMs: this.leaseMs });
      if (!claimed) break;
      try {
        await this.execute(claimed);
        done += 1;
      } catch (err) {
        this.deps.logger.error('resuming an erasure failed; retried after its lease', { erasureId: claimed.id, err });
      }
    }
    if (done > 0) this.deps.logger.info('resumed unfinished erasures', { count: done });
    return done;
  }

  private open(session: Interview, reason: ErasureReason): Promise<{ erasure: Erasure; created: boolean }> {
    const voice = erasedVoiceOf(session);
    return this.deps.repo.openErasure({
      sessionId: session.id,
      clientSessionId: session.clientSessionId,
      conversationIds: conversationIdsOf(session),
      reason,
      ...(voice ? { voice } : {}),
    });
  }

  /** Claims and runs one erasure; false when another worker holds its lease. */
  private async run(erasureId: string): Promise<boolean> {
    const claimed = await this.deps.repo.claimErasure({ id: erasureId, node: this.deps.nodeId, leaseMs: this.leaseMs });
    if (!claimed) return false;
    await this.execute(claimed);
    return true;
  }

  /** Runs it here, or waits (bounded) for the worker that holds it. */
  private async runUntilDone(erasureId: string): Promise<void> {
    if (await this.run(erasureId)) return;
    const deadline = Date.now() + (this.deps.waitMs ?? 10_000);
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      const current = await this.deps.repo.findErasure({ id: erasureId });
      if (!current || current.status === 'done') return;
      if (await this.run(erasureId)) return;
    }
    throw new AppError('STATE_CONFLICT', 'This interview is being erased by another server; retry shortly', { retryAfterMs: 2_000 });
  }

  private async execute(erasure: Erasure): Promise<void> {
    const { repo, erasers, logger, nodeId } = this.deps;
    const started = Date.now();
    const target: ErasureTarget = {
      erasureId: erasure.id,
      sessionId: erasure.sessionId,
      clientSessionId: erasure.clientSessionId,
      conversationIds: erasure.conversationIds,
    };
    const step: ErasureStep = {
      target,
      related: new Set(),
      async remember(ids) {
        const fresh = ids.filter((id) => !target.conversationIds.includes(id));
        if (fresh.length === 0) return;
        const updated = await repo.addErasureConversationIds(erasure.id, fresh);
        target.conversationIds = updated?.conversationIds ?? [...target.conversationIds, ...fresh];
      },
    };
    const counts: Record<string, number> = {};
    try {
      for (const eraser of erasers.list()) counts[eraser.name] = await eraser.erase(step);
    } catch (err) {
      // Hand it back at once: a retried DELETE (or the next resume) runs it again from the top.
      await repo.releaseErasure(erasure.id, nodeId).catch(() => undefined);
      throw err;
    }
    await repo.completeErasure(erasure.id, nodeId);
    logger.info('interview erased', {
      erasureId: erasure.id,
      sessionId: erasure.sessionId,
      reason: erasure.reason,
      attempt: erasure.attempts,
      removed: counts,
      ms: Date.now() - started,
    });
  }
}
