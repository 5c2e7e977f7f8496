import type { Config } from '../config.js';
import type { Repository } from '../db/repository/index.js';
import type { Eraser } from '../privacy/erasers.js';
import type { Logger } from '../observability/logger.js';
import type { BackoffOptions, SendResult } from './backoff.js';
import { WebhookDispatcher } from './dispatcher.js';
import { WebhookEndpoints } from './endpoints.js';
import { OutboxRelay } from './relay.js';
import { sendWebhook, type SendRequest } from './sender.js';
import { TargetGuard, type Resolver } from './ssrf.js';

export interface WebhooksOutModule {
  endpoints: WebhookEndpoints;
  relay: OutboxRelay;
  dispatcher: WebhookDispatcher;
  guard: TargetGuard;
  /** Start-up: free delivery leases a dead predecessor (same node name) held. */
  recover(node: { name: string; id: string; stable: boolean }): Promise<void>;
  /** After listen: payload links know the server's URL; relay and dispatcher start polling. */
  started(url: string): void;
  stop(): Promise<void>;
}

export interface WebhooksOutDeps {
  config: Config;
  repo: Repository;
  logger: Logger;
  nodeId: string;
  now: () => Date;
  /** Tests: a resolver instead of the system's (DNS rebinding, pinned connects). */
  resolve?: Resolver;
  send?: (req: SendRequest) => Promise<SendResult>;
  random?: () => number;
  onAttempt?: (a: { outcome: 'delivered' | 'retry' | 'failed'; latencyMs: number | undefined }) => void;
}

/** Attempts in flight at once per node. */
const CONCURRENCY = 8;

/** Outgoing webhooks, composed once (candor.ts mounts the router and runs the workers). docs/webhooks-out.md. */
export function createWebhooksOutModule(deps: WebhooksOutDeps): WebhooksOutModule {
  const { config, repo, now } = deps;
  const cfg = config.webhooksOut;
  const logger = deps.logger.child({ component: 'webhooks-out' });
  const guard = new TargetGuard({ allowPrivate: cfg.allowPrivateTargets, ...(deps.resolve ? { resolve: deps.resolve } : {}) });
  const backoff: BackoffOptions = { baseMs: cfg.backoffBaseMs, maxMs: cfg.backoffMaxMs };
  let baseUrl = config.publicUrl ?? '';
  const dispatcher = new WebhookDispatcher({
    repo,
    guard,
    send: deps.send ?? sendWebhook,
    logger,
    nodeId: deps.nodeId,
    leaseMs: cfg.leaseMs,
    timeoutMs: cfg.timeoutMs,
    backoff,
    pollMs: cfg.pollMs,
    concurrency: CONCURRENCY,
    now,
    ...(deps.random ? { random: deps.random } : {}),
    ...(deps.onAttempt ? { onAttempt: deps.onAttempt } : {}),
  });
  const relay = new OutboxRelay({
    repo,
    logger,
    leaseMs: cfg.leaseMs,
    pollMs: cfg.pollMs,
    horizonMs: cfg.retryHorizonMs,
    baseUrl: () => baseUrl,
    now,
    onDeliveries: () => dispatcher.kick(),
  });
  const endpoints = new WebhookEndpoints({ repo, guard, logger, secretGraceMs: cfg.secretGraceMs, horizonMs: cfg.retryHorizonMs, now });
  if (cfg.allowPrivateTargets) logger.warn('WEBHOOK_ALLOW_PRIVATE_TARGETS=true: webhooks may be sent to loopback and private addresses');
  return {
    endpoints,
    relay,
    dispatcher,
    guard,
    async recover(node) {
      if (!node.stable) return;
      const released = await repo.webhooksOut.releaseDeliveryLeasesOfPreviousBoot(node.name, node.id);
      if (released > 0) logger.info('released webhook delivery leases of a previous run', { count: released });
    },
    started(url: string) {
      if (!config.publicUrl) baseUrl = url;
      relay.start();
      dispatcher.start();
    },
    async stop() {
      await relay.stop();
      await dispatcher.stop();
    },
  };
}

/**
 * Erasure (docs/privacy.md): every delivery of the interview, and of orphans an
 * earlier eraser found holding its call. Registered after the interviews eraser:
 * a relay that read the interview before it was deleted checks again after
 * copying and removes what it copied (relay.ts), so nothing outlives the erasure.
 */
export function webhookDeliveryEraser(repo: Repository): Eraser {
  return {
    name: 'webhook_deliveries',
    async erase(step) {
      let n = 0;
      for (const csid of [step.target.clientSessionId, ...step.related]) n += await repo.webhooksOut.deleteDeliveriesOfSession(csid);
      return n;
    },
  };
}
