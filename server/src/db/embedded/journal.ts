import { BSON, type Document } from 'bson';
import { fdatasyncSync, promises as fsp, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { deserializeDocument } from './bsonvalues.js';
import type { EmbeddedLogger } from './logger.js';

/**
 * Append-only journal with group commit, plus snapshot-based compaction.
 *
 * Files in `dir`:
 *   journal-<gen>.bin   records [u32 length][u32 crc32(payload)][BSON payload], little endian
 *   snapshot.bin        same framing: {snapshot: gen} header, state records, {end: true} trailer
 * A snapshot with generation G contains everything logged in journals with generation < G,
 * so recovery = load snapshot (G, default 0) + replay journals with generation >= G in order.
 */

export type Durability = 'fsync' | 'none';

export interface JournalOptions {
  dir: string;
  durability: Durability;
  logger: EmbeddedLogger;
  /** Active journal size that triggers compaction. */
  compactBytes?: number;
  /**
   * 'sync': a group commit's write + fdatasync block this thread (for a thread of its own, the
   * worker: no libuv threadpool round trip per call). The flush is deferred to the next
   * setImmediate, so every command read in the same I/O turn joins it. Default 'async'.
   */
  io?: 'async' | 'sync';
}

const FRAME_HEADER = 8;
const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const SNAPSHOT = 'snapshot.bin';
const SNAPSHOT_TMP = 'snapshot.bin.tmp';
const JOURNAL_RE = /^journal-(\d+)\.bin$/;
export const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024;

export class JournalCorruptError extends Error {
  override name = 'JournalCorruptError';
}

export class RecordTooLargeError extends Error {
  override name = 'RecordTooLargeError';
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`journal record of ${size} bytes exceeds ${limit} bytes`);
  }
}

/** Raised to waiting commands when their record could not be made durable. */
export class JournalWriteError extends Error {
  override name = 'JournalWriteError';
}

export function journalFileName(gen: number): string {
  return `journal-${String(gen).padStart(8, '0')}.bin`;
}

export function encodeFrame(rec: Document): Buffer {
  const payload = BSON.serialize(rec);
  const frame = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  frame.set(payload, FRAME_HEADER);
  return frame;
}

/** A frame starting at `offset` that is complete and whose checksum matches, or undefined. */
function frameAt(buf: Buffer, offset: number): { payload: Buffer; next: number } | undefined {
  if (offset + FRAME_HEADER > buf.length) return undefined;
  const len = buf.readUInt32LE(offset);
  if (len < 5 || len > MAX_RECORD_BYTES || offset + FRAME_HEADER + len > buf.length) return undefined;
  const payload = buf.subarray(offset + FRAME_HEADER, offset + FRAME_HEADER + len);
  // Cheap pre-check before the checksum: a BSON document starts with its own length.
  if (payload.readInt32LE(0) !== len) return undefined;
  if (crc32(payload) !== buf.readUInt32LE(offset + 4)) return undefined;
  return { payload, next: offset + FRAME_HEADER + len };
}

interface ScanResult {
  records: Document[];
  /** Offset just after the last good record. */
  goodEnd: number;
}

/**
 * Parses every record. A bad record followed by no valid record at all is a torn tail
 * (a crash mid-append) and is reported through goodEnd; a bad record followed by a valid one
 * is corruption in the middle and throws, naming the file and offset.
 */
export function scanRecords(buf: Buffer, file: string, allowTornTail: boolean): ScanResult {
  const records: Document[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const frame = frameAt(buf, offset);
    if (!frame) {
      if (!allowTornTail || hasValidFrameAfter(buf, offset + 1)) {
        throw new JournalCorruptError(`corrupt record in ${file} at offset ${offset}; refusing to start (data after it is intact, so this is not a torn write)`);
      }
      return { records, goodEnd: offset };
    }
    try {
      records.push(deserializeDocument(frame.payload));
    } catch (err) {
      throw new JournalCorruptError(`undecodable record in ${file} at offset ${offset}: ${(err as Error).message}`);
    }
    offset = frame.next;
  }
  return { records, goodEnd: offset };
}

function hasValidFrameAfter(buf: Buffer, from: number): boolean {
  for (let o = from; o + FRAME_HEADER + 5 <= buf.length; o++) if (frameAt(buf, o)) return true;
  return false;
}

/** Reads exactly the file's stat size (never loops forever on a device node). */
async function readSized(file: string): Promise<Buffer> {
  const fh = await fsp.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function writeAllSync(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

async function writeAll(fh: FileHandle, data: Buffer): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const { bytesWritten } = await fh.write(data, off, data.length - off);
    off += bytesWritten;
  }
}

