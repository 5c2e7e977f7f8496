import type { AttemptError, DeliveryAttempt, WebhookDelivery } from '../../../shared/webhooksOut.js';
import type { DeliveryClaim, FinishAttempt, Repository } from '../db/repository/index.js';
import type { Logger } from '../observability/logger.js';
import { judge, retryDelayMs, type BackoffOptions, type SendResult } from './backoff.js';
import type { SendRequest } from './sender.js';
import { TargetRefused, type TargetGuard } from './ssrf.js';
import { signedHeaders, signingSecrets } from './signing.js';

export interface DispatcherDeps {
  repo: Repository;
  guard: TargetGuard;
  send: (req: SendRequest) => Promise<SendResult>;
  logger: Logger;
  /** This node's lease owner id (`<name>#<boot>`). */
  nodeId: string;
  /** Must exceed timeoutMs (config enforces it): no lease runs out while its attempt is in flight. */
  leaseMs: number;
  /** The whole attempt (DNS + connect + response) gives up after this. */
  timeoutMs: number;
  backoff: BackoffOptions;
  pollMs: number;
  /** Attempts in flight at once on this node. */
  concurrency: number;
  now: () => Date;
  random?: () => number;
  onAttempt?: (a: { outcome: 'delivered' | 'retry' | 'failed'; latencyMs: number | undefined }) => void;
}

