import type { Turn } from '../../../shared/interview.js';
import type { Logger } from '../observability/logger.js';

export interface TurnLeasesDeps {
  /** ONE write renewing every listed lease of this node; returns the question ids it no longer holds. */
  renew: (req: { node: string; questionIds: string[]; until: Date }) => Promise<{ lost: string[] }>;
  logger: Logger;
  nodeId: string;
  leaseMs: number;
  now: () => Date;
}

interface Held {
  questionId: string;
  controller: AbortController;
}

/**
 * The turns this node is generating: one per session, each with an AbortController.
 * Their leases are renewed together, in one batched write every leaseMs / 3, instead of
 * one write per streaming session; a turn another node took over (or that ended) is
 * aborted at the next renewal, and its question is never stored (the question write
 * names the turn it expects).
 */
export class TurnLeases {
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;

  constructor(private readonly deps: TurnLeasesDeps) {}

  /** A fresh generating turn for `questionId`, leased to this node. */
  lease(questionId: string): Turn {
    return { state: 'generating', questionId, leaseUntil: this.until(), node: this.deps.nodeId };
  }

  /** This node starts generating `questionId` for the session (a previous stream of the session is superseded). */
  hold(clientSessionId: string, questionId: string): AbortController {
    this.held.get(clientSessionId)?.controller.abort(new Error('superseded'));
    const controller = new AbortController();
    this.held.set(clientSessionId, { questionId, controller });
    this.timer ??= setInterval(() => void this.renewAll(), Math.max(250, Math.floor(this.deps.leaseMs / 3)));
    this.timer.unref();
    return controller;
  }

  /** The stream of `controller` is over (stored, failed or aborted). */
  drop(clientSessionId: string, controller: AbortController): void {
    if (this.held.get(clientSessionId)?.controller !== controller) return;
    this.held.delete(clientSessionId);
    if (this.held.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  isHeld(clientSessionId: string, questionId?: string): boolean {
    const held = this.held.get(clientSessionId);
    return held !== undefined && (questionId === undefined || held.questionId === questionId);
  }

  /** Stops this node's stream for the session; returns the question it was generating. */
  abort(clientSessionId: string, reason: string): string | undefined {
    const held = this.held.get(clientSessionId);
    if (!held) return undefined;
    held.controller.abort(new Error(reason));
    return held.questionId;
  }

  sessions(): string[] {
    return [...this.held.keys()];
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private until(): Date {
    return new Date(this.deps.now().getTime() + this.deps.leaseMs);
  }

  private async renewAll(): Promise<void> {
    if (this.renewing || this.held.size === 0) return;
    this.renewing = true;
    const snapshot = [...this.held.entries()];
    try {
      const { lost } = await this.deps.renew({ node: this.deps.nodeId, questionIds: snapshot.map(([, h]) => h.questionId), until: this.until() });
      if (lost.length === 0) return;
      const gone = new Set(lost);
      for (const [csid, held] of snapshot) {
        if (!gone.has(held.questionId) || held.controller.signal.aborted) continue;
        this.deps.logger.info('turn lease lost; stopping its stream', { clientSessionId: csid, questionId: held.questionId });
        held.controller.abort(new Error('lease lost'));
      }
    } catch (err) {
      // A database hiccup is not a lost lease; the next renewal tries again.
      this.deps.logger.warn('lease renewal failed', { count: snapshot.length, err });
    } finally {
      this.renewing = false;
    }
  }
}
