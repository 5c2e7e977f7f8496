/**
 * Counts a session's candidate sockets on this node. When the last one leaves
 * and none comes back within the grace period, `onGone` runs (the in-flight
 * question is aborted and its lease released, so a later reconnect anywhere
 * regenerates at once). A reconnect inside the grace period changes nothing.
 */
export class CandidatePresence {
  private readonly counts = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly graceMs: number,
    private readonly onGone: (clientSessionId: string) => void,
  ) {}

  joined(clientSessionId: string): void {
    this.counts.set(clientSessionId, (this.counts.get(clientSessionId) ?? 0) + 1);
    const timer = this.timers.get(clientSessionId);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(clientSessionId);
    }
  }

  left(clientSessionId: string): void {
    const remaining = (this.counts.get(clientSessionId) ?? 1) - 1;
    if (remaining > 0) {
      this.counts.set(clientSessionId, remaining);
      return;
    }
    this.counts.delete(clientSessionId);
    const timer = setTimeout(() => {
      this.timers.delete(clientSessionId);
      if (!this.counts.has(clientSessionId)) this.onGone(clientSessionId);
    }, this.graceMs);
    timer.unref();
    this.timers.set(clientSessionId, timer);
  }

  /** Sessions with at least one candidate socket on this node. */
  get size(): number {
    return this.counts.size;
  }

  isPresent(clientSessionId: string): boolean {
    return this.counts.has(clientSessionId);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
