/**
 * Token frames: deltas of one question that arrive within one frame interval of the last
 * emitted event go out together as ONE `question:token` (the event index stays the event
 * index, so the gap-free rule holds for every client). Leading edge: a delta arriving after
 * a quiet interval is emitted at once, so an interviewer slower than the frame rate (a
 * person reading, the scripted pacing) gets no added latency; only bursts are merged, and
 * a merged delta waits at most `frameMs`. `frameMs` 0 emits every delta on its own.
 */
export class TokenFrames {
  private pending = '';
  private lastEmitAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() of the oldest delta held in `pending` (for the hold-time metric). */
  private heldSince = 0;

  constructor(
    private readonly frameMs: number,
    private readonly emit: (text: string) => void,
    private readonly onHeld?: (ms: number) => void,
  ) {}

  push(delta: string): void {
    if (delta.length === 0) return;
    const now = performance.now();
    if (this.frameMs <= 0 || (this.timer === undefined && now - this.lastEmitAt >= this.frameMs)) {
      this.lastEmitAt = now;
      this.emit(delta);
      return;
    }
    if (this.pending.length === 0) this.heldSince = now;
    this.pending += delta;
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.lastEmitAt + this.frameMs - now));
  }

  /** Emits what is held now (end of the stream). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const text = this.pending;
    this.pending = '';
    this.lastEmitAt = performance.now();
    this.onHeld?.(this.lastEmitAt - this.heldSince);
    this.emit(text);
  }

  /** Drops what is held (the stream was aborted: its text must not go out). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = '';
  }
}
