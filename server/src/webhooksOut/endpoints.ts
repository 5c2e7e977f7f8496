import { AppError } from '../../../shared/errors.js';
import type {
  CreateWebhookEndpointRequest,
  DeliveryState,
  UpdateWebhookEndpointRequest,
  WebhookDeliveryView,
  WebhookEndpointView,
  WebhookEndpointWithSecret,
} from '../../../shared/webhooksOut.js';
import type { Repository } from '../db/repository/index.js';
import type { Logger } from '../observability/logger.js';
import { newSigningSecret } from './signing.js';
import { TargetRefused, type TargetGuard } from './ssrf.js';
import { toDeliveryView, toEndpointView } from './views.js';

export interface WebhookEndpointsDeps {
  repo: Repository;
  guard: TargetGuard;
  logger: Logger;
  /** Default grace period of a rotated-out secret (WEBHOOK_SECRET_GRACE_MS). */
  secretGraceMs: number;
  /** A replayed delivery retries for this long again (WEBHOOK_RETRY_HORIZON_MS). */
  horizonMs: number;
  now: () => Date;
}

/**
 * What an admin does with webhook endpoints (one function per action; the REST
 * router only parses and calls). The signing secret leaves the server only in
 * the answers of create and rotate.
 */
export class WebhookEndpoints {
  constructor(private readonly deps: WebhookEndpointsDeps) {}

  async create(req: CreateWebhookEndpointRequest): Promise<WebhookEndpointWithSecret> {
    await this.checkTarget(req.url);
    const secret = newSigningSecret();
    const endpoint = await this.deps.repo.webhooksOut.createEndpoint({
      url: req.url,
      events: req.events,
      ...(req.openingId !== undefined ? { openingId: req.openingId } : {}),
      enabled: req.enabled ?? true,
      secret,
    });
    this.deps.logger.info('webhook endpoint created', { endpointId: endpoint.id, events: endpoint.events.length, enabled: endpoint.enabled });
    return { ...toEndpointView(endpoint, this.deps.now()), secret };
  }

  async list(q: { cursor?: string; limit: number }): Promise<{ items: WebhookEndpointView[]; nextCursor: string | null }> {
    const page = await this.deps.repo.webhooksOut.listEndpoints(q);
    const now = this.deps.now();
    return { items: page.items.map((e) => toEndpointView(e, now)), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<WebhookEndpointView> {
    const endpoint = await this.deps.repo.webhooksOut.findEndpoint(id);
    if (!endpoint) throw notFound();
    return toEndpointView(endpoint, this.deps.now());
  }

  async update(id: string, patch: UpdateWebhookEndpointRequest): Promise<WebhookEndpointView> {
    if (patch.url !== undefined) await this.checkTarget(patch.url);
    const endpoint = await this.deps.repo.webhooksOut.updateEndpoint(id, patch);
    if (!endpoint) throw notFound();
    this.deps.logger.info('webhook endpoint updated', { endpointId: id, fields: Object.keys(patch).join(','), enabled: endpoint.enabled });
    return toEndpointView(endpoint, this.deps.now());
  }

  /** A new secret; the previous one keeps signing (both signatures sent) for the grace period. */
  async rotateSecret(id: string, graceMs: number | undefined): Promise<WebhookEndpointWithSecret> {
    const secret = newSigningSecret();
    const now = this.deps.now();
    const endpoint = await this.deps.repo.webhooksOut.rotateEndpointSecret(id, {
      secret,
      previousValidUntil: new Date(now.getTime() + (graceMs ?? this.deps.secretGraceMs)),
    });
    if (!endpoint) throw notFound();
    this.deps.logger.info('webhook secret rotated', { endpointId: id, graceMs: graceMs ?? this.deps.secretGraceMs });
    return { ...toEndpointView(endpoint, now), secret };
  }

  async remove(id: string): Promise<void> {
    const res = await this.deps.repo.webhooksOut.deleteEndpoint(id);
    if (!res.deleted) throw notFound();
    this.deps.logger.info('webhook endpoint deleted', { endpointId: id });
  }

  async deliveries(id: string, q: { state?: DeliveryState; cursor?: string; limit: number }): Promise<{ items: WebhookDeliveryView[]; nextCursor: string | null }> {
    if (!(await this.deps.repo.webhooksOut.findEndpoint(id))) throw notFound();
    const page = await this.deps.repo.webhooksOut.listDeliveries(id, q);
    const now = this.deps.now();
    return { items: page.items.map((d) => toDeliveryView(d, now)), nextCursor: page.nextCursor };
  }

  /** Sends the same event again (same webhook-id), with a fresh retry horizon. */
  async replay(id: string, deliveryId: string): Promise<WebhookDeliveryView> {
    const endpoint = await this.deps.repo.webhooksOut.findEndpoint(id);
    if (!endpoint) throw notFound();
    if (!endpoint.enabled) throw new AppError('STATE_CONFLICT', 'This endpoint is disabled: enable it before replaying a delivery');
    const now = this.deps.now();
    const delivery = await this.deps.repo.webhooksOut.replayDelivery(id, deliveryId, new Date(now.getTime() + this.deps.horizonMs));
    if (!delivery) throw new AppError('NOT_FOUND', 'No delivery with this id for this endpoint');
    this.deps.logger.info('webhook delivery replay requested', { endpointId: id, deliveryId, eventId: delivery.eventId });
    return toDeliveryView(delivery, now);
  }

  private async checkTarget(url: string): Promise<void> {
    try {
      await this.deps.guard.check(url);
    } catch (err) {
      if (!(err instanceof TargetRefused)) throw err;
      throw new AppError('VALIDATION', `Invalid url: ${err.message}`, { details: [{ path: 'url', message: err.message }] });
    }
  }
}

function notFound(): AppError {
  return new AppError('NOT_FOUND', 'No webhook endpoint with this id');
}
