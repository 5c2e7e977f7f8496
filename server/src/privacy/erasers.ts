import type { Repository } from '../db/repository/index.js';
import { conversationIdsOf } from '../db/repository/index.js';
import type { InflightStore } from '../interview/ports.js';

/**
 * Erasure is pluggable (docs/privacy.md): every place that stores a piece of an
 * interview registers one Eraser. Each must be idempotent (a second run finds
 * nothing and returns 0) and must work from the tombstone's ids alone, because a
 * crash may resume it after the interview document is long gone.
 */
export interface ErasureTarget {
  erasureId: string;
  /** The interview's id (24 hex). */
  sessionId: string;
  clientSessionId: string;
  /** Every conversation id recorded on the tombstone so far. */
  conversationIds: readonly string[];
}

export interface ErasureStep {
  readonly target: ErasureTarget;
  /**
   * Records more conversation ids on the tombstone. Call it BEFORE deleting
   * the thing that holds them, so a crash right after the delete still knows
   * which webhook payloads belong to this interview.
   */
  remember(conversationIds: readonly string[]): Promise<void>;
  /** Other records found to hold this candidate's data in this run (e.g. orphans), for later erasers. */
  readonly related: Set<string>;
}

export interface Eraser {
  /** Stable name, e.g. the collection it cleans (logged with the count). */
  readonly name: string;
  /** Removes this interview's data from one place; returns how many records went. */
  erase(step: ErasureStep): Promise<number>;
}

/** The ordered list of erasers. Order matters only for what later erasers learn (conversation ids, related records). */
export class EraserRegistry {
  private readonly erasers: Eraser[] = [];

  /** Appends, or inserts before the eraser named `before`. A second eraser with the same name is refused. */
  register(eraser: Eraser, opts: { before?: string } = {}): this {
    if (this.erasers.some((e) => e.name === eraser.name)) throw new Error(`eraser ${eraser.name} is registered twice`);
    const at = opts.before === undefined ? -1 : this.erasers.findIndex((e) => e.name === opts.before);
    if (at === -1) this.erasers.push(eraser);
    else this.erasers.splice(at, 0, eraser);
    return this;
  }

  list(): readonly Eraser[] {
    return this.erasers;
  }
}

/**
 * The interview document itself. Its conversation ids go onto the tombstone
 * first; the delete is conditioned on the conversation id just recorded, so a
 * link that lands in between makes it re-read and record that one too.
 */
export function interviewEraser(repo: Repository): Eraser {
  return {
    name: 'interviews',
    async erase(step) {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const session = await repo.findByClientSessionId(step.target.clientSessionId);
        if (!session) return 0;
        await step.remember(conversationIdsOf(session));
        const { deleted } = await repo.deleteInterviewHolding(session.clientSessionId, session.voice?.conversationId);
        if (deleted) return 1;
      }
      throw new Error('the interview kept changing while it was being erased');
    },
  };
}

/**
 * Orphaned copies of the candidate's call: orphan records holding one of its
 * conversation ids or listing it as a candidate of an ambiguous match.
 */
export function orphanEraser(repo: Repository): Eraser {
  return {
    name: 'orphans',
    async erase(step) {
      const orphans = await repo.findOrphansOf({ conversationIds: [...step.target.conversationIds], clientSessionId: step.target.clientSessionId });
      let n = 0;
      for (const orphan of orphans) {
        await step.remember(conversationIdsOf(orphan));
        step.related.add(orphan.clientSessionId);
        if ((await repo.deleteOrphanRecord(orphan.clientSessionId)).deleted) n += 1;
      }
      return n;
    },
  };
}

/** Raw post-call payloads (`webhook_events`): by conversation id, linked session or orphan, or dynamic variable. */
export function webhookEventEraser(repo: Repository): Eraser {
  return {
    name: 'webhook_events',
    erase: (step) =>
      repo.deleteWebhookEventsOf({
        conversationIds: [...step.target.conversationIds],
        clientSessionIds: [step.target.clientSessionId, ...step.related].slice(0, 300),
      }),
  };
}

/** A question still streaming (its text may quote an answer): memory or Redis. */
export function inflightEraser(inflight: InflightStore): Eraser {
  return {
    name: 'inflight',
    async erase(step) {
      const entry = await inflight.get(step.target.clientSessionId);
      if (!entry) return 0;
      inflight.end(step.target.clientSessionId, entry.questionId);
      return 1;
    },
  };
}

/** The erasers of everything this codebase stores, in order. Other modules append theirs (e.g. outbox deliveries). */
export function defaultErasers(deps: { repo: Repository; inflight: InflightStore }): EraserRegistry {
  return new EraserRegistry()
    .register(interviewEraser(deps.repo))
    .register(orphanEraser(deps.repo))
    .register(webhookEventEraser(deps.repo))
    .register(inflightEraser(deps.inflight));
}