interface Waiter {
  target: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Produces the records that rebuild the current state; must run synchronously (consistent cut). */
export type SnapshotSource = () => Iterable<Document>;

/** Counters since the journal was opened (for benchmarks and diagnostics). */
export interface JournalStats {
  /** Records appended. */
  records: number;
  /** Group commits (write + fdatasync in 'fsync' mode). */
  flushes: number;
  /** Bytes written to journals (snapshots excluded). */
  bytes: number;
}

export class Journal {
  private pending: Buffer[] = [];
  private readonly counters: JournalStats = { records: 0, flushes: 0, bytes: 0 };
  private appendedSeq = 0;
  private durableSeq = 0;
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private failed: JournalWriteError | undefined;
  private closed = false;
  private activeBytes: number;
  private readonly compactBytes: number;
  snapshotSource: SnapshotSource | undefined;

  private constructor(
    private readonly opts: JournalOptions,
    private fh: FileHandle,
    private gen: number,
    size: number,
  ) {
    this.activeBytes = size;
    this.compactBytes = opts.compactBytes ?? DEFAULT_COMPACT_BYTES;
  }

  /** Loads snapshot + journals through `apply`, repairs a torn tail, and opens the active journal. */
  static async open(opts: JournalOptions, apply: (rec: Document) => void): Promise<Journal> {
    const { dir, logger } = opts;
    await fsp.mkdir(dir, { recursive: true });
    await fsp.rm(path.join(dir, SNAPSHOT_TMP), { force: true });

    let snapshotGen = 0;
    const snapPath = path.join(dir, SNAPSHOT);
    const snapBuf = await readSized(snapPath).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (snapBuf) {
      // The snapshot is renamed into place only after fsync: any damage is real corruption.
      const { records } = scanRecords(snapBuf, snapPath, false);
      const head = records[0];
      const tail = records[records.length - 1];
      if (!head || typeof head.snapshot !== 'number' || !tail || tail.end !== true) {
        throw new JournalCorruptError(`snapshot ${snapPath} is incomplete (missing header or trailer)`);
      }
      snapshotGen = head.snapshot;
      for (const rec of records.slice(1, -1)) apply(rec);
      logger.info('embedded-mongo: snapshot loaded', { file: snapPath, generation: snapshotGen, records: records.length - 2 });
    }

    const gens = (await fsp.readdir(dir))
      .map((f) => JOURNAL_RE.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    let activeGen = snapshotGen;
    let activeSize = 0;
    const live = gens.filter((g) => g >= snapshotGen);
    for (const g of gens) {
      // Covered by the snapshot: left over from a compaction interrupted after its rename.
      if (g < snapshotGen) await fsp.rm(path.join(dir, journalFileName(g)), { force: true });
    }
    for (const [i, g] of live.entries()) {
      const file = path.join(dir, journalFileName(g));
      const buf = await readSized(file);
      const isLast = i === live.length - 1;
      const { records, goodEnd } = scanRecords(buf, file, isLast);
      for (const rec of records) apply(rec);
      if (goodEnd < buf.length) {
        logger.warn('embedded-mongo: torn journal tail dropped', { file, offset: goodEnd, droppedBytes: buf.length - goodEnd });
        const fh = await fsp.open(file, 'r+');
        try {
          await fh.truncate(goodEnd);
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
      activeGen = g;
      activeSize = goodEnd;
      logger.debug('embedded-mongo: journal replayed', { file, records: records.length });
    }
    const fh = await fsp.open(path.join(dir, journalFileName(activeGen)), 'a');
    await fsyncDir(dir);
    return new Journal(opts, fh, activeGen, activeSize);
  }

  /**
   * Queues a record; it becomes durable with the next group commit. Synchronous by design.
   * Throws RecordTooLargeError (queuing nothing) when the payload exceeds `maxPayloadBytes`.
   */
  append(rec: Document, maxPayloadBytes = MAX_RECORD_BYTES): void {
    if (this.closed) throw new JournalWriteError('journal is closed');
    const frame = encodeFrame(rec);
    const size = frame.length - FRAME_HEADER;
    if (size > maxPayloadBytes) throw new RecordTooLargeError(size, maxPayloadBytes);
    this.pending.push(frame);
    this.appendedSeq++;
    this.counters.records++;
  }

  stats(): JournalStats {
    return { ...this.counters };
  }

  /** Resolves once every record appended so far is on disk (fsynced in 'fsync' mode). */
  durable(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const target = this.appendedSeq;
    if (this.durableSeq >= target) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ target, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.flushing) return;
    // Blocking I/O waits for the end of this I/O turn: the commands read with this one append first.
    const loop = this.opts.io === 'sync' ? new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flushLoop()) : this.flushLoop();
    this.flushing = loop.finally(() => {
      this.flushing = undefined;
      // Records appended while the last write was finishing still need a writer.
      if (this.pending.length > 0 && this.waiters.length > 0 && !this.failed) this.kick();
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0 && !this.failed) {
        const batch = this.pending;
        const target = this.appendedSeq;
        this.pending = [];
        await this.writeBatch(this.fh, batch);
        this.markDurable(target);
        if (this.activeBytes >= this.compactBytes && this.snapshotSource && !this.closed) await this.compact();
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private async writeBatch(fh: FileHandle, batch: Buffer[]): Promise<void> {
    const data = batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch);
    if (this.opts.io === 'sync') {
      writeAllSync(fh.fd, data);
      if (this.opts.durability === 'fsync') fdatasyncSync(fh.fd);
    } else {
      await writeAll(fh, data);
      if (this.opts.durability === 'fsync') await fh.datasync();
    }
    this.activeBytes += data.length;
    this.counters.flushes++;
    this.counters.bytes += data.length;
  }

  private markDurable(target: number): void {
    this.durableSeq = Math.max(this.durableSeq, target);
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.target <= this.durableSeq) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private fail(err: unknown): void {
    const cause = err instanceof Error ? err.message : String(err);
    // After a failed write or fsync the on-disk state is unknown (fsync errors are not retryable),
    // so nothing is acknowledged any more until a restart replays what actually reached the disk.
    this.failed = new JournalWriteError(`journal write failed, the embedded database refuses further commands until restarted: ${cause}`);
    this.opts.logger.error('embedded-mongo: journal write failed', { error: cause, dir: this.opts.dir });
    for (const w of this.waiters) w.reject(this.failed);
    this.waiters = [];
  }

  get failure(): Error | undefined {
    return this.failed;
  }

  /**
   * Writes a snapshot of the current state and starts a new journal generation.
   * Order (each step crash-safe): cut state + old pending synchronously -> flush old pending
   * into journal-g -> create journal-(g+1) -> write snapshot.tmp(gen g+1), fsync, rename, fsync dir
   * -> delete journal-g. Until the rename, recovery uses the old snapshot + journal-g (+ empty g+1).
   */
  private async compact(): Promise<void> {
    const source = this.snapshotSource;
    if (!source) return;
    const started = Date.now();
    const nextGen = this.gen + 1;
    const frames: Buffer[] = [encodeFrame({ snapshot: nextGen })];
    for (const rec of source()) frames.push(encodeFrame(rec));
    frames.push(encodeFrame({ end: true }));
    const oldPending = this.pending;
    const oldTarget = this.appendedSeq;
    this.pending = [];
    if (oldPending.length > 0) await this.writeBatch(this.fh, oldPending);
    this.markDurable(oldTarget);

    // journal-g must be complete before anything is written after it, even in 'none' mode:
    // only the last journal may legitimately end in a torn record.
    await this.fh.datasync();
    const dir = this.opts.dir;
    const newFh = await fsp.open(path.join(dir, journalFileName(nextGen)), 'a');
    await fsyncDir(dir);
    const oldFh = this.fh;
    const oldGen = this.gen;
    this.fh = newFh;
    this.gen = nextGen;
    this.activeBytes = 0;
    await oldFh.close();

    const tmp = path.join(dir, SNAPSHOT_TMP);
    const snap = await fsp.open(tmp, 'w');
    try {
      await writeAll(snap, Buffer.concat(frames));
      await snap.sync();
    } finally {
      await snap.close();
    }
    await fsp.rename(tmp, path.join(dir, SNAPSHOT));
    await fsyncDir(dir);
    await fsp.rm(path.join(dir, journalFileName(oldGen)), { force: true });
    this.opts.logger.info('embedded-mongo: journal compacted', { generation: nextGen, records: frames.length - 2, ms: Date.now() - started });
  }

  /** Flushes everything, writes a snapshot (so the next start is fast) and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.failed) await this.durable();
      while (this.flushing) await this.flushing;
      if (!this.failed && this.snapshotSource && this.activeBytes > 0) await this.compact();
    } catch (err) {
      this.fail(err);
    } finally {
      this.closed = true;
      await this.fh.close().catch(() => undefined);
    }
    if (this.failed) throw this.failed;
  }
}
