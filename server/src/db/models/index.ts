import type { Connection } from 'mongoose';
import { interviewModel, type InterviewModel } from './interview.js';
import { webhookEventModel, type WebhookEventModel } from './webhookEvent.js';

export type { InterviewModel, InterviewRecord } from './interview.js';
export type { WebhookEventModel, WebhookEventRecord } from './webhookEvent.js';

export interface Models {
  Interview: InterviewModel;
  WebhookEvent: WebhookEventModel;
}

/** The typed models bound to one connection. */
export function createModels(conn: Connection): Models {
  return { Interview: interviewModel(conn), WebhookEvent: webhookEventModel(conn) };
}

/** Creates the collections and indexes (autoIndex) and waits for them, so unique keys hold from the first write. */
export async function initModels(models: Models): Promise<void> {
  await Promise.all([models.Interview.init(), models.WebhookEvent.init()]);
}
