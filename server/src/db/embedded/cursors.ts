import { BSON, Long, type Document } from 'bson';
import { MongoCommandError } from './errors.js';

/** Default first batch size, like MongoDB. */
export const DEFAULT_FIRST_BATCH = 101;
/** Keep each reply under the 16 MiB BSON limit with room for the envelope. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;
/** Idle cursors are reaped like MongoDB's cursorTimeoutMillis (10 minutes). */
const CURSOR_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  ns: string;
  docs: Document[];
  pos: number;
  lastUsed: number;
}

/**
 * Server-side cursors over a materialized result. Results are snapshots of immutable stored
 * documents, so a cursor never sees later writes half-applied.
 */
export class CursorRegistry {
  private readonly cursors = new Map<number, OpenCursor>();
  // Ids stay below 2^53 so they survive BSON promotion to JS numbers unchanged.
  private nextId = Math.floor(Math.random() * 2 ** 40) + 1;

  /** First batch of a result; opens a cursor when documents remain. */
  open(ns: string, docs: Document[], batchSize: number | undefined, singleBatch: boolean): Document {
    // batchSize 0 on find/aggregate means: open the cursor, return nothing yet.
    const first = batchSize === 0 ? { batch: [], next: 0 } : takeBatch(docs, 0, batchSize ?? DEFAULT_FIRST_BATCH);
    let id = 0;
    if (!singleBatch && first.next < docs.length) {
      this.reap();
      id = this.nextId++;
      this.cursors.set(id, { ns, docs, pos: first.next, lastUsed: Date.now() });
    }
    return { id: Long.fromNumber(id), ns, firstBatch: first.batch };
  }

  getMore(id: number, ns: string, batchSize: number | undefined): Document {
    const cursor = this.cursors.get(id);
    if (!cursor) throw new MongoCommandError('CursorNotFound', `cursor id ${id} not found`);
    if (cursor.ns !== ns) {
      throw new MongoCommandError('BadValue', `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`);
    }
    const { batch, next } = takeBatch(cursor.docs, cursor.pos, batchSize);
    cursor.pos = next;
    cursor.lastUsed = Date.now();
    let outId = id;
    if (next >= cursor.docs.length) {
      this.cursors.delete(id);
      outId = 0;
    }
    return { id: Long.fromNumber(outId), ns, nextBatch: batch };
  }

  kill(ids: number[]): { killed: number[]; notFound: number[] } {
    const killed: number[] = [];
    const notFound: number[] = [];
    for (const id of ids) (this.cursors.delete(id) ? killed : notFound).push(id);
    return { killed, notFound };
  }

  clear(): void {
    this.cursors.clear();
  }

  private reap(): void {
    const cutoff = Date.now() - CURSOR_TIMEOUT_MS;
    for (const [id, c] of this.cursors) if (c.lastUsed < cutoff) this.cursors.delete(id);
  }
}

function takeBatch(docs: Document[], from: number, batchSize: number | undefined): { batch: Document[]; next: number } {
  const max = batchSize && batchSize > 0 ? batchSize : Number.POSITIVE_INFINITY;
  const batch: Document[] = [];
  let bytes = 0;
  let i = from;
  while (i < docs.length && batch.length < max) {
    const doc = docs[i] as Document;
    const size = BSON.calculateObjectSize(doc);
    if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
    batch.push(doc);
    bytes += size;
    i++;
  }
  return { batch, next: i };
}

/** Reads a cursor id sent as Long, Int32/Double or bigint. */
export function cursorIdOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Long) return v.toNumber();
  throw new MongoCommandError('TypeMismatch', 'cursor id must be a number');
}
