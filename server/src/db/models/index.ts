import type { Connection } from 'mongoose';
import { interviewModel, type InterviewModel } from './interview.js';
import { erasureModel, type ErasureModel } from './erasure.js';
import { leaseModel, type LeaseModel } from './lease.js';
import { openingModel, type OpeningModel } from './opening.js';
import { recruiterModel, type RecruiterModel } from './recruiter.js';
import { webhookEventModel, type WebhookEventModel } from './webhookEvent.js';
import { webhookDeliveryModel, type WebhookDeliveryModel } from './webhookDelivery.js';
import { webhookEndpointModel, type WebhookEndpointModel } from './webhookEndpoint.js';

export type { InterviewModel, InterviewRecord } from './interview.js';
export type { WebhookEventModel, WebhookEventRecord } from './webhookEvent.js';
export type { OpeningModel, OpeningRecord } from './opening.js';
export type { WebhookDeliveryModel, WebhookDeliveryRecord } from './webhookDelivery.js';
export type { WebhookEndpointModel, WebhookEndpointRecord } from './webhookEndpoint.js';
export type { RecruiterModel, RecruiterRecord } from './recruiter.js';
export type { ErasureModel, ErasureRecord } from './erasure.js';
export type { LeaseModel, LeaseRecord } from './lease.js';

export interface Models {
  Interview: InterviewModel;
  WebhookEvent: WebhookEventModel;
  Opening: OpeningModel;
  WebhookEndpoint: WebhookEndpointModel;
  WebhookDelivery: WebhookDeliveryModel;
  Recruiter: RecruiterModel;
  /** Tombstones of erased interviews (docs/privacy.md). */
  Erasure: ErasureModel;
  /** Named cluster-wide leases (the retention sweeper's). */
  Lease: LeaseModel;
}

/** The typed models bound to one connection. */
export function createModels(conn: Connection): Models {
  return {
    Interview: interviewModel(conn),
    WebhookEvent: webhookEventModel(conn),
    Opening: openingModel(conn),
    WebhookEndpoint: webhookEndpointModel(conn),
    WebhookDelivery: webhookDeliveryModel(conn),
    Erasure: erasureModel(conn),
    Lease: leaseModel(conn),
    Recruiter: recruiterModel(conn),
  };
}

/** Creates the collections and indexes (autoIndex) and waits for them, so unique keys hold from the first write. */
export async function initModels(models: Models): Promise<void> {
  await Promise.all([
    models.Interview.init(),
    models.WebhookEvent.init(),
    models.Opening.init(),
    models.Erasure.init(),
    models.Lease.init(),
    models.Recruiter.init(),
    models.WebhookEndpoint.init(),
    models.WebhookDelivery.init(),
  ]);
}