/**
 * Delivers pending deliveries (docs/webhooks-out.md). Any number of nodes run
 * one; a delivery is attempted only under a lease taken by one findOneAndUpdate,
 * and the lease outlives the attempt's timeout, so one delivery is never in
 * flight twice. Every attempt's status, latency and error class are stored on
 * the delivery and logged — never a body.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private active = 0;
  private filling = false;
  private stopped = false;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly deps: DispatcherDeps) {}

  start(): void {
    this.stopped = false;
    this.timer ??= setInterval(() => this.kick(), this.deps.pollMs);
  }

  /**
   * Waits up to `graceMs` for attempts in flight so their results are stored; one
   * still running after that is recorded as `interrupted` by whoever claims it next.
   */
  async stop(graceMs = 2_000): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inflight]), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  /** Claims due deliveries until every slot is busy or none is due. */
  kick(): void {
    if (this.filling || this.stopped) return;
    this.filling = true;
    void this.fill().finally(() => (this.filling = false));
  }

  /** Tests and tools: claim and attempt what is due now (at most `max`), one at a time. */
  async runOnce(max = 100): Promise<number> {
    let n = 0;
    while (n < max) {
      const claim = await this.deps.repo.webhooksOut.claimDelivery({ owner: this.deps.nodeId, leaseMs: this.deps.leaseMs });
      if (!claim) return n;
      await this.attempt(claim);
      n += 1;
    }
    return n;
  }

  private async fill(): Promise<void> {
    try {
      while (!this.stopped && this.active < this.deps.concurrency) {
        const claim = await this.deps.repo.webhooksOut.claimDelivery({ owner: this.deps.nodeId, leaseMs: this.deps.leaseMs });
        if (!claim) return;
        this.active += 1;
        const run: Promise<void> = this.attempt(claim)
          .catch((err: unknown) => {
            this.deps.logger.error('webhook attempt failed to record; the lease will expire and it is retried', { deliveryId: claim.before.id, err });
          })
          .finally(() => {
            this.active -= 1;
            this.inflight.delete(run);
            // A slot is free: more may be due.
            this.kick();
          });
        this.inflight.add(run);
      }
    } catch (err) {
      this.deps.logger.warn('claiming webhook deliveries failed; retried at the next poll', { err });
    }
  }

  private async attempt(claim: DeliveryClaim): Promise<void> {
    const { repo, nodeId } = this.deps;
    const d = claim.before;
    let made = d.attemptCount;
    const triggerOf = (n: number): DeliveryAttempt['trigger'] => (d.replayRequested ? 'replay' : n === 0 ? 'initial' : 'retry');
    if (d.inflight) {
      // Its node died mid-attempt (the receiver may or may not have got it): say so in the log.
      await repo.webhooksOut.recordInterruptedAttempt(d.id, nodeId, { n: made + 1, at: d.inflight.at, node: d.inflight.node, trigger: triggerOf(made), error: 'interrupted' });
      made += 1;
    }
    const endpoint = await repo.webhooksOut.findEndpoint(d.endpointId);
    if (!endpoint || !endpoint.enabled) {
      const failure = !endpoint ? 'endpoint_deleted' : endpoint.disabledReason === 'gone' ? 'gone' : 'endpoint_disabled';
      await this.finish(d, { state: 'failed', failure }, undefined);
      return;
    }
    const started = this.deps.now();
    const deadline = performance.now() + this.deps.timeoutMs;
    const result = await this.send(d, endpoint.url, signingSecrets(endpoint, started), started, deadline);
    const attempt: DeliveryAttempt = {
      n: made + 1,
      at: started,
      node: nodeId,
      trigger: triggerOf(made),
      latencyMs: result.latencyMs,
      ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
      ...(result.error ? { error: result.error } : {}),
    };
    const verdict = judge(result);
    if (verdict.kind === 'delivered') {
      await this.finish(d, { attempt, state: 'delivered' }, result);
      return;
    }
    if (verdict.kind === 'gone') {
      const marked = await repo.webhooksOut.markEndpointGone(endpoint.id);
      if (marked.won) this.deps.logger.warn('webhook endpoint answered 410 Gone; disabled', { endpointId: endpoint.id });
      await this.finish(d, { attempt: { ...attempt, error: 'gone' }, state: 'failed', failure: 'gone' }, result);
      return;
    }
    const failed = { ...attempt, error: verdict.error };
    const delay = retryDelayMs(attempt.n, this.deps.backoff, verdict.retryAfterMs ?? 0, this.deps.random);
    const next = new Date(this.deps.now().getTime() + delay);
    if (next.getTime() > d.retryUntil.getTime()) await this.finish(d, { attempt: failed, state: 'failed', failure: 'retries_exhausted' }, result);
    else await this.finish(d, { attempt: failed, state: 'pending', nextAttemptAt: next }, result);
  }

  private async send(d: WebhookDelivery, url: string, secrets: string[], at: Date, deadline: number): Promise<SendResult> {
    const t0 = performance.now();
    try {
      const target = await this.deps.guard.check(url, Math.max(1, Math.round(deadline - performance.now())));
      const body = JSON.stringify(d.payload);
      return await this.deps.send({ target, body, headers: signedHeaders(secrets, d.eventId, at, body), timeoutMs: Math.max(1, Math.round(deadline - performance.now())) });
    } catch (err) {
      if (!(err instanceof TargetRefused)) throw err;
      const error: AttemptError = err.reason === 'dns' ? 'dns' : 'ssrf_refused';
      return { latencyMs: Math.round(performance.now() - t0), error };
    }
  }

  private async finish(d: WebhookDelivery, f: FinishAttempt, result: SendResult | undefined): Promise<void> {
    const res = await this.deps.repo.webhooksOut.finishDeliveryAttempt(d.id, this.deps.nodeId, f);
    this.deps.logger.info('webhook attempt', {
      deliveryId: d.id,
      endpointId: d.endpointId,
      eventId: d.eventId,
      type: d.type,
      attempt: f.attempt?.n,
      statusCode: result?.statusCode,
      latencyMs: result?.latencyMs,
      error: f.attempt?.error,
      state: f.state,
      failure: f.failure,
      nextAttemptAt: f.nextAttemptAt?.toISOString(),
      recorded: res.won,
    });
    this.deps.onAttempt?.({ outcome: f.state === 'pending' ? 'retry' : f.state, latencyMs: result?.latencyMs });
  }
}
