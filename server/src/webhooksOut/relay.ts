import type { WebhookEndpoint, WebhookEventType } from '../../../shared/webhooksOut.js';
import type { OutboxClaim, Repository } from '../db/repository/index.js';
import type { Logger } from '../observability/logger.js';
import { buildPayloadV1 } from './payload.js';

export interface OutboxRelayDeps {
  repo: Repository;
  logger: Logger;
  /** How long a relay owns a document's outbox before another node may take over. */
  leaseMs: number;
  pollMs: number;
  /** Retries of a delivery stop this long after it was created. */
  horizonMs: number;
  /** Base of the links in payloads (PUBLIC_URL, else the server's own URL). */
  baseUrl: () => string;
  now: () => Date;
  /** Called after deliveries were created (the local dispatcher starts at once instead of at its next poll). */
  onDeliveries?: () => void;
}

/** Most documents one pass relays before yielding to the next poll. */
const BATCH = 50;

/**
 * Copies outbox entries into deliveries (docs/webhooks-out.md). Any number of
 * nodes run one: a document's outbox is relayed under a lease (findOneAndUpdate),
 * each copy is an idempotent upsert keyed by (eventId, endpointId), and only
 * then are the entries pulled. A crash between copy and pull re-copies nothing
 * new; a crash before the copy leaves the entries for the next relay.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private started = false;

  constructor(private readonly deps: OutboxRelayDeps) {}

  /** After listen (payload links need the server's URL). */
  start(): void {
    this.started = true;
    this.timer ??= setInterval(() => void this.runOnce().catch(() => undefined), this.deps.pollMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass over documents with waiting events; returns how many events it relayed. Passes on one node do not overlap. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * Relays one session's outbox now (before deleting a merged orphan, whose
   * delete requires an empty outbox). Waits for another node's relay to finish
   * it when that one holds the lease. True when the outbox is empty.
   */
  async flush(clientSessionId: string, timeoutMs = 3_000): Promise<boolean> {
    // Before start (start-up recovery) links cannot be built yet: the merge finishes at a later sweep.
    if (!this.started && !this.deps.baseUrl()) return false;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const claim = await this.deps.repo.webhooksOut.claimOutbox({ leaseMs: this.deps.leaseMs, clientSessionId });
      if (claim) await this.relay(claim, new Map());
      const session = await this.deps.repo.findByClientSessionId(clientSessionId);
      if (!session || (session.outbox?.length ?? 0) === 0) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async pass(): Promise<number> {
    let relayed = 0;
    // Endpoints are read once per pass and type.
    const endpoints = new Map<WebhookEventType, WebhookEndpoint[]>();
    try {
      for (let i = 0; i < BATCH; i++) {
        const claim = await this.deps.repo.webhooksOut.claimOutbox({ leaseMs: this.deps.leaseMs });
        if (!claim) break;
        relayed += await this.relay(claim, endpoints);
      }
    } catch (err) {
      this.deps.logger.warn('outbox relay pass failed; retried at the next poll', { err });
    }
    return relayed;
  }

  private async relay(claim: OutboxClaim, cache: Map<WebhookEventType, WebhookEndpoint[]>): Promise<number> {
    const { repo, logger } = this.deps;
    const session = claim.session;
    const done: string[] = [];
    let failed = 0;
    let created = 0;
    for (const entry of session.outbox ?? []) {
      try {
        let subscribed = cache.get(entry.type);
        if (!subscribed) {
          subscribed = await repo.webhooksOut.findEndpointsFor(entry.type);
          cache.set(entry.type, subscribed);
        }
        const targets = subscribed.filter((e) => e.openingId === undefined || e.openingId === session.openingId);
        if (targets.length > 0) {
          const payload = buildPayloadV1(session, entry, this.deps.baseUrl());
          const retryUntil = new Date(this.deps.now().getTime() + this.deps.horizonMs);
          for (const endpoint of targets) {
            const res = await repo.webhooksOut.ensureDelivery({
              eventId: entry.eventId,
              endpointId: endpoint.id,
              type: entry.type,
              clientSessionId: session.clientSessionId,
              sessionId: session.id,
              payload,
              retryUntil,
            });
            if (res.created) created += 1;
          }
        }
        done.push(entry.eventId);
      } catch (err) {
        // Left in the outbox, under our lease: the next try comes when it runs out, not in a hot loop.
        failed += 1;
        logger.error('relaying an outbox event failed', { eventId: entry.eventId, type: entry.type, clientSessionId: session.clientSessionId, err });
      }
    }
    await repo.webhooksOut.releaseOutbox({ clientSessionId: session.clientSessionId, eventIds: done, leaseUntil: claim.leaseUntil, keepLease: failed > 0 });
    if (created > 0 && !(await repo.findByClientSessionId(session.clientSessionId))) {
      // Erased while we copied: the erasure's delivery eraser may have run before our copies landed.
      const removed = await repo.webhooksOut.deleteDeliveriesOfSession(session.clientSessionId);
      logger.info('session erased while relaying; its deliveries removed', { clientSessionId: session.clientSessionId, removed });
      return done.length;
    }
    if (done.length > 0) logger.info('outbox relayed', { clientSessionId: session.clientSessionId, events: done.length, deliveries: created });
    if (created > 0) this.deps.onDeliveries?.();
    return done.length;
  }
}
