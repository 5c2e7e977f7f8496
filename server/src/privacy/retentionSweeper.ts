import type { Repository } from '../db/repository/index.js';
import type { Logger } from '../observability/logger.js';
import type { ErasureService } from './erasureService.js';
import type { RetentionPolicy } from './retentionPolicy.js';

export interface RetentionSweeperDeps {
  repo: Repository;
  erasure: ErasureService;
  policy: RetentionPolicy;
  logger: Logger;
  nodeId: string;
  now: () => Date;
  intervalMs: number;
  /** Interviews read per batch. */
  batchSize?: number;
  /** Batches per sweep at most (the rest waits for the next tick). */
  maxBatches?: number;
  /** The sweeper's cluster lease; renewed after every batch. */
  leaseMs?: number;
}

export interface SweepResult {
  /** False when another node holds the sweeper lease (or retention is off). */
  leader: boolean;
  erased: number;
  /** Due interviews another worker was already erasing. */
  skipped: number;
}

export const RETENTION_LEASE = 'retention-sweeper';

/**
 * Deletes interviews past RETENTION_DAYS (docs/privacy.md), periodically, in
 * batches. Safe on any number of nodes: one node at a time holds the sweeper
 * lease, and every interview's erasure is claimed by the insert of its
 * tombstone, so even two sweepers never erase one interview twice. Each tick
 * also finishes erasures a crash left pending (with or without retention).
 */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly deps: RetentionSweeperDeps) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One tick (skipped while the previous one runs): resume erasures, then sweep. */
  tick(): Promise<unknown> {
    if (this.running) return this.running;
    this.running = (async () => {
      await this.deps.erasure.resumePending();
      await this.sweepOnce();
    })()
      .catch((err: unknown) => this.deps.logger.error('retention sweep failed; retried next tick', { err }))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async sweepOnce(): Promise<SweepResult> {
    const { repo, erasure, policy, logger, nodeId, now } = this.deps;
    const leaseMs = this.deps.leaseMs ?? 120_000;
    if (!policy.enabled) return { leader: false, erased: 0, skipped: 0 };
    if (!(await repo.acquireLease(RETENTION_LEASE, nodeId, leaseMs)).acquired) return { leader: false, erased: 0, skipped: 0 };
    const started = Date.now();
    let erased = 0;
    let skipped = 0;
    try {
      for (let batch = 0; batch < (this.deps.maxBatches ?? 20); batch += 1) {
        const cutoff = policy.cutoff(now());
        if (!cutoff) break;
        const due = await repo.findDueForRetention(cutoff, this.deps.batchSize ?? 100);
        let progressed = 0;
        for (const candidate of due) {
          if (await erasure.eraseForRetention(candidate)) progressed += 1;
          else skipped += 1;
        }
        erased += progressed;
        // A batch that erased nothing holds only interviews other workers own: leave them to those.
        if (due.length === 0 || progressed === 0) break;
        if (!(await repo.acquireLease(RETENTION_LEASE, nodeId, leaseMs)).acquired) break;
      }
    } finally {
      await repo.releaseLease(RETENTION_LEASE, nodeId).catch(() => undefined);
    }
    if (erased > 0 || skipped > 0) logger.info('retention sweep', { erased, skipped, ms: Date.now() - started, retentionDays: policy.days });
    return { leader: true, erased, skipped };
  }
}
