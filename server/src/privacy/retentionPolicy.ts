import type { Interview } from '../../../shared/interview.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * RETENTION_DAYS as a pure policy (docs/privacy.md). An interview's retention
 * anchor is `endedAt` when it ended, else `updatedAt` (its last activity: an
 * interview nobody touched for the whole period is deleted too, whatever its
 * status). `deleteAfter` is computed, never stored, so changing RETENTION_DAYS
 * applies to every interview at once.
 */
export class RetentionPolicy {
  readonly periodMs: number | null;

  constructor(readonly days: number | undefined) {
    this.periodMs = days === undefined ? null : Math.round(days * DAY_MS);
  }

  get enabled(): boolean {
    return this.periodMs !== null;
  }

  /** When the sweeper deletes this interview; null when retention is off. */
  deleteAfter(session: Pick<Interview, 'endedAt' | 'updatedAt'>): Date | null {
    if (this.periodMs === null) return null;
    return new Date((session.endedAt ?? session.updatedAt).getTime() + this.periodMs);
  }

  /** Interviews anchored before this instant are due; null when retention is off. */
  cutoff(now: Date): Date | null {
    return this.periodMs === null ? null : new Date(now.getTime() - this.periodMs);
  }
}

export const KEEP_FOREVER = new RetentionPolicy(undefined);
