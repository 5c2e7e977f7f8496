import type { Interview, InterviewSummary } from '../../../../shared/interview.js';
import type { WebhookEvent } from '../../../../shared/webhook.js';
import type { InterviewRecord, WebhookEventRecord } from '../models/index.js';

/** Lean stored document -> the shared type (`_id` becomes the hex `id`). */
export function toInterview(record: InterviewRecord): Interview {
  const { _id, ...rest } = record;
  return { id: _id.toHexString(), ...rest };
}

export type InterviewSummaryRecord = Omit<InterviewRecord, 'messages' | 'transcript' | 'focus' | 'notes' | 'nudges'>;

export function toInterviewSummary(record: InterviewSummaryRecord): InterviewSummary {
  const { _id, ...rest } = record;
  return { id: _id.toHexString(), ...rest };
}

export function toWebhookEvent(record: WebhookEventRecord): WebhookEvent {
  const { _id, ...rest } = record;
  return { id: _id.toHexString(), ...rest };
}
