import type { Document } from 'bson';
import type { Index } from './indexes.js';
import type { EmbeddedLogger } from './logger.js';
import type { ServerParameters } from './params.js';
import type { Collection, Store } from './store.js';
import { pathValues } from './values.js';

/**
 * MongoDB's TTL monitor: every `ttlMonitorSleepSecs` it deletes the documents whose indexed
 * date (the earliest one, when the field is an array of dates) is older than the index's
 * `expireAfterSeconds`. Single-field indexes only (a compound index ignores the option, as in
 * MongoDB); a partial or sparse index expires only the documents it covers; a hidden index
 * still expires. Deletes go through the store like any other, so they are journaled.
 */
export class TtlMonitor {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly deps: {
      store: Store;
      params: ServerParameters;
      logger: EmbeddedLogger;
      /** Refuses to run (returns false) once the journal has failed. */
      canWrite: () => boolean;
      /** Makes the pass's deletes durable now rather than at the next command. */
      flush: () => Promise<void>;
    },
  ) {
    // A new sleep takes effect at once (tests set 1 s and should not wait for the old 60 s).
    this.unsubscribe = deps.params.onChange((name) => {
      if (name === 'ttlMonitorSleepSecs') this.schedule();
    });
  }

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tick();
      this.schedule();
    }, this.deps.params.get('ttlMonitorSleepSecs') * 1000);
    this.timer.unref();
  }

  private tick(): void {
    if (!this.deps.params.get('ttlMonitorEnabled') || !this.deps.canWrite()) return;
    try {
      const removed = expireDocuments(this.deps.store, Date.now());
      if (removed > 0) {
        this.deps.logger.debug('embedded-mongo: TTL monitor removed expired documents', { removed });
        this.deps.flush().catch((err: unknown) => this.deps.logger.error('embedded-mongo: TTL deletes not durable', { error: err instanceof Error ? err.message : String(err) }));
      }
    } catch (err) {
      this.deps.logger.error('embedded-mongo: TTL monitor pass failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}

/** The earliest date among the indexed field's values, or undefined (no date: never expires). */
function earliestDate(doc: Document, field: string): number | undefined {
  let min: number | undefined;
  for (const v of pathValues(doc, field)) {
    if (v instanceof Date && !Number.isNaN(v.getTime()) && (min === undefined || v.getTime() < min)) min = v.getTime();
  }
  return min;
}

function ttlIndexes(coll: Collection): Index[] {
  const out: Index[] = [];
  for (const index of coll.indexes.values()) {
    const secs = index.spec.expireAfterSeconds;
    if (typeof secs === 'number' && Number.isFinite(secs) && index.fields.length === 1) out.push(index);
  }
  return out;
}

/** One pass over every TTL index; returns how many documents were deleted. */
export function expireDocuments(store: Store, now: number): number {
  let removed = 0;
  for (const db of store.databases()) {
    for (const coll of store.collections(db)) {
      for (const index of ttlIndexes(coll)) {
        const field = index.fields[0] as string;
        const cutoff = now - (index.spec.expireAfterSeconds as number) * 1000;
        const expired: Document[] = [];
        for (const doc of coll.docs.values()) {
          const at = earliestDate(doc, field);
          if (at !== undefined && at < cutoff && index.keysOf(doc).length > 0) expired.push(doc);
        }
        for (const doc of expired) {
          store.remove(coll, doc);
          removed++;
        }
      }
    }
  }
  return removed;
}
